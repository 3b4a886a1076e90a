/**
 * @module engine/columnar/delta-decode
 * Full decoding of delta and delta-of-delta PFOR streams in one pass: each
 * packed value is unpacked, patched (exceptions are visited in position order,
 * one compare per value) and added to the running sum while still in a
 * register. The two-pass form (unpack everything, then prefix-sum) reads and
 * writes the output twice; cold scans are dominated by these streams.
 */

import type { Packed } from './bitpack.ts';

/**
 * Decodes a transform-1 (`order` 1) or transform-2 (`order` 2) stream of n ≥ 1
 * values packed at ≤ 32 bits into `out`. Int32Array outputs wrap mod 2^32.
 * Exception positions must be sorted (the reader checks this for format v3;
 * older raw lists are sorted by construction, and an unsorted corrupt list only
 * yields wrong values, never an out-of-bounds write).
 */
export function decodeDeltaPacked(
  p: Packed,
  base: number,
  excPos: Uint32Array,
  excVal: Float64Array,
  order: number,
  first: number,
  firstDelta: number,
  out: Float64Array | Int32Array,
  n: number,
): void {
  const width = p.width;
  const lo = p.lo;
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  const excCount = excPos.length;
  let e = 0;
  // Skip exceptions in the seed slots (they hold copies of the first real value).
  const start = order === 1 ? 1 : 2;
  while (e < excCount && excPos[e] < start) e++;
  let nextExc = e < excCount ? excPos[e] : n;
  out[0] = first;
  if (n === 1) return;
  const int32 = out instanceof Int32Array;
  // Int32Array outputs may take it too: `first + acc` is exact, and storing it wraps
  // mod 2^32 exactly as the int32 running sum below would.
  if (order === 1 && width > 0 && width < 31 && smallSums(base, width, excVal, n)) {
    decodeDeltaRelative(lo, width, base, excPos, excVal, e, first, out, n);
    return;
  }
  let acc = first;
  let d = firstDelta;
  if (order === 2) {
    acc = int32 ? (first + firstDelta) | 0 : first + firstDelta;
    out[1] = acc;
  }
  let i = start;
  while (i < n) {
    // A run without exceptions: the hot loop has no exception test.
    const end = Math.min(nextExc, n);
    if (width === 0) {
      if (order === 1) {
        if (int32) for (; i < end; i++) out[i] = acc = (acc + base) | 0;
        else for (; i < end; i++) out[i] = acc += base;
      } else if (int32) {
        for (; i < end; i++) {
          d = (d + base) | 0;
          out[i] = acc = (acc + d) | 0;
        }
      } else {
        for (; i < end; i++) {
          d += base;
          out[i] = acc += d;
        }
      }
    } else if (order === 1) {
      if (int32) {
        for (; i < end; i++) {
          const bit = i * width;
          const word = bit >>> 5;
          const shift = bit & 31;
          let v = lo[word] >>> shift;
          if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
          out[i] = acc = (acc + base + ((v & mask) >>> 0)) | 0;
        }
      } else {
        for (; i < end; i++) {
          const bit = i * width;
          const word = bit >>> 5;
          const shift = bit & 31;
          let v = lo[word] >>> shift;
          if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
          out[i] = acc += base + ((v & mask) >>> 0);
        }
      }
    } else if (int32) {
      for (; i < end; i++) {
        const bit = i * width;
        const word = bit >>> 5;
        const shift = bit & 31;
        let v = lo[word] >>> shift;
        if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
        d = (d + base + ((v & mask) >>> 0)) | 0;
        out[i] = acc = (acc + d) | 0;
      }
    } else {
      for (; i < end; i++) {
        const bit = i * width;
        const word = bit >>> 5;
        const shift = bit & 31;
        let v = lo[word] >>> shift;
        if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
        d += base + ((v & mask) >>> 0);
        out[i] = acc += d;
      }
    }
    if (i >= n) break;
    // i === nextExc: the exception replaces the packed value.
    const x = excVal[e++];
    if (order === 1) acc = int32 ? (acc + x) | 0 : acc + x;
    else {
      d = int32 ? (d + x) | 0 : d + x;
      acc = int32 ? (acc + d) | 0 : acc + d;
    }
    out[i++] = acc;
    while (e < excCount && excPos[e] < i) e++;
    nextExc = e < excCount ? excPos[e] : n;
  }
}

/**
 * Whether every running sum of the deltas stays within ±2^31 (from the packed
 * range and the exceptions), so it can run in int32 arithmetic: an integer add
 * has a one-cycle latency against four for a float64 add, and the running sum
 * is one long dependency chain.
 */
function smallSums(base: number, width: number, excVal: Float64Array, n: number): boolean {
  const step = Math.max(Math.abs(base), Math.abs(base + 2 ** width - 1));
  let bound = step * n;
  for (let k = 0; k < excVal.length; k++) bound += Math.abs(excVal[k]);
  return bound < 2 ** 31;
}

/** The delta loop of {@link decodeDeltaPacked} with the sum kept relative to `first` in int32. */
function decodeDeltaRelative(
  lo: Uint32Array,
  width: number,
  base: number,
  excPos: Uint32Array,
  excVal: Float64Array,
  e: number,
  first: number,
  out: Float64Array | Int32Array,
  n: number,
): void {
  // Signed words and `>>`: every intermediate stays a small integer in V8 (a uint32
  // load or `>>>` result above 2^31 would not), which measured 3× faster.
  const words = new Int32Array(lo.buffer, lo.byteOffset, lo.length);
  const mask = (1 << width) - 1;
  const b = base | 0;
  const excCount = excPos.length;
  let nextExc = e < excCount ? excPos[e] : n;
  let acc = 0;
  let i = 1;
  while (i < n) {
    const end = Math.min(nextExc, n);
    for (; i < end; i++) {
      const bit = i * width;
      const word = bit >> 5;
      const shift = bit & 31;
      // Within one word `>>` is exact (its sign bits fall outside the mask); across
      // two, shift ≥ 1 keeps the `>>>` part below 2^31.
      const v =
        shift + width > 32
          ? (words[word] >>> shift) | (words[word + 1] << (32 - shift))
          : words[word] >> shift;
      acc = (acc + b + (v & mask)) | 0;
      out[i] = first + acc;
    }
    if (i >= n) break;
    acc = (acc + excVal[e++]) | 0;
    out[i++] = first + acc;
    while (e < excCount && excPos[e] < i) e++;
    nextExc = e < excCount ? excPos[e] : n;
  }
}

/**
 * Decodes the body of a lag-p stream (a transform-0 PFOR of x[i] − x[i−p],
 * packed below 31 bits) and adds the value one period back in the same pass;
 * `out[0..p)` already holds the head. Exception positions index the body.
 */
export function decodeLagPacked(
  period: number,
  lo: Uint32Array,
  width: number,
  base: number,
  excPos: Uint32Array,
  excVal: Float64Array,
  out: Float64Array | Int32Array,
  n: number,
): void {
  const words = new Int32Array(lo.buffer, lo.byteOffset, lo.length);
  const mask = (1 << width) - 1;
  const m = n - period;
  const excCount = excPos.length;
  let e = 0;
  let j = 0;
  while (j < m) {
    const end = e < excCount ? Math.min(excPos[e], m) : m;
    if (width === 0) for (; j < end; j++) out[period + j] = out[j] + base;
    else
      for (; j < end; j++) {
        const bit = j * width;
        const word = bit >> 5;
        const shift = bit & 31;
        const v =
          shift + width > 32
            ? (words[word] >>> shift) | (words[word + 1] << (32 - shift))
            : words[word] >> shift;
        out[period + j] = out[j] + base + (v & mask);
      }
    if (j >= m) break;
    out[period + j] = out[j] + excVal[e++];
    j++;
    while (e < excCount && excPos[e] < j) e++;
  }
}
