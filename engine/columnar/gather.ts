/**
 * @module engine/columnar/gather
 * Late materialization: decode only the selected rows of a column block. After
 * a selective filter (one host, one hour) a query needs a few hundred of 65,536
 * values; frame-of-reference, RLE, constant, plain and lag streams give random
 * access, so those rows are read straight from the encoded block. Delta and
 * delta-of-delta streams (format v2) decode only the mini-blocks around the
 * selected rows, from their checkpoints. Gorilla and v1 running-sum streams fall
 * back to a full decode followed by a gather — same result, just not faster.
 */

import type { ColumnType, DictVector, FlatVector, Vector } from '../vector.ts';
import type { Packed } from './bitpack.ts';
import { ByteReader, corrupt } from './byte-io.ts';
import { decodeColumn } from './column-decoder.ts';
import { Codec, codecOf, FLAG_NULLS, isMicrosType } from './column-family.ts';
import { alpFactor, readFloatStream } from './float-codec.ts';
import {
  CHECKPOINT_EVERY,
  decodeIntRange,
  decodeIntStream,
  decodeRuns,
  hasRangeAccess,
  type IntStream,
  readIntStream,
} from './int-stream.ts';
import { readStringStream } from './string-codec.ts';

const TWO32 = 4294967296;

/** Value i of a packed run (no bounds check: callers pass i < n). */
function packedAt(p: Packed, i: number): number {
  const w = p.width;
  if (w === 0) return 0;
  if (w <= 32) {
    const bit = i * w;
    const word = bit >>> 5;
    const shift = bit & 31;
    let v = p.lo[word] >>> shift;
    if (shift + w > 32) v |= p.lo[word + 1] << (32 - shift);
    return w === 32 ? v >>> 0 : (v & ((1 << w) - 1)) >>> 0;
  }
  const hw = w - 32;
  const bit = i * hw;
  const word = bit >>> 5;
  const shift = bit & 31;
  let v = p.hi![word] >>> shift;
  if (shift + hw > 32) v |= p.hi![word + 1] << (32 - shift);
  return ((v & ((1 << hw) - 1)) >>> 0) * TWO32 + p.lo[i];
}

/** Whether {@link intAt} works on `s` (constant, plain, or frame-of-reference without a transform). */
function hasRandomAccess(s: IntStream): boolean {
  return s.kind === 0 || s.kind === 3 || (s.kind === 1 && s.transform === 0);
}

/** Value i of a stream for which {@link hasRandomAccess} holds. */
function intAt(s: IntStream, i: number): number {
  if (s.kind === 0) return s.value;
  if (s.kind === 3) return s.values[i];
  if (s.kind !== 1) return corrupt('no random access into this stream');
  // Exceptions are sorted by position: binary search.
  const excPos = s.excPos;
  let lo = 0;
  let hi = excPos.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = excPos[mid];
    if (p === i) return s.excVal[mid];
    if (p < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return s.base + packedAt(s.packed, i);
}

/**
 * Writes the values of rows `sel` (ascending) of stream `s` into `out[0..sel.length)`.
 * Returns false when the stream has no cheap random access; `out` is then untouched.
 */
export function gatherIntStream(s: IntStream, sel: Uint32Array, out: Float64Array | Int32Array): boolean {
  const m = sel.length;
  if (m > 0 && sel[m - 1] >= s.n) corrupt('selection beyond the row count');
  if (s.kind === 2) {
    const { runs, values, lengths } = decodeRuns(s);
    let r = 0;
    let end = runs > 0 ? lengths[0] : 0;
    for (let k = 0; k < m; k++) {
      const i = sel[k];
      while (i >= end && r < runs - 1) end += lengths[++r];
      out[k] = values[r];
    }
    return true;
  }
  if (s.kind === 4) {
    // value[i] = head[i mod p] + Σ body[j − p] for j ≡ i (mod p), p ≤ j ≤ i: about i/p reads each.
    const p = s.period;
    const body = s.body;
    if (!hasRandomAccess(body) || m * (s.n / p) > 4 * s.n) return false;
    const head = new Float64Array(p);
    decodeIntStream(s.head, head);
    for (let k = 0; k < m; k++) {
      const i = sel[k];
      let v = head[i % p];
      for (let j = (i % p) + p; j <= i; j += p) v += intAt(body, j - p);
      out[k] = v;
    }
    return true;
  }
  if (s.kind === 1 && s.transform !== 0 && hasRangeAccess(s)) {
    gatherWindows(s, sel, out);
    return true;
  }
  if (!hasRandomAccess(s)) return false;
  for (let k = 0; k < m; k++) out[k] = intAt(s, sel[k]);
  return true;
}

let windowScratch = new Float64Array(0);

/**
 * Gathers through row-range decoding: selected rows closer than a mini-block
 * form one window, decoded from its checkpoint. Clustered chunks select a few
 * contiguous ranges, so this reads about the selected rows plus one mini-block each.
 */
function gatherWindows(s: IntStream, sel: Uint32Array, out: Float64Array | Int32Array): void {
  const m = sel.length;
  let k = 0;
  while (k < m) {
    let j = k;
    while (j + 1 < m && sel[j + 1] - sel[j] <= CHECKPOINT_EVERY) j++;
    const a = sel[k];
    const b = sel[j] + 1;
    if (windowScratch.length < b - a) windowScratch = new Float64Array(Math.max(b - a, 4096));
    decodeIntRange(s, a, b, windowScratch);
    for (let q = k; q <= j; q++) out[q] = windowScratch[sel[q] - a];
    k = j + 1;
  }
}

function gatherBits(nulls: Uint8Array | undefined, sel: Uint32Array): Uint8Array | undefined {
  if (nulls === undefined) return undefined;
  const out = new Uint8Array((sel.length + 7) >> 3);
  let any = false;
  for (let k = 0; k < sel.length; k++) {
    const i = sel[k];
    if ((nulls[i >> 3] & (1 << (i & 7))) !== 0) {
      out[k >> 3] |= 1 << (k & 7);
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Gathers rows `sel` out of an already decoded vector (the fallback path, also useful to executors). */
export function gatherVector(v: Vector, sel: Uint32Array): Vector {
  const m = sel.length;
  if (v.kind === 'const') return { ...v, length: m };
  const nulls = gatherBits(v.nulls, sel);
  if (v.kind === 'dict') {
    const codes = new Int32Array(m);
    for (let k = 0; k < m; k++) codes[k] = v.codes[sel[k]];
    const d: DictVector = { kind: 'dict', type: v.type, length: m, codes, dict: v.dict };
    return nulls ? { ...d, nulls } : d;
  }
  const src = v.values;
  let values: FlatVector['values'];
  if (Array.isArray(src)) {
    const out: unknown[] = new Array(m);
    for (let k = 0; k < m; k++) out[k] = src[sel[k]];
    values = out as FlatVector['values'];
  } else if (src instanceof Float64Array) {
    // Monomorphic loops for the common element types (a shared loop over every
    // typed-array class is megamorphic and several times slower).
    const out = new Float64Array(m);
    for (let k = 0; k < m; k++) out[k] = src[sel[k]];
    values = out;
  } else if (src instanceof Int32Array) {
    const out = new Int32Array(m);
    for (let k = 0; k < m; k++) out[k] = src[sel[k]];
    values = out;
  } else {
    const out = new (src.constructor as new (n: number) => typeof src)(m);
    for (let k = 0; k < m; k++) (out as { [i: number]: unknown })[k] = src[sel[k]];
    values = out;
  }
  const f: FlatVector = { kind: 'flat', type: v.type, length: m, values };
  return nulls ? { ...f, nulls } : f;
}

/**
 * Rows `sel` (ascending indexes < n) of a column block as a vector of
 * `sel.length` rows, decoding only those rows where the encoding allows.
 */
export function gatherColumn(type: ColumnType, block: Uint8Array, n: number, sel: Uint32Array): Vector {
  const r = new ByteReader(block);
  const codec = r.u8();
  const flags = r.u8();
  const m = sel.length;
  if (codec !== Codec.allNull && codec === codecOf(type)) {
    const nullBits = (flags & FLAG_NULLS) !== 0 ? r.bytesView((n + 7) >> 3) : undefined;
    const nulls = gatherBits(nullBits, sel);
    const flat = (values: FlatVector['values']): FlatVector =>
      nulls ? { kind: 'flat', type, length: m, values, nulls } : { kind: 'flat', type, length: m, values };
    if (codec === Codec.int) {
      const out = isMicrosType(type) ? new Float64Array(m) : new Int32Array(m);
      if (gatherIntStream(readIntStream(r, n), sel, out)) return flat(out);
    } else if (codec === Codec.float) {
      const s = readFloatStream(r, n);
      if (s.kind === 0) {
        const out = new Float64Array(m);
        if (gatherIntStream(s.ints, sel, out)) {
          const f = alpFactor(s.exponent);
          if (f !== 1) for (let k = 0; k < m; k++) out[k] /= f;
          const bits = new Uint32Array(out.buffer);
          let e = 0;
          for (let k = 0; k < m; k++) {
            while (e < s.excPos.length && s.excPos[e] < sel[k]) e++;
            if (e < s.excPos.length && s.excPos[e] === sel[k]) {
              bits[2 * k] = s.excBits[2 * e];
              bits[2 * k + 1] = s.excBits[2 * e + 1];
            }
          }
          return flat(out);
        }
      }
    } else if (codec === Codec.string && type !== 'numeric') {
      const s = readStringStream(r, n);
      if (s.kind === 0) {
        const codes = new Int32Array(m);
        if (gatherIntStream(s.codes, sel, codes)) {
          for (let k = 0; k < m; k++)
            if (codes[k] >>> 0 >= s.dict.length) corrupt('dictionary code out of range');
          const dict: FlatVector = { kind: 'flat', type, length: s.dict.length, values: s.dict };
          return nulls
            ? { kind: 'dict', type, length: m, codes, dict, nulls }
            : { kind: 'dict', type, length: m, codes, dict };
        }
      }
    }
  }
  return gatherVector(decodeColumn(type, block, n), sel);
}
