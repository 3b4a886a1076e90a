/**
 * @module engine/distributed/partial-columns
 * Builds a fragment's columnar partial straight from the executor's result
 * batches (no row arrays in between), in the data plane's representation:
 * int64 and numeric as numbers, timestamps as µs numbers, booleans and text as
 * they are. Columns holding only numbers become Float64Arrays.
 *
 * For a caller that asks for it (`Fragment.pack`), text columns travel as a
 * dictionary (distinct strings + Int32Array codes): a 40,000-row answer with
 * ten tag columns then crosses RPC as a few hundred strings and some typed
 * arrays instead of 400,000 strings. `unpackPartial` restores plain columns.
 */

import { type ExecBatch, getterFor } from '../exec/frame.ts';
import type { PartialResult } from './fragment.ts';
import { planeInt64, planeNumeric } from './table-schema.ts';

/** A dictionary-packed text column: `dict[codes[r]]`, code -1 for NULL. */
export interface DictColumn {
  readonly kind: 'dict';
  readonly dict: readonly string[];
  readonly codes: Int32Array;
}

/** Accumulates result batches into one value array per output column. */
export class PartialColumns {
  readonly cols: unknown[][];
  rowCount = 0;

  constructor(width: number) {
    this.cols = Array.from({ length: width }, () => []);
  }

  /** Appends the live rows of `b` (only the first `cols.length` outputs are kept). */
  add(b: ExecBatch): void {
    const n = b.count;
    const sel = b.sel;
    for (let c = 0; c < this.cols.length; c++) {
      const out = this.cols[c];
      const v = b.cols[c];
      let base = out.length;
      out.length = base + n;
      if (v.kind === 'flat' && !v.nulls && v.type !== 'bool' && v.type !== 'int64') {
        const vals = v.values as ArrayLike<unknown>;
        for (let j = 0; j < n; j++) out[base++] = vals[sel ? sel[j] : j];
      } else if (v.kind === 'dict' && !v.nulls) {
        const codes = v.codes;
        const dict = v.dict.values as ArrayLike<unknown>;
        for (let j = 0; j < n; j++) out[base++] = dict[codes[sel ? sel[j] : j]];
      } else {
        const get = getterFor(v);
        for (let j = 0; j < n; j++) {
          const x = get(sel ? sel[j] : j);
          out[base++] = typeof x === 'bigint' ? planeInt64(x) : x; // int64 travels as a number within ±2^53
        }
      }
    }
    this.rowCount += n;
  }

  /** Numeric columns (decimal text, e.g. sum over int8) as plane values (`planeNumeric`). */
  numericToNumbers(types: readonly string[]): void {
    for (let c = 0; c < this.cols.length; c++) {
      if (types[c] !== 'numeric') continue;
      const col = this.cols[c];
      for (let i = 0; i < col.length; i++)
        if (typeof col[i] === 'string') col[i] = planeNumeric(col[i] as string);
    }
  }
}

/** A Float64Array when every value is a number; a DictColumn for text when packing; else as is. */
export function packColumn(values: unknown[], pack = false): ArrayLike<unknown> {
  const n = values.length;
  if (n < 16) return values;
  let numbers = true;
  let strings = pack;
  for (let i = 0; i < n && (numbers || strings); i++) {
    const t = typeof values[i];
    if (t !== 'number') numbers = false;
    if (t !== 'string' && values[i] !== null) strings = false;
  }
  if (numbers) return Float64Array.from(values as number[]);
  if (!strings) return values;
  const index = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = values[i] as string | null;
    if (s === null) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(s);
    if (code === undefined) {
      code = dict.length;
      index.set(s, code);
      dict.push(s);
    }
    codes[i] = code;
  }
  // Not worth it when nearly every value is distinct.
  if (dict.length > n >> 1) return values;
  const packed: DictColumn = { kind: 'dict', dict, codes };
  return packed as unknown as ArrayLike<unknown>;
}

const isDict = (c: unknown): c is DictColumn =>
  typeof c === 'object' && c !== null && (c as { kind?: unknown }).kind === 'dict';

/** Restores dictionary-packed columns (after RPC) to plain arrays; other columns pass through. */
export function unpackPartial(p: PartialResult): PartialResult {
  if (!p.columns.some(isDict)) return p;
  const columns = p.columns.map((c) => {
    if (!isDict(c)) return c;
    const out: unknown[] = new Array(c.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = c.codes[i] < 0 ? null : c.dict[c.codes[i]];
    return out;
  });
  return { ...p, columns };
}
