/**
 * Hostile SQL over HTTP (`POST /v1/databases/{db}/sql`): a NUL that used to cut
 * a DELETE short, statements nested deeply enough to overflow the stack,
 * endless set-returning functions and date/time edge cases. Each gets a 4xx
 * with PostgreSQL's SQLSTATE or PostgreSQL's answer — never a 500, a hang or a
 * changed meaning — and the service keeps answering afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

const TABLE = 'hostile_rows';

async function stillAnswers(): Promise<void> {
  const r = await ok(`SELECT count(*) AS n FROM ${TABLE}`);
  expect(r.rows).toEqual([[3]]);
}

const sum = (n: number) => `SELECT ${Array(n).fill('1').join('+')} AS s`;

describe('hostile SQL over HTTP', () => {
  beforeAll(async () => {
    await ok(`CREATE TABLE ${TABLE} (id int NOT NULL, v text)`);
    await ok(`SELECT create_distributed_table('${TABLE}', 'id', shard_count => 4)`);
    await ok(`INSERT INTO ${TABLE} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  });

  it('a NUL in the SQL text is 22021 and deletes nothing (it used to drop the WHERE)', async () => {
    const r = await sql(`DELETE FROM ${TABLE}\u0000 WHERE id = 1`);
    expect(r.status).toBe(422);
    expect(r.error).toEqual({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' });
    await stillAnswers();
  });

  it('a NUL or a lone surrogate in a parameter is 22021', async () => {
    for (const p of ['a\u0000b', 'x\uD800']) {
      const r = await sql(`SELECT count(*) FROM ${TABLE} WHERE v = $1`, [p]);
      expect(r.status).toBe(422);
      expect(r.error?.code).toBe('22021');
    }
    const d = await sql(`DELETE FROM ${TABLE} WHERE v = $1`, ['a\u0000']);
    expect(d.error?.code).toBe('22021');
    await stillAnswers();
  });

  it.each([
    ['a 3,000-term sum', sum(3000)],
    ['a 50,000-term sum', sum(50_000)],
    ['10,000 nested parentheses', `SELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)}`],
    ['400 nested subqueries', `SELECT ${'(SELECT '.repeat(400)}1${')'.repeat(400)}`],
    ['deep CASE nesting', `SELECT ${'CASE WHEN true THEN '.repeat(800)}1${' END'.repeat(800)}`],
    ['deep function nesting', `SELECT ${'abs('.repeat(1500)}1${')'.repeat(1500)}`],
  ])('%s is 54001 (4xx, not 500)', async (_, query) => {
    const r = await sql(query);
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('54001');
    expect(r.error?.message).toBe('stack depth limit exceeded');
    expect((r.error as { hint?: string } | undefined)?.hint).toMatch(/^Simplify the statement/);
    await stillAnswers();
  });

  it('statements just under the depth limit run in workerd (the limit leaves stack to spare)', async () => {
    expect((await ok(sum(990))).rows).toEqual([[990]]);
    expect((await ok(`SELECT ${'abs('.repeat(600)}-1${')'.repeat(600)} AS a`)).rows).toEqual([[1]]);
    const nested = 250;
    expect((await ok(`SELECT ${'(SELECT '.repeat(nested)}7${')'.repeat(nested)} AS x`)).rows).toEqual([[7]]);
    const and = Array.from({ length: 3000 }, (_, i) => `id <> ${-i}`).join(' AND ');
    expect((await ok(`SELECT count(*) AS n FROM ${TABLE} WHERE ${and}`)).rows).toEqual([[3]]);
  });

  it('an infinite generate_series under LIMIT answers, as in PostgreSQL', async () => {
    const r = await ok(
      "SELECT generate_series('2022-01-01'::timestamp, 'infinity'::timestamp, '1 month') AS t LIMIT 10",
    );
    expect(r.rows).toHaveLength(10);
    expect(String(r.rows[9][0])).toMatch(/^2022-10-01/);
    await stillAnswers();
  });

  it('an infinite generate_series without LIMIT ends with a budget error (4xx), not a hang', async () => {
    const r = await sql(
      "SELECT generate_series('2022-01-01'::timestamp, 'infinity'::timestamp, '1 second') AS t",
    );
    expect([413, 400]).toContain(r.status);
    expect(['53200', '57014']).toContain(r.error?.code);
    await stillAnswers();
  });

  it('infinite and zero steps are 22023', async () => {
    for (const step of ['infinity', '0 days']) {
      const r = await sql(
        `SELECT generate_series('2022-01-01'::timestamp, '2023-01-01'::timestamp, '${step}'::interval)`,
      );
      expect(r.status).toBe(422);
      expect(r.error?.code).toBe('22023');
    }
    await stillAnswers();
  });

  it('date/time edge cases answer as PostgreSQL instead of crashing', async () => {
    const inf = await sql("SELECT timestamp 'infinity' - timestamp 'infinity' AS d");
    expect(inf.status).toBe(422);
    expect(inf.error).toEqual({ code: '22008', message: 'interval out of range' });
    const midnight = await ok("SELECT timestamp '1999-12-31 24:00:00' AS t");
    expect(String(midnight.rows[0][0])).toMatch(/^2000-01-01/);
    await stillAnswers();
  });

  it('LIKE and regular expressions over long text answer at once instead of backtracking for minutes', async () => {
    // Each of these ran for minutes (uninterruptibly) on a backtracking RegExp.
    const started = Date.now();
    const r = await ok(
      `SELECT repeat('a', 100000) LIKE '%a%a%a%a%a%c' AS l, repeat('a', 100000) ~ '.*a.*a.*c' AS r, ` +
        `repeat('a', 40) || 'b' ~ '^(a|a)*$' AS e, count(*) FILTER (WHERE v || repeat('x', 50000) ~ '(x+)+y') AS n FROM ${TABLE}`,
    );
    expect(r.rows).toEqual([[false, false, false, 0]]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const bad = await sql(`SELECT 'aaaa' ~ '(a*)*\\1'`);
    expect(bad.status).toBe(422);
    expect(bad.error?.code).toBe('2201B');
    await stillAnswers();
  });

  it('a value past the memory budget is 53200 (413), not an isolate out of memory', async () => {
    const r = await sql("SELECT length(repeat('x', 1000000000)) AS n");
    expect(r.status).toBe(413);
    expect(r.error?.code).toBe('53200');
    await stillAnswers();
  });
});
