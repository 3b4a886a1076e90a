/**
 * @module bench/tsbs/queries
 * The 15 TSBS cpu-only query types, written as TSBS's TimescaleDB query generator
 * emits them (cmd/tsbs_generate_queries/databases/timescaledb/devops.go, with
 * `time_bucket` and hostname predicates on the cpu table), plus the same query for
 * DuckDB (`time_bucket(INTERVAL …)`) and SQLite (time as integer µs, buckets by
 * integer division). Parameters (hosts, windows) come from a seeded PRNG the way
 * TSBS draws them: distinct random hosts, a uniformly placed window of fixed width.
 */

import { formatPgTimestamp } from '../../engine/testing/pg-time.ts';
import type { Prng } from '../../engine/testing/prng.ts';
import { CPU_FIELDS } from './generate.ts';

/** The query types, in the order TSBS documents them. */
export const QUERY_TYPES = [
  'single-groupby-1-1-1',
  'single-groupby-1-1-12',
  'single-groupby-1-8-1',
  'single-groupby-5-1-1',
  'single-groupby-5-1-12',
  'single-groupby-5-8-1',
  'cpu-max-all-1',
  'cpu-max-all-8',
  'double-groupby-1',
  'double-groupby-5',
  'double-groupby-all',
  'high-cpu-all',
  'high-cpu-1',
  'lastpoint',
  'groupby-orderby-limit',
] as const;

export type QueryType = (typeof QUERY_TYPES)[number];

/** One generated query instance in each dialect. */
export interface TsbsQuery {
  readonly type: QueryType;
  /** PostgreSQL / TimescaleDB dialect: run by the engine and by PGlite (with a time_bucket shim). */
  readonly pg: string;
  /** The same with `date_trunc('minute'|'hour', time)` buckets (TSBS's `--use-time-bucket=false` era). */
  readonly pgDateTrunc: string;
  readonly duckdb: string;
  readonly sqlite: string;
  /** True when ORDER BY fixes the order of every result row (compare as sequences). */
  readonly ordered: boolean;
}

/** The data the queries range over (TSBS `--timestamp-start/end` and `--scale`). */
export interface QueryDomain {
  readonly hosts: number;
  readonly startMicros: number;
  readonly endMicros: number;
}

type Dialect = 'pg' | 'pg-date-trunc' | 'duckdb' | 'sqlite';
const HOUR = 3600e6;

function bucket(d: Dialect, seconds: number): string {
  if (d === 'pg') return `time_bucket('${seconds} seconds', time)`;
  if (d === 'pg-date-trunc') return `date_trunc('${seconds === 60 ? 'minute' : 'hour'}', time)`;
  if (d === 'duckdb') return `time_bucket(INTERVAL '${seconds} seconds', time)`;
  return `(time / ${seconds * 1e6}) * ${seconds * 1e6}`;
}

/** A time literal: TSBS's goTimeFmt ('2006-01-02 15:04:05.999999 -0700') for SQL engines, µs for SQLite. */
function ts(d: Dialect, micros: number): string {
  if (d === 'sqlite') return String(micros);
  // DuckDB reads ' +0000' as a time zone name, so it gets the '+00' form.
  return d === 'duckdb' ? `'${formatPgTimestamp(micros)}+00'` : `'${formatPgTimestamp(micros)} +0000'`;
}

/** TSBS MustRandWindow: a window of `width` placed uniformly (whole seconds) in the domain, clamped to it. */
function randomWindow(rng: Prng, dom: QueryDomain, width: number): [number, number] {
  const room = dom.endMicros - dom.startMicros - width;
  if (room <= 0) return [dom.startMicros, dom.endMicros];
  const start = dom.startMicros + rng.int(Math.floor(room / 1e6)) * 1e6;
  return [start, start + width];
}

function hostWhere(rng: Prng, dom: QueryDomain, n: number): string {
  const all = Array.from({ length: dom.hosts }, (_, i) => i);
  const picked = rng.sample(all, Math.min(n, dom.hosts));
  return `(${picked.map((h) => `hostname = 'host_${h}'`).join(' OR ')})`;
}

type Builder = (d: Dialect) => string;

function singleGroupby(rng: Prng, dom: QueryDomain, metrics: number, hosts: number, hours: number): Builder {
  const [lo, hi] = randomWindow(rng, dom, hours * HOUR);
  const where = hostWhere(rng, dom, hosts);
  const sel = CPU_FIELDS.slice(0, metrics).map((m) => `max(${m}) as max_${m}`);
  return (d) => `SELECT ${bucket(d, 60)} AS minute,
        ${sel.join(', ')}
        FROM cpu
        WHERE ${where} AND time >= ${ts(d, lo)} AND time < ${ts(d, hi)}
        GROUP BY minute ORDER BY minute ASC`;
}

function cpuMaxAll(rng: Prng, dom: QueryDomain, hosts: number): Builder {
  const [lo, hi] = randomWindow(rng, dom, 8 * HOUR);
  const where = hostWhere(rng, dom, hosts);
  const sel = CPU_FIELDS.map((m) => `max(${m}) as max_${m}`);
  return (d) => `SELECT ${bucket(d, 3600)} AS hour,
        ${sel.join(', ')}
        FROM cpu
        WHERE ${where} AND time >= ${ts(d, lo)} AND time < ${ts(d, hi)}
        GROUP BY hour ORDER BY hour`;
}

function doubleGroupby(rng: Prng, dom: QueryDomain, metrics: number): Builder {
  const [lo, hi] = randomWindow(rng, dom, 12 * HOUR);
  const fields = CPU_FIELDS.slice(0, metrics);
  const sel = fields.map((m) => `avg(${m}) as mean_${m}`);
  const means = fields.map((m) => `mean_${m}`);
  return (d) => `
        WITH cpu_avg AS (
          SELECT ${bucket(d, 3600)} as hour, hostname,
          ${sel.join(', ')}
          FROM cpu
          WHERE time >= ${ts(d, lo)} AND time < ${ts(d, hi)}
          GROUP BY 1, 2
        )
        SELECT hour, hostname, ${means.join(', ')}
        FROM cpu_avg
        
        ORDER BY hour, hostname`;
}

function highCpu(rng: Prng, dom: QueryDomain, hosts: number): Builder {
  const [lo, hi] = randomWindow(rng, dom, 12 * HOUR);
  const where = hosts === 0 ? '' : `AND ${hostWhere(rng, dom, hosts)}`;
  return (d) =>
    `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= ${ts(d, lo)} AND time < ${ts(d, hi)} ${where}`;
}

function lastpoint(): Builder {
  return (d) =>
    d === 'sqlite'
      ? `SELECT c.* FROM cpu c JOIN (SELECT hostname, max(time) AS time FROM cpu GROUP BY hostname) l
        ON c.hostname = l.hostname AND c.time = l.time ORDER BY c.hostname, c.time DESC`
      : `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`;
}

function groupbyOrderbyLimit(rng: Prng, dom: QueryDomain): Builder {
  const [, hi] = randomWindow(rng, dom, HOUR);
  return (d) => `SELECT ${bucket(d, 60)} AS minute, max(usage_user)
        FROM cpu
        WHERE time < ${ts(d, hi)}
        GROUP BY minute
        ORDER BY minute DESC
        LIMIT 5`;
}

function builderFor(type: QueryType, rng: Prng, dom: QueryDomain): Builder {
  switch (type) {
    case 'single-groupby-1-1-1':
      return singleGroupby(rng, dom, 1, 1, 1);
    case 'single-groupby-1-1-12':
      return singleGroupby(rng, dom, 1, 1, 12);
    case 'single-groupby-1-8-1':
      return singleGroupby(rng, dom, 1, 8, 1);
    case 'single-groupby-5-1-1':
      return singleGroupby(rng, dom, 5, 1, 1);
    case 'single-groupby-5-1-12':
      return singleGroupby(rng, dom, 5, 1, 12);
    case 'single-groupby-5-8-1':
      return singleGroupby(rng, dom, 5, 8, 1);
    case 'cpu-max-all-1':
      return cpuMaxAll(rng, dom, 1);
    case 'cpu-max-all-8':
      return cpuMaxAll(rng, dom, 8);
    case 'double-groupby-1':
      return doubleGroupby(rng, dom, 1);
    case 'double-groupby-5':
      return doubleGroupby(rng, dom, 5);
    case 'double-groupby-all':
      return doubleGroupby(rng, dom, CPU_FIELDS.length);
    case 'high-cpu-all':
      return highCpu(rng, dom, 0);
    case 'high-cpu-1':
      return highCpu(rng, dom, 1);
    case 'lastpoint':
      return lastpoint();
    case 'groupby-orderby-limit':
      return groupbyOrderbyLimit(rng, dom);
  }
}

/** Generates one instance of `type` with parameters drawn from `rng`. */
export function generateQuery(type: QueryType, rng: Prng, dom: QueryDomain): TsbsQuery {
  const build = builderFor(type, rng, dom);
  return {
    type,
    pg: build('pg'),
    pgDateTrunc: build('pg-date-trunc'),
    duckdb: build('duckdb'),
    sqlite: build('sqlite'),
    ordered: !type.startsWith('high-cpu'),
  };
}
