/**
 * Error positions are 1-based offsets into the whole text the client sent, as
 * PostgreSQL reports them, also inside INSERT … SELECT and later statements of
 * a multi-statement call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

const at = (text: string, needle: string) => text.indexOf(needle) + 1;

describe('error positions', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE pos_t (id int, v text)');
    await ok('CREATE TABLE pos_u (id int, v text)');
  });

  it.each([
    ['INSERT INTO pos_t SELECT nosuch, v FROM pos_u', 'nosuch', '42703'],
    ['INSERT INTO pos_t (id, v) SELECT id, v + 1 FROM pos_u', '+', '42883'],
    ['INSERT INTO pos_t SELECT id, v FROM pos_nosuch', 'pos_nosuch', '42P01'],
    ['SELECT 1; INSERT INTO pos_t SELECT nosuch FROM pos_u', 'nosuch', '42703'],
    ['UPDATE pos_t SET v = nosuch WHERE id = 1', 'nosuch', '42703'],
    ['DELETE FROM pos_t WHERE v = 1', '=', '42883'],
  ])('%s', async (q, needle, code) => {
    const r = await sql(q);
    expect(r.error?.code, JSON.stringify(r.error)).toBe(code);
    expect(r.error?.position, JSON.stringify(r.error)).toBe(at(q, needle));
  });
});

describe('answers the data plane used to crash on (500)', () => {
  it.each([
    ["WITH v(x) AS (VALUES ('0'::numeric), ('inf'), ('nan')) SELECT x, round(x) FROM v", 3],
    [
      'WITH o(x) AS (SELECT 1 UNION (WITH i AS (SELECT 2) SELECT * FROM i UNION SELECT 3)) SELECT * FROM o',
      3,
    ],
  ])('%s', async (q, rows) => {
    const r = await sql(q);
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    expect(r.rows).toHaveLength(rows);
  });

  it('timestamps at ±infinity and beyond a JS Date print as PostgreSQL does', async () => {
    await ok('CREATE TABLE pos_ts (t timestamptz)');
    await ok("INSERT INTO pos_ts VALUES ('infinity'), ('-infinity'), ('2000-01-01 00:00:00+00')");
    const r = await ok('SELECT t FROM pos_ts ORDER BY t');
    expect(r.rows).toEqual([['-infinity'], ['2000-01-01T00:00:00.000Z'], ['infinity']]);
    const far = await sql("SELECT '294276-12-31 23:59:59+00'::timestamptz AS t");
    expect(far.status, JSON.stringify(far.error)).toBe(200);
    expect(String(far.rows[0][0])).toMatch(/^294276-12-31/);
  });
});

describe('timestamp filters at the infinities reach the shards', () => {
  it('a pushed-down comparison with infinity answers (the fragment literal crashed)', async () => {
    await ok('CREATE TABLE pos_ts2 (id int, t timestamptz)');
    await ok("SELECT create_distributed_table('pos_ts2', 'id', shard_count => 4)");
    await ok("INSERT INTO pos_ts2 VALUES (1, 'infinity'), (2, '2000-01-01 00:00:00+00')");
    const r = await sql("SELECT id FROM pos_ts2 WHERE t < 'infinity'::timestamptz");
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    expect(r.rows).toEqual([[2]]);
  });
});
