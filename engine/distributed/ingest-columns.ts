/**
 * @module engine/distributed/ingest-columns
 * A parsed measurement batch → the table's columns, with the coercion and
 * rejection rules of `rowsFromPoints` (tags and fields map to columns of the
 * same name, the timestamp to `time`, defaults, NOT NULL, non-NULL
 * distribution key), column by column instead of row by row. Strings coerce
 * once per distinct value. Any row this path finds wrong, or that the parser
 * flagged, is redone by the reference (`parseLineText` + `rowsFromPoints`),
 * which supplies the exact reason or the row's values: both paths agree by
 * construction on everything they disagree about.
 */

import { readsAsStored } from './column-types.ts';
import { type KeyColumn, Kind, type MeasurementBatch } from './ingest-batch.ts';
import { lineAt, type ParsedBody } from './ingest-lp-parse.ts';
import { parseLineText, type Rejection } from './line-protocol.ts';
import {
  CoercionError,
  coerceToColumn,
  type DistColumn,
  type DistTable,
  rowsFromPoints,
} from './table-schema.ts';

/** One table column's values for every row of a batch. */
export class ColumnValues {
  /** 1 where the row's value is NULL. */
  readonly nulls: Uint8Array;
  /** Numbers (int64 too, as safe integers), timestamps (µs), bools as 0/1. */
  readonly num: Float64Array;
  /** Text: codes into `dict`. */
  readonly codes: Int32Array;
  readonly dict: string[];
  private index?: Map<string, number>;

  constructor(
    readonly column: DistColumn,
    rows: number,
    dict: readonly string[] = [],
  ) {
    this.nulls = new Uint8Array(rows);
    const text = column.type === 'text';
    this.num = new Float64Array(text ? 0 : rows);
    this.codes = new Int32Array(text ? rows : 0);
    this.dict = dict.slice();
  }

  /** Stores an already coerced value (null → NULL). */
  put(r: number, v: unknown): void {
    if (v === null || v === undefined) {
      this.nulls[r] = 1;
      return;
    }
    this.nulls[r] = 0;
    if (this.column.type === 'text') this.codes[r] = this.codeOf(v as string);
    else this.num[r] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
  }

  private codeOf(s: string): number {
    if (!this.index) this.index = new Map(this.dict.map((d, i) => [d, i]));
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(s);
      this.index.set(s, c);
    }
    return c;
  }
}

/** A batch shaped as the table: `columns` aligned with `table.columns`, `accepted[r]` 1 for kept rows. */
export interface TableBatch {
  readonly table: DistTable;
  readonly rows: number;
  readonly accepted: Uint8Array;
  readonly acceptedCount: number;
  readonly columns: readonly ColumnValues[];
  readonly rejected: Rejection[];
}

const INT32 = 2 ** 31;

/** Fills `out` from a key column; marks rows whose value does not coerce in `bad`. */
function fromKey(out: ColumnValues, key: KeyColumn, n: number, bad: Uint8Array): void {
  // Declared types other than the representation's (and modifiers) take the engine's assignment.
  const type = direct(out.column) ? out.column.type : undefined;
  const { kind, num, code } = key;
  // Strings coerce once per distinct value (a text column keeps the key's codes).
  const cache = new Map<number, { v: unknown } | undefined>();
  for (let r = 0; r < n; r++) {
    const k = kind[r];
    if (k === Kind.absent) continue;
    if (k === Kind.number) {
      const v = num[r];
      if (type === 'float64' || (type === 'timestamptz' && Number.isInteger(v))) {
        out.num[r] = v;
        continue;
      }
      if (
        (type === 'int64' && Number.isSafeInteger(v)) ||
        (type === 'int32' && Number.isInteger(v) && v >= -INT32 && v < INT32)
      ) {
        out.num[r] = v;
        continue;
      }
    } else if (k === Kind.string) {
      if (type === 'text') {
        out.codes[r] = code[r];
        continue;
      }
      let c = cache.get(code[r]);
      if (!cache.has(code[r])) {
        c = tryCoerce(key.dict[code[r]], out.column);
        cache.set(code[r], c);
      }
      if (c === undefined) bad[r] = 1;
      else out.put(r, c.v);
      continue;
    }
    const c = tryCoerce(k === Kind.bool ? num[r] === 1 : num[r], out.column);
    if (c === undefined) bad[r] = 1;
    else out.put(r, c.v);
  }
}

/** Whether values of the representation's type store as they are (no engine assignment needed). */
function direct(col: DistColumn): boolean {
  return readsAsStored(col) && !col.typmod;
}

function tryCoerce(v: unknown, col: DistColumn): { v: unknown } | undefined {
  try {
    const c = coerceToColumn(v, col);
    // int8 beyond ±2^53 does not fit `num`: the reference path gives the reason.
    return typeof c === 'bigint' ? undefined : { v: c };
  } catch (e) {
    if (e instanceof CoercionError) return undefined;
    throw e;
  }
}

/**
 * Shapes `batch` (of `parsed`) as table `t`. `nowUs` stands in for missing
 * timestamps. Rejections carry the reference path's line-numbered reasons.
 */
export function toTableBatch(
  t: DistTable,
  parsed: ParsedBody,
  batch: MeasurementBatch,
  nowUs: number,
): TableBatch {
  const n = batch.rows;
  const bad = new Uint8Array(n);
  const names = new Set(t.columns.map((c) => c.name));
  for (const key of batch.keys.values()) {
    if (names.has(key.name)) continue;
    for (let r = 0; r < n; r++) if (key.kind[r] !== Kind.absent) bad[r] = 1;
  }
  if (!names.has('time') || batch.measurement !== t.name) bad.fill(1);
  const columns: ColumnValues[] = [];
  for (const col of t.columns) {
    const key = batch.keys.get(col.name);
    const out = new ColumnValues(col, n, col.type === 'text' && key ? key.dict : []);
    columns.push(out);
    if (key) fromKey(out, key, n, bad);
    if (col.name === 'time') {
      // The point's timestamp wins over a field called "time" (which must still coerce).
      for (let r = 0; r < n; r++) {
        const ts = Number.isNaN(batch.time[r]) ? nowUs : batch.time[r];
        if (col.type === 'timestamptz' && direct(col) && Number.isInteger(ts)) out.num[r] = ts;
        else {
          const c = tryCoerce(ts, col);
          if (c === undefined) bad[r] = 1;
          else out.put(r, c.v);
        }
      }
      continue;
    }
    const dflt = col.default ?? null;
    const mustHave = col.notNull || (t.placement.kind === 'distributed' && t.placement.columnId === col.id);
    for (let r = 0; r < n; r++) {
      if (key !== undefined && key.kind[r] !== Kind.absent) continue;
      out.put(r, dflt);
      if (dflt === null && mustHave) bad[r] = 1;
    }
  }
  const accepted = new Uint8Array(n).fill(1);
  const rejected: Rejection[] = [];
  for (let r = 0; r < n; r++) {
    if (bad[r] === 0 && batch.recheck[r] === 0) continue;
    const reason = reference(t, parsed, batch, r, nowUs, columns);
    if (reason !== undefined) {
      accepted[r] = 0;
      rejected.push({ line: batch.lines[r], reason });
    }
  }
  return { table: t, rows: n, accepted, acceptedCount: n - rejected.length, columns, rejected };
}

/** Re-reads row `r`'s line with the reference path: its rejection reason, or its values written into `columns`. */
function reference(
  t: DistTable,
  parsed: ParsedBody,
  batch: MeasurementBatch,
  r: number,
  nowUs: number,
  columns: readonly ColumnValues[],
): string | undefined {
  const res = parseLineText(lineAt(parsed.body, batch.starts[r]), parsed.precision, batch.lines[r]);
  if (res === undefined) return 'line could not be re-read';
  if ('rejection' in res) return res.rejection.reason;
  const out = rowsFromPoints(t, [res.point], nowUs);
  if (out.rejected.length > 0) return out.rejected[0].reason;
  const row = out.rows[0];
  t.columns.forEach((c, i) => {
    columns[i].put(r, row[c.id]);
  });
  return undefined;
}
