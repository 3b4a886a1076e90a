/**
 * @module engine/columnar/int-choice
 * Chooses how an integer stream is encoded from a sample, BtrBlocks style:
 * one full pass gathers what correctness needs (range, integrality, run
 * count); the transform (none, delta, delta-of-delta, lag-p) and the PFOR
 * base/width are then estimated on a few contiguous sample blocks, so the
 * choice costs O(sample), not one pass per candidate.
 */

import { bitWidth, packedBytes } from './bitpack.ts';

/** Transforms applied before patched frame-of-reference. */
export const IntTransform = { none: 0, delta: 1, dod: 2, lag: 3 } as const;

/** Bytes a raw exception costs (u32 position + f64 value; format v1/v2, and short lists). */
export const EXCEPTION_BYTES = 12;
/**
 * Bytes a compact exception (format v3: positions and values as nested streams)
 * costs at least; the plan estimates each one from the sample's value width.
 */
export const MIN_EXCEPTION_BYTES = 1;
/** Headers of the two nested exception streams (estimate, for the plan). */
const EXCEPTION_LISTS_BYTES = 48;

const SAMPLE_BLOCKS = 8;
/** Values per sample block (top-level streams); nested exception lists sample less. */
export const SAMPLE_BLOCK_LEN = 256;
const sample = new Float64Array(SAMPLE_BLOCKS * SAMPLE_BLOCK_LEN);
const sorted = new Float64Array(SAMPLE_BLOCKS * SAMPLE_BLOCK_LEN);
const hist = new Float64Array(64);

/** Full-pass statistics of a stream. */
export interface IntStats {
  min: number;
  max: number;
  runs: number;
  nonInt: boolean;
}

/** One pass: range, run count and whether every value is an integer (NaN/±Infinity are not). */
export function intStats(x: ArrayLike<number>, n: number, s: IntStats): void {
  let min = x[0];
  let max = x[0];
  let runs = 1;
  let bad = 0;
  let prev = x[0];
  for (let i = 0; i < n; i++) {
    const v = x[i];
    bad += v - Math.floor(v) !== 0 ? 1 : 0;
    if (v < min) min = v;
    if (v > max) max = v;
    runs += v !== prev ? 1 : 0;
    prev = v;
  }
  s.min = min;
  s.max = max;
  s.runs = runs;
  s.nonInt = bad > 0 || min !== min;
}

/** Writes transform `t` of x[from..to) into sample[m..), one loop per transform (no per-value switch). */
function sampleRange(
  x: ArrayLike<number>,
  from: number,
  to: number,
  t: number,
  period: number,
  m: number,
): number {
  if (t === 0) for (let i = from; i < to; i++) sample[m++] = x[i];
  else if (t === 1) for (let i = from; i < to; i++) sample[m++] = x[i] - x[i - 1];
  else if (t === 2) for (let i = from; i < to; i++) sample[m++] = x[i] - x[i - 1] - (x[i - 1] - x[i - 2]);
  else for (let i = from; i < to; i++) sample[m++] = x[i] - x[i - period];
  return m;
}

/**
 * The k-th smallest of a[lo..hi] (Hoare quickselect; reorders that range). On
 * return a[lo..k) ≤ a[k] ≤ a(k..hi], so a smaller rank can be selected in [lo, k).
 */
function selectKth(a: Float64Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Seed length of a transform: leading values it cannot express. */
export function seedLength(t: number, period: number): number {
  return t === 0 ? 0 : t === 1 ? 1 : t === 2 ? 2 : period;
}

/** A PFOR plan: base and width, plus its estimated size. */
export interface PforPlan {
  transform: number;
  base: number;
  width: number;
  bytes: number;
}

/**
 * Estimates the best PFOR base/width for transform `t` from sample blocks of
 * `blockLen` (≤ {@link SAMPLE_BLOCK_LEN}) values and writes it into `plan`
 * (bytes scaled to the whole stream of `len` values).
 */
export function planTransform(
  x: ArrayLike<number>,
  n: number,
  t: number,
  period: number,
  plan: PforPlan,
  blockLen = SAMPLE_BLOCK_LEN,
): void {
  const seed = seedLength(t, period);
  const len = n - seed;
  let m = 0;
  if (len <= SAMPLE_BLOCKS * blockLen) {
    m = sampleRange(x, seed, n, t, period, 0);
  } else {
    const span = len - blockLen;
    for (let b = 0; b < SAMPLE_BLOCKS; b++) {
      const start = seed + Math.floor((span * b) / (SAMPLE_BLOCKS - 1));
      m = sampleRange(x, start, start + blockLen, t, period, m);
    }
  }
  plan.transform = t;
  if (m === 0) {
    plan.base = 0;
    plan.width = 0;
    plan.bytes = 0;
    return;
  }
  let sMin = sample[0];
  let sMax = sample[0];
  for (let j = 1; j < m; j++) {
    const v = sample[j];
    if (v < sMin) sMin = v;
    if (v > sMax) sMax = v;
  }
  const fullWidth = bitWidth(sMax - sMin);
  const scale = len / m;
  // A compact exception: its value at about the sample's full width, its position delta-coded.
  const excBytes = Math.min(EXCEPTION_BYTES, (fullWidth + 4) / 8);
  plan.base = sMin;
  plan.width = fullWidth;
  plan.bytes = packedBytes(len, fullWidth);
  // A base at the 1st percentile turns rare low outliers into exceptions; one at the
  // 5th percentile and one at the median do so for outliers on both sides (a clustered
  // chunk's timestamps: delta-of-delta 0 except a jump down and back at each series start).
  sorted.set(sample.subarray(0, m));
  // Median first: the lower ranks are then selected among the lower half only.
  const k5 = Math.floor(m * 0.05);
  const k50 = Math.floor(m * 0.5);
  const mid = selectKth(sorted, 0, m - 1, k50);
  const low5 = selectKth(sorted, 0, Math.max(k50 - 1, 0), k5);
  const low = selectKth(sorted, 0, Math.max(k5 - 1, 0), Math.floor(m * 0.01));
  for (let c = 0; c < 4; c++) {
    const base = c === 0 ? sMin : c === 1 ? low : c === 2 ? low5 : mid;
    if (c === 1 && low === sMin) continue;
    if (c === 2 && (low5 === low || low5 === sMin)) continue;
    if (c === 3 && (mid === low5 || mid === low || mid === sMin)) continue;
    hist.fill(0);
    let below = 0;
    for (let j = 0; j < m; j++) {
      const d = sample[j] - base;
      if (d < 0) below++;
      else hist[d < 4294967296 ? 32 - Math.clz32(d) : bitWidth(d)]++; // inlined: hot, per sample value
    }
    let above = m - below;
    for (let w = 0; w <= fullWidth; w++) {
      above -= hist[w];
      const exc = (below + above) * scale;
      const bytes = packedBytes(len, w) + (exc > 0 ? exc * excBytes + EXCEPTION_LISTS_BYTES : 0);
      if (bytes < plan.bytes) {
        plan.bytes = bytes;
        plan.base = base;
        plan.width = w;
      }
    }
  }
}

/**
 * Finds a period p (2 ≤ p ≤ n/2) with x[i] === x[i+p] at sampled positions, e.g.
 * the host order repeating every timestamp in time-major metrics. Returns 0 if none.
 */
export function detectPeriod(x: ArrayLike<unknown>, n: number, maxPeriod = 16384): number {
  if (n < 64) return 0;
  const checks = 48;
  // Columns made of runs (sorted timestamps) repeat at every small p; they carry no period.
  let changes = 0;
  for (let k = 0; k < checks; k++) {
    const j = Math.floor(((n - 2) * k) / checks);
    if (x[j] !== x[j + 1]) changes++;
  }
  if (changes < checks / 2) return 0;
  const limit = Math.min(maxPeriod, n >> 1);
  for (let p = 2; p <= limit; p++) {
    if (x[p] !== x[0] || x[p + 1] !== x[1] || x[p + 2] !== x[2]) continue;
    let ok = true;
    for (let k = 1; k <= checks && ok; k++) {
      const j = Math.floor(((n - p - 1) * k) / checks);
      if (x[j] !== x[j + p]) ok = false;
    }
    if (ok) return p;
  }
  return 0;
}

/**
 * Like {@link detectPeriod} for numeric data that repeats only approximately
 * (each host's random walk moves a little between its rows): the smallest p
 * where x[j+p] is within 1/32 of the value spread of x[j] at almost every
 * sampled j. Cheap: most p fail the first comparison. Returns 0 if none; the
 * caller still weighs the lag transform against the others by size.
 */
export function detectApproxPeriod(x: ArrayLike<number>, n: number, maxPeriod = 16384): number {
  if (n < 256) return 0;
  let lo = x[0];
  let hi = x[0];
  for (let k = 0; k < 256; k++) {
    const v = x[Math.floor((k * (n - 1)) / 255)];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const tol = (hi - lo) / 32;
  if (!(tol > 0) || !Number.isFinite(tol)) return 0;
  const limit = Math.min(maxPeriod, (n >> 1) - 4);
  const checks = 48;
  let tries = 0;
  for (let p = 2; p <= limit; p++) {
    if (Math.abs(x[p] - x[0]) > tol || Math.abs(x[p + 1] - x[1]) > tol) continue;
    if (Math.abs(x[p + 2] - x[2]) > tol || Math.abs(x[p + 3] - x[3]) > tol) continue;
    let close = 0;
    for (let k = 1; k <= checks; k++) {
      const j = Math.floor(((n - p - 1) * k) / checks);
      if (Math.abs(x[j + p] - x[j]) <= tol) close++;
    }
    if (close >= checks * 0.85) return p;
    if (++tries >= 8) return 0;
  }
  return 0;
}
