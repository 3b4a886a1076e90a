/**
 * @module engine/distributed/fragment-sql
 * Renders a plan fragment as SQL text for the engine's vectorized executor,
 * over a table whose columns are named by id (`c<id>`, as in the chunks), and
 * converts the engine's answer back into a columnar partial result in the data
 * plane's value representation (int64 → number, timestamptz → µs number).
 * Shards run it with `raw` results (timestamps stay µs numbers; nothing is
 * formatted as text and parsed back), and number columns without NULLs travel
 * as Float64Arrays, which structured clone copies in one piece over RPC.
 *
 * Output order is the fragment's: project expressions, then one column per
 * partial aggregate (avg already split into sum and count by the planner).
 *
 * Exact count(DISTINCT x) partials are the sets of distinct values, and the
 * engine has no array_agg: such fragments also group by every DISTINCT
 * argument, and `toPartial` folds those finer groups back into sets (the other
 * partials — count, sum, min, max — combine across them).
 */

import type { QueryResult } from '../database.ts';
import { formatText } from '../types/cast.ts';
import {
  type AggSpec,
  combineAgg,
  type Fragment,
  initAgg,
  type PartialResult,
  type SortKey,
} from './fragment.ts';
import { packColumn } from './partial-columns.ts';
import { planeJson } from './row-json.ts';
import { type DistType, parseTimestampUs, planeInt64, planeNumeric } from './table-schema.ts';

const SQL_TYPE: Record<DistType, string> = {
  bool: 'bool',
  int32: 'int4',
  int64: 'int8',
  float64: 'float8',
  text: 'text',
  timestamptz: 'timestamptz',
};

/** A double-quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const quoteText = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** PostgreSQL text of a µs timestamp, exact to the microsecond (Date alone keeps ms). */
export function timestampLiteral(us: number): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity';
  if (Math.abs(us) > 8.64e18) return formatText(us, 'timestamptz'); // beyond a JS Date
  const ms = Math.floor(us / 1000);
  const frac = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // 2016-01-01T00:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(frac).padStart(3, '0')}+00`;
}

/** A typed SQL literal. Typed so the engine never infers numeric or unknown where the plane meant float8/text. */
export function sqlLiteral(v: unknown, type: DistType | 'null'): string {
  if (v === null || v === undefined) return type === 'null' ? 'NULL' : `NULL::${SQL_TYPE[type]}`;
  switch (type) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int32':
      return `(${Number(v)})::int4`;
    case 'int64':
      return `(${String(v)})::int8`;
    case 'float64':
      return Number.isFinite(v as number) ? `(${String(v)})::float8` : `'${String(v)}'::float8`;
    case 'timestamptz':
      return `${quoteText(timestampLiteral(v as number))}::timestamptz`;
    default:
      return `${quoteText(String(v))}::text`;
  }
}

const isDistinct = (a: AggSpec) => a.fn === 'countDistinct';

function orderSql(keys: readonly SortKey[], exprs: readonly string[]): string {
  return keys
    .map((k) => `${exprs[k.index]} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`)
    .join(', ');
}

/** The engine-side output expressions of `f`: keys (with DISTINCT arguments), then plain partials. */
function outputsOf(f: Fragment): string[] {
  const aggs = f.mode === 'agg' ? f.aggs : [];
  const keys = [...f.project, ...aggs.filter(isDistinct).map((a) => a.arg!)];
  return [
    ...keys.map((e) => e.sql),
    ...aggs.filter((a) => !isDistinct(a)).map((a) => (a.arg ? `${a.fn}(${a.arg.sql})` : `${a.fn}(*)`)),
  ];
}

/** The SQL a shard runs for `f` over the table named `f.table`. */
export function fragmentSql(f: Fragment): string {
  const project = f.project.map((e) => e.sql);
  const aggs = f.mode === 'agg' ? f.aggs : [];
  // DISTINCT arguments become extra group keys, after the fragment's own.
  const distinctArgs = aggs.filter(isDistinct).map((a) => a.arg!);
  const outputs = outputsOf(f);
  const list = outputs.length > 0 ? outputs.map((o, i) => `${o} AS o${i}`).join(', ') : '1';
  let sql = 'SELECT ';
  let order = [...f.orderBy];
  if (f.mode === 'rows' && f.distinctOn) {
    sql += `DISTINCT ON (${f.distinctOn.map((i) => project[i]).join(', ')}) `;
    // DISTINCT ON needs its keys first in ORDER BY; the planner guarantees they lead when present.
    const lead = f.distinctOn.filter((i) => !order.some((k) => k.index === i));
    order = [...lead.map((index) => ({ index, desc: false, nullsFirst: false })), ...order];
  }
  sql += `${list} FROM ${quoteIdent(f.table)}`;
  if (f.filter) sql += ` WHERE ${f.filter.sql}`;
  if (f.mode === 'agg') {
    // Constant keys stay out of GROUP BY: an integer literal there would mean a position.
    const keys = [...f.project, ...distinctArgs].flatMap((e, i) => (e.constant ? [] : [outputs[i]]));
    if (keys.length > 0) sql += ` GROUP BY ${keys.join(', ')}`;
  }
  if (order.length > 0) sql += ` ORDER BY ${orderSql(order, project)}`;
  if (f.limit !== undefined) sql += ` LIMIT ${f.limit}`;
  return sql;
}

/** A value in the data plane's representation (formatted results, e.g. from a host without `raw`, parse back). */
function convert(v: unknown, engineType: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return planeInt64(v);
  if (typeof v === 'string') {
    if (engineType === 'timestamptz' || engineType === 'timestamp') return parseTimestampUs(v);
    if (engineType === 'numeric') return planeNumeric(v);
  }
  return v;
}

/** Engine output columns that belong to the partial: keys (with DISTINCT arguments), then plain partials. */
export function fragmentWidth(f: Fragment): number {
  // A fragment with no outputs selects a placeholder `1`: not part of the partial.
  return f.project.length + (f.mode === 'agg' ? f.aggs.length : 0);
}

/** The engine's rows (raw or formatted) as the fragment's columnar partial result. */
export function toPartial(f: Fragment, r: QueryResult): PartialResult {
  const types = r.columns.map((c) => c.type as string);
  const width = fragmentWidth(f);
  const n = r.rows.length;
  // Column-major conversion: one pass per column with its type fixed.
  const cols: unknown[][] = new Array(width);
  for (let c = 0; c < width; c++) {
    const out: unknown[] = new Array(n);
    const t = types[c];
    for (let i = 0; i < n; i++) {
      const v = r.rows[i][c];
      out[i] = typeof v === 'number' ? v : convert(v, t);
    }
    cols[c] = out;
  }
  return partialOf(f, cols, n, false);
}

/**
 * The partial of a fragment from its engine output columns (plane values): count(DISTINCT)
 * groups folded into sets, number columns as Float64Arrays, text dictionary-packed if `pack`.
 */
export function partialOf(f: Fragment, cols: unknown[][], n: number, pack: boolean): PartialResult {
  if (f.mode === 'agg' && f.aggs.some(isDistinct)) {
    const rows = Array.from({ length: n }, (_, i) => cols.map((col) => col[i]));
    const folded = foldDistinct(f, rows);
    const w = f.project.length + f.aggs.length;
    const columns: unknown[][] = Array.from({ length: w }, () => new Array(folded.length));
    for (let i = 0; i < folded.length; i++) for (let c = 0; c < w; c++) columns[c][i] = folded[i][c];
    return { rowCount: folded.length, columns };
  }
  return { rowCount: n, columns: cols.map((c) => packColumn(c, pack)) };
}

/** Rows grouped by (keys, DISTINCT args) → rows by keys with value sets (as arrays) for count(DISTINCT). */
function foldDistinct(f: Fragment, rows: readonly unknown[][]): unknown[][] {
  const nKeys = f.project.length;
  const nDistinct = f.aggs.filter(isDistinct).length;
  const groups = new Map<string, { keys: unknown[]; accs: unknown[] }>();
  for (const row of rows) {
    const keys = row.slice(0, nKeys);
    const id = planeJson(keys);
    let g = groups.get(id);
    if (!g) {
      g = { keys, accs: f.aggs.map((a) => initAgg(a.fn)) };
      groups.set(id, g);
    }
    const acc = g.accs;
    let d = nKeys; // next DISTINCT argument column
    let p = nKeys + nDistinct; // next plain partial column
    f.aggs.forEach((a, i) => {
      if (!isDistinct(a)) acc[i] = combineAgg(a, acc[i], row[p++]);
      else if (row[d++] !== null) (acc[i] as Set<unknown>).add(row[d - 1]);
    });
  }
  const out = [...groups.values()].map((g) => [...g.keys, ...g.accs]);
  // A global aggregate returns one row even over no input.
  if (nKeys === 0 && out.length === 0) out.push(f.aggs.map((a) => initAgg(a.fn)));
  // Sets travel as arrays (compact and cloneable everywhere).
  for (const r of out)
    for (let i = nKeys; i < r.length; i++) if (r[i] instanceof Set) r[i] = [...(r[i] as Set<unknown>)];
  return out;
}
