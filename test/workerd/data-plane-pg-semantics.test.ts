/**
 * The distributed data plane answers as the engine (and PostgreSQL) does, over
 * HTTP: every statement is bound by the engine first (type errors, their
 * SQLSTATE and wording), statements the fast path cannot plan exactly take the
 * general path (windows, overflowing casts), UPDATE / DELETE evaluate any
 * expression on the shards' engines, and errors never name parser internals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

describe('distributed statements behave like PostgreSQL', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE ps_metrics (time timestamptz NOT NULL, host text, cpu double precision, c int)');
    await ok(`SELECT create_distributed_table('ps_metrics', 'host', shard_count => 4)`);
    await ok('CREATE TABLE ps_hosts (host text, cores int, owner text)');
    await ok(`SELECT create_distributed_table('ps_hosts', 'host', shard_count => 4)`);
    await ok(
      `INSERT INTO ps_metrics VALUES ('2024-01-01T00:00:00Z', 'a', 1.5, 1), ('2024-01-01T00:01:00Z', 'a', 2.5, 2),
        ('2024-01-01T00:00:00Z', 'b', 4, 2147483647), ('2024-01-01T00:02:00Z', 'xb', 8, 3)`,
    );
    await ok(
      `INSERT INTO ps_hosts VALUES ('a', 2, 'ann'), ('b', 4, 'bob'), ('xa', 8, 'xi'), ('xb', 16, NULL)`,
    );
  }, 60_000);

  it.each([
    [
      'SELECT count(*) FROM ps_metrics WHERE time > 5',
      '42883',
      /operator does not exist: timestamp with time zone > integer/,
    ],
    ['SELECT count(*) FROM ps_metrics WHERE host = 5', '42883', /operator does not exist: text = integer/],
    ['DELETE FROM ps_metrics WHERE host = 5', '42883', /operator does not exist: text = integer/],
    ['UPDATE ps_metrics SET cpu = 1 WHERE time > 5', '42883', /timestamp with time zone > integer/],
    ["INSERT INTO ps_metrics (time, host) VALUES ('2024-01-01', 1 + 'x')", '22P02', /integer/],
    ['SELECT nosuch FROM ps_metrics', '42703', /column "nosuch" does not exist/],
  ])('binds with the engine: %s', async (q, code, message) => {
    const r = await sql(q);
    expect(r.error?.code).toBe(code);
    expect(r.error?.message).toMatch(message);
  });

  it('runs window functions on the general path', async () => {
    const r = await ok('SELECT host, cores, sum(cores) OVER (ORDER BY host) FROM ps_hosts ORDER BY host');
    expect(r.rows).toEqual([
      ['a', 2, 2],
      ['b', 4, 6],
      ['xa', 8, 14],
      ['xb', 16, 30],
    ]);
    const w = await ok(
      'SELECT host, avg(cpu) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM ps_metrics ORDER BY host, time',
    );
    expect(w.rows.map((x) => x[1])).toEqual([1.5, 2, 4, 8]);
  });

  it('raises 22003 when a cast overflows, on every path', async () => {
    for (const q of [
      // 2147483647 is an int4 literal: int4 + int4 overflows (the fast path once typed it int8).
      'SELECT c + 2147483647 FROM ps_metrics',
      'SELECT count(*) FROM ps_metrics WHERE c > 3000000000::int',
      'SELECT (c + 1)::int FROM ps_metrics',
      'SELECT count(*) FROM ps_metrics WHERE (c::int8 * 4)::int > 0',
      'SELECT CASE WHEN c > 0 THEN 1 ELSE 0 END + (c::int8 + 1)::integer FROM ps_metrics',
    ]) {
      const r = await sql(q);
      expect(r.error?.code, q).toBe('22003');
    }
  });

  it('UPDATE and DELETE evaluate any expression on the shards', async () => {
    const u = await ok("UPDATE ps_hosts SET owner = upper(owner) || '!' WHERE host LIKE 'x%'");
    expect(u.rowCount).toBe(2);
    const r = await ok('SELECT host, owner FROM ps_hosts ORDER BY host');
    expect(r.rows).toEqual([
      ['a', 'ann'],
      ['b', 'bob'],
      ['xa', 'XI!'],
      ['xb', null],
    ]);
    const d = await ok("DELETE FROM ps_hosts WHERE owner ILIKE '%!' OR coalesce(cores, 0) % 16 = 0");
    expect(d.rowCount).toBe(2);
    expect((await ok('SELECT count(*) FROM ps_hosts')).rows).toEqual([[2]]);
    const bad = await sql("UPDATE ps_hosts SET host = 'z' WHERE cores = 2");
    expect(bad.error?.code).toBe('0A000');
    expect(bad.error?.message).toMatch(/modifying the partition value of rows is not allowed/);
  });

  it('names SQL constructs and types the way PostgreSQL does', async () => {
    const v = await sql('CREATE VIEW ps_v AS SELECT 1');
    expect(v.error?.code).toBe('0A000');
    expect(v.error?.message).toBe('CREATE VIEW is not supported');
    // SIMILAR TO is the engine's (`~` over similar_to_escape), on the shards' rows (a and b are left).
    const s = await ok(
      "SELECT host FROM ps_hosts WHERE host SIMILAR TO '(a|x)%' OR host SIMILAR TO 'b' ORDER BY host",
    );
    expect(s.rows).toEqual([['a'], ['b']]);
    for (const q of ["SELECT cpu + 'x' FROM ps_metrics", "UPDATE ps_metrics SET c = 'no' WHERE host = 'a'"]) {
      const r = await sql(q);
      expect(r.error?.message ?? '', q).not.toMatch(/float64|int64|int32|A_Expr|AEXPR|Stmt\b/);
    }
  });

  it('stores NaN and ±Infinity in double precision NOT NULL columns (hot rows, chunks, UPDATE)', async () => {
    await ok('CREATE TABLE ps_floats (k text, x double precision NOT NULL)');
    await ok(`SELECT create_distributed_table('ps_floats', 'k', shard_count => 2)`);
    await ok(
      "INSERT INTO ps_floats VALUES ('a', 'NaN'), ('b', 'Infinity'), ('c', '-Infinity'), ('d', 1.5), ('e', $1)",
      ['nan'],
    );
    const want = [
      ['a', 'NaN'],
      ['b', 'Infinity'],
      ['c', '-Infinity'],
      ['d', 1.5],
      ['e', 'NaN'],
    ];
    expect((await ok('SELECT k, x FROM ps_floats ORDER BY k')).rows).toEqual(want);
    // The general path (a window) reads the same values.
    expect(
      (await ok('SELECT k, x, count(*) OVER () FROM ps_floats ORDER BY k')).rows.map((r) => r[1]),
    ).toEqual(want.map((r) => r[1]));
    await ok("UPDATE ps_floats SET x = x * -1 WHERE k IN ('b', 'd')");
    await ok(`SELECT compact_table('ps_floats')`);
    expect((await ok('SELECT k, x FROM ps_floats ORDER BY k')).rows).toEqual([
      ['a', 'NaN'],
      ['b', '-Infinity'],
      ['c', '-Infinity'],
      ['d', -1.5],
      ['e', 'NaN'],
    ]);
    // PostgreSQL orders NaN above every number.
    expect((await ok("SELECT count(*) FROM ps_floats WHERE x > 'Infinity'")).rows).toEqual([[2]]);
  });

  it('EXPLAIN [ANALYZE] shows the exchange, pruning, the shard fragment and per-shard runs', async () => {
    const r = await ok("EXPLAIN SELECT count(*) FROM ps_metrics WHERE host = 'a' AND cpu > 1");
    expect(r.columns).toEqual([{ name: 'QUERY PLAN', type: 'text' }]);
    const text = r.rows.map((x) => x[0]).join('\n');
    expect(text).toMatch(/^Custom Scan \(Orochi Distributed\)/);
    expect(text).toMatch(/shards: 1 of 4 scanned, 3 pruned/);
    expect(text).toMatch(/Fragment: SELECT count\(\*\) AS o0 FROM "ps_metrics" WHERE/);
    expect(text).toMatch(/Seq Scan on ps_metrics/);
    const a = await ok('EXPLAIN ANALYZE SELECT host, sum(cpu) OVER (ORDER BY time) FROM ps_metrics');
    const lines = a.rows.map((x) => String(x[0]));
    expect(lines[0]).toBe('Custom Scan (Orochi Coordinator)  (actual rows=4)');
    expect(lines.some((l) => /WindowAgg|Window/.test(l))).toBe(true);
    expect(lines.filter((l) => /^ {4}Shard .*: rows=\d+ time=[\d.]+ ms$/.test(l))).toHaveLength(4);
    expect(lines[lines.length - 1]).toMatch(/^Execution Time: [\d.]+ ms$/);
    const u = await sql("EXPLAIN UPDATE ps_metrics SET cpu = 0 WHERE host = 'a'");
    expect(u.error?.code).toBe('0A000');
  });

  it('answers numeric and int8 exactly: numeric and int8 beyond ±2^53 as JSON strings', async () => {
    const r = await ok(
      'SELECT 123456789012345678.12::numeric AS n, 9007199254740993::bigint AS b, 9223372036854775807::bigint AS m, 42::bigint AS s',
    );
    expect(r.rows).toEqual([['123456789012345678.12', '9007199254740993', '9223372036854775807', 42]]);
    expect(r.columns.map((c) => c.type)).toEqual(['numeric', 'bigint', 'bigint', 'bigint']);
    // Fast path (avg of integers is numeric, sum of integers bigint) and general path agree.
    const fast = await ok('SELECT avg(cores), sum(cores) FROM ps_hosts');
    const general = await ok('SELECT avg(cores), sum(cores) FROM ps_hosts HAVING count(*) > 0');
    expect(fast.rows).toEqual(general.rows);
    expect(fast.columns.map((c) => c.type)).toEqual(['numeric', 'bigint']);
    expect(typeof fast.rows[0][0]).toBe('string');
    // Distributed bigint columns hold the whole int8 range, exactly, hot and in chunks.
    await ok('CREATE TABLE ps_big (k text, b bigint)');
    await ok(`SELECT create_distributed_table('ps_big', 'k', shard_count => 2)`);
    const over = await sql("INSERT INTO ps_big VALUES ('z', 9223372036854775808)");
    expect(over.error?.code).toBe('22003');
    await ok(
      "INSERT INTO ps_big VALUES ('a', 9223372036854775807), ('b', -9223372036854775808), ('c', 9007199254740993), ('d', 5)",
    );
    const want = [
      ['b', '-9223372036854775808'],
      ['d', 5],
      ['c', '9007199254740993'],
      ['a', '9223372036854775807'],
    ];
    expect((await ok('SELECT k, b FROM ps_big ORDER BY b')).rows).toEqual(want);
    expect((await ok('SELECT max(b), min(b) FROM ps_big')).rows).toEqual([
      ['9223372036854775807', '-9223372036854775808'],
    ]);
    const windowed = await ok('SELECT k, b, row_number() OVER (ORDER BY b) FROM ps_big ORDER BY b');
    expect(windowed.rows.map((r) => r.slice(0, 2))).toEqual(want);
    expect((await ok("SELECT sum(b) FROM ps_big WHERE k IN ('c', 'd')")).rows).toEqual([
      ['9007199254740998'],
    ]);
    await ok("UPDATE ps_big SET b = b - 1 WHERE k = 'a'");
    await ok(`SELECT compact_table('ps_big')`);
    expect((await ok("SELECT b FROM ps_big WHERE k = 'a'")).rows).toEqual([['9223372036854775806']]);
    expect((await ok('SELECT k FROM ps_big WHERE b > 9007199254740992 ORDER BY k')).rows).toEqual([
      ['a'],
      ['c'],
    ]);
  });
});
