/**
 * @module engine/columnar/float-codec
 * Float64 columns. ALP-style decimal encoding first (Afroozeh et al., SIGMOD
 * 2023): find an exponent e such that `round(v·10^e) / 10^e === v` for most
 * values, store those integers through the integer codec (FOR/delta + bit-packing)
 * and the rest as exceptions (position + raw 64 bits). Whole numbers such as
 * TSBS's 0–100 walk cost ~7 bits instead of Gorilla's ~20. Real floats fall back
 * to Gorilla XOR, or to plain bits when Gorilla does not pay. NaN (any payload),
 * ±Infinity and -0 are always exceptions, kept bit-exactly.
 */

import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts';
import { decodeGorilla, readGorilla, writeGorilla } from './gorilla.ts';
import type { IntStats } from './int-choice.ts';
import { writeIntStream } from './int-codec.ts';
import { decodeIntStream, type IntStream, readIntStream } from './int-stream.ts';

/** Float block kinds (first byte). */
export const FloatKind = { alp: 0, gorilla: 1, plain: 2, f32: 3 } as const;

const P10: number[] = [];
for (let e = 0; e <= 22; e++) P10.push(10 ** e);
const MAX_E = 18;
/** Keeps ALP integers within the integer codec's exact range. */
const MAX_ALP_INT = 2 ** 50;
const SAMPLE = 256;

/** Share of sampled values that must be decimal-exact for ALP to be tried. */
const ALP_MIN_SHARE = 0.8;

/** Chooses e (0..18) maximising the share of sampled values that round-trip; returns [e, share]. */
function chooseExponent(v: Float64Array, n: number): [number, number] {
  const m = Math.min(SAMPLE, n);
  const stride = n / m;
  let bestE = 0;
  let bestHits = -1;
  for (let e = 0; e <= MAX_E; e++) {
    const p = P10[e];
    let hits = 0;
    for (let j = 0; j < m; j++) {
      const x = v[Math.floor(j * stride)];
      const d = Math.round(x * p);
      if (d / p === x && Math.abs(d) <= MAX_ALP_INT && (x !== 0 || 1 / x > 0)) hits++;
    }
    if (hits > bestHits) {
      bestHits = hits;
      bestE = e;
      if (hits === m) break;
    }
  }
  return [bestE, m === 0 ? 1 : bestHits / m];
}

/** Bounds of a float column, gathered while encoding (NaN excluded from min/max). */
export interface FloatBounds {
  min: number;
  max: number;
  hasNaN: boolean;
}

/**
 * Appends the encoding of `v[0..n)` (null slots already filled with neighbours,
 * so they do not change the bounds); `period` is a row-period hint. Fills `bounds`.
 */
export function writeFloatStream(
  w: ByteWriter,
  v: Float64Array,
  n: number,
  period: number,
  bounds: FloatBounds,
  float32 = false,
): void {
  const bits = new Uint32Array(v.buffer, v.byteOffset, n * 2);
  const [e, share] = chooseExponent(v, n);
  if (share >= ALP_MIN_SHARE) {
    writeAlp(w, v, bits, n, e, period, bounds);
    return;
  }
  scanBounds(v, n, bounds);
  const start = w.length;
  w.u8(FloatKind.gorilla);
  writeGorilla(w, bits, n);
  // `real` columns hold float32 values: 4 raw bytes each beats Gorilla on noisy data.
  if (float32 && w.length - start > n * 4 + 16 && fitsFloat32(v, bits, n)) {
    w.length = start;
    w.u8(FloatKind.f32);
    w.align(4);
    const at = w.reserve(n * 4);
    new Float32Array(w.raw.buffer, at, n).set(v.subarray(0, n));
    return;
  }
  if (w.length - start > n * 8 + 16) {
    w.length = start;
    w.u8(FloatKind.plain);
    w.align(8);
    for (let i = 0; i < n; i++) {
      w.u32(bits[2 * i]);
      w.u32(bits[2 * i + 1]);
    }
  }
}

/** Every value survives float64 → float32 → float64 bit-exactly (NaN only in its canonical form). */
function fitsFloat32(v: Float64Array, bits: Uint32Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x !== x) {
      if (bits[2 * i] !== 0 || bits[2 * i + 1] !== 0x7ff80000) return false;
    } else if (Math.fround(x) !== x) return false;
  }
  return true;
}

function scanBounds(v: Float64Array, n: number, b: FloatBounds): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nan = false;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x < min) min = x;
    if (x > max) max = x;
    if (x !== x) nan = true;
  }
  b.min = min;
  b.max = max;
  b.hasNaN = nan;
}

let intsScratch = new Float64Array(0);

/** Integer-stream statistics gathered by the ALP loop, so the integer codec skips its own pass. */
const alpStats: IntStats = { min: 0, max: 0, runs: 0, nonInt: false };

function writeAlp(
  w: ByteWriter,
  v: Float64Array,
  bits: Uint32Array,
  n: number,
  e: number,
  period: number,
  bounds: FloatBounds,
): void {
  const p = P10[e];
  if (intsScratch.length < n) intsScratch = new Float64Array(Math.max(n, 65536));
  const ints = intsScratch;
  const excPos: number[] = [];
  let last = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let runs = 0;
  let prev = Number.NaN;
  if (e === 0) {
    // Whole numbers (e.g. TSBS metrics): no multiply or divide.
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (Math.round(x) === x && Math.abs(x) <= MAX_ALP_INT && (x !== 0 || 1 / x > 0)) {
        last = x;
        if (x < min) min = x;
        if (x > max) max = x;
      } else excPos.push(i); // the slot repeats the previous integer so deltas and runs stay small
      ints[i] = last;
      runs += last !== prev ? 1 : 0;
      prev = last;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = v[i];
      const d = Math.round(x * p);
      if (d / p === x && Math.abs(d) <= MAX_ALP_INT && (x !== 0 || 1 / x > 0)) {
        last = d;
        if (x < min) min = x;
        if (x > max) max = x;
      } else excPos.push(i);
      ints[i] = last;
      runs += last !== prev ? 1 : 0;
      prev = last;
    }
  }
  // Integer range: the mapping x → round(x·10^e) is monotonic; leading exceptions hold 0.
  let iMin = min <= max ? Math.round(min * p) : 0;
  let iMax = min <= max ? Math.round(max * p) : 0;
  if (excPos.length > 0 && excPos[0] === 0) {
    iMin = Math.min(iMin, 0);
    iMax = Math.max(iMax, 0);
  }
  alpStats.min = iMin;
  alpStats.max = iMax;
  alpStats.runs = runs;
  alpStats.nonInt = false;
  let nan = false;
  for (let k = 0; k < excPos.length; k++) {
    const x = v[excPos[k]];
    if (x !== x) nan = true;
    else {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  bounds.min = min;
  bounds.max = max;
  bounds.hasNaN = nan;
  w.u8(FloatKind.alp);
  w.u8(e);
  w.u32(excPos.length);
  writeIntStream(w, ints, n, true, period, alpStats);
  w.align(4);
  for (let k = 0; k < excPos.length; k++) w.u32(excPos[k]);
  for (let k = 0; k < excPos.length; k++) {
    const i = excPos[k];
    w.u32(bits[2 * i]);
    w.u32(bits[2 * i + 1]);
  }
}

/** A parsed float block, kept for filters on encoded data. */
export type FloatStream =
  | {
      readonly kind: 0;
      readonly n: number;
      readonly exponent: number;
      readonly ints: IntStream;
      readonly excPos: Uint32Array;
      readonly excBits: Uint32Array;
    }
  | { readonly kind: 1; readonly n: number; readonly words: Uint32Array }
  | { readonly kind: 2; readonly n: number; readonly bits: Uint32Array }
  | { readonly kind: 3; readonly n: number; readonly values: Float32Array };

export function readFloatStream(r: ByteReader, n: number): FloatStream {
  const kind = r.u8();
  switch (kind) {
    case FloatKind.alp: {
      const exponent = r.u8();
      const excCount = r.u32();
      if (exponent > MAX_E || excCount > n) corrupt('ALP header');
      const ints = readIntStream(r, n);
      r.align(4);
      const excPos = r.u32View(excCount);
      const excBits = r.u32View(excCount * 2);
      return { kind, n, exponent, ints, excPos, excBits };
    }
    case FloatKind.gorilla:
      return { kind, n, words: readGorilla(r) };
    case FloatKind.f32: {
      r.align(4);
      r.need(n * 4);
      const values = new Float32Array(r.bytes.buffer, r.bytes.byteOffset + r.pos, n);
      r.pos += n * 4;
      return { kind, n, values };
    }
    case FloatKind.plain:
      r.align(8);
      return { kind, n, bits: r.u32View(n * 2) };
    default:
      return corrupt(`unknown float kind ${kind}`);
  }
}

/** The power of ten an ALP stream divides by. */
export function alpFactor(exponent: number): number {
  return P10[exponent];
}

export function decodeFloatStream(s: FloatStream, out: Float64Array): void {
  const n = s.n;
  if (s.kind === 1) {
    decodeGorilla(s.words, n, out);
    return;
  }
  if (s.kind === 3) {
    out.set(s.values);
    return;
  }
  const outBits = new Uint32Array(out.buffer, out.byteOffset, n * 2);
  if (s.kind === 2) {
    outBits.set(s.bits);
    return;
  }
  decodeIntStream(s.ints, out);
  const p = P10[s.exponent];
  if (p !== 1) for (let i = 0; i < n; i++) out[i] = out[i] / p;
  const { excPos, excBits } = s;
  for (let k = 0; k < excPos.length; k++) {
    const i = excPos[k];
    if (i >= n) corrupt('ALP exception position');
    outBits[2 * i] = excBits[2 * k];
    outBits[2 * i + 1] = excBits[2 * k + 1];
  }
}
