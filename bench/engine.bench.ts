/**
 * @module bench/engine.bench
 * `npm run bench:engine`: TSBS cpu-only (default 1,000 hosts × 24 h at 10 s =
 * 8.64M rows) loaded into the engine's own chunks, DuckDB (threads=1, native
 * table) and SQLite (better-sqlite3). Each of the 15 query types is timed in all
 * three in this one process: one warm-up, then the median of at least TSBS_RUNS
 * runs (fast queries get more, up to 25 within ~1 s), each run a fresh random
 * instance shared by all systems. Prints the table, the
 * storage comparison against DuckDB's Parquet-zstd export, and the RESULT line.
 *
 * Env: TSBS_HOSTS (1000), TSBS_HOURS (24), TSBS_RUNS (5), TSBS_SQLITE_RUNS (=runs),
 * TSBS_SEED (123), TSBS_SKIP_SQLITE=1 (peers: engine + DuckDB only),
 * TSBS_ENGINE_STORAGE=decoded (engine chunks as decoded vectors instead of the
 * compressed chunk format; default encoded, the format a ShardDO stores),
 * TSBS_ENGINE_LAYOUT=none (keep the generator's time-major row order inside
 * chunks; default segmentby: each chunk ordered by hostname, then time, set with
 * `ALTER TABLE cpu SET (timescaledb.compress_segmentby = 'hostname', …)`),
 * TSBS_ENGINE_COLD=0 (skip the cold engine column; by default every query type is
 * also timed with each chunk's decoded columns evicted before every run, so the
 * engine decodes from compressed bytes as DuckDB scans its compressed table).
 */

import { loadavg } from 'node:os';
import { Prng } from '../engine/testing/prng.ts';
import { diffResults } from '../engine/testing/result-compare.ts';
import { measureEncoding } from './tsbs/chunk-size.ts';
import { cpuTableColumns, generateCpuOnly } from './tsbs/generate.ts';
import {
  fmt,
  geomean,
  markdownTable,
  type RunPolicy,
  relaunchWithHeap,
  type Timing,
  timeQuery,
} from './tsbs/harness.ts';
import { DuckdbPeer } from './tsbs/peers/duckdb.ts';
import { EnginePeer, normalizeEngineResult } from './tsbs/peers/engine.ts';
import { SqlitePeer } from './tsbs/peers/sqlite.ts';
import { generateQuery, QUERY_TYPES, type TsbsQuery } from './tsbs/queries.ts';

if (await relaunchWithHeap(12_288)) process.exit();

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const hosts = env('TSBS_HOSTS', 1000);
const hours = env('TSBS_HOURS', 24);
const runs = env('TSBS_RUNS', 5);
const sqliteRuns = env('TSBS_SQLITE_RUNS', runs);
const MAX_RUNS = 25;
const policy: RunPolicy = { min: runs, max: Math.max(runs, MAX_RUNS), budgetMs: 1000 };
const slowPolicy: RunPolicy = { min: sqliteRuns, max: Math.max(sqliteRuns, MAX_RUNS), budgetMs: 1000 };
const seed = env('TSBS_SEED', 123);
const skipSqlite = process.env.TSBS_SKIP_SQLITE === '1';
const cold = process.env.TSBS_ENGINE_COLD !== '0';

const loadAtStart = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
const log = (msg: string) => process.stderr.write(`${msg}\n`);
async function timed<T>(label: string, f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  const s = (performance.now() - t0) / 1000;
  log(`${label}: ${s.toFixed(1)} s`);
  return [v, s];
}

const [data] = await timed(`generate ${hosts} hosts × ${hours} h`, () =>
  generateCpuOnly({ hosts, hours, seed }),
);
log(`rows: ${data.rowCount.toLocaleString('en-US')}`);
const domain = { hosts, startMicros: data.startMicros, endMicros: data.endMicros };
const rng = new Prng(seed + 1);
const instances = new Map<string, TsbsQuery[]>(
  QUERY_TYPES.map((t) => [
    t,
    Array.from({ length: Math.max(runs, sqliteRuns, MAX_RUNS) + 1 }, () => generateQuery(t, rng, domain)),
  ]),
);

// --- engine --- (one set of row-expanded tag arrays, shared by bulkLoad and the encoding measurement)
const columns = cpuTableColumns(data);
const storage = process.env.TSBS_ENGINE_STORAGE === 'decoded' ? 'decoded' : 'encoded';
const layout = process.env.TSBS_ENGINE_LAYOUT === 'none' ? 'none' : 'segmentby';
const enginePeer = await EnginePeer.create(storage, layout);
let engine: EnginePeer | undefined;
let engineNote = '';
let engineLoadS = Number.NaN;
if (typeof enginePeer === 'string') engineNote = enginePeer;
else {
  try {
    [, engineLoadS] = await timed('engine bulkLoad', () => enginePeer.loadCpu(data, columns));
    engine = enginePeer;
  } catch (e) {
    engineNote = `engine bulkLoad failed: ${(e as Error).message}`;
  }
}
if (engineNote) log(`engine not benchmarked: ${engineNote}`);
const encoding = await measureEncoding(data, columns, layout === 'segmentby');
if (typeof encoding === 'string') log(`encoding not measured: ${encoding}`);

// --- peers ---
const duck = await DuckdbPeer.create(1);
const [, duckLoadS] = await timed('duckdb load', () => duck.loadCpu(data));
const parquetBytes = await duck.parquetBytes('cpu', `/tmp/tsbs-cpu-${process.pid}.parquet`);
let lite: SqlitePeer | undefined;
let liteLoadS = Number.NaN;
if (!skipSqlite) {
  lite = new SqlitePeer();
  [, liteLoadS] = await timed('sqlite load', () => lite!.loadCpu(data));
}

// --- queries ---
interface Row {
  readonly type: string;
  readonly engine?: Timing;
  /** Engine with decoded columns evicted before every run. */
  readonly engineCold?: Timing;
  readonly duck: Timing;
  readonly lite?: Timing;
  /** Engine result of instance 0 equals DuckDB's ('ok'), differs ('DIFF'), or was not checked ('-'). */
  readonly check: string;
  /** Engine chunk pruning on instance 0: scanned/skipped. */
  readonly chunks: string;
}

/** Runs instance 0 in the engine and DuckDB outside the timing and compares normalized rows. */
async function crossCheck(q: TsbsQuery): Promise<{ check: string; chunks: string }> {
  if (!engine) return { check: '-', chunks: '-' };
  try {
    const raw = await engine.raw(q.pg);
    const chunks = raw.stats ? `${raw.stats.chunksScanned ?? '?'}/${raw.stats.chunksSkipped ?? '?'}` : '-';
    const diff = diffResults((await duck.query(q.duckdb)).rows, normalizeEngineResult(raw).rows, q.ordered);
    if (diff) log(`${q.type}: engine differs from DuckDB: ${diff}`);
    return { check: diff ? 'DIFF' : 'ok', chunks };
  } catch (e) {
    log(`${q.type}: engine cross-check failed: ${(e as Error).message}`);
    return { check: 'error', chunks: '-' };
  }
}
const results: Row[] = [];
for (const type of QUERY_TYPES) {
  const qs = instances.get(type)!;
  const ec =
    engine && cold
      ? await timeQuery(async (i) => {
          engine.evictDecoded();
          return (await engine.raw(qs[i].pg)).rowCount;
        }, policy)
      : undefined;
  const e = engine ? await timeQuery(async (i) => (await engine.raw(qs[i].pg)).rowCount, policy) : undefined;
  const d = await timeQuery((i) => duck.run(qs[i].duckdb), policy);
  const l = lite ? await timeQuery((i) => lite.run(qs[i].sqlite), slowPolicy) : undefined;
  results.push({ type, engine: e, engineCold: ec, duck: d, lite: l, ...(await crossCheck(qs[0])) });
  const show = (t?: Timing) =>
    !t ? '-' : 'error' in t ? `ERR ${t.error}` : `${t.ms.toFixed(2)} ms/${t.rows} rows/${t.runs} runs`;
  log(`${type}: engine ${show(e)} | cold ${show(ec)} | duckdb ${show(d)} | sqlite ${show(l)}`);
}

const ms = (t?: Timing) => (t && 'ms' in t ? t.ms : undefined);
const vsDuck: number[] = [];
const vsLite: number[] = [];
const coldVsDuck: number[] = [];
const coldVsLite: number[] = [];
const table = results.map((r) => {
  const e = ms(r.engine);
  const c = ms(r.engineCold);
  const d = ms(r.duck);
  const l = ms(r.lite);
  const ratio = e !== undefined && d !== undefined ? e / d : undefined;
  const speedup = e !== undefined && l !== undefined ? l / e : undefined;
  const coldRatio = c !== undefined && d !== undefined ? c / d : undefined;
  const coldSpeedup = c !== undefined && l !== undefined ? l / c : undefined;
  if (ratio !== undefined) vsDuck.push(ratio);
  if (speedup !== undefined) vsLite.push(speedup);
  if (coldRatio !== undefined) coldVsDuck.push(coldRatio);
  if (coldSpeedup !== undefined) coldVsLite.push(coldSpeedup);
  const err = (t?: Timing) => (t && 'error' in t ? 'error' : undefined);
  return [
    r.type,
    err(r.engine) ?? fmt(e),
    ...(cold ? [err(r.engineCold) ?? fmt(c)] : []),
    fmt(d),
    err(r.lite) ?? fmt(l),
    fmt(ratio),
    ...(cold ? [fmt(coldRatio)] : []),
    fmt(speedup, 1),
    ...(cold ? [fmt(coldSpeedup, 1)] : []),
    r.check,
    r.chunks,
  ];
});
const failures = results.filter((r) => r.engine && 'error' in r.engine);

const bytesPerRow = typeof encoding === 'string' ? Number.NaN : encoding.bytesPerRow;
const parquetPerRow = parquetBytes / data.rowCount;
console.log(
  `\nTSBS cpu-only, ${hosts} hosts × ${hours} h = ${data.rowCount.toLocaleString('en-US')} rows; engine chunks ${storage}, layout ${layout}; median of ${runs}–${MAX_RUNS} runs (SQLite ≥ ${sqliteRuns}) after 1 warm-up; Node ${process.version}; load average at start ${loadAtStart}\n`,
);
console.log(
  markdownTable(
    [
      'query',
      'engine ms',
      ...(cold ? ['cold ms'] : []),
      'DuckDB ms',
      'SQLite ms',
      'engine/DuckDB',
      ...(cold ? ['cold/DuckDB'] : []),
      'SQLite/engine',
      ...(cold ? ['SQLite/cold'] : []),
      '= DuckDB',
      'chunks scan/skip',
    ],
    table,
  ),
);
console.log(
  `\nload: engine bulkLoad ${fmt(engineLoadS)} s, DuckDB ${fmt(duckLoadS)} s, SQLite ${fmt(liteLoadS)} s` +
    `\nstorage: engine chunks ${fmt(bytesPerRow)} B/row, DuckDB Parquet zstd ${fmt(parquetPerRow)} B/row` +
    (typeof encoding === 'string'
      ? ''
      : `\nper column (B/row): ${Object.entries(encoding.perColumn)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(', ')}`),
);
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(1)} GiB; load average at end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
if (engineNote) console.log(`engine: ${engineNote}`);
for (const f of failures)
  console.log(`engine error in ${f.type}: ${'error' in f.engine! ? f.engine.error : ''}`);
const num = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'NaN');
const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : Number.NaN);
console.log(
  `RESULT geomean_vs_duckdb=${num(geomean(vsDuck))} max_vs_duckdb=${num(vsDuck.length ? Math.max(...vsDuck) : Number.NaN)} min_speedup_vs_sqlite=${num(vsLite.length ? Math.min(...vsLite) : Number.NaN)} bytes_per_row=${num(bytesPerRow)} parquet_zstd_bytes_per_row=${num(parquetPerRow)} encode_rows_per_s=${typeof encoding === 'string' ? 'NaN' : Math.round(encoding.rowsPerSecond)}` +
    (cold
      ? ` cold_geomean_vs_duckdb=${num(geomean(coldVsDuck))} cold_max_vs_duckdb=${num(maxOf(coldVsDuck))} cold_min_speedup_vs_sqlite=${num(minOf(coldVsLite))}`
      : ''),
);
await Promise.all([duck.close(), lite?.close(), engine?.close()]);
