/**
 * @module engine/columnar/chunk-input
 * Encoder input for the rows of one chunk, built without copying strings:
 * a clustered chunk's reordered columns (one gather loop per column, text
 * coded while it is gathered) and an unclustered table's text columns coded
 * once, each chunk renumbering its slice. Dictionaries come out in first
 * appearance order, as `buildDictionary` numbers them, so the blocks are the
 * same as encoding the reordered or sliced strings.
 */

import type { Vector } from '../vector.ts';
import { type ColumnInput, columnInputOf } from './column-stats.ts';
import { gatherVector } from './gather.ts';
import { detectPeriod } from './int-choice.ts';

/**
 * Rows `perm` (absolute indexes) of `v` as encoder input, for a clustered
 * chunk. Float64 columns gather in one tight loop; flat low-cardinality
 * text builds its chunk dictionary while it gathers (first appearance order,
 * as `buildDictionary` would on the gathered strings), so the reordered string
 * array is never materialized. Anything else goes through `gatherVector`.
 */
export function gatheredInputOf(v: Vector, perm: Uint32Array, isText: boolean): ColumnInput {
  if (v.kind === 'flat' && v.nulls === undefined) {
    const src = v.values;
    const m = perm.length;
    if (src instanceof Float64Array) {
      const out = new Float64Array(m);
      for (let k = 0; k < m; k++) out[k] = src[perm[k]];
      return { values: out };
    }
    if (isText && Array.isArray(src)) {
      const dict = gatherDictionary(src as readonly unknown[], perm, Math.max(1, m >>> 1));
      if (dict !== undefined)
        return { values: [], codes: dict.codes, dictValues: dict.dict, dictCompact: true };
    }
  }
  return columnInputOf(gatherVector(v, perm));
}

/**
 * Encoder input for a whole table column: flat low-cardinality text without
 * NULLs becomes table-wide dictionary codes once, so each chunk slices codes
 * instead of copying and re-hashing strings. Anything else as {@link columnInputOf}.
 */
export function tableInputOf(v: Vector, isText: boolean, n: number): ColumnInput {
  if (isText && v.kind === 'flat' && v.nulls === undefined && Array.isArray(v.values) && n >= 64) {
    const src = v.values as readonly unknown[];
    const dict = periodicDictionary(src, n, n >>> 1, detectPeriod(src, n));
    if (dict !== undefined) return { values: [], codes: dict.codes, dictValues: dict.dict, dictTable: true };
  }
  return columnInputOf(v);
}

/**
 * Rows `[start, start+count)` of a dictionary input without NULLs (from
 * {@link tableInputOf} or {@link gatheredInputOf}) with
 * the dictionary `buildDictionary` would build for those rows (first appearance
 * order); their strings when more than half of the rows are distinct (plain).
 */
export function sliceTableDictionary(c: ColumnInput, start: number, count: number): ColumnInput {
  const table = c.dictValues!;
  const src = c.codes!.subarray(start, start + count);
  const remap = new Int32Array(table.length).fill(-1);
  const dict: string[] = [];
  const codes = new Int32Array(count);
  const maxDistinct = Math.max(1, count >>> 1);
  for (let i = 0; i < count; i++) {
    const g = src[i];
    let l = remap[g];
    if (l < 0) {
      l = remap[g] = dict.length;
      if (l >= maxDistinct) return { values: Array.from(src, (x) => table[x]) };
      dict.push(table[g]);
    }
    codes[i] = l;
  }
  return { values: [], codes, dictValues: dict, dictCompact: true };
}

/** Codes of `src[0..n)` using the value one `period` back as a pointer-compare shortcut. */
function periodicDictionary(
  src: readonly unknown[],
  n: number,
  maxDistinct: number,
  period: number,
): { dict: string[]; codes: Int32Array } | undefined {
  const map = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(n);
  const lag = period > 0 ? period : n;
  let prev: unknown = codes; // matches no value until the first row
  let last = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i];
    // The same string object one period back is the usual case (a pointer compare);
    // unequal neighbours would cost a content compare each, so they come second.
    if (i >= lag && s === src[i - lag]) {
      codes[i] = last = codes[i - lag];
      prev = s;
      continue;
    }
    if (s === prev) {
      codes[i] = last;
      continue;
    }
    prev = s;
    if (typeof s !== 'string') return undefined;
    let c = map.get(s);
    if (c === undefined) {
      c = dict.length;
      if (c >= maxDistinct) return undefined;
      map.set(s, c);
      dict.push(s);
    }
    codes[i] = last = c;
  }
  return { dict, codes };
}

/** Dictionary codes of `src[perm[k]]`; undefined past `maxDistinct` values or on a non-string. */
function gatherDictionary(
  src: readonly unknown[],
  perm: Uint32Array,
  maxDistinct: number,
): { dict: string[]; codes: Int32Array } | undefined {
  const m = perm.length;
  const map = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(m);
  let prev: unknown = codes; // matches no value until the first row
  let last = 0;
  for (let k = 0; k < m; k++) {
    const s = src[perm[k]];
    // Clustered rows repeat the previous row's value (a host's run): no hash lookup.
    if (s === prev) {
      codes[k] = last;
      continue;
    }
    if (typeof s !== 'string') return undefined;
    prev = s;
    let c = map.get(s);
    if (c === undefined) {
      c = dict.length;
      if (c >= maxDistinct) return undefined;
      map.set(s, c);
      dict.push(s);
    }
    codes[k] = last = c;
  }
  return { dict, codes };
}
