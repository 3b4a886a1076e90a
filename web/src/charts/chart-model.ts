/**
 * @module web/charts/chart-model
 * Decides which chart a result deserves, from column types first and values
 * second (the API types columns with PostgreSQL names, but computed columns may
 * come back loosely typed). Pure: no DOM, so it is easy to reason about.
 *   - a time column + numeric columns → line chart, one series per numeric
 *     column (split by a low-cardinality text column when there is one,
 *     e.g. `time_bucket, host, avg(cpu)`);
 *   - a text column + a numeric column → bar chart.
 */
import type { SqlColumn, SqlValue } from '../api/sql.ts';

export interface Series {
  name: string;
  /** [epoch ms, value], sorted by time. */
  points: [number, number][];
}
export type ChartSpec =
  | { kind: 'line'; timeColumn: string; series: Series[] }
  | { kind: 'bar'; categoryColumn: string; valueColumn: string; bars: { label: string; value: number }[] };

const TIME_TYPE = /^(timestamp|timestamptz|date)\b/i;
const NUMERIC_TYPE = /^(int|integer|smallint|bigint|float|real|double|numeric|decimal|serial)/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
/** Numeric keys (`id`, `host_id`) identify rows; plotting them as measurements is noise. */
const KEY_NAME = /^(id|.*_id)$/i;
const MAX_SERIES = 12;
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

export function toTime(v: SqlValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  // Postgres prints "2024-01-01 00:00:00+00": make it ISO so Date parses it everywhere.
  const t = Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
  return Number.isNaN(t) ? null : t;
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
  const numeric = kinds.flatMap((k, i) => (k === 'number' ? [i] : []));
  const text = kinds.indexOf('text');
  if (numeric.length === 0) return null;

  if (time >= 0) {
    const splitBy = text >= 0 && new Set(rows.map((r) => String(r[text]))).size <= MAX_SERIES ? text : -1;
    const series = new Map<string, Series>();
    for (const row of rows) {
      const t = toTime(row[time]);
      if (t === null) continue;
      for (const col of numeric) {
        const v = toNumber(row[col]);
        if (v === null) continue;
        const group = splitBy >= 0 ? String(row[splitBy]) : '';
        const name = [group, numeric.length > 1 || !group ? columns[col].name : '']
          .filter(Boolean)
          .join(' · ');
        let s = series.get(name);
        if (!s) {
          if (series.size >= MAX_SERIES) continue;
          series.set(name, (s = { name, points: [] }));
        }
        s.points.push([t, v]);
      }
    }
    for (const s of series.values()) s.points.sort((a, b) => a[0] - b[0]);
    const list = [...series.values()].filter((s) => s.points.length > 0);
    return list.length ? { kind: 'line', timeColumn: columns[time].name, series: list } : null;
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
  return null;
}

/** ~`count` round tick values covering [min, max] (1-2-5 steps). */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const MINUTE = 60_000;
const TIME_STEPS = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10_080, 43_200].map((m) => m * MINUTE);

/** Time ticks on round UTC boundaries (minutes, hours, days), about `count` of them. */
export function timeTicks(t0: number, t1: number, count = 5): number[] {
  if (t0 === t1) return [t0];
  const step = TIME_STEPS.find((s) => s >= (t1 - t0) / count) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}
