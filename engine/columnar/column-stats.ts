/**
 * @module engine/columnar/column-stats
 * What the encoder needs to know about a column before choosing a codec: null
 * count, zone map bounds, and a copy with NULL slots overwritten by their
 * neighbour (NULL slots may hold garbage; repeating the previous value keeps
 * deltas, runs and ALP exponents unaffected by them).
 */

import type { ColumnType, FixedValues, ObjectValues, Vector } from '../vector.ts';
import { gatherVector } from './gather.ts';
import { detectPeriod } from './int-choice.ts';
import { compareText, type ZoneMap } from './zone-map.ts';

/** A column as the encoder takes it: flat values, or dictionary codes plus dictionary values (text). */
export interface ColumnInput {
  readonly values: FixedValues | ObjectValues;
  readonly nulls?: Uint8Array;
  readonly codes?: Int32Array;
  readonly dictValues?: readonly string[];
  /**
   * `dictValues` are distinct, each used by some row, numbered in order of first
   * appearance (what a chunk-local dictionary is anyway): no compaction needed.
   */
  readonly dictCompact?: boolean;
  /**
   * `codes`/`dictValues` span a whole table column: a row range gets its own
   * dictionary in first appearance order (see {@link sliceTableDictionary}).
   */
  readonly dictTable?: boolean;
}

/** Strings longer than this keep no zone bounds (headers stay small). */
const MAX_ZONE_STRING = 256;

export function countNulls(nulls: Uint8Array | undefined, n: number): number {
  if (nulls === undefined) return 0;
  let c = 0;
  const full = n >> 3;
  for (let i = 0; i < full; i++) {
    let b = nulls[i];
    b = b - ((b >> 1) & 0x55);
    b = (b & 0x33) + ((b >> 2) & 0x33);
    c += (b + (b >> 4)) & 0x0f;
  }
  for (let i = full * 8; i < n; i++) if ((nulls[i >> 3] & (1 << (i & 7))) !== 0) c++;
  return c;
}

/** Returns `v` itself when there are no nulls, else a copy whose NULL slots repeat the previous non-null value. */
export function fillNullSlots<T extends Int32Array | Float64Array | Uint8Array>(
  v: T,
  n: number,
  nulls: Uint8Array | undefined,
): T {
  if (nulls === undefined) return v;
  const out = v.slice(0, n) as T;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if ((nulls[i >> 3] & (1 << (i & 7))) === 0) {
      first = i;
      break;
    }
  }
  let last = first >= 0 ? out[first] : 0;
  for (let i = 0; i < n; i++) {
    if ((nulls[i >> 3] & (1 << (i & 7))) !== 0) out[i] = last;
    else last = out[i];
  }
  return out;
}

/** Zone map of a numeric column (bool, ints, dates, timestamps, floats). NaN is reported apart. */
export function numberZone(
  v: ArrayLike<number>,
  n: number,
  nulls: Uint8Array | undefined,
  nullCount: number,
): ZoneMap {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nan = false;
  let seen = false;
  for (let i = 0; i < n; i++) {
    if (nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0) continue;
    const x = v[i];
    if (x < min) min = x;
    if (x > max) max = x;
    if (x !== x) nan = true;
    else seen = true;
  }
  const zone: ZoneMap = seen ? { rowCount: n, nullCount, min, max } : { rowCount: n, nullCount };
  return nan ? { ...zone, hasNaN: true } : zone;
}

/** Zone map of an int64 column, reading the two 32-bit halves to avoid a BigInt per value. */
export function int64Zone(
  v: BigInt64Array,
  n: number,
  nulls: Uint8Array | undefined,
  nullCount: number,
): ZoneMap {
  if (nullCount >= n) return { rowCount: n, nullCount };
  let minI = -1;
  let maxI = -1;
  const w = new Int32Array(v.buffer, v.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    if (nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0) continue;
    if (minI < 0) {
      minI = i;
      maxI = i;
      continue;
    }
    const hi = w[2 * i + 1];
    const lo = w[2 * i] >>> 0;
    const mh = w[2 * minI + 1];
    if (hi < mh || (hi === mh && lo < w[2 * minI] >>> 0)) minI = i;
    const xh = w[2 * maxI + 1];
    if (hi > xh || (hi === xh && lo > w[2 * maxI] >>> 0)) maxI = i;
  }
  return { rowCount: n, nullCount, min: v[minI], max: v[maxI] };
}

/** Zone map of text over `values` (all entries when `nulls` is undefined); no bounds for json/numeric. */
export function stringZone(
  type: ColumnType,
  values: readonly (string | null | undefined)[],
  count: number,
  nulls: Uint8Array | undefined,
  rowCount: number,
  nullCount: number,
): ZoneMap {
  if (type === 'json' || type === 'numeric' || nullCount >= rowCount) return { rowCount, nullCount };
  let min: string | undefined;
  let max: string | undefined;
  for (let i = 0; i < count; i++) {
    if (nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0) continue;
    const s = values[i];
    if (typeof s !== 'string') continue;
    if (min === undefined || max === undefined) {
      min = s;
      max = s;
    } else if (s !== min && s !== max) {
      if (compareText(s, min) < 0) min = s;
      else if (compareText(s, max) > 0) max = s;
    }
  }
  if (
    min === undefined ||
    max === undefined ||
    min.length > MAX_ZONE_STRING ||
    max.length > MAX_ZONE_STRING
  ) {
    return { rowCount, nullCount };
  }
  return { rowCount, nullCount, min, max };
}

/**
 * Turns an executor vector into encoder input: flat stays as is, a dictionary
 * keeps its codes (text-like types), a constant is expanded.
 */
export function columnInputOf(v: Vector): ColumnInput {
  if (v.kind === 'flat') return v;
  if (v.kind === 'dict') {
    const dv = v.dict.values;
    if (Array.isArray(dv) && (dv.length === 0 || typeof dv[0] === 'string') && v.dict.nulls === undefined) {
      return { values: [], nulls: v.nulls, codes: v.codes, dictValues: dv as string[] };
    }
    return { values: materializeDict(v.codes, dv), nulls: v.nulls };
  }
  return { values: expandConst(v.type, v.value, v.length), nulls: constNulls(v.value, v.length) };
}

/**
 * Rows `perm` (absolute indexes) of `v` as encoder input, for a clustered
 * chunk. Float64/Int32 columns gather in one tight loop; flat low-cardinality
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

function materializeDict(codes: Int32Array, dict: FixedValues | ObjectValues): FixedValues | ObjectValues {
  const n = codes.length;
  if (Array.isArray(dict)) return Array.from(codes, (c) => dict[c]) as ObjectValues;
  const out = new (dict.constructor as new (n: number) => FixedValues)(n);
  for (let i = 0; i < n; i++) out[i] = dict[codes[i]];
  return out;
}

function constNulls(value: unknown, n: number): Uint8Array | undefined {
  return value === null || value === undefined ? new Uint8Array((n + 7) >> 3).fill(0xff) : undefined;
}

function expandConst(type: ColumnType, value: unknown, n: number): FixedValues | ObjectValues {
  const isNull = value === null || value === undefined;
  switch (type) {
    case 'bool':
      return new Uint8Array(n).fill(value ? 1 : 0);
    case 'int16':
    case 'int32':
    case 'date':
      return new Int32Array(n).fill(isNull ? 0 : Number(value));
    case 'int64':
      return new BigInt64Array(n).fill(isNull ? 0n : BigInt(value as bigint));
    case 'float32':
    case 'float64':
    case 'timestamp':
    case 'timestamptz':
      return new Float64Array(n).fill(isNull ? 0 : Number(value));
    default:
      return new Array(n).fill(isNull ? undefined : value) as ObjectValues;
  }
}
