/**
 * @module engine/columnar/int-codec
 * The integer stream codec used for ints, dates, timestamps, dictionary codes,
 * string lengths and ALP-encoded floats. A stream is chosen from the data:
 *
 * - CONST: every value equal.
 * - RLE: run values + run lengths (each a nested non-RLE stream); pays when runs are long.
 * - PFOR: a transform (none, delta, delta-of-delta), then patched frame-of-reference:
 *   `value - base` bit-packed at a width chosen from a sampled histogram; the rare
 *   values that do not fit are exceptions stored apart (position + exact value).
 *   This keeps a pattern such as `0,1,…,999,0,1,…` at width 0 after delta.
 * - LAG: for rows that repeat with a period p (hosts listed in the same order at
 *   every timestamp): the first p values, then `x[i] − x[i−p]` as PFOR.
 * - PLAIN: raw float64, for non-integral input or ranges above 2^51.
 *
 * Delta and delta-of-delta PFOR streams longer than one mini-block carry
 * checkpoints (format v2) so late materialization can decode a row range.
 *
 * Values are JS numbers holding integers (|v| ≤ 2^53). When the range is at most
 * 2^51 every delta, delta-of-delta (computed as a difference of deltas) and lag
 * difference is exact in float64, so no transform loses bits. The layout of each
 * kind is what `readIntStream` (int-stream) parses.
 */
import { bitWidth, packedBytes, writePacked } from './bitpack.ts';
import type { ByteWriter } from './byte-io.ts';
import {
  EXCEPTION_BYTES,
  type IntStats,
  IntTransform,
  intStats,
  MIN_EXCEPTION_BYTES,
  type PforPlan,
  planTransform,
  SAMPLE_BLOCK_LEN,
} from './int-choice.ts';
import { CHECKPOINT_EVERY, IntKind, PFOR_CHECKPOINTS, PFOR_COMPACT_EXCEPTIONS } from './int-stream.ts';
import { excAtOf, fillTransformed, lagTransformed, scanTransformed, tStats } from './int-transform.ts';

const MAX_EXACT_RANGE = 2 ** 51;
/** Sample block length for nested (exception list) streams and for screening transforms. */
const NESTED_SAMPLE_BLOCK_LEN = 64;
/** Streams longer than this screen transforms on the small sample before planning them. */
const SCREEN_MIN_VALUES = 8192;
/** A screened transform is planned in full only when its estimate is within this factor of the best. */
const SCREEN_MARGIN = 1.15;
/** Widest packable value (bitpack holds 0 ≤ v < 2^53; readers reject more). */
const MAX_WIDTH = 53;

/** Transform scratch, one per exception-stream depth: a nested write must not clobber its parent's. */
const scratch = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];
function scratchOf(n: number): Float64Array {
  const d = excDepth;
  if (scratch[d].length < n) scratch[d] = new Float64Array(Math.max(n, d === 0 ? 65536 : 1024));
  return scratch[d];
}

/** Nesting of exception streams being written; at {@link MAX_EXC_DEPTH} exceptions stay raw (bounds the recursion). */
let excDepth = 0;
const MAX_EXC_DEPTH = 2;

const stats: IntStats = { min: 0, max: 0, runs: 0, nonInt: false };
const best: PforPlan = { transform: 0, base: 0, width: 0, bytes: 0 };
const cand: PforPlan = { transform: 0, base: 0, width: 0, bytes: 0 };
const lagPlan: PforPlan = { transform: 0, base: 0, width: 0, bytes: 0 };
/** Screening estimates per transform; filled and read before any nested stream is written. */
const screened = new Float64Array(3);

/**
 * Appends the smallest suitable encoding of `x[0..n)` to `w`.
 * @param allowRle false for nested streams (run values/lengths) to bound recursion.
 * @param period a row period hint (see `detectPeriod`); 0 for none. Enables the lag transform.
 * @param known the result of `intStats(x, n)` when the caller already computed it.
 * @param ascending x is non-decreasing (exception positions): only delta is planned.
 */
export function writeIntStream(
  w: ByteWriter,
  x: ArrayLike<number>,
  n: number,
  allowRle = true,
  period = 0,
  known?: IntStats,
  ascending = false,
): void {
  if (n === 0) {
    w.u8(IntKind.const);
    w.f64(0);
    return;
  }
  if (known !== undefined) Object.assign(stats, known);
  else intStats(x, n, stats);
  const { min, max, runs } = stats;
  if (stats.nonInt || max - min > MAX_EXACT_RANGE) {
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
  const rangeWidth = bitWidth(max - min);
  // Runs averaging 16+ rows are always RLE (see below): no plan needed.
  if (allowRle && runs * 16 <= n) {
    writeRle(w, x, n, runs);
    return;
  }
  best.transform = 0;
  best.base = min;
  best.width = rangeWidth;
  best.bytes = packedBytes(n, rangeWidth);
  // Lag first: when the sample repeats exactly one period back (dictionary codes of
  // time-major tags), the lag body costs nothing and no other transform can compete
  // with its seed of one period, so they are not planned.
  let lagBytes = Number.POSITIVE_INFINITY;
  const lag = period >= 2 && period * 2 <= n;
  if (lag) {
    planTransform(x, n, IntTransform.lag, period, lagPlan);
    lagBytes = lagPlan.bytes + packedBytes(period, rangeWidth);
  }
  // Exception lists (positions, jumps) never profit from delta-of-delta: skip planning it.
  // Ascending positions are at least as narrow after delta: plan only that.
  const maxT = lag && lagPlan.bytes === 0 ? -1 : n > 2 ? (excDepth > 0 ? 1 : 2) : 0;
  // Exception lists are a small share of a block: a smaller sample plans them well enough.
  const blockLen = excDepth > 0 ? NESTED_SAMPLE_BLOCK_LEN : SAMPLE_BLOCK_LEN;
  // A long top-level stream screens every transform on a quarter of the sample first and
  // plans in full only those whose estimate comes within SCREEN_MARGIN of the best one.
  const t0 = ascending && maxT > 0 ? 1 : 0;
  const screen = excDepth === 0 && n > SCREEN_MIN_VALUES;
  let floor = Math.min(best.bytes, lagBytes);
  if (screen) {
    for (let t = t0; t <= maxT; t++) {
      planTransform(x, n, t, 0, cand, NESTED_SAMPLE_BLOCK_LEN);
      screened[t] = cand.bytes;
      if (cand.bytes < floor) floor = cand.bytes;
    }
  }
  for (let t = t0; t <= maxT; t++) {
    if (screen && screened[t] > SCREEN_MARGIN * floor) continue;
    planTransform(x, n, t, 0, cand, blockLen);
    if (cand.bytes < best.bytes && cand.width <= MAX_WIDTH) Object.assign(best, cand);
  }
  const lagBase = lagPlan.base;
  const lagWidth = lagPlan.width;
  // The estimate is pessimistic (run values and lengths are themselves packed, often to a
  // bit or two), so RLE wins up to 2×, and always when runs average 16+ rows: a
  // clustered chunk's dictionary codes then stay RLE, which the run index and run-aware
  // filters read, and decode as fills.
  const rleBytes = runs * ((rangeWidth + bitWidth(n)) / 8) + 32;
  const longRuns = runs * 16 <= n;
  if (allowRle && (longRuns || (rleBytes < 2 * best.bytes && rleBytes < 2 * lagBytes))) {
    writeRle(w, x, n, runs);
    return;
  }
  if (lagBytes < best.bytes) {
    writeLag(w, x, n, period, lagBase, lagWidth);
    return;
  }
  const t = scratchOf(n);
  fillTransformed(x, n, best.transform, t, best.base, 2 ** best.width);
  writePfor(w, x, t, n, best.transform, best.base, best.width);
}

/** Lag-p: the first p values as their own stream, then x[i] − x[i−p] as a PFOR stream with the sampled plan. */
function writeLag(
  w: ByteWriter,
  x: ArrayLike<number>,
  n: number,
  period: number,
  base: number,
  width: number,
): void {
  w.u8(IntKind.lag);
  w.u32(period);
  writeIntStream(w, x, period, true, 0);
  const len = n - period;
  const body = scratchOf(len);
  lagTransformed(x, n, period, body, base, 2 ** width);
  writePfor(w, body, body, len, 0, base, width);
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

/**
 * Writes a PFOR stream; `t` holds the transformed values (exception slots are
 * overwritten) and {@link tStats} their range and exception count. The sampled plan is checked against the full data: if the
 * exceptions, as written, cost more than widening to the exact range, the
 * stream is rewritten at that width without exceptions.
 */
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
  const tMin = tStats.min;
  const tMax = tStats.max;
  const exc = tStats.exc;
  const exactWidth = bitWidth(tMax - tMin);
  if (exactWidth > MAX_WIDTH) {
    // Delta-of-delta of a range near 2^51 spans up to 2^53: not packable, store untransformed.
    for (let i = 0; i < n; i++) t[i] = x[i];
    scanTransformed(t, n, tMin, 2 ** (MAX_WIDTH + 1));
    writePfor(w, x, t, n, 0, tMin, MAX_WIDTH + 1);
    return;
  }
  const checkpoints = transform !== 0 && n > CHECKPOINT_EVERY;
  const exactBytes = packedBytes(n, exactWidth);
  if (exc === 0 || packedBytes(n, width) + exc * MIN_EXCEPTION_BYTES >= exactBytes) {
    writePforHead(w, x, n, transform, tMin, exactWidth, checkpoints ? PFOR_CHECKPOINTS : 0, 0);
    writePacked(w, t, n, exactWidth, tMin);
    w.align(8);
    if (checkpoints) writeCheckpoints(w, x, n, transform);
    return;
  }
  const excPos = new Uint32Array(exc);
  const excVal = new Float64Array(exc);
  if (tStats.listed) {
    const at = excAtOf(exc);
    for (let k = 0; k < exc; k++) {
      const i = at[k];
      excPos[k] = i;
      excVal[k] = t[i];
      t[i] = base; // packs as offset 0
    }
  } else {
    let e = 0;
    for (let i = 0; i < n; i++) {
      const d = t[i] - base;
      if (d < 0 || d >= limit) {
        excPos[e] = i;
        excVal[e++] = t[i];
        t[i] = base;
      }
    }
  }
  const start = w.length;
  const flagAt = writePforHead(w, x, n, transform, base, width, checkpoints ? PFOR_CHECKPOINTS : 0, exc);
  writePacked(w, t, n, width, base);
  const excStart = w.length;
  // Raw lists cost 12 bytes per exception; nested streams usually far less, but carry headers.
  const rawBytes = exc * EXCEPTION_BYTES + 8;
  if (excDepth < MAX_EXC_DEPTH && exc >= 4) {
    excDepth++;
    try {
      writeIntStream(w, excVal, exc, true);
      writeIntStream(w, excPos, exc, true, 0, undefined, true);
    } finally {
      excDepth--;
    }
    if (w.length - excStart < rawBytes) w.raw[flagAt] |= PFOR_COMPACT_EXCEPTIONS;
    else w.length = excStart;
  }
  if (w.length === excStart) {
    w.align(4);
    for (let i = 0; i < exc; i++) w.u32(excPos[i]);
    w.align(8);
    for (let i = 0; i < exc; i++) w.f64(excVal[i]);
  }
  if (w.length - start > exactBytes + 40) {
    // The exceptions did not pay: restore the slots and write the exact width.
    for (let k = 0; k < exc; k++) t[excPos[k]] = excVal[k];
    w.length = start;
    writePforHead(w, x, n, transform, tMin, exactWidth, checkpoints ? PFOR_CHECKPOINTS : 0, 0);
    writePacked(w, t, n, exactWidth, tMin);
    w.align(8);
  }
  if (checkpoints) writeCheckpoints(w, x, n, transform);
}

/** The PFOR header; returns the offset of its flag byte. */
function writePforHead(
  w: ByteWriter,
  x: ArrayLike<number>,
  n: number,
  transform: number,
  base: number,
  width: number,
  flags: number,
  exc: number,
): number {
  w.u8(IntKind.pfor);
  w.u8(transform);
  w.u8(width);
  const flagAt = w.length;
  w.u8(flags);
  w.u32(exc);
  w.f64(x[0]);
  w.f64(n > 1 ? x[1] - x[0] : 0);
  w.f64(base);
  return flagAt;
}

/**
 * Random-access checkpoints of a delta / delta-of-delta stream (format v2): for
 * each mini-block b ≥ 1 of {@link CHECKPOINT_EVERY} values starting at s, the
 * value x[s] (and for delta-of-delta the step x[s] − x[s−1]), so a row range
 * decodes from its mini-block instead of from row 0. Written after the stream's
 * own data, so `t` (the shared scratch) is no longer needed.
 */
function writeCheckpoints(w: ByteWriter, x: ArrayLike<number>, n: number, transform: number): void {
  // Each list is itself an integer stream: regular series make them constant or linear (a few bytes).
  const count = Math.ceil(n / CHECKPOINT_EVERY) - 1;
  const values = new Float64Array(count);
  for (let b = 1; b <= count; b++) values[b - 1] = x[b * CHECKPOINT_EVERY];
  const steps = transform === 2 ? new Float64Array(count) : undefined;
  if (steps)
    for (let b = 1; b <= count; b++) steps[b - 1] = x[b * CHECKPOINT_EVERY] - x[b * CHECKPOINT_EVERY - 1];
  writeIntStream(w, values, count, false);
  if (steps) writeIntStream(w, steps, count, false);
}
