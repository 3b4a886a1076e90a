/**
 * @module engine/columnar/int-stream
 * The integer stream as stored: its kinds (CONST, PFOR, RLE, PLAIN, LAG), the
 * parsed form (views into the block, used by decoders and by filters on
 * encoded data) and decoding. See int-codec for how a kind is chosen.
 */

import { type Packed, readPacked, unpackAddBase, unpackRangeAddBase } from './bitpack.ts';
import { type ByteReader, corrupt } from './byte-io.ts';
import { decodeDeltaPacked, decodeLagPacked } from './delta-decode.ts';

/** Stream kinds (first byte of an integer stream). */
export const IntKind = { const: 0, pfor: 1, rle: 2, plain: 3, lag: 4 } as const;

/** Values per mini-block: the granularity of PFOR checkpoints and of range decoding. */
export const CHECKPOINT_EVERY = 1024;
/** PFOR flag bit: checkpoints follow the exceptions (format v2; v1 always wrote 0). */
export const PFOR_CHECKPOINTS = 1;
/**
 * PFOR flag bit: exception positions and values are two nested integer streams
 * (format v3) instead of raw u32 + f64 lists. A clustered chunk has an exception
 * at every segment boundary (a host's first row); as nested streams the regular
 * positions delta-code to a bit or two and the jumps pack at their own width.
 */
export const PFOR_COMPACT_EXCEPTIONS = 2;

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
      /** x[b·1024] for mini-blocks b ≥ 1 (delta / delta-of-delta streams of format v2). */
      readonly checkpoints?: Float64Array;
      /** x[b·1024] − x[b·1024 − 1] for mini-blocks b ≥ 1 (delta-of-delta only). */
      readonly checkSteps?: Float64Array;
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

/** Deepest stream nesting a writer produces is 4 (lag → RLE → PFOR → exceptions → checkpoints). */
const MAX_DEPTH = 8;

/** Parses a stream of `n` values written by {@link writeIntStream}; `depth` bounds nesting in corrupt input. */
export function readIntStream(r: ByteReader, n: number, depth = 0): IntStream {
  if (depth > MAX_DEPTH) corrupt('integer streams nested too deeply');
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
      const runValues = readIntStream(r, runs, depth + 1);
      const runLengths = readIntStream(r, runs, depth + 1);
      return { kind, n, runValues, runLengths };
    }
    case IntKind.lag: {
      const period = r.u32();
      if (period < 1 || period > n) corrupt('lag period');
      const head = readIntStream(r, period, depth + 1);
      const body = readIntStream(r, n - period, depth + 1);
      return { kind, n, period, head, body };
    }
    case IntKind.pfor: {
      const transform = r.u8();
      const width = r.u8();
      const flags = r.u8();
      const excCount = r.u32();
      if (width > 53 || transform > 2 || excCount > n || flags > (PFOR_CHECKPOINTS | PFOR_COMPACT_EXCEPTIONS))
        corrupt('integer stream header');
      const first = r.f64();
      const firstDelta = r.f64();
      const base = r.f64();
      const packed = readPacked(r, n, width);
      let excPos: Uint32Array;
      let excVal: Float64Array;
      if ((flags & PFOR_COMPACT_EXCEPTIONS) !== 0) {
        excVal = readNested(r, excCount, depth + 1);
        excPos = readPositions(r, excCount, n, depth + 1);
      } else {
        excPos = r.u32View(excCount);
        r.align(8);
        excVal = r.f64View(excCount);
      }
      if ((flags & PFOR_CHECKPOINTS) === 0)
        return { kind, n, transform, first, firstDelta, base, packed, excPos, excVal };
      if (transform === 0) corrupt('checkpoints on a stream without a running sum');
      const count = Math.max(0, Math.ceil(n / CHECKPOINT_EVERY) - 1);
      const checkpoints = readNested(r, count, depth + 1);
      const checkSteps = transform === 2 ? readNested(r, count, depth + 1) : undefined;
      return { kind, n, transform, first, firstDelta, base, packed, excPos, excVal, checkpoints, checkSteps };
    }
    default:
      return corrupt(`unknown integer stream kind ${kind}`);
  }
}

/**
 * A nested list (checkpoints, or exception data of format v3), decoded at parse
 * time: such lists are short, and decoders and encoded-data filters then see
 * plain arrays. Checkpoint lists hold at most 64 values, so never carry their own.
 */
function readNested(r: ByteReader, count: number, depth: number): Float64Array {
  const s = readIntStream(r, count, depth);
  const out = new Float64Array(count);
  decodeIntStream(s, out);
  return out;
}

/** Exception positions: strictly increasing integers below `n` (checked: decoders index with them). */
function readPositions(r: ByteReader, count: number, n: number, depth: number): Uint32Array {
  // Decoded as int32 (positions are below n ≤ 2^31; a corrupt value wraps and is
  // still range-checked here), then viewed unsigned: no float copy.
  const raw = new Int32Array(count);
  decodeIntStream(readIntStream(r, count, depth), raw);
  let prev = -1;
  for (let e = 0; e < count; e++) {
    const p = raw[e];
    if (!(p > prev && p < n)) corrupt('exception position');
    prev = p;
  }
  return new Uint32Array(raw.buffer, 0, count);
}

/** The runs of an RLE stream (kind 2): each run's value and length, decoded. */
export function decodeRuns(s: Extract<IntStream, { kind: 2 }>): {
  runs: number;
  values: Float64Array;
  lengths: Float64Array;
} {
  const runs = s.runValues.n;
  const values = new Float64Array(runs);
  const lengths = new Float64Array(runs);
  decodeIntStream(s.runValues, values);
  decodeIntStream(s.runLengths, lengths);
  return { runs, values, lengths };
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
      const b = s.body;
      if (b.kind === 1 && b.transform === 0 && b.packed.width < 31) {
        if (b.excPos.length > 0 && b.excPos[b.excPos.length - 1] >= b.n) corrupt('exception position');
        decodeLagPacked(p, b.packed.lo, b.packed.width, b.base, b.excPos, b.excVal, out, n);
        return;
      }
      decodeIntStream(s.body, out.subarray(p, n));
      for (let i = p; i < n; i++) out[i] += out[i - p];
      return;
    }
    case 2: {
      const { runs, values, lengths } = decodeRuns(s);
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
      if (s.transform !== 0 && s.packed.width <= 32 && n > 0) {
        if (s.excPos.length > 0 && s.excPos[s.excPos.length - 1] >= n) corrupt('exception position');
        decodeDeltaPacked(s.packed, s.base, s.excPos, s.excVal, s.transform, s.first, s.firstDelta, out, n);
        return;
      }
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

let rangeScratch = new Float64Array(0);
function rangeBuffer(n: number): Float64Array {
  if (rangeScratch.length < n) rangeScratch = new Float64Array(Math.max(n, 65536 + CHECKPOINT_EVERY));
  return rangeScratch;
}

/** First index e with excPos[e] ≥ i (exceptions are sorted by position). */
function lowerBound(excPos: Uint32Array, i: number): number {
  let lo = 0;
  let hi = excPos.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (excPos[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether {@link decodeIntRange} reads only the range (plus one mini-block) of `s`. */
export function hasRangeAccess(s: IntStream): boolean {
  return s.kind !== 4 && (s.kind !== 1 || s.transform === 0 || s.checkpoints !== undefined);
}

/**
 * Decodes values [from, to) of a stream into `out[0..to−from)`. Delta and
 * delta-of-delta streams start at the mini-block holding `from` (its
 * checkpoint); streams without random access decode in full first.
 */
export function decodeIntRange(s: IntStream, from: number, to: number, out: Float64Array | Int32Array): void {
  const m = to - from;
  if (m <= 0) return;
  if (from < 0 || to > s.n) corrupt('row range beyond the row count');
  if (s.kind === 0) {
    out.fill(s.value, 0, m);
    return;
  }
  if (s.kind === 3) {
    for (let i = 0; i < m; i++) out[i] = s.values[from + i];
    return;
  }
  if (s.kind === 1 && hasRangeAccess(s)) {
    const t = s.transform;
    const start = t === 0 ? from : from - (from % CHECKPOINT_EVERY);
    const len = to - start;
    const buf = rangeBuffer(len);
    unpackRangeAddBase(s.packed, s.base, start, len, buf);
    const { excPos, excVal } = s;
    for (let e = lowerBound(excPos, start); e < excPos.length && excPos[e] < to; e++)
      buf[excPos[e] - start] = excVal[e];
    const b = start / CHECKPOINT_EVERY;
    if (t === 1) {
      let acc = b === 0 ? s.first : s.checkpoints![b - 1];
      buf[0] = acc;
      for (let i = 1; i < len; i++) {
        acc += buf[i];
        buf[i] = acc;
      }
    } else if (t === 2) {
      let acc: number;
      let d: number;
      let i0: number;
      if (b === 0) {
        buf[0] = acc = s.first;
        d = s.firstDelta;
        if (len > 1) buf[1] = acc = acc + d;
        i0 = 2;
      } else {
        buf[0] = acc = s.checkpoints![b - 1];
        d = s.checkSteps![b - 1];
        i0 = 1;
      }
      for (let i = i0; i < len; i++) {
        d += buf[i];
        acc += d;
        buf[i] = acc;
      }
    }
    const off = from - start;
    for (let i = 0; i < m; i++) out[i] = buf[off + i];
    return;
  }
  if (s.kind === 2) {
    const { runs, values, lengths } = decodeRuns(s);
    let at = 0;
    let k = 0;
    for (let r = 0; r < runs && at < to; r++) {
      const end = at + lengths[r];
      if (end > s.n) corrupt('run lengths exceed row count');
      for (let i = Math.max(at, from); i < Math.min(end, to); i++) out[k++] = values[r];
      at = end;
    }
    if (k !== m) corrupt('run lengths do not cover the rows');
    return;
  }
  const full = new Float64Array(s.n);
  decodeIntStream(s, full);
  for (let i = 0; i < m; i++) out[i] = full[from + i];
}
