/**
 * @module engine/columnar/int-transform
 * The full-data side of an integer stream's plan: materializes the chosen
 * transform (none, delta, delta-of-delta, lag-p) into scratch and, in the same
 * pass, its range, how many values miss the planned [base, base + 2^width)
 * window and where (a branchless store per value), so the PFOR writer needs
 * no second pass to verify the plan or to find its exceptions.
 */

/** Range and exception count of a transformed stream, gathered while it is written (read by writePfor). */
export interface TStats {
  min: number;
  max: number;
  exc: number;
  /** Whether {@link excAt}[0..exc) holds the exception positions, ascending. */
  listed: boolean;
}
export const tStats: TStats = { min: 0, max: 0, exc: 0, listed: false };
/**
 * Exception positions noted by the fill loops (a branchless store per value saves
 * writePfor a second pass to find them). Copied out before any nested stream is written.
 */
let excAt = new Uint32Array(65536);
export function excAtOf(n: number): Uint32Array {
  if (excAt.length < n) excAt = new Uint32Array(n);
  return excAt;
}

/**
 * Materializes transform `t` of x into out[0..n) (seed slots copy the first real
 * value) and, in the same pass, fills {@link tStats}: range of out[0..n) and how
 * many values fall outside [base, base + limit).
 */
export function fillTransformed(
  x: ArrayLike<number>,
  n: number,
  t: number,
  out: Float64Array,
  base: number,
  limit: number,
): void {
  const seed = t === 0 ? 0 : Math.min(t, n);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let exc = 0;
  const at = excAtOf(n);
  if (t === 0) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      const d = v - base;
      at[exc] = i;
      exc += d < 0 || d >= limit ? 1 : 0;
    }
  } else if (t === 1) {
    for (let i = 1; i < n; i++) {
      const v = x[i] - x[i - 1];
      out[i] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      const d = v - base;
      at[exc] = i;
      exc += d < 0 || d >= limit ? 1 : 0;
    }
  } else {
    for (let i = 2; i < n; i++) {
      const v = x[i] - x[i - 1] - (x[i - 1] - x[i - 2]);
      out[i] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      const d = v - base;
      at[exc] = i;
      exc += d < 0 || d >= limit ? 1 : 0;
    }
  }
  let listed = true;
  if (seed > 0) {
    const v = n > seed ? out[seed] : 0;
    for (let i = 0; i < seed; i++) out[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - base;
    if (d < 0 || d >= limit) {
      exc += seed;
      listed = false; // the seed slots would have to go first: writePfor finds them itself
    }
  }
  tStats.min = min;
  tStats.max = max;
  tStats.exc = exc;
  tStats.listed = listed;
}

/** {@link tStats} of t[0..n) as it stands. */
export function scanTransformed(t: Float64Array, n: number, base: number, limit: number): void {
  let min = t[0];
  let max = t[0];
  let exc = 0;
  for (let i = 0; i < n; i++) {
    const v = t[i];
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - base;
    exc += d < 0 || d >= limit ? 1 : 0;
  }
  tStats.min = min;
  tStats.max = max;
  tStats.exc = exc;
  tStats.listed = false;
}

/** Writes x[i] − x[i−period] for i ≥ period into out[0..n−period) and fills {@link tStats} (positions listed). */
export function lagTransformed(
  x: ArrayLike<number>,
  n: number,
  period: number,
  out: Float64Array,
  base: number,
  limit: number,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let exc = 0;
  const at = excAtOf(n - period);
  for (let i = period; i < n; i++) {
    const v = x[i] - x[i - period];
    out[i - period] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - base;
    at[exc] = i - period;
    exc += d < 0 || d >= limit ? 1 : 0;
  }
  tStats.min = min;
  tStats.max = max;
  tStats.exc = exc;
  tStats.listed = true;
}
