/**
 * Differential test of clustered chunks in the data plane: a distributed
 * hypertable ingested through the line-protocol path (`encodeForShards`) and
 * then compacted (`encodeTableRows`, as the shard's alarm re-encodes hot rows
 * and merges small chunks) must answer exactly like PostgreSQL (PGlite) under
 * every chunk layout — segment by the distribution column (time ascending), a
 * `compress_orderby = 'time DESC'`, a two-column segmentby ordered by a float
 * with NULLs, and arrival order. It also proves the layout is used: rows of
 * every chunk are in layout order, and a single-host query hands the executor
 * a fraction of the values it needs on arrival-order chunks.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChunkParts } from '../columnar/index.ts';
import type { Database } from '../database.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { encodedSegment } from '../storage/segment-store.ts';
import type { ChunkSource, SegmentView } from '../storage/table-store.ts';
import { Prng } from '../testing/prng.ts';
import { type Cell, diffResults } from '../testing/result-compare.ts';
import { type BucketChunk, columnIdOf, encodeTableRows, vectorValues } from './chunk-rows.ts';
import { coordinatorDatabase, coordinatorRows } from './coordinator-engine.ts';
import { planGather } from './coordinator-plan.ts';
import { engineOver, engineTableDef, hotSegment, runFragmentOnEngine } from './fragment-engine.ts';
import { buildHashRanges, shardForValue } from './hash-ranges.ts';
import { toTableBatch } from './ingest-columns.ts';
import { encodeForShards } from './ingest-encode.ts';
import { parseLineProtocolBytes } from './ingest-lp-parse.ts';
import { mergePartials } from './partial-merge.ts';
import { segmentSlices } from './segment-slices.ts';
import { planSelectNode } from './select-binding.ts';
import { classify } from './sql-statements.ts';
import { chunkLayoutOf, isClustered, withLayoutOptions } from './table-layout.ts';
import type { DistTable, Row } from './table-schema.ts';
import { timeSlices } from './time-slices.ts';

// Layouts are set through the data plane's SQL (classify), which needs the parser at collection time.
await initParser();

const SHARDS = 4;
const HOSTS = 32;
const STEPS = 540; // 2-minute steps: 18 hours, three 6-hour buckets
const BASE_US = Date.UTC(2024, 0, 1) * 1000;
const STEP_US = 120_000_000;

const base: DistTable = {
  name: 'cpu',
  columns: [
    { id: 0, name: 'time', type: 'timestamptz', notNull: true },
    { id: 1, name: 'hostname', type: 'text', notNull: true },
    { id: 2, name: 'region', type: 'text', notNull: false },
    { id: 3, name: 'usage_user', type: 'float64', notNull: false },
    { id: 4, name: 'usage_system', type: 'float64', notNull: false },
    { id: 5, name: 'n', type: 'int64', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 6,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: SHARDS,
  hypertable: { timeColumnId: 0, chunkIntervalUs: 6 * 3600e6 },
};

/** A layout as the data plane's SQL sets it: classify the ALTER, then apply its options. */
function altered(sql: string): DistTable {
  const cmd = classify(parseSql(sql)[0].stmt, []);
  if (cmd.kind !== 'alter') throw new Error(`not an alter: ${cmd.kind}`);
  return withLayoutOptions(base, cmd.options);
}

/** Time-major metrics (every step lists the hosts in order), one random walk per host. */
function makeRows(): Row[] {
  const rng = new Prng(11);
  const walk = Array.from({ length: HOSTS }, () => rng.float() * 100);
  const rows: Row[] = [];
  for (let s = 0; s < STEPS; s++) {
    for (let h = 0; h < HOSTS; h++) {
      walk[h] = Math.min(100, Math.max(0, walk[h] + (rng.float() - 0.5) * 4));
      const user = rng.float() < 0.03 ? null : Math.round(walk[h] * 100) / 100;
      rows.push([
        BASE_US + s * STEP_US,
        `h${String(h).padStart(2, '0')}`,
        `r${h % 3}`,
        user,
        rng.float() < 0.05 ? null : Math.round(rng.float() * 5000) / 100,
        // A line-protocol point needs a field: NULL n only beside a usage_user.
        user !== null && rng.float() < 0.05 ? null : Math.floor(rng.float() * 1000) - 500,
      ]);
    }
  }
  return rows;
}

function lineProtocol(rows: readonly Row[]): Uint8Array {
  const lines = rows.map((r) => {
    const fields = [
      r[3] === null ? undefined : `usage_user=${r[3]}`,
      r[4] === null ? undefined : `usage_system=${r[4]}`,
      r[5] === null ? undefined : `n=${r[5]}i`,
    ].filter((x) => x !== undefined);
    return `cpu,hostname=${r[1]},region=${r[2]} ${fields.join(',')} ${(r[0] as number) * 1000}`;
  });
  return new TextEncoder().encode(lines.join('\n'));
}

function decodeChunk(c: BucketChunk): Row[] {
  const reader = openChunkParts(c.header, (i) => c.columns[i]);
  const cols = reader.columns.map((col, i) => ({
    id: columnIdOf(col.name),
    values: vectorValues(reader.column(i)),
  }));
  return Array.from({ length: c.rowCount }, (_, r) => {
    const row: Row = [];
    for (const col of cols) row[col.id] = col.values[r];
    return row;
  });
}

/** PostgreSQL order of two rows by the layout (NULLs last ascending, first descending; text in C order). */
function layoutCompare(t: DistTable): (a: Row, b: Row) => number {
  const layout = chunkLayoutOf(t);
  const keys = [...(layout?.segmentBy ?? []).map((id) => ({ id, desc: false })), ...(layout?.orderBy ?? [])];
  return (a, b) => {
    for (const k of keys) {
      const x = a[k.id];
      const y = b[k.id];
      if (x === y) continue;
      const c = x === null ? 1 : y === null ? -1 : (x as number | string) < (y as number | string) ? -1 : 1;
      return k.desc ? -c : c;
    }
    return 0;
  };
}

/** Counts the values a scan takes from each source: whole columns, or gathered rows (late materialization). */
class Meter {
  values = 0;
  wrap(seg: SegmentView): SegmentView {
    const src = seg.source;
    const meter = this;
    const counted: ChunkSource = {
      rowCount: src.rowCount,
      zoneMap: (id) => src.zoneMap(id),
      column(id) {
        const v = src.column(id);
        if (v) meter.values += src.rowCount;
        return v;
      },
      selectEqual: src.selectEqual && ((id, values) => src.selectEqual!(id, values)),
      gather:
        src.gather &&
        ((id, sel) => {
          const v = src.gather!(id, sel);
          if (v) meter.values += sel.length;
          return v;
        }),
    };
    return { ...seg, source: counted };
  }
}

/**
 * One shard as ShardDO reads it: hot rows, then chunks sliced by time, or by segment value when
 * clustered (as `shard-engine`; 256-row slices here so these small chunks get several).
 */
function shardEngine(t: DistTable, hot: readonly Row[], chunks: readonly BucketChunk[], meter: Meter) {
  const segments: SegmentView[] = [];
  if (hot.length > 0) segments.push(hotSegment(t, hot));
  for (const c of chunks) {
    const seg = encodedSegment(
      openChunkParts(c.header, (i) => c.columns[i]),
      columnIdOf,
    );
    const slices = isClustered(t)
      ? (segmentSlices(seg, chunkLayoutOf(t)!.segmentBy[0], 0, 256) ?? [])
      : timeSlices(seg, 0);
    expect(slices.length).toBeGreaterThan(0);
    for (const s of slices) segments.push(meter.wrap(s));
  }
  return engineOver([{ def: engineTableDef(t), segments: () => segments }]);
}

const LAYOUTS: [string, () => DistTable][] = [
  [
    "segmentby 'hostname' (time ascending)",
    () =>
      altered(
        "ALTER TABLE cpu SET (timescaledb.compress_segmentby = 'hostname', timescaledb.compress_orderby = 'time')",
      ),
  ],
  [
    "segmentby 'hostname', orderby 'time DESC'",
    () =>
      altered(
        "ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'hostname', timescaledb.compress_orderby = 'time DESC')",
      ),
  ],
  [
    "segmentby 'region, hostname', orderby 'usage_user DESC, time'",
    () =>
      altered(
        "ALTER TABLE cpu SET (timescaledb.compress_segmentby = 'region, hostname', timescaledb.compress_orderby = 'usage_user DESC, time')",
      ),
  ],
  [
    'arrival order',
    () =>
      altered("ALTER TABLE cpu SET (timescaledb.compress_segmentby = '', timescaledb.compress_orderby = '')"),
  ],
  ['default (arrival order, no ALTER)', () => base],
];

const T0 = "'2024-01-01 05:00:00+00'";
const T1 = "'2024-01-01 13:00:00+00'";
const QUERIES: [string, boolean][] = [
  [
    `SELECT time, usage_user FROM cpu WHERE hostname = 'h03' AND time >= ${T0} AND time < ${T1} ORDER BY time`,
    true,
  ],
  [
    "SELECT hostname, count(*), count(usage_user), max(usage_user), sum(n) FROM cpu WHERE hostname IN ('h01', 'h07', 'h12', 'h30') GROUP BY hostname ORDER BY hostname",
    true,
  ],
  [
    `SELECT count(*), sum(usage_system), min(n), max(n) FROM cpu WHERE time >= ${T0} AND time < ${T1} AND usage_user > 50`,
    true,
  ],
  [
    "SELECT time_bucket('1 hour', time) AS h, max(usage_user), avg(usage_system) FROM cpu WHERE hostname = 'h05' GROUP BY h ORDER BY h",
    true,
  ],
  [
    'SELECT region, count(*), min(usage_user), max(usage_system) FROM cpu GROUP BY region ORDER BY region',
    true,
  ],
  ['SELECT DISTINCT ON (hostname) hostname, time, usage_user FROM cpu ORDER BY hostname, time DESC', true],
  [
    'SELECT DISTINCT ON (hostname) hostname, usage_user, time FROM cpu WHERE usage_user IS NOT NULL ORDER BY hostname, usage_user DESC, time',
    true,
  ],
  [
    'SELECT time, hostname, usage_user FROM cpu ORDER BY usage_user DESC NULLS LAST, time, hostname LIMIT 12',
    true,
  ],
  ["SELECT * FROM cpu WHERE hostname = 'h02' ORDER BY time DESC LIMIT 7", true],
  [
    `SELECT hostname, n FROM cpu WHERE hostname = 'h09' AND time < ${T0} ORDER BY n NULLS FIRST, time LIMIT 9`,
    true,
  ],
];

/** Outside the fast path: the coordinator's engine over gathered rows. */
const GENERAL: [string, boolean][] = [
  [
    "SELECT hostname, min(usage_user), max(time), count(*) FROM cpu WHERE hostname IN ('h04', 'h08') GROUP BY hostname HAVING count(*) > 10 ORDER BY hostname",
    true,
  ],
  [
    "SELECT time, usage_user - lag(usage_user) OVER (ORDER BY time) AS d FROM cpu WHERE hostname = 'h11' ORDER BY time LIMIT 20",
    true,
  ],
];

function pgCells(res: { rows: unknown[]; fields: { dataTypeID: number }[] }): Cell[][] {
  return (res.rows as unknown[][]).map((r) =>
    r.map((c, i): Cell => {
      if (c instanceof Date) return c.getTime() * 1000;
      if (typeof c === 'bigint') return Number(c);
      // numeric is exact text on both sides (JSON results carry it as a string).
      if (typeof c === 'string' && res.fields[i].dataTypeID === 1700) return c;
      return c as Cell;
    }),
  );
}

describe('clustered distributed hypertable vs PGlite', () => {
  const rows = makeRows();
  let pg: PGlite;

  beforeAll(async () => {
    pg = new PGlite();
    await pg.exec(`SET TIME ZONE 'UTC';
      CREATE TABLE cpu (time timestamptz, hostname text, region text, usage_user double precision, usage_system double precision, n bigint);
      CREATE FUNCTION time_bucket(w interval, t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
      $$ SELECT date_bin(w, t, timestamptz '2000-01-03 00:00:00+00') $$;`);
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await pg.query(
        `INSERT INTO cpu VALUES ${part.map((_, k) => `(${[1, 2, 3, 4, 5, 6].map((j) => `$${6 * k + j}`).join(',')})`).join(',')}`,
        part.flatMap((r) => [new Date((r[0] as number) / 1000).toISOString(), r[1], r[2], r[3], r[4], r[5]]),
      );
    }
  }, 120_000);
  afterAll(async () => pg?.close());

  /** Fast path or general path over the shards the plan targets. */
  async function run(
    t: DistTable,
    engines: readonly Database[],
    sql: string,
    general: boolean,
  ): Promise<Cell[][]> {
    const ranges = buildHashRanges(SHARDS);
    const all = Array.from({ length: SHARDS }, (_, i) => i);
    if (!general) {
      const cmd = classify(parseSql(sql)[0].stmt, []);
      if (cmd.kind !== 'select') throw new Error(cmd.kind);
      const plan = planSelectNode(cmd.stmt, t, [])!;
      const targets = plan.pruneValues
        ? [...new Set(plan.pruneValues.map((v) => shardForValue(ranges, v)))]
        : all;
      const partials = await Promise.all(
        targets.map(async (i) =>
          structuredClone((await runFragmentOnEngine(engines[i], plan.fragment)).result),
        ),
      );
      return mergePartials(plan, partials).rows as Cell[][];
    }
    const [g] = planGather(parseSql(sql)[0].stmt, [t], []);
    const targets = g.plan.pruneValues
      ? [...new Set(g.plan.pruneValues.map((v) => shardForValue(ranges, v)))]
      : all;
    const partials = await Promise.all(
      targets.map(async (i) =>
        structuredClone((await runFragmentOnEngine(engines[i], g.plan.fragment)).result),
      ),
    );
    const db = await coordinatorDatabase([{ gather: g, partials }]);
    return coordinatorRows(await db.query(sql)).rows as Cell[][];
  }

  describe.each(LAYOUTS)('layout: %s', (_name, makeTable) => {
    const t = makeTable();
    /** Per shard: chunks from line-protocol ingest of the first 2/3 of the rows, the rest as hot rows. */
    const ingested: { hot: Row[]; chunks: BucketChunk[] }[] = [];
    /** Per shard after compaction: every row re-encoded by `encodeTableRows`. */
    const compacted: BucketChunk[][] = [];
    const meters = { ingested: new Meter(), compacted: new Meter() };
    let afterIngest: Database[] = [];
    let afterCompaction: Database[] = [];

    beforeAll(async () => {
      const cut = Math.floor((rows.length * 2) / 3);
      const parsed = parseLineProtocolBytes(lineProtocol(rows.slice(0, cut)), 'ns');
      const tb = toTableBatch(t, parsed, parsed.batches.get('cpu')!, 0);
      expect(tb.rejected).toEqual([]);
      const byShard = encodeForShards(tb, 5000);
      const ranges = buildHashRanges(SHARDS);
      for (let s = 0; s < SHARDS; s++) {
        const hot = rows.slice(cut).filter((r) => shardForValue(ranges, r[1]) === s);
        ingested.push({ hot, chunks: (byShard.get(s) ?? []).flat() });
      }
      for (const { hot, chunks } of ingested) {
        // What the alarm does: hot rows to chunks, then small chunks of a bucket merged (re-encoded).
        const chunkRows = chunks.flatMap(decodeChunk);
        compacted.push(encodeTableRows(t, [...chunkRows, ...hot]));
      }
      afterIngest = await Promise.all(ingested.map((s) => shardEngine(t, s.hot, s.chunks, meters.ingested)));
      afterCompaction = await Promise.all(compacted.map((c) => shardEngine(t, [], c, meters.compacted)));
    }, 120_000);

    it('writes every chunk in layout order (arrival order when there is none)', () => {
      const cmp = layoutCompare(t);
      const chunks = [...ingested.flatMap((s) => s.chunks), ...compacted.flat()];
      expect(chunks.length).toBeGreaterThan(SHARDS * 3);
      for (const c of chunks) {
        const decoded = decodeChunk(c);
        for (let i = 1; i < decoded.length; i++)
          expect(cmp(decoded[i - 1], decoded[i])).toBeLessThanOrEqual(0);
        if (!isClustered(t)) continue;
        // Clustered: each host is one contiguous run (the shape late materialization exploits).
        const runs = decoded.filter((r, i) => i === 0 || r[1] !== decoded[i - 1][1]).length;
        expect(runs).toBe(new Set(decoded.map((r) => r[1])).size);
      }
    });

    it.each([
      ...QUERIES.map(([q, o]) => [q, o, false] as const),
      ...GENERAL.map(([q, o]) => [q, o, true] as const),
    ])('%s', async (sql, ordered, general) => {
      const expected = pgCells(await pg.query(sql, [], { rowMode: 'array' }));
      expect(expected.length).toBeGreaterThan(0);
      for (const engines of [afterIngest, afterCompaction]) {
        const actual = await run(t, engines, sql, general);
        expect(diffResults(expected, actual, ordered, 1e-9)).toBeUndefined();
      }
    });
  });

  it('a single-host query takes a fraction of the values from clustered chunks', async () => {
    // One shard's bucket as TSBS fills it: 16 hosts every 10 s, above the 8,192-row time slices.
    const rng = new Prng(5);
    const big: Row[] = [];
    for (let s = 0; s < 1200; s++)
      for (let h = 0; h < 16; h++)
        big.push([BASE_US + s * 10e6, `h${String(h).padStart(2, '0')}`, 'r0', rng.float() * 100, null, s]);
    const want = big.filter((r) => r[1] === 'h03');
    const sql = "SELECT max(usage_user), count(*), sum(n) FROM cpu WHERE hostname = 'h03'";
    const counts: number[] = [];
    for (const make of [LAYOUTS[0][1], LAYOUTS[3][1]]) {
      const t = make();
      const meter = new Meter();
      const chunks = encodeTableRows(t, big);
      expect(chunks).toHaveLength(1);
      const db = await shardEngine(t, [], chunks, meter);
      const got = await run(
        t,
        Array.from({ length: SHARDS }, () => db),
        sql,
        false,
      );
      expect(got).toEqual([
        [
          Math.max(...want.map((r) => r[3] as number)),
          want.length,
          // sum(bigint) is numeric: exact text.
          String(want.reduce((a, r) => a + (r[5] as number), 0)),
        ],
      ]);
      counts.push(meter.values);
    }
    const [clustered, arrival] = counts;
    // One host of 16: zone maps skip the other hosts' slices of the clustered chunk; the
    // time-major one is scanned in time slices, whole columns each.
    expect(clustered).toBe(want.length * 3); // hostname, usage_user, n of that host's rows only
    expect(clustered * 8).toBeLessThan(arrival);
  });
});
