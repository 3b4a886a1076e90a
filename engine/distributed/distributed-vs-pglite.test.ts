/**
 * Differential test: the distributed path (plan → fragments over 8 hash
 * partitions, half of each partition as a hot segment and half as encoded
 * columnar chunks, each fragment run as SQL on the engine's vectorized executor
 * as ShardDO runs it → merge) must answer exactly like PostgreSQL (PGlite) on
 * the same rows.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChunkParts } from '../columnar/index.ts';
import type { Database } from '../database.ts';
import { SqlError } from '../errors.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { encodedSegment } from '../storage/segment-store.ts';
import { Prng } from '../testing/prng.ts';
import { type Cell, diffResults } from '../testing/result-compare.ts';
import { columnIdOf, encodeRows } from './chunk-rows.ts';
import { coordinatorDatabase, coordinatorRows, GatherBudget } from './coordinator-engine.ts';
import { planGather, referencedRelations } from './coordinator-plan.ts';
import { bindStatement, schemaDefs } from './coordinator-schema.ts';
import { dmlSql } from './dml-sql.ts';
import type { PartialResult } from './fragment.ts';
import {
  dmlEvaluatorReady,
  engineOver,
  engineTableDef,
  evaluateDml,
  hotSegment,
  runFragmentOnEngine,
} from './fragment-engine.ts';
import { buildHashRanges, shardForValue } from './hash-ranges.ts';
import { InexactMerge, mergePartials } from './partial-merge.ts';
import { planSelectNode } from './select-binding.ts';
import { classify } from './sql-statements.ts';
import type { DistTable, Row } from './table-schema.ts';

const table: DistTable = {
  name: 't',
  columns: [
    { id: 0, name: 'id', type: 'int32', notNull: true },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'v', type: 'float64', notNull: false },
    { id: 3, name: 'n', type: 'int64', notNull: false },
    { id: 4, name: 'ts', type: 'timestamptz', notNull: false },
    { id: 5, name: 'flag', type: 'bool', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 6,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: 8,
};
const BASE_US = Date.UTC(2024, 0, 1) * 1000;

function makeRows(): Row[] {
  const rng = new Prng(7);
  return Array.from({ length: 3000 }, (_, i) => {
    const maybe = <T>(v: T) => (rng.float() < 0.05 ? null : v);
    return [
      i,
      `h${Math.floor(rng.float() * 40)}`,
      maybe(Math.round(rng.float() * 10000) / 100),
      maybe(Math.floor(rng.float() * 1e6) - 5e5),
      maybe(BASE_US + Math.floor(rng.float() * 3 * 86400) * 1_000_000),
      maybe(rng.float() < 0.5),
    ];
  });
}

/** The SelectStmt the data plane would plan (CTEs inlined by `classify`). */
function classifySelect(sql: string) {
  const cmd = classify(parseSql(sql)[0].stmt, []);
  if (cmd.kind !== 'select') throw new Error(`not a select: ${cmd.kind}`);
  return cmd.stmt;
}

const QUERIES: [string, boolean][] = [
  // Aggregate top-k pushed to shards (sort keys cover the group keys) and not pushed (they do not).
  ['SELECT host, count(*), max(v) FROM t GROUP BY host ORDER BY host DESC LIMIT 5 OFFSET 2', true],
  [
    "SELECT time_bucket('1 hour', ts) AS h, max(v) FROM t WHERE ts IS NOT NULL GROUP BY h ORDER BY h DESC LIMIT 5",
    true,
  ],
  ['SELECT flag, host, count(*) FROM t GROUP BY flag, host ORDER BY flag NULLS FIRST, host LIMIT 9', true],
  ['SELECT flag, host, sum(n) FROM t GROUP BY flag, host ORDER BY 3 DESC, flag, host LIMIT 4', true],
  ['SELECT count(*), count(v), sum(v), min(v), max(v), avg(v), sum(n), min(ts), max(ts) FROM t', true],
  ['SELECT host, count(*), sum(n), avg(v), max(ts) FROM t GROUP BY host', false],
  ['SELECT host, count(*) AS c FROM t WHERE v > 50 GROUP BY host ORDER BY c DESC, host LIMIT 7', true],
  [
    "SELECT id, v FROM t WHERE host IN ('h1', 'h2', 'h3') AND v IS NOT NULL ORDER BY v DESC, id LIMIT 20",
    true,
  ],
  ['SELECT id, host, v, n, ts, flag FROM t ORDER BY id LIMIT 15 OFFSET 40', true],
  ['SELECT flag, count(*), min(n), max(n) FROM t GROUP BY flag', false],
  [
    "SELECT time_bucket('6 hours', ts) AS b, count(*), avg(v) FROM t WHERE ts IS NOT NULL GROUP BY b ORDER BY b",
    true,
  ],
  // Widths that do not divide a day (or are a week) expose the origin: TimescaleDB's is Monday 2000-01-03.
  ["SELECT time_bucket('7 days', ts) AS b, count(*) FROM t WHERE ts IS NOT NULL GROUP BY b ORDER BY b", true],
  ["SELECT time_bucket('7 hours', ts) AS b, min(v) FROM t WHERE ts IS NOT NULL GROUP BY b ORDER BY b", true],
  [
    "SELECT time_bucket('5 hours', ts, '2024-01-01 02:00:00+00') AS b, count(*) FROM t WHERE ts IS NOT NULL GROUP BY b ORDER BY b",
    true,
  ],
  ["SELECT count(*) FROM t WHERE ts >= '2024-01-02' AND ts < '2024-01-02 12:00:00+00' AND NOT flag", true],
  ['SELECT id, n / 7, n % 7, v * 2 + 1 FROM t WHERE n BETWEEN -1000 AND 100000 ORDER BY id LIMIT 30', true],
  ['SELECT host, max(v) FROM t WHERE id % 3 = 0 OR v < 10 GROUP BY 1 ORDER BY 1', true],
  ["SELECT count(*) FROM t WHERE host = 'h7' AND (v > 20 OR v IS NULL)", true],
  ['SELECT sum(v), count(*) FROM t WHERE id < 0', true],
  ['SELECT host, count(*) FROM t WHERE id < 0 GROUP BY host', false],
  ['SELECT id FROM t WHERE flag IS NULL ORDER BY ts DESC NULLS LAST, id LIMIT 10', true],
  ['SELECT DISTINCT ON (host) host, id, v FROM t ORDER BY host, v DESC, id', true],
  ['SELECT count(DISTINCT host), count(DISTINCT flag), count(DISTINCT n % 10) FROM t', true],
  ['SELECT flag, count(DISTINCT host) AS hosts FROM t GROUP BY flag ORDER BY hosts, flag', true],
  ['SELECT DISTINCT ON (host) * FROM t ORDER BY host, ts DESC, id LIMIT 12', true],
  [
    "WITH c AS (SELECT time_bucket('1 hour', ts) AS hour, host, avg(v) AS mean_v FROM t WHERE ts IS NOT NULL GROUP BY 1, 2) SELECT hour, host, mean_v FROM c ORDER BY hour, host",
    true,
  ],
  [
    "SELECT max(v), count(*) FROM t WHERE (host = 'h1' OR host = 'h2' OR host = 'h3') AND ts >= '2024-01-01 06:00:00 +0000'",
    true,
  ],
];

/** Functions, operators and casts the shards' engines bind themselves (pushed down, not gathered). */
const PUSHED: [string, boolean][] = [
  ["SELECT id, host FROM t WHERE host ~ '^h[0-9]$' ORDER BY id LIMIT 20", true],
  ['SELECT count(*), sum(v) FROM t WHERE v::numeric(6,2) > 50.5', true],
  ["SELECT date_trunc('hour', ts), sum(v), count(*) FROM t WHERE ts IS NOT NULL GROUP BY 1 ORDER BY 1", true],
  [
    "SELECT upper(host) || '!' AS h, abs(n) FROM t WHERE length(host) = 2 AND n IS NOT NULL ORDER BY id LIMIT 9",
    true,
  ],
];
QUERIES.push(...PUSHED);

/** Single-table statements the fast path answers 0A000 to (or never sees): the general path's. */
const GENERAL: [string, boolean][] = [
  ['SELECT host, count(*), sum(n) FROM t GROUP BY host HAVING count(*) > 75 ORDER BY host', true],
  [
    "SELECT host, max(ts) - min(ts) AS span FROM t WHERE host IN ('h1', 'h2', 'h3') GROUP BY host ORDER BY host",
    true,
  ],
  [
    "SELECT id, ts, lag(v) OVER (ORDER BY ts, id) AS prev FROM t WHERE host = 'h9' ORDER BY ts NULLS LAST, id LIMIT 25",
    true,
  ],
  ['SELECT DISTINCT flag FROM t ORDER BY flag NULLS FIRST', true],
  ['SELECT count(*) FROM t WHERE v > (SELECT avg(v) FROM t) AND flag', true],
  [
    "SELECT date_trunc('day', ts) AS d, sum(v) FILTER (WHERE flag) FROM t WHERE ts IS NOT NULL GROUP BY 1 ORDER BY 1",
    true,
  ],
  ['SELECT host FROM t WHERE n > 490000 UNION ALL SELECT host FROM t WHERE n < -499000', false],
  ['WITH x AS (SELECT host, avg(v) AS a FROM t GROUP BY host) SELECT count(*) FROM x WHERE a > 50', true],
];

describe('distributed plan vs PGlite', () => {
  const rows = makeRows();
  const ranges = buildHashRanges(8);
  const partitions: Row[][] = Array.from({ length: 8 }, () => []);
  for (const r of rows) partitions[shardForValue(ranges, r[1])].push(r);
  let pg: PGlite;
  let engines: Database[] = [];

  beforeAll(async () => {
    await initParser();
    // What a ShardDO holds: half its rows hot, half in encoded chunks read lazily.
    engines = await Promise.all(
      partitions.map((rows) => {
        const half = rows.length >> 1;
        const segments = [
          hotSegment(table, rows.slice(0, half)),
          ...encodeRows(table.columns, rows.slice(half)).map((ch) =>
            encodedSegment(
              openChunkParts(ch.header, (i) => ch.columns[i]),
              columnIdOf,
            ),
          ),
        ];
        return engineOver([{ def: engineTableDef(table), segments: () => segments }]);
      }),
    );
    pg = new PGlite();
    await pg.exec(`SET TIME ZONE 'UTC'; CREATE TABLE t (id int, host text, v double precision, n bigint, ts timestamptz, flag boolean);
      CREATE FUNCTION time_bucket(w interval, t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
      $$ SELECT date_bin(w, t, timestamptz '2000-01-03 00:00:00+00') $$;
      CREATE FUNCTION time_bucket(w interval, t timestamptz, o timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
      $$ SELECT date_bin(w, t, o) $$;`);
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      const params = part.flatMap((r) => [
        r[0],
        r[1],
        r[2],
        r[3],
        r[4] === null ? null : new Date((r[4] as number) / 1000).toISOString(),
        r[5],
      ]);
      await pg.query(
        `INSERT INTO t VALUES ${part.map((_, k) => `(${[1, 2, 3, 4, 5, 6].map((j) => `$${6 * k + j}`).join(',')})`).join(',')}`,
        params,
      );
    }
  }, 120_000);
  afterAll(async () => pg?.close());

  it('puts rows on every partition', () => {
    for (const p of partitions) expect(p.length).toBeGreaterThan(50);
  });

  it('prunes to the shards of an OR of equalities on the distribution column', () => {
    const plan = planSelectNode(
      classifySelect("SELECT * FROM t WHERE (host = 'h1' OR host = 'h2') AND v > 1"),
      table,
      [],
    );
    expect(plan?.pruneValues).toEqual(['h1', 'h2']);
    expect(
      planSelectNode(classifySelect("SELECT * FROM t WHERE host = 'h1' OR v > 1"), table, [])!.pruneValues,
    ).toBeUndefined();
  });

  it.each(QUERIES)('%s', async (sql, ordered) => {
    const plan = planSelectNode(classifySelect(sql), table, [])!;
    const targets = plan.pruneValues
      ? [...new Set(plan.pruneValues.map((v) => shardForValue(ranges, v)))]
      : [0, 1, 2, 3, 4, 5, 6, 7];
    const partials: PartialResult[] = await Promise.all(
      targets.map(async (i) => {
        // Partials cross RPC by structured clone: prove they survive it.
        return structuredClone((await runFragmentOnEngine(engines[i], plan.fragment)).result);
      }),
    );
    const actual = mergePartials(plan, partials).rows as Cell[][];
    const res = await pg.query<Record<string, unknown>>(sql.replace(/\$/g, '$'), [], { rowMode: 'array' });
    const expected = (res.rows as unknown as unknown[][]).map((r) =>
      r.map((c, i): Cell => {
        if (c instanceof Date) return c.getTime() * 1000;
        if (typeof c === 'bigint') return Number(c);
        // numeric is exact text on both sides (JSON results carry it as a string).
        if (typeof c === 'string' && res.fields[i].dataTypeID === 1700) return c;
        return c as Cell;
      }),
    );
    expect(diffResults(expected, actual, ordered, 1e-9)).toBeUndefined();
  });

  // Single-table statements outside the fast path: the general path gathers the needed columns
  // (hot and chunk segments, pushed filters) and runs the statement on a coordinator engine.
  it.each(GENERAL)('general path: %s', async (sql, ordered) => {
    const stmt = parseSql(sql)[0].stmt;
    const cmd = classify(stmt, []);
    if (cmd.kind === 'select') expect(planSelectNode(cmd.stmt, table, [])).toBeUndefined();
    const [g] = planGather(stmt, [table], []);
    const targets = g.plan.pruneValues
      ? [...new Set(g.plan.pruneValues.map((v) => shardForValue(ranges, v)))]
      : [0, 1, 2, 3, 4, 5, 6, 7];
    const budget = new GatherBudget();
    const partials = await Promise.all(
      targets.map(async (i) =>
        structuredClone((await runFragmentOnEngine(engines[i], g.plan.fragment)).result),
      ),
    );
    for (const p of partials) budget.add(p, g.plan.fragment.limit);
    const db = await coordinatorDatabase([{ gather: g, partials }]);
    const actual = coordinatorRows(await db.query(sql)).rows as Cell[][];
    const res = await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' });
    const expected = (res.rows as unknown as unknown[][]).map((r) =>
      r.map((c, i): Cell => {
        if (c instanceof Date) return c.getTime() * 1000;
        if (typeof c === 'bigint') return Number(c);
        // numeric is exact text on both sides (JSON results carry it as a string).
        if (typeof c === 'string' && res.fields[i].dataTypeID === 1700) return c;
        return c as Cell;
      }),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(diffResults(expected, actual, ordered, 1e-9)).toBeUndefined();
  });
});

/**
 * The data plane's own decisions, as `runSql` makes them: bind with the engine against the
 * catalog's schema (errors must carry PostgreSQL's SQLSTATE), then the fast path when it can
 * plan the statement exactly, else the general path. Windows, casts that overflow, type
 * errors and NaN/Infinity all answer as PGlite does.
 */
const AS_DATA_PLANE: [string, boolean][] = [
  ['SELECT id, n, sum(n) OVER (ORDER BY id) FROM t WHERE id < 60 ORDER BY id', true],
  [
    "SELECT id, avg(v) OVER (PARTITION BY host ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t WHERE host IN ('h1', 'h2') ORDER BY id",
    true,
  ],
  ['SELECT host, count(*), rank() OVER (ORDER BY count(*) DESC, host) FROM t GROUP BY host ORDER BY 3', true],
  // Type errors: the engine's binder, PostgreSQL's SQLSTATE (42883, 42703, 22P02 …).
  ['SELECT count(*) FROM t WHERE ts > 5', false],
  ['SELECT count(*) FROM t WHERE host = 5', false],
  ["SELECT v + 'x' FROM t", false],
  ['SELECT nosuch FROM t', false],
  ['SELECT sum(host) FROM t', false],
  // Casts and arithmetic that overflow raise 22003 on every path (an int4 literal is int4).
  ['SELECT id + 2147483647 FROM t', false],
  ['SELECT (n * 5000)::integer FROM t', false],
  ['SELECT CASE WHEN flag THEN 1 ELSE 0 END + (n * 5000)::integer FROM t', false],
  ['SELECT count(*) FROM t WHERE id > 3000000000::int', false],
  ['SELECT count(*) FROM t WHERE n::int2 > 0', false],
  ['SELECT id FROM t WHERE id < 3000000000 ORDER BY id LIMIT 3', true],
  // Numeric literals keep numeric semantics (0.1 is not a double).
  ['SELECT id, id * 0.1 FROM t ORDER BY id LIMIT 5', true],
  // NaN and infinities compare and aggregate as in PostgreSQL.
  ["SELECT count(*) FROM t WHERE v < 'Infinity'::float8 AND v > '-Infinity'", true],
  ["SELECT count(*) FROM t WHERE v <> 'NaN'::float8", true],
  ["SELECT max(v + 'Infinity'::float8), min(v - 'infinity'::float8) FROM t", true],
  // numeric and int8 are exact: numeric as PostgreSQL's text, int8 beyond ±2^53 as text.
  ['SELECT avg(id), sum(n), avg(n), sum(id), avg(v) FROM t', true],
  ['SELECT host, avg(n) AS a FROM t GROUP BY host ORDER BY a DESC, host LIMIT 5', true],
  ['SELECT 123456789012345678.12::numeric, 9007199254740993::bigint, 9223372036854775807::bigint', true],
  ['SELECT n::numeric / 7, n * 9007199254740 FROM t ORDER BY id LIMIT 5', true],
];

/** PGlite's answer, or its SQLSTATE. */
async function pgAnswer(pg: PGlite, sql: string): Promise<{ rows?: Cell[][]; code?: string }> {
  try {
    const res = await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' });
    const rows = (res.rows as unknown as unknown[][]).map((r) =>
      r.map((c, i): Cell => {
        if (c instanceof Date) return c.getTime() * 1000;
        if (typeof c === 'bigint') return Number.isSafeInteger(Number(c)) ? Number(c) : String(c);
        // numeric is exact text on both sides (JSON results carry it as a string).
        if (typeof c === 'string' && res.fields[i].dataTypeID === 1700) return c;
        return c as Cell;
      }),
    );
    return { rows };
  } catch (e) {
    return { code: (e as { code?: string }).code };
  }
}

describe('the data plane (bind, then fast or general path) vs PGlite', () => {
  const rows = makeRows();
  const ranges = buildHashRanges(8);
  const partitions: Row[][] = Array.from({ length: 8 }, () => []);
  for (const r of rows) partitions[shardForValue(ranges, r[1])].push(r);
  let pg: PGlite;
  let engines: Database[] = [];
  const defs = schemaDefs([table]);

  beforeAll(async () => {
    await initParser();
    engines = await Promise.all(
      partitions.map((rows) => {
        const segments = [hotSegment(table, rows)];
        return engineOver([{ def: engineTableDef(table), segments: () => segments }]);
      }),
    );
    pg = new PGlite();
    await pg.exec(
      `SET TIME ZONE 'UTC'; CREATE TABLE t (id int, host text, v double precision, n bigint, ts timestamptz, flag boolean);`,
    );
    await loadRows(pg, rows);
  }, 120_000);
  afterAll(async () => pg?.close());

  /** What `runSql` does with one SELECT; the rows or the SQLSTATE. */
  async function dataPlane(sql: string): Promise<{ rows?: Cell[][]; code?: string; path?: string }> {
    try {
      const stmt = parseSql(sql)[0].stmt;
      await bindStatement(defs, stmt, sql, []);
      const cmd = classify(stmt, []);
      const plan = cmd.kind === 'select' ? planSelectNode(cmd.stmt, table, []) : undefined;
      if (plan) {
        const targets = plan.pruneValues
          ? [...new Set(plan.pruneValues.map((v) => shardForValue(ranges, v)))]
          : [0, 1, 2, 3, 4, 5, 6, 7];
        const partials = await Promise.all(
          targets.map(async (i) =>
            structuredClone((await runFragmentOnEngine(engines[i], plan.fragment)).result),
          ),
        );
        return { rows: mergePartials(plan, partials).rows as Cell[][], path: 'fast' };
      }
      const gathers = planGather(stmt, referencedRelations(stmt).has('t') ? [table] : [], []);
      const gathered = await Promise.all(
        gathers.map(async (g) => ({
          gather: g,
          partials: await Promise.all(
            engines.map(async (e) => structuredClone((await runFragmentOnEngine(e, g.plan.fragment)).result)),
          ),
        })),
      );
      const db = await coordinatorDatabase(gathered);
      return { rows: coordinatorRows(await db.query(sql)).rows as Cell[][], path: 'general' };
    } catch (e) {
      if (e instanceof SqlError) return { code: e.code };
      throw e;
    }
  }

  it.each(AS_DATA_PLANE)('%s', async (sql, ordered) => {
    const want = await pgAnswer(pg, sql);
    const got = await dataPlane(sql);
    if (want.code) expect(got.code).toBe(want.code);
    else {
      expect(got.code).toBeUndefined();
      expect(diffResults(want.rows!, got.rows!, ordered, 1e-9)).toBeUndefined();
    }
  });

  it('adds integer partial sums exactly past ±2^53 (no double in between)', () => {
    const plan = planSelectNode(classifySelect('SELECT sum(n), avg(n), sum(id) FROM t'), table, [])!;
    const partial = (sumN: number | bigint): PartialResult => ({
      rowCount: 1,
      columns: plan.fragment.aggs.map((a) => [a.fn === 'sum' && a.arg?.sql === 'c3' ? sumN : 1]),
    });
    // 2^53 + 3 and -(2^53): a double sum gives 4 (or 2); PostgreSQL's exact numeric gives 3.
    const merged = mergePartials(plan, [partial(2n ** 53n + 3n), partial(-(2 ** 53))]).rows[0];
    expect(merged[0]).toBe('3');
    expect(merged[1]).toBe('1.5000000000000000');
    expect(mergePartials(plan, [partial(2 ** 52), partial(2 ** 52 + 1)]).rows[0][0]).toBe(
      String(2n ** 53n + 1n),
    );
    // sum(int4) is int8: a total beyond int8 is PostgreSQL's 22003, left to the general path.
    const ids = planSelectNode(classifySelect('SELECT sum(id) FROM t'), table, [])!;
    const big = (v: bigint): PartialResult => ({ rowCount: 1, columns: [[v]] });
    expect(() => mergePartials(ids, [big(2n ** 62n), big(2n ** 62n)])).toThrow(InexactMerge);
  });

  it.each(PUSHED)('runs the bound expressions on the shards: %s', async (sql) => {
    const plan = planSelectNode(classifySelect(sql), table, [])!;
    // The shard's SQL carries the expression (its engine binds it), and the shards ship
    // at most a top-k or one row per group (72 hours × 8 shards), far fewer than the 3000 rows.
    const shipped = plan.fragment.filter?.sql ?? '';
    expect(shipped).toMatch(/~|numeric\(6,2\)|IS NOT NULL/);
    let rowsShipped = 0;
    for (const db of engines) rowsShipped += (await runFragmentOnEngine(db, plan.fragment)).result.rowCount;
    expect(rowsShipped).toBeGreaterThan(0);
    expect(rowsShipped).toBeLessThan(rows.length / 5);
  });

  it('keeps simple statements on the fast path', async () => {
    expect((await dataPlane("SELECT count(*) FROM t WHERE host = 'h3' AND v > 2")).path).toBe('fast');
    expect((await dataPlane('SELECT host, sum(n) OVER () FROM t')).path).toBe('general');
  });
});

/** Loads `rows` into PGlite's `t`. */
async function loadRows(pg: PGlite, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    const params = part.flatMap((r) => [
      r[0],
      r[1],
      r[2],
      r[3],
      r[4] === null ? null : new Date((r[4] as number) / 1000).toISOString(),
      r[5],
    ]);
    await pg.query(
      `INSERT INTO t VALUES ${part.map((_, k) => `(${[1, 2, 3, 4, 5, 6].map((j) => `$${6 * k + j}`).join(',')})`).join(',')}`,
      params,
    );
  }
}

/** UPDATE / DELETE shipped as SQL and evaluated by each shard's engine (see `dml-sql`, `shard-dml`). */
const DML: [string, unknown[]][] = [
  ["UPDATE t SET v = v * 2 WHERE host LIKE 'h1%'", []],
  ["UPDATE t SET flag = NOT flag, n = n + id WHERE v BETWEEN 10 AND 20 OR ts < '2024-01-02'", []],
  ['DELETE FROM t WHERE coalesce(v, 0) < 5 AND id % 3 = 1', []],
  ['UPDATE t SET n = greatest(n, 0) WHERE n IS DISTINCT FROM 0 AND flag IS NOT TRUE', []],
  ["DELETE FROM t WHERE upper(host) IN ('H3', 'H4')", []],
  ["UPDATE t AS x SET v = x.v + 1, ts = x.ts + interval '1 day' WHERE x.id < 100", []],
  ['UPDATE t SET v = $1 WHERE id = $2', [0.5, 7]],
  ["UPDATE t SET v = 'NaN' WHERE id = 8; ", []],
  ['UPDATE t SET v = DEFAULT WHERE id = 9 -- a comment, with a comma', []],
  ["UPDATE t SET n = length('a,b WHERE c') WHERE /* where, */ id = 10", []],
  ['UPDATE t SET n = n * 1000000000000000', []],
  ['UPDATE t SET id = id + 2147483647 WHERE id > 5', []],
  ["DELETE FROM t WHERE ts > '2024-01-02 12:00'", []],
];

describe('UPDATE / DELETE shipped as SQL vs PGlite', () => {
  const rows = makeRows().slice(0, 800);
  const ranges = buildHashRanges(8);
  const partitions: Row[][] = Array.from({ length: 8 }, () => []);
  for (const r of rows) partitions[shardForValue(ranges, r[1])].push([...r]);
  let pg: PGlite;

  beforeAll(async () => {
    await initParser();
    await dmlEvaluatorReady();
    pg = new PGlite();
    await pg.exec(
      `SET TIME ZONE 'UTC'; CREATE TABLE t (id int, host text, v double precision, n bigint, ts timestamptz, flag boolean);`,
    );
    await loadRows(pg, rows);
  }, 120_000);
  afterAll(async () => pg?.close());

  /** Applies the statement to every partition the way a shard commits it (all or nothing). */
  function applyDml(sql: string, params: unknown[]): string | undefined {
    const stmt = parseSql(sql)[0].stmt;
    try {
      const dml = dmlSql(stmt, sql, table, params);
      const next = partitions.map((p) => {
        const m = evaluateDml(dml, p);
        const hit = new Map(m.positions.map((pos, k) => [pos, k]));
        if (stmt.DeleteStmt) return p.filter((_, i) => !hit.has(i));
        const names = (stmt.UpdateStmt.targetList as { ResTarget: { name: string } }[]).map(
          (x) => table.columns.find((c) => c.name === x.ResTarget.name)!.id,
        );
        return p.map((r, i) => {
          const k = hit.get(i);
          if (k === undefined) return r;
          const out = [...r];
          names.forEach((id, j) => {
            out[id] = m.values[k][j];
          });
          return out;
        });
      });
      next.forEach((p, i) => {
        partitions[i] = p;
      });
      return undefined;
    } catch (e) {
      if (e instanceof SqlError) return e.code;
      throw e;
    }
  }

  it.each(DML)('%s', async (sql, params) => {
    let want: string | undefined;
    try {
      await pg.query(sql, params);
    } catch (e) {
      want = (e as { code?: string }).code;
    }
    expect(applyDml(sql, params)).toBe(want);
    const res = await pg.query<Record<string, unknown>>('SELECT * FROM t', [], { rowMode: 'array' });
    const expected = (res.rows as unknown as unknown[][]).map((r) =>
      r.map(
        (c): Cell =>
          c instanceof Date ? c.getTime() * 1000 : typeof c === 'bigint' ? Number(c) : (c as Cell),
      ),
    );
    const actual = partitions.flat() as Cell[][];
    expect(diffResults(expected, actual, false, 1e-12)).toBeUndefined();
  });

  it('refuses to modify the distribution column (as Citus does)', () => {
    expect(applyDml("UPDATE t SET host = 'x' WHERE id = 1", [])).toBe('0A000');
    // A shard holds only its part of any table: subqueries over tables are refused.
    expect(applyDml('DELETE FROM t WHERE v > (SELECT avg(v) FROM t)', [])).toBe('0A000');
    expect(applyDml('UPDATE t SET v = (SELECT max(v) FROM t) WHERE id = 1', [])).toBe('0A000');
    expect(applyDml('UPDATE t SET v = (SELECT 1.5) WHERE id = 1', [])).toBeUndefined();
  });
});
