/**
 * A multi-statement call is one transaction for its data writes: a call that
 * fails part-way names the failing statement and commits none of its writes;
 * only DDL that ran before the first write stays (and is listed as committed),
 * so a client knows exactly what to retry.
 */
import { describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

describe('statement progress in errors', () => {
  it('INSERT …; SELECT 1/0 commits nothing and names the failing statement', async () => {
    await ok('CREATE TABLE progress_a (id int, v text)');
    const r = await sql("INSERT INTO progress_a VALUES (1, 'x'), (2, 'y'); SELECT 1/0");
    expect(r.status).toBe(422);
    expect(r.error).toMatchObject({ code: '22012', statement: 2 });
    expect(r.error).not.toHaveProperty('committed');
    expect((await ok('SELECT count(*) FROM progress_a')).rows).toEqual([[0]]);
  });

  it('a later failure aborts every earlier write; the reads before it saw them', async () => {
    await ok('CREATE TABLE progress_b (id int)');
    await ok('INSERT INTO progress_b VALUES (7)');
    const r = await sql(
      'INSERT INTO progress_b VALUES (1); SELECT * FROM progress_b; DELETE FROM progress_b WHERE id = 7; SELECT nosuch FROM progress_b',
    );
    expect(r.error).toMatchObject({ code: '42703', statement: 4 });
    expect(r.error).not.toHaveProperty('committed');
    expect((await ok('SELECT id FROM progress_b ORDER BY id')).rows).toEqual([[7]]);
  });

  it('DDL before the first write commits on its own and is the only thing listed', async () => {
    const r = await sql('CREATE TABLE progress_c (id int); INSERT INTO progress_c VALUES (1); SELECT 1/0');
    expect(r.error).toMatchObject({
      code: '22012',
      statement: 3,
      committed: [{ statement: 1, command: 'CREATE TABLE' }],
    });
    expect((await ok('SELECT count(*) FROM progress_c')).rows).toEqual([[0]]);
  });

  it('DDL or a management function after a write is refused before anything runs', async () => {
    await ok('CREATE TABLE progress_d (id int)');
    for (const q of [
      'INSERT INTO progress_d VALUES (1); CREATE TABLE progress_d2 (id int)',
      "INSERT INTO progress_d VALUES (1); SELECT create_distributed_table('progress_d', 'id')",
      'UPDATE progress_d SET id = 2; DROP TABLE progress_d',
    ]) {
      const r = await sql(q);
      expect(r.status, q).toBe(422);
      expect(r.error?.code, q).toBe('0A000');
      expect(r.error).not.toHaveProperty('committed');
    }
    expect((await ok('SELECT count(*) FROM progress_d')).rows).toEqual([[0]]);
    expect((await sql('SELECT * FROM progress_d2')).error?.code).toBe('42P01');
  });

  it('a failing first statement has nothing committed; a single statement carries no progress', async () => {
    const first = await sql('SELECT 1/0; SELECT 1');
    expect(first.error).toMatchObject({ code: '22012', statement: 1 });
    expect(first.error).not.toHaveProperty('committed');
    const single = await sql('SELECT 1/0');
    expect(single.error).not.toHaveProperty('statement');
  });
});

describe('data-modifying CTEs', () => {
  it('are refused with 0A000 and change nothing (they reported rows and deleted none)', async () => {
    await ok('CREATE TABLE cte_dml (id int)');
    await ok('INSERT INTO cte_dml VALUES (1), (2)');
    for (const q of [
      'WITH d AS (DELETE FROM cte_dml WHERE id = 1 RETURNING id) SELECT count(*) FROM d',
      'WITH i AS (INSERT INTO cte_dml VALUES (3) RETURNING id) SELECT * FROM i',
      'SELECT * FROM (WITH u AS (UPDATE cte_dml SET id = 9 RETURNING id) SELECT id FROM u) s',
    ]) {
      const r = await sql(q);
      expect(r.status, q).toBe(422);
      expect(r.error?.code, q).toBe('0A000');
      expect(r.error?.message, q).toContain('data-modifying statements in WITH');
    }
    expect((await ok('SELECT id FROM cte_dml ORDER BY id')).rows).toEqual([[1], [2]]);
  });
});

describe('RETURNING', () => {
  it('is refused with 0A000 before anything is written (INSERT … RETURNING answered no rows)', async () => {
    await ok('CREATE TABLE returning_t (id int, v text)');
    await ok("INSERT INTO returning_t VALUES (1, 'a')");
    for (const q of [
      "INSERT INTO returning_t VALUES (2, 'b') RETURNING id",
      "UPDATE returning_t SET v = 'c' RETURNING *",
      'DELETE FROM returning_t WHERE id = 1 RETURNING id',
    ]) {
      const r = await sql(q);
      expect(r.status, q).toBe(422);
      expect(r.error?.code, q).toBe('0A000');
    }
    expect((await ok('SELECT id, v FROM returning_t')).rows).toEqual([[1, 'a']]);
  });
});
