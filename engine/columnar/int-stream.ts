/**
 * @module engine/columnar/int-stream
 * The integer stream as stored: its kinds (CONST, PFOR, RLE, PLAIN, LAG), the
 * parsed form (views into the block, used by decoders and by filters on
 * encoded data) and decoding. See int-codec for how a kind is chosen.
 */

import { type Packed, readPacked, unpackAddBase } from './bitpack.ts';
import { type ByteReader, corrupt } from './byte-io.ts';

/** Stream kinds (first byte of an integer stream). */
export const IntKind = { const: 0, pfor: 1, rle: 2, plain: 3, lag: 4 } as const;

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
  | { readonly kind: 3; readonly n: number; readonly values: Float64Array }
  | {
      readonly kind: 4;
      readonly n: number;
      readonly period: number;
      readonly head: IntStream;
      readonly body: IntStream;
    };

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
    case IntKind.lag: {
      const period = r.u32();
      if (period < 1 || period > n) corrupt('lag period');
      const head = readIntStream(r, period);
      const body = readIntStream(r, n - period);
      return { kind, n, period, head, body };
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
    case 4: {
      // Decode the differences in place after the head, then add the value one period back.
      const p = s.period;
      decodeIntStream(s.head, out.subarray(0, p));
      decodeIntStream(s.body, out.subarray(p, n));
      for (let i = p; i < n; i++) out[i] += out[i - p];
      return;
    }
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
      if (s.transform === 1) prefixSum(out, n, s.first);
      else if (s.transform === 2) prefixSum2(out, n, s.first, s.firstDelta);
      return;
    }
  }
}

/**
 * out[i] = out[i-1] + out[i]. The running sum stays in a register (no
 * store-to-load dependency). Int32 outputs wrap the sum with `| 0` so it stays
 * exact mod 2^32 however large the (wrapped) deltas are.
 */
function prefixSum(out: Float64Array | Int32Array, n: number, first: number): void {
  if (n === 0) return;
  if (out instanceof Int32Array) {
    let acc = first | 0;
    out[0] = acc;
    for (let i = 1; i < n; i++) {
      acc = (acc + out[i]) | 0;
      out[i] = acc;
    }
    return;
  }
  let acc = first;
  out[0] = acc;
  for (let i = 1; i < n; i++) {
    acc += out[i];
    out[i] = acc;
  }
}

/** Second-order prefix sum for delta-of-delta streams (see {@link prefixSum}). */
function prefixSum2(out: Float64Array | Int32Array, n: number, first: number, firstDelta: number): void {
  if (n === 0) return;
  out[0] = first;
  if (n === 1) return;
  if (out instanceof Int32Array) {
    let d = firstDelta | 0;
    let acc = (first + d) | 0;
    out[1] = acc;
    for (let i = 2; i < n; i++) {
      d = (d + out[i]) | 0;
      acc = (acc + d) | 0;
      out[i] = acc;
    }
    return;
  }
  let d = firstDelta;
  let acc = first + d;
  out[1] = acc;
  for (let i = 2; i < n; i++) {
    d += out[i];
    acc += d;
    out[i] = acc;
  }
}
