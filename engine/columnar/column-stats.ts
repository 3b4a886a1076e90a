/**
 * @module engine/columnar/column-stats
 * What the encoder needs to know about a column before choosing a codec: null
 * count, zone map bounds, and a copy with NULL slots overwritten by their
 * neighbour (NULL slots may hold garbage; repeating the previous value keeps
 * deltas, runs and ALP exponents unaffected by them).
 */

import type { ColumnType, FixedValues, ObjectValues, Vector } from '../vector.ts';
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
    case 'time':
      return new Float64Array(n).fill(isNull ? 0 : Number(value));
    default:
      return new Array(n).fill(isNull ? undefined : value) as ObjectValues;
  }
}
