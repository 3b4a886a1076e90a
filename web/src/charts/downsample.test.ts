import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Series } from './chart-model.ts';
import { align, chartData, downsampleMinMax } from './downsample.ts';

const series = (name: string, xs: number[], ys: number[]): Series => ({
  name,
  xs: Float64Array.from(xs),
  ys: Float64Array.from(ys),
});

describe('downsampleMinMax', () => {
  it('keeps every bucket extreme, the ends, x order, and at most two points per bucket plus the ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 50, maxLength: 3000 }),
        fc.integer({ min: 1, max: 20 }),
        (values, buckets) => {
          const xs = values.map((_, i) => i * 3);
          const s = series('s', xs, values);
          const x0 = xs[0];
          const x1 = xs[xs.length - 1];
          const d = downsampleMinMax(s, buckets, x0, x1);
          if (values.length <= buckets * 4) {
            expect(d).toBe(s);
            return;
          }
          expect(d.xs.length).toBeLessThanOrEqual(buckets * 2 + 2);
          expect(d.xs[0]).toBe(x0);
          expect(d.xs[d.xs.length - 1]).toBe(x1);
          for (let i = 1; i < d.xs.length; i++) expect(d.xs[i]).toBeGreaterThan(d.xs[i - 1]);
          // The naive model: per bucket, the min and max value must be among the kept points.
          const kept = new Map<number, number>();
          d.xs.forEach((x, i) => {
            kept.set(x, d.ys[i]);
          });
          const per = new Map<number, number[]>();
          xs.forEach((x, i) => {
            const b = Math.min(buckets - 1, Math.floor(((x - x0) * buckets) / (x1 - x0)));
            per.set(b, [...(per.get(b) ?? []), values[i]]);
          });
          const keptValues = [...kept.values()];
          for (const vs of per.values()) {
            expect(keptValues).toContain(Math.min(...vs));
            expect(keptValues).toContain(Math.max(...vs));
          }
        },
      ),
      {
        numRuns: 50,
        // A point exactly on a bucket edge (x = 111 of 0..222 in 14 buckets) once fell into the bucket before.
        examples: [[[...Array(35).fill(0), 5e-324, 0, 1e-323, ...Array(37).fill(0)], 14]],
      },
    );
  });

  it('brings a million points down to a few per pixel, keeping the spike', () => {
    const n = 1_000_000;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = i;
      ys[i] = i === 654_321 ? 1e9 : Math.sin(i / 5000);
    }
    const [x, y] = chartData([{ name: 'v', xs, ys }], 1000);
    expect(x.length).toBeLessThanOrEqual(2002);
    expect(Math.max(...(y as number[]))).toBe(1e9);
  });
});

describe('align', () => {
  it('puts series with different x on one x axis with nulls for missing points', () => {
    const [x, a, b] = align([series('a', [1, 3], [10, 30]), series('b', [2, 3, 4], [20, 31, 40])]);
    expect([...x]).toEqual([1, 2, 3, 4]);
    expect(a).toEqual([10, null, 30, null]);
    expect(b).toEqual([null, 20, 31, 40]);
  });

  it('shares x when every series has the same x', () => {
    const [x, a, b] = align([series('a', [1, 2], [1, 2]), series('b', [1, 2], [3, 4])]);
    expect([...x]).toEqual([1, 2]);
    expect([a, b]).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
