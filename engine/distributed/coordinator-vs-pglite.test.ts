/**
 * Differential test of the coordinator paths (what the single-table fast path
 * cannot plan): co-located tables `t` and `u` hash-distributed on `host` over 8
 * simulated shards (engines over hot segments, as a ShardDO runs fragments) and
 * a reference table `r` on one shard. Each statement is planned as the data
 * plane plans it — the general gather path (scan fragments with projection and
 * filter pushdown, then the original statement on a coordinator engine) — and
 * must answer exactly like PostgreSQL (PGlite) on the same rows.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database.ts';
import { SqlError } from '../errors.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { Prng } from '../testing/prng.ts';
import { type Cell, diffResults } from '../testing/result-compare.ts';
import { coordinatorDatabase, coordinatorRows, GatherBudget } from './coordinator-engine.ts';
import { GATHER_LIMITS, planGather, referencedRelations } from './coordinator-plan.ts';
import type { PartialResult } from './fragment.ts';
import { engineOver, engineTableDef, hotSegment, runFragmentOnEngine } from './fragment-engine.ts';
import { buildHashRanges, shardForValue } from './hash-ranges.ts';
import { joinRequest, relationNeeds, runJoinOnEngine } from './join-fragment.ts';
import { planJoinPushdown } from './join-pushdown.ts';
import { mergePartials } from './partial-merge.ts';
import type { DistTable, Row } from './table-schema.ts';

const col = (id: number, name: string, type: DistTable['columns'][number]['type']) => ({
  id,
  name,
  type,
  notNull: false,
});
const T: DistTable = {
  name: 't',
  columns: [
    col(0, 'id', 'int32'),
    col(1, 'host', 'text'),
    col(2, 'v', 'float64'),
    col(3, 'ts', 'timestamptz'),
  ],
  id: 1,
  version: 1,
  nextColumnId: 4,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: 8,
};
const U: DistTable = {
  name: 'u',
  columns: [col(0, 'host', 'text'), col(1, 'region_id', 'int32'), col(2, 'w', 'int64')],
  id: 1,
  version: 1,
  nextColumnId: 3,
  placement: { kind: 'distributed', columnId: 0 },
  shardCount: 8,
};
const R: DistTable = {
  name: 'r',
  columns: [col(0, 'region_id', 'int32'), col(1, 'name', 'text')],
  id: 1,
  version: 1,
  nextColumnId: 2,
  placement: { kind: 'reference' },
  shardCount: 1,
};
const TABLES = [T, U, R];
const BASE_US = Date.UTC(2024, 0, 1) * 1000;

function makeData(): Map<string, Row[]> {
  const rng = new Prng(11);
  const maybe = <V>(v: V) => (rng.float() < 0.05 ? null : v);
  const t = Array.from({ length: 2000 }, (_, i) => [
    i,
    `h${Math.floor(rng.float() * 50)}`,
    maybe(Math.round(rng.float() * 10000) / 100),
    maybe(BASE_US + Math.floor(rng.float() * 2 * 86400) * 1_000_000),
  ]);
  // Hosts h0..h39 have a row in u (h40..h49 do not: LEFT JOIN keeps them with NULLs).
  const u = Array.from({ length: 40 }, (_, i) => [`h${i}`, maybe(i % 7), Math.floor(rng.float() * 1e6)]);
  const r = Array.from({ length: 6 }, (_, i) => [i, `region-${i}`]);
  return new Map([
    ['t', t],
    ['u', u],
    ['r', r],
  ]);
}

/** Statement, ordered?, and whether it is a join every shard answers alone (see `join-pushdown`). */
const QUERIES: [string, boolean, boolean?][] = [
  // sum(bigint) is numeric on the general path (LIKE is outside the fast path's subset).
  ["SELECT sum(w), count(*) FROM u WHERE host LIKE 'h1%'", false],
  ["SELECT host, sum(w) FROM u WHERE host LIKE 'h%' GROUP BY host ORDER BY host", true],
  // Co-located join + aggregate, filter on both sides, ordered.
  [
    'SELECT u.region_id, count(*), sum(t.v), max(u.w) FROM t JOIN u ON t.host = u.host WHERE t.v > 10 GROUP BY u.region_id ORDER BY 1 NULLS FIRST',
    true,
    true,
  ],
  [
    "SELECT t.host, avg(t.v), min(t.ts), count(DISTINCT u.w) FROM t JOIN u ON u.host = t.host WHERE t.host IN ('h1', 'h7') GROUP BY t.host ORDER BY t.host",
    true,
    true,
  ],
  ['SELECT t.id, u.w AS host FROM t JOIN u ON t.host = u.host ORDER BY host DESC, t.id LIMIT 7', true, true],
  ['SELECT a.id, b.id FROM t a JOIN t b ON a.host = b.host AND a.id + 1000 = b.id ORDER BY a.id', true, true],
  ['SELECT t.id, t.host, u.w FROM t JOIN u USING (host) WHERE t.id < 60 ORDER BY t.id', true, true],
  [
    'SELECT host, count(*), max(w) FROM t LEFT JOIN u USING (host) GROUP BY host ORDER BY host DESC LIMIT 12',
    true,
    true,
  ],
  [
    'SELECT r.name, sum(t.v) FROM t, u, r WHERE t.host = u.host AND u.region_id = r.region_id AND t.id % 5 = 0 GROUP BY r.name ORDER BY 1',
    true,
    true,
  ],
  ['SELECT count(*) FROM t, u WHERE t.id = u.w', true, false],
  ['SELECT * FROM t JOIN u USING (host) WHERE t.id < 20', false, false],
  // Join with a reference table (three-way).
  [
    'SELECT r.name, count(*) AS n, avg(t.v) FROM t JOIN u ON u.host = t.host JOIN r ON r.region_id = u.region_id GROUP BY r.name ORDER BY r.name',
    true,
    true,
  ],
  ['SELECT u.host, r.name FROM u LEFT JOIN r ON r.region_id = u.region_id ORDER BY u.host', true, true],
  // string_agg over bytea joins bytes (the aggregate runs on the coordinator engine).
  [
    "SELECT encode(string_agg(decode(host, 'escape'), '\\x2c'::bytea ORDER BY host), 'hex') FROM u WHERE host LIKE 'h1%'",
    false,
  ],
  // A join alias hides the joined tables; USING … AS names the merged column (coordinator path:
  // join pushdown does not plan join aliases).
  ['SELECT x.id, x.host, x.w FROM (t JOIN u USING (host)) AS x WHERE x.id < 30 ORDER BY x.id', true, false],
  ['SELECT j.host, t.id, u.w FROM t JOIN u USING (host) AS j WHERE t.id < 20 ORDER BY t.id', true, false],
  // A reference table preserved by an outer join with distributed rows opposite: not per shard.
  [
    'SELECT r.name, count(u.host) FROM r LEFT JOIN u ON r.region_id = u.region_id GROUP BY r.name',
    false,
    false,
  ],
  // Not joined on the distribution column: not per shard.
  ['SELECT count(*) FROM t JOIN u ON t.id = u.region_id', true, false],
  // LEFT JOIN keeps unmatched hosts; filter on the preserved side is pushed.
  [
    "SELECT t.host, count(u.w), count(*) FROM t LEFT JOIN u ON t.host = u.host WHERE t.host >= 'h38' GROUP BY t.host ORDER BY t.host",
    true,
    true,
  ],
  [
    'SELECT t.id, u.region_id FROM t LEFT JOIN u ON t.host = u.host AND u.region_id = 3 WHERE t.id % 97 = 1',
    false,
    true,
  ],
  [
    'SELECT t.id FROM t LEFT JOIN u ON t.host = u.host WHERE u.host IS NULL ORDER BY t.id LIMIT 20',
    true,
    true,
  ],
  // Subqueries: IN, EXISTS, scalar, FROM.
  ['SELECT count(*) FROM t WHERE host IN (SELECT host FROM u WHERE region_id = 2)', true],
  [
    'SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.host = t.host) AND id < 400 ORDER BY id',
    true,
  ],
  ['SELECT id, v FROM t WHERE v > (SELECT avg(v) + 45 FROM t) ORDER BY v DESC, id LIMIT 10', true],
  [
    'SELECT s.host, s.n FROM (SELECT host, count(*) AS n FROM t GROUP BY host) s WHERE s.n > 45 ORDER BY s.n DESC, s.host',
    true,
  ],
  // HAVING, windows, set operations, CTEs, plain DISTINCT, expressions over aggregates.
  ['SELECT host, count(*) FROM t GROUP BY host HAVING count(*) > 42 ORDER BY host', true],
  ['SELECT host, max(v) - min(v) AS spread FROM t GROUP BY host ORDER BY spread DESC, host LIMIT 5', true],
  [
    "SELECT id, host, v, rank() OVER (PARTITION BY host ORDER BY v DESC NULLS LAST, id) AS rk FROM t WHERE host IN ('h1', 'h2') ORDER BY host, rk",
    true,
  ],
  [
    'SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t WHERE id < 30 ORDER BY id',
    true,
  ],
  ['SELECT host FROM t WHERE id < 50 UNION SELECT host FROM u WHERE region_id = 1 ORDER BY 1', true],
  ['SELECT host FROM u EXCEPT SELECT host FROM t WHERE v > 99', false],
  [
    'WITH big AS (SELECT host, sum(v) AS s FROM t GROUP BY host), top AS (SELECT host FROM big ORDER BY s DESC LIMIT 3) SELECT u.host, u.w FROM u JOIN top ON top.host = u.host ORDER BY u.host',
    true,
  ],
  ['SELECT DISTINCT region_id FROM u ORDER BY 1 NULLS LAST', true],
  ["SELECT count(*) FROM t WHERE ts >= '2024-01-02' AND host = 'h3'", true],
  ['SELECT 1 + 1 AS two', true],
];

describe('coordinator paths vs PGlite', () => {
  const data = makeData();
  const ranges = buildHashRanges(8);
  let shards: Database[] = [];
  let pg: PGlite;

  /** Runs `sql` as the data plane's general path does. */
  async function distributed(sql: string, budget = new GatherBudget()) {
    const stmt = parseSql(sql)[0].stmt;
    const names = [...referencedRelations(stmt).keys()];
    const tables = TABLES.filter((t) => names.includes(t.name));
    const gathers = planGather(stmt, tables, []);
    const gathered = await Promise.all(
      gathers.map(async (g) => {
        const all = g.table.shardCount === 1 ? [0] : [0, 1, 2, 3, 4, 5, 6, 7];
        const targets = g.plan.pruneValues
          ? [...new Set(g.plan.pruneValues.map((v) => shardForValue(ranges, v)))]
          : all;
        const partials = [];
        for (const i of targets) {
          const p = structuredClone((await runFragmentOnEngine(shards[i], g.plan.fragment)).result);
          budget.add(p, g.plan.fragment.limit);
          partials.push(p);
        }
        return { gather: g, partials };
      }),
    );
    return { gathers, rows: coordinatorRows(await (await coordinatorDatabase(gathered)).query(sql)).rows };
  }

  /** Runs `sql` as a pushed-down join over the simulated shards, or undefined when it is not one. */
  async function pushedDown(sql: string) {
    const s = parseSql(sql)[0].stmt.SelectStmt;
    const p = planJoinPushdown(s, (n) => TABLES.find((t) => t.name === n), []);
    if (!p) return undefined;
    const shipped = new Map<number, PartialResult>();
    for (const [i, r] of p.relations.entries()) {
      if (!r.broadcast) continue;
      const scan = planGather({ SelectStmt: { ...s, whereClause: undefined } }, [R], [])[0];
      expect(scan.columns.length).toBeGreaterThan(0);
      const all = {
        ...scan.plan.fragment,
        reads: R.columns.map((c) => c.id),
        project: R.columns.map((c) => ({ sql: `c${c.id}`, type: c.type })),
      };
      shipped.set(i, (await runFragmentOnEngine(shards[0], all)).result);
    }
    const req = structuredClone(joinRequest(p, shipped));
    const targets = p.planned.pruneValues
      ? [...new Set(p.planned.pruneValues.map((v) => shardForValue(ranges, v)))]
      : [0, 1, 2, 3, 4, 5, 6, 7];
    const partials = await Promise.all(
      targets.map(async (i) =>
        structuredClone(
          (await runJoinOnEngine(req, async (t) => [hotSegment(t, parts[i].get(t.name) ?? [])])).result,
        ),
      ),
    );
    return { plan: p, targets, rows: mergePartials(p.planned, partials).rows };
  }

  const parts = Array.from({ length: 8 }, () => new Map<string, Row[]>());
  beforeAll(async () => {
    await initParser();
    for (const t of TABLES) {
      for (const row of data.get(t.name)!) {
        const i = t.placement.kind === 'distributed' ? shardForValue(ranges, row[t.placement.columnId]) : 0;
        parts[i].set(t.name, [...(parts[i].get(t.name) ?? []), row]);
      }
    }
    shards = await Promise.all(
      parts.map((p) =>
        engineOver(
          TABLES.map((t) => {
            const segs = [hotSegment(t, p.get(t.name) ?? [])];
            return { def: engineTableDef(t), segments: () => segs };
          }),
        ),
      ),
    );
    pg = new PGlite();
    await pg.exec(`SET TIME ZONE 'UTC';
      CREATE TABLE t (id int, host text, v double precision, ts timestamptz);
      CREATE TABLE u (host text, region_id int, w bigint);
      CREATE TABLE r (region_id int, name text);`);
    for (const t of TABLES) {
      for (const row of data.get(t.name)!) {
        const params = row.map((v, i) =>
          t.columns[i].type === 'timestamptz' && v !== null
            ? new Date((v as number) / 1000).toISOString()
            : v,
        );
        await pg.query(
          `INSERT INTO ${t.name} VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`,
          params,
        );
      }
    }
  }, 180_000);
  afterAll(async () => pg?.close());

  it('pushes projections and single-table filters into the scans, and prunes by the distribution key', () => {
    const stmt = parseSql(
      "SELECT t.id, u.w FROM t JOIN u ON t.host = u.host WHERE t.host = 'h3' AND u.w > 5 AND t.v + u.w > 1",
    )[0].stmt;
    const [gt, gu] = planGather(stmt, [T, U], []);
    expect(gt.columns.map((c) => c.name)).toEqual(['id', 'host', 'v']);
    expect(gt.plan.pruneValues).toEqual(['h3']);
    expect(gu.plan.fragment.filter).toBeDefined();
    expect(gu.plan.pruneValues).toBeUndefined();
    // The nullable side of a LEFT JOIN is never filtered at the scan.
    const left = parseSql('SELECT * FROM t LEFT JOIN u ON t.host = u.host WHERE u.w IS NULL')[0].stmt;
    expect(planGather(left, [T, U], [])[1].plan.fragment.filter).toBeUndefined();
  });

  it('refuses to pull more than the limit to the coordinator (54000)', () => {
    const budget = new GatherBudget();
    const big = { rowCount: GATHER_LIMITS.rows + 1, columns: [] };
    expect(() => budget.add(big)).toThrow(SqlError);
    // A scan that filled its LIMIT was cut off: never answer from part of a table.
    const few = { rowCount: 3, columns: [new Float64Array(3)] };
    expect(() => new GatherBudget().add(few, 3)).toThrow(/coordinator/);
    expect(() => new GatherBudget().add(few, 4)).not.toThrow();
    try {
      new GatherBudget().add(big);
    } catch (e) {
      expect((e as SqlError).code).toBe('54000');
    }
  });

  it('pushes a co-located join down and prunes it to the shard of a pinned distribution value', async () => {
    const r = await pushedDown("SELECT count(*) FROM t JOIN u ON t.host = u.host WHERE u.host = 'h5'");
    expect(r?.targets).toEqual([shardForValue(ranges, 'h5')]);
    expect(r?.rows).toEqual([[data.get('t')!.filter((x) => x[1] === 'h5').length]]);
  });

  it('asks each joined table only for the columns and zone-map ranges the join reads', () => {
    const s = parseSql(
      "SELECT u.region_id, sum(t.v) FROM t JOIN u ON t.host = u.host WHERE t.ts >= '2024-01-02' GROUP BY 1",
    )[0].stmt.SelectStmt;
    const req = joinRequest(planJoinPushdown(s, (n) => TABLES.find((t) => t.name === n), [])!, new Map());
    const [rt, ru] = req.relations;
    expect(relationNeeds(req, rt)).toEqual({
      reads: [1, 2, 3],
      bounds: [{ columnId: 3, lo: Date.UTC(2024, 0, 2) * 1000 }],
    });
    expect(relationNeeds(req, ru)).toEqual({ reads: [0, 1], bounds: [] });
  });

  it.each(QUERIES)('%s', async (sql, ordered, pushable) => {
    const { rows } = await distributed(sql);
    const pushed = await pushedDown(sql);
    expect(pushed !== undefined).toBe(pushable === true);
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
    expect(diffResults(expected, rows as Cell[][], ordered, 1e-9)).toBeUndefined();
    if (pushed) expect(diffResults(expected, pushed.rows as Cell[][], ordered, 1e-9)).toBeUndefined();
  });
});
