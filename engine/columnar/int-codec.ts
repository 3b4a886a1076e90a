/**
 * @module engine/columnar/int-codec
 * The integer stream codec used for ints, dates, timestamps, dictionary codes,
 * string lengths and ALP-encoded floats. A stream is chosen from the data:
 *
 * - CONST: every value equal.
 * - RLE: run values + run lengths (each a nested non-RLE stream); pays when runs are long.
 * - PFOR: a transform (none, delta, delta-of-delta), then patched frame-of-reference:
 *   `value - base` bit-packed at a width chosen from a histogram; the rare values
 *   that do not fit are exceptions stored apart (position + exact value). This
 *   keeps a periodic pattern such as `0,1,…,999,0,1,…` at width 0 after delta.
 * - PLAIN: raw float64, for non-integral input or ranges above 2^51.
 *
 * Values are JS numbers holding integers (|v| ≤ 2^53). When the range is at most
 * 2^51 every delta and delta-of-delta is exact in float64, so no transform loses bits.
 */

import { bitWidth, type Packed, packedBytes, readPacked, unpackAddBase, writePacked } from './bitpack.ts';
import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts';

/** Stream kinds (first byte of an integer stream). */
export const IntKind = { const: 0, pfor: 1, rle: 2, plain: 3 } as const;
/** Transforms applied before frame-of-reference. */
export const IntTransform = { none: 0, delta: 1, dod: 2 } as const;

const MAX_EXACT_RANGE = 2 ** 51;
const EXCEPTION_BYTES = 12;
const SAMPLE = 256;

/** A parsed integer stream: views into the block, enough for decoding and for filters on encoded data. */
export type IntStream =
  | { readonly kind: 0; readonly n: number; readonly value: number }
  | {
      readonly kind: 1;
      readonly n: number;
      readonly transform: number;
      readonly first: number;
      readonly firstDelta: number;
      readonly base: number;
      readonly packed: Packed;
      readonly excPos: Uint32Array;
      readonly excVal: Float64Array;
    }
  | { readonly kind: 2; readonly n: number; readonly runValues: IntStream; readonly runLengths: IntStream }
  | { readonly kind: 3; readonly n: number; readonly values: Float64Array };

let scratch = new Float64Array(0);
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 65536));
  return scratch;
}

/** Value i of the transformed stream (see module doc); slots before the transform's seed copy the first real one. */
function fillTransformed(x: ArrayLike<number>, n: number, transform: number, out: Float64Array): void {
  if (transform === 0) {
    for (let i = 0; i < n; i++) out[i] = x[i];
  } else if (transform === 1) {
    for (let i = 1; i < n; i++) out[i] = x[i] - x[i - 1];
    out[0] = n > 1 ? out[1] : 0;
  } else {
    for (let i = 2; i < n; i++) out[i] = x[i] - 2 * x[i - 1] + x[i - 2];
    const seed = n > 2 ? out[2] : 0;
    out[0] = seed;
    if (n > 1) out[1] = seed;
  }
}

interface Choice {
  bytes: number;
  base: number;
  width: number;
}

/** Picks base and width for one transformed stream from a sampled low base and a width histogram. */
function choosePfor(t: Float64Array, n: number, min: number, max: number, best: Choice): void {
  // Exact FOR (no exceptions) is the baseline.
  const fullWidth = bitWidth(max - min);
  best.bytes = packedBytes(n, fullWidth);
  best.base = min;
  best.width = fullWidth;
  if (n < 64 || fullWidth === 0) return;
  // Low base from a sample (1st percentile) so rare low outliers become exceptions.
  const m = Math.min(SAMPLE, n);
  const sample = new Float64Array(m);
  const stride = n / m;
  for (let j = 0; j < m; j++) sample[j] = t[Math.floor(j * stride)];
  sample.sort();
  const candidates = [min, sample[Math.floor(m * 0.01)]];
  const hist = new Float64Array(64);
  for (let c = 0; c < candidates.length; c++) {
    const base = candidates[c];
    if (c > 0 && base === min) continue;
    hist.fill(0);
    let below = 0;
    for (let i = 0; i < n; i++) {
      const d = t[i] - base;
      if (d < 0) below++;
      else hist[d < 4294967296 ? 32 - Math.clz32(d) : bitWidth(d)]++;
    }
    let above = n - below;
    for (let w = 0; w <= fullWidth; w++) {
      above -= hist[w];
      const bytes = packedBytes(n, w) + (below + above) * EXCEPTION_BYTES;
      if (bytes < best.bytes) {
        best.bytes = bytes;
        best.base = base;
        best.width = w;
      }
    }
  }
}

/**
 * Appends the smallest suitable encoding of `x[0..n)` to `w`.
 * @param allowRle false for nested streams (run values/lengths) to bound recursion.
 */
export function writeIntStream(w: ByteWriter, x: ArrayLike<number>, n: number, allowRle = true): void {
  if (n === 0) {
    w.u8(IntKind.const);
    w.f64(0);
    return;
  }
  // Pass 1: validity, range and run count of the raw values; ranges of delta and delta-of-delta.
  let min = x[0];
  let max = x[0];
  let nonInt = false;
  let runs = 1;
  let dMin = 0;
  let dMax = 0;
  let ddMin = 0;
  let ddMax = 0;
  let prev = x[0];
  let prevD = n > 1 ? x[1] - x[0] : 0;
  if (n > 1) {
    dMin = prevD;
    dMax = prevD;
  }
  if (n > 2) {
    ddMin = x[2] - 2 * x[1] + x[0];
    ddMax = ddMin;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v - Math.floor(v) !== 0) nonInt = true;
    if (v < min) min = v;
    else if (v > max) max = v;
    if (i > 0) {
      const d = v - prev;
      if (d !== 0) runs++;
      if (d < dMin) dMin = d;
      else if (d > dMax) dMax = d;
      if (i > 1) {
        const dd = d - prevD;
        if (dd < ddMin) ddMin = dd;
        else if (dd > ddMax) ddMax = dd;
      }
      prevD = d;
    }
    prev = v;
  }
  if (nonInt || max - min > MAX_EXACT_RANGE) {
    w.u8(IntKind.plain);
    w.align(8);
    for (let i = 0; i < n; i++) w.f64(x[i]);
    return;
  }
  if (min === max) {
    w.u8(IntKind.const);
    w.f64(min);
    return;
  }
  const t = scratchOf(n);
  const best: Choice = { bytes: 0, base: 0, width: 0 };
  const cand: Choice = { bytes: 0, base: 0, width: 0 };
  let bestTransform = 0;
  fillTransformed(x, n, 0, t);
  choosePfor(t, n, min, max, best);
  if (n > 2) {
    fillTransformed(x, n, 1, t);
    choosePfor(t, n, dMin, dMax, cand);
    if (cand.bytes < best.bytes) {
      Object.assign(best, cand);
      bestTransform = 1;
    }
    fillTransformed(x, n, 2, t);
    choosePfor(t, n, ddMin, ddMax, cand);
    if (cand.bytes < best.bytes) {
      Object.assign(best, cand);
      bestTransform = 2;
    }
  }
  const rleBytes = runs * ((bitWidth(max - min) + bitWidth(n)) / 8) + 32;
  if (allowRle && rleBytes < best.bytes) {
    writeRle(w, x, n, runs);
    return;
  }
  if (bestTransform !== 2) fillTransformed(x, n, bestTransform, t);
  writePfor(w, x, t, n, bestTransform, best.base, best.width);
}

function writeRle(w: ByteWriter, x: ArrayLike<number>, n: number, runs: number): void {
  const values = new Float64Array(runs);
  const lengths = new Float64Array(runs);
  let r = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || x[i] !== x[i - 1]) {
      values[r] = x[i - 1];
      lengths[r] = i - start;
      r++;
      start = i;
    }
  }
  w.u8(IntKind.rle);
  w.u32(runs);
  writeIntStream(w, values, runs, false);
  writeIntStream(w, lengths, runs, false);
}

/** Writes a PFOR stream; `t` holds the transformed values and is overwritten with packed offsets. */
function writePfor(
  w: ByteWriter,
  x: ArrayLike<number>,
  t: Float64Array,
  n: number,
  transform: number,
  base: number,
  width: number,
): void {
  const limit = 2 ** width;
  const excPos: number[] = [];
  const excVal: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = t[i] - base;
    if (d < 0 || d >= limit) {
      excPos.push(i);
      excVal.push(t[i]);
      t[i] = 0;
    } else {
      t[i] = d;
    }
  }
  w.u8(IntKind.pfor);
  w.u8(transform);
  w.u8(width);
  w.u8(0);
  w.u32(excPos.length);
  w.f64(x[0]);
  w.f64(n > 1 ? x[1] - x[0] : 0);
  w.f64(base);
  writePacked(w, t, n, width);
  for (let i = 0; i < excPos.length; i++) w.u32(excPos[i]);
  w.align(8);
  for (let i = 0; i < excVal.length; i++) w.f64(excVal[i]);
}

/** Parses a stream of `n` values written by {@link writeIntStream}. */
export function readIntStream(r: ByteReader, n: number): IntStream {
  const kind = r.u8();
  switch (kind) {
    case IntKind.const:
      return { kind, n, value: r.f64() };
    case IntKind.plain:
      r.align(8);
      return { kind, n, values: r.f64View(n) };
    case IntKind.rle: {
      const runs = r.u32();
      if (runs > n) corrupt('run count');
      const runValues = readIntStream(r, runs);
      const runLengths = readIntStream(r, runs);
      return { kind, n, runValues, runLengths };
    }
    case IntKind.pfor: {
      const transform = r.u8();
      const width = r.u8();
      r.u8();
      const excCount = r.u32();
      if (width > 53 || transform > 2 || excCount > n) corrupt('integer stream header');
      const first = r.f64();
      const firstDelta = r.f64();
      const base = r.f64();
      const packed = readPacked(r, n, width);
      const excPos = r.u32View(excCount);
      r.align(8);
      const excVal = r.f64View(excCount);
      return { kind, n, transform, first, firstDelta, base, packed, excPos, excVal };
    }
    default:
      return corrupt(`unknown integer stream kind ${kind}`);
  }
}

/** Decodes a parsed stream into `out[0..n)`; Int32Array outputs wrap mod 2^32 (exact for int32 data). */
export function decodeIntStream(s: IntStream, out: Float64Array | Int32Array): void {
  const n = s.n;
  switch (s.kind) {
    case 0:
      out.fill(s.value, 0, n);
      return;
    case 3:
      for (let i = 0; i < n; i++) out[i] = s.values[i];
      return;
    case 2: {
      const runs = s.runValues.n;
      const values = new Float64Array(runs);
      const lengths = new Float64Array(runs);
      decodeIntStream(s.runValues, values);
      decodeIntStream(s.runLengths, lengths);
      let at = 0;
      for (let r = 0; r < runs; r++) {
        const end = at + lengths[r];
        if (end > n) corrupt('run lengths exceed row count');
        out.fill(values[r], at, end);
        at = end;
      }
      if (at !== n) corrupt('run lengths do not cover the rows');
      return;
    }
    case 1: {
      unpackAddBase(s.packed, s.base, out);
      const { excPos, excVal } = s;
      for (let e = 0; e < excPos.length; e++) {
        const p = excPos[e];
        if (p >= n) corrupt('exception position');
        out[p] = excVal[e];
      }
      if (s.transform === 1) {
        out[0] = s.first;
        for (let i = 1; i < n; i++) out[i] = out[i - 1] + out[i];
      } else if (s.transform === 2) {
        out[0] = s.first;
        if (n > 1) out[1] = s.first + s.firstDelta;
        let d = s.firstDelta;
        for (let i = 2; i < n; i++) {
          d += out[i];
          out[i] = out[i - 1] + d;
        }
      }
      return;
    }
  }
}
