/**
 * @module web/charts/chart-model
 * Decides which chart a result deserves, from column types first and values
 * second (the API types columns with PostgreSQL names, but computed columns may
 * come back loosely typed). Pure: no DOM, so it is easy to reason about.
 *   - a time column + numeric columns → line chart over time, one series per
 *     numeric column (split by a low-cardinality text column when there is one,
 *     e.g. `time_bucket, host, avg(cpu)`);
 *   - no time and no text column, a numeric first column + other numeric
 *     columns → line chart over that first column (`SELECT x, sin(x)`);
 *   - a text column + a numeric column → bar chart.
 * Results can hold millions of rows: nothing here spreads an array into a
 * call (`Math.min(...xs)` overflows the stack past ~100K values) and series
 * are typed arrays sorted by x.
 */
import type { SqlColumn, SqlValue } from '../api/sql.ts';

export interface Series {
  name: string;
  /** x values (epoch ms for time), ascending. */
  xs: Float64Array;
  /** y values, parallel to `xs`. */
  ys: Float64Array;
}
export type ChartSpec =
  | { kind: 'line'; xColumn: string; xIsTime: boolean; series: Series[] }
  | { kind: 'bar'; categoryColumn: string; valueColumn: string; bars: { label: string; value: number }[] };

const TIME_TYPE = /^(timestamp|timestamptz|date)\b/i;
const NUMERIC_TYPE = /^(int|integer|smallint|bigint|float|real|double|numeric|decimal|serial)/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
/** Numeric keys (`id`, `host_id`) identify rows; plotting them as measurements is noise. */
const KEY_NAME = /^(id|.*_id)$/i;
/** Most series a split by a text column may produce (more is not a readable chart). */
const MAX_GROUPS = 12;
const MAX_BARS = 50;

function sample(rows: SqlValue[][], col: number): SqlValue[] {
  const out: SqlValue[] = [];
  for (let i = 0; i < rows.length && out.length < 50; i++) if (rows[i][col] !== null) out.push(rows[i][col]);
  return out;
}

function isTime(c: SqlColumn, values: SqlValue[]) {
  if (TIME_TYPE.test(c.type)) return true;
  return values.length > 0 && values.every((v) => typeof v === 'string' && ISO_DATE.test(v));
}

function isNumeric(c: SqlColumn, values: SqlValue[]) {
  if (NUMERIC_TYPE.test(c.type)) return true;
  return values.length > 0 && values.every((v) => typeof v === 'number');
}

/** Numbers arrive as JSON numbers, or as strings for bigint/numeric (to keep precision). */
export function toNumber(v: SqlValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Parses the API's own timestamp form (`2024-01-01T05:00:00.000Z`, any
 * fraction) by arithmetic: a million `Date.parse` calls take a second, this a
 * small fraction of it. `null` when `v` is not in that form.
 */
function isoUtc(v: string): number | null {
  const n = v.length;
  if (n < 20 || v.charCodeAt(10) !== 84 /* T */ || v.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58)
    return null;
  let ms = 0;
  if (n > 20) {
    if (v.charCodeAt(19) !== 46 /* . */) return null;
    // Milliseconds: the first three fraction digits, padded.
    for (let i = 20, scale = 100; i < 23 && i < n - 1; i++, scale /= 10) ms += digit(v, i) * scale;
  }
  const days = daysFromCivil(two(v, 0) * 100 + two(v, 2), two(v, 5), two(v, 8));
  const t = days * 86_400_000 + two(v, 11) * 3_600_000 + two(v, 14) * 60_000 + two(v, 17) * 1000 + ms;
  return Number.isNaN(t) ? null : t;
}

/** Epoch ms of an ISO timestamp (the API's form) or PostgreSQL text (`2024-01-01 00:00:00+00`). */
export function toTime(v: SqlValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const quick = isoUtc(v);
  if (quick !== null) return quick;
  // PostgreSQL text needs a T and a zone with minutes for Date.parse.
  const t = Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
  return Number.isNaN(t) ? null : t;
}

/**
 * Sorts parallel arrays by x, stable, in place of `xs`/`ys`' copies. A
 * bottom-up merge sort that moves keys with their values, so every pass reads
 * memory in order: a comparator sort of a million shuffled indices is ~5× slower.
 */
function sortPairs(xs: Float64Array, ys: Float64Array): { xs: Float64Array; ys: Float64Array } {
  const n = xs.length;
  let ka: Float64Array = xs;
  let va: Float64Array = ys;
  let kb: Float64Array = new Float64Array(n);
  let vb: Float64Array = new Float64Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (ka[j] < ka[i]) {
          kb[k] = ka[j];
          vb[k++] = va[j++];
        } else {
          kb[k] = ka[i];
          vb[k++] = va[i++];
        }
      }
      while (i < mid) {
        kb[k] = ka[i];
        vb[k++] = va[i++];
      }
      while (j < hi) {
        kb[k] = ka[j];
        vb[k++] = va[j++];
      }
    }
    [ka, kb] = [kb, ka];
    [va, vb] = [vb, va];
  }
  return { xs: ka, ys: va };
}

/** Parallel arrays as typed arrays sorted by x, skipping the sort when already sorted. */
function sortedByX(list: number[], values: number[]): { xs: Float64Array; ys: Float64Array } {
  const xs = Float64Array.from(list);
  const ys = Float64Array.from(values);
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) return sortPairs(xs, ys);
  return { xs, ys };
}

/** The text column to split series by, if it has few distinct values. */
function splitColumn(rows: SqlValue[][], text: number): number {
  if (text < 0) return -1;
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(String(r[text]));
    if (seen.size > MAX_GROUPS) return -1;
  }
  return text;
}

function lineSeries(
  columns: SqlColumn[],
  rows: SqlValue[][],
  x: number,
  xIsTime: boolean,
  numeric: number[],
  splitBy: number,
): Series[] {
  const acc = new Map<string, { xs: number[]; ys: number[] }>();
  const names = numeric.map((col) => columns[col].name);
  for (const row of rows) {
    const t = xIsTime ? toTime(row[x]) : toNumber(row[x]);
    if (t === null) continue;
    const group = splitBy >= 0 ? String(row[splitBy]) : '';
    for (let k = 0; k < numeric.length; k++) {
      const v = toNumber(row[numeric[k]]);
      if (v === null) continue;
      const name = group ? (numeric.length > 1 ? `${group} · ${names[k]}` : group) : names[k];
      let s = acc.get(name);
      if (!s) acc.set(name, (s = { xs: [], ys: [] }));
      s.xs.push(t);
      s.ys.push(v);
    }
  }
  return [...acc].map(([name, s]) => ({ name, ...sortedByX(s.xs, s.ys) }));
}

export function chooseChart(columns: SqlColumn[], rows: SqlValue[][]): ChartSpec | null {
  if (rows.length < 2) return null;
  const kinds = columns.map((c, i) => {
    const values = sample(rows, i);
    if (isTime(c, values)) return 'time';
    if (isNumeric(c, values)) return KEY_NAME.test(c.name) ? 'key' : 'number';
    return 'text';
  });
  const time = kinds.indexOf('time');
  const text = kinds.indexOf('text');
  const numeric = kinds.flatMap((k, i) => (k === 'number' ? [i] : []));
  if (numeric.length === 0) return null;

  if (time >= 0) {
    const series = lineSeries(columns, rows, time, true, numeric, splitColumn(rows, text));
    return series.length ? { kind: 'line', xColumn: columns[time].name, xIsTime: true, series } : null;
  }

  if (text >= 0) {
    const value = numeric[0];
    const bars = rows.slice(0, MAX_BARS).flatMap((r) => {
      const v = toNumber(r[value]);
      return v === null ? [] : [{ label: String(r[text]), value: v }];
    });
    return bars.length
      ? { kind: 'bar', categoryColumn: columns[text].name, valueColumn: columns[value].name, bars }
      : null;
  }

  // Numbers only: the first column is x when it is numeric and something else is plotted over it.
  const ys = numeric.filter((c) => c !== 0);
  if (kinds[0] !== 'text' && ys.length > 0) {
    const series = lineSeries(columns, rows, 0, false, ys, -1);
    return series.length ? { kind: 'line', xColumn: columns[0].name, xIsTime: false, series } : null;
  }
  return null;
}
