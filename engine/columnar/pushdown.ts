/**
 * @module engine/columnar/pushdown
 * Predicates evaluated on encoded column blocks, producing a selection vector
 * (ascending row indexes, Uint32Array) without decoding the column where the
 * encoding allows it:
 * - integer/date/timestamp ranges on frame-of-reference blocks compare the
 *   packed offsets against `bound - base`, 1024 values at a time;
 * - RLE and constant blocks are answered per run;
 * - text predicates (equality, IN, ranges, LIKE via a callback) run once per
 *   dictionary entry, then a scan of the (packed or run-length) codes.
 * Everything else decodes into a reused scratch buffer and scans. NULL rows
 * never qualify.
 */

import type { ColumnType } from '../vector.ts';
import { unpackPlane } from './bitpack.ts';
import { ByteReader } from './byte-io.ts';
import { Codec } from './column-family.ts';
import { decodeFloatStream, readFloatStream } from './float-codec.ts';
import { decodeIntStream, decodeRuns, type IntStream, readIntStream } from './int-stream.ts';
import { decodeStrings, readStringStream } from './string-codec.ts';
import { compareZoneValues } from './zone-map.ts';

/** A numeric range; omit `lo` or `hi` for an open side. Bounds are inclusive unless stated. */
export interface NumberRange {
  readonly lo?: number;
  readonly hi?: number;
  readonly loInclusive?: boolean;
  readonly hiInclusive?: boolean;
}

const BLOCK = 1024;
const unpacked = new Uint32Array(BLOCK);
let selScratch = new Uint32Array(0);
let numScratch = new Float64Array(0);

function selectionBuffer(n: number): Uint32Array {
  if (selScratch.length < n) selScratch = new Uint32Array(Math.max(n, 65536));
  return selScratch;
}

function numbers(n: number): Float64Array {
  if (numScratch.length < n) numScratch = new Float64Array(Math.max(n, 65536));
  return numScratch;
}

function allRows(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Drops NULL rows from `sel[0..count)` and returns a right-sized copy. */
function finish(sel: Uint32Array, count: number, nulls: Uint8Array | undefined): Uint32Array {
  if (nulls === undefined) return sel.slice(0, count);
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel[j];
    if ((nulls[i >> 3] & (1 << (i & 7))) === 0) sel[k++] = i;
  }
  return sel.slice(0, k);
}

/** Header of a block: codec, null bitmap, and a reader positioned at the payload. */
function openBlock(block: Uint8Array, n: number): { codec: number; nulls?: Uint8Array; r: ByteReader } {
  const r = new ByteReader(block);
  const codec = r.u8();
  const flags = r.u8();
  const nulls = (flags & 1) !== 0 ? r.bytesView((n + 7) >> 3) : undefined;
  return { codec, nulls, r };
}

/** Integer bounds [L, H] equivalent to the range over integral values. */
function integerBounds(range: NumberRange): [number, number] {
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  if (range.lo !== undefined)
    lo = range.loInclusive === false ? Math.floor(range.lo) + 1 : Math.ceil(range.lo);
  if (range.hi !== undefined)
    hi = range.hiInclusive === false ? Math.ceil(range.hi) - 1 : Math.floor(range.hi);
  if (Number.isNaN(range.lo ?? 0)) lo = Number.POSITIVE_INFINITY; // nothing integral is ≥ NaN
  if (Number.isNaN(range.hi ?? 0)) hi = Number.POSITIVE_INFINITY; // everything is ≤ NaN
  return [lo, hi];
}

/** Scans an integer stream for values in [lo, hi] (integral bounds), writing row indexes to `sel`. */
function scanIntStream(s: IntStream, lo: number, hi: number, sel: Uint32Array): number {
  const n = s.n;
  let k = 0;
  if (s.kind === 0) {
    if (s.value < lo || s.value > hi) return 0;
    for (let i = 0; i < n; i++) sel[i] = i;
    return n;
  }
  if (s.kind === 2) {
    const { runs, values, lengths } = decodeRuns(s);
    let at = 0;
    for (let r = 0; r < runs; r++) {
      const end = Math.min(n, at + lengths[r]);
      if (values[r] >= lo && values[r] <= hi) for (let i = at; i < end; i++) sel[k++] = i;
      at = end;
    }
    return k;
  }
  if (s.kind === 1 && s.transform === 0 && s.packed.width <= 32) {
    // Compare in the packed domain: value = base + u.
    const lo2 = Math.max(0, lo - s.base);
    const hi2 = Math.min(4294967295, hi - s.base);
    const { excPos, excVal } = s;
    let e = 0;
    let nextExc = excPos.length > 0 ? excPos[0] : n;
    if (lo2 > hi2 && excPos.length === 0) return 0;
    for (let start = 0; start < n; start += BLOCK) {
      const count = Math.min(BLOCK, n - start);
      unpackPlane(s.packed.lo, s.packed.width, start, count, unpacked);
      for (let j = 0; j < count; j++) {
        const i = start + j;
        if (i === nextExc) {
          const v = excVal[e++];
          nextExc = e < excPos.length ? excPos[e] : n;
          if (v >= lo && v <= hi) sel[k++] = i;
        } else {
          const u = unpacked[j];
          if (u >= lo2 && u <= hi2) sel[k++] = i;
        }
      }
    }
    return k;
  }
  const values = numbers(n);
  decodeIntStream(s, values);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v >= lo && v <= hi) sel[k++] = i;
  }
  return k;
}

/**
 * Rows of an encoded numeric block (bool, int16/32, date, timestamp(tz), float32/64)
 * whose value lies in `range`. Float comparisons follow PostgreSQL (NaN above
 * every number). Returns ascending row indexes; NULLs never match.
 */
export function filterRangeBlock(
  type: ColumnType,
  block: Uint8Array,
  n: number,
  range: NumberRange,
): Uint32Array {
  const { codec, nulls, r } = openBlock(block, n);
  if (codec === Codec.allNull) return new Uint32Array(0);
  const sel = selectionBuffer(n);
  if (codec === Codec.int || codec === Codec.bool) {
    const [lo, hi] = integerBounds(range);
    return finish(sel, scanIntStream(readIntStream(r, n), lo, hi, sel), nulls);
  }
  if (codec !== Codec.float) throw new TypeError(`filterRangeBlock does not support type ${type}`);
  const values = numbers(n);
  decodeFloatStream(readFloatStream(r, n), values);
  const lo = range.lo;
  const hi = range.hi;
  const loStrict = range.loInclusive === false;
  const hiStrict = range.hiInclusive === false;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v || (lo !== undefined && lo !== lo) || (hi !== undefined && hi !== hi)) {
      // Rare NaN path: PostgreSQL order.
      if (lo !== undefined && compareZoneValues(v, lo) < (loStrict ? 1 : 0)) continue;
      if (hi !== undefined && compareZoneValues(v, hi) > (hiStrict ? -1 : 0)) continue;
      sel[k++] = i;
      continue;
    }
    if (lo !== undefined && (loStrict ? v <= lo : v < lo)) continue;
    if (hi !== undefined && (hiStrict ? v >= hi : v > hi)) continue;
    sel[k++] = i;
  }
  return finish(sel, k, nulls);
}

/** Scans dictionary codes for members of `mask` (mask[code] = 1). */
function scanCodes(s: IntStream, mask: Uint8Array, sel: Uint32Array): number {
  const n = s.n;
  let k = 0;
  if (s.kind === 0) {
    if (mask[s.value] !== 1) return 0;
    for (let i = 0; i < n; i++) sel[i] = i;
    return n;
  }
  if (s.kind === 1 && s.transform === 0 && s.packed.width <= 32) {
    const base = s.base;
    const { excPos, excVal } = s;
    let e = 0;
    let nextExc = excPos.length > 0 ? excPos[0] : n;
    for (let start = 0; start < n; start += BLOCK) {
      const count = Math.min(BLOCK, n - start);
      unpackPlane(s.packed.lo, s.packed.width, start, count, unpacked);
      for (let j = 0; j < count; j++) {
        const i = start + j;
        let code: number;
        if (i === nextExc) {
          code = excVal[e++];
          nextExc = e < excPos.length ? excPos[e] : n;
        } else code = base + unpacked[j];
        if (mask[code] === 1) sel[k++] = i;
      }
    }
    return k;
  }
  if (s.kind === 2) {
    const { runs, values, lengths } = decodeRuns(s);
    let at = 0;
    for (let r = 0; r < runs; r++) {
      const end = Math.min(n, at + lengths[r]);
      if (mask[values[r]] === 1) for (let i = at; i < end; i++) sel[k++] = i;
      at = end;
    }
    return k;
  }
  const codes = numbers(n);
  decodeIntStream(s, codes);
  for (let i = 0; i < n; i++) if (mask[codes[i]] === 1) sel[k++] = i;
  return k;
}

/**
 * Rows of an encoded text/uuid/json/numeric block whose value satisfies
 * `predicate`. On dictionary blocks the predicate runs once per distinct value
 * and the scan runs over codes (so LIKE, ranges and IN cost O(distinct) string
 * work); on plain blocks it runs per row. NULLs never match.
 */
export function filterTextBlock(
  block: Uint8Array,
  n: number,
  predicate: (value: string) => boolean,
): Uint32Array {
  const { codec, nulls, r } = openBlock(block, n);
  if (codec === Codec.allNull) return new Uint32Array(0);
  if (codec !== Codec.string) throw new TypeError('filterTextBlock needs a text-like column');
  const s = readStringStream(r, n);
  const sel = selectionBuffer(n);
  if (s.kind === 0) {
    const mask = new Uint8Array(s.dict.length);
    let any = false;
    for (let c = 0; c < s.dict.length; c++) {
      if (predicate(s.dict[c])) {
        mask[c] = 1;
        any = true;
      }
    }
    if (!any) return new Uint32Array(0);
    return finish(sel, scanCodes(s.codes, mask, sel), nulls);
  }
  const strings = decodeStrings(s.lengths, s.blob, n);
  let k = 0;
  for (let i = 0; i < n; i++) if (predicate(strings[i])) sel[k++] = i;
  return finish(sel, k, nulls);
}

/** Rows of an encoded text-like block equal to one of `values` (`col = v`, `col IN (…)`). */
export function filterInBlock(block: Uint8Array, n: number, values: readonly string[]): Uint32Array {
  const wanted = new Set(values);
  return filterTextBlock(block, n, (v) => wanted.has(v));
}

/** Ascending union of two ascending selections. */
export function unionSelections(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) out[k++] = a[i++];
    else if (a[i] > b[j]) out[k++] = b[j++];
    else {
      out[k++] = a[i++];
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out.slice(0, k);
}

/** Every row index `0..n-1` (for "the zone map proves all rows match"). */
export function selectAll(n: number): Uint32Array {
  return allRows(n);
}
