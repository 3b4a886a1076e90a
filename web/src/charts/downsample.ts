/**
 * @module web/charts/downsample
 * Turns sorted series of any length into what a canvas of `buckets` pixels
 * can show. Each series keeps, per pixel column of x, its minimum and its
 * maximum point (in x order) plus its first and last points, so spikes and
 * dips survive while a million points become a few thousand. Then the series
 * are aligned on one x array (uPlot's data layout), with `null` where a
 * series has no point at that x.
 */
import type { Series } from './chart-model.ts';

/** uPlot's aligned data: x values, then one y array per series. */
export type AlignedData = [Float64Array, ...(number | null)[][]];

/** The x range covered by all `series` ([0, 0] when empty). */
export function xRange(series: readonly Series[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    if (s.xs.length === 0) continue;
    lo = Math.min(lo, s.xs[0]);
    hi = Math.max(hi, s.xs[s.xs.length - 1]);
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * Min/max per bucket of the x range [x0, x1] cut into `buckets` equal parts.
 * A series of at most 4 points per bucket is returned as it is.
 */
export function downsampleMinMax(s: Series, buckets: number, x0: number, x1: number): Series {
  const n = s.xs.length;
  if (n <= buckets * 4 || x1 <= x0) return s;
  const { xs, ys } = s;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const width = x1 - x0;
  let bucket = -1;
  let lo = 0;
  let hi = 0;
  // Multiply before dividing: `x * (buckets / width)` rounds a point that lies
  // exactly on a bucket edge into the bucket before it.
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor(((xs[i] - x0) * buckets) / width));
    if (b !== bucket) {
      if (bucket >= 0) keep[lo] = keep[hi] = 1;
      bucket = b;
      lo = hi = i;
    } else if (ys[i] < ys[lo]) lo = i;
    else if (ys[i] > ys[hi]) hi = i;
  }
  keep[lo] = keep[hi] = 1;
  let m = 0;
  for (let i = 0; i < n; i++) m += keep[i];
  const ox = new Float64Array(m);
  const oy = new Float64Array(m);
  for (let i = 0, j = 0; i < n; i++) {
    if (!keep[i]) continue;
    ox[j] = xs[i];
    oy[j++] = ys[i];
  }
  return { name: s.name, xs: ox, ys: oy };
}

/** Aligns sorted series on the union of their x values (null where a series has no point). */
export function align(series: readonly Series[]): AlignedData {
  if (series.length === 0) return [new Float64Array(0)];
  const first = series[0].xs;
  const same = series.every((s) => s.xs.length === first.length && s.xs.every((x, i) => x === first[i]));
  if (same) return [first, ...series.map((s) => Array.from(s.ys))];
  let total = 0;
  for (const s of series) total += s.xs.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const s of series) {
    all.set(s.xs, k);
    k += s.xs.length;
  }
  all.sort();
  let u = 0;
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) all[u++] = all[i];
  const xs = all.slice(0, u);
  const columns = series.map((s) => {
    const out: (number | null)[] = new Array(u).fill(null);
    // Equal x within one series: the last value wins (the line passes through the others' bucket).
    for (let i = 0, j = 0; i < s.xs.length; i++) {
      while (xs[j] < s.xs[i]) j++;
      out[j] = s.ys[i];
    }
    return out;
  });
  return [xs, ...columns];
}

/** What the chart draws for `series` on a plot `width` pixels wide. */
export function chartData(series: readonly Series[], width: number): AlignedData {
  const [x0, x1] = xRange(series);
  const buckets = Math.max(16, Math.round(width));
  return align(series.map((s) => downsampleMinMax(s, buckets, x0, x1)));
}
