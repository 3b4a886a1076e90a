/**
 * Long integer streams (above the screening threshold), where the encoder
 * screens transforms on a small sample and takes exception positions from the
 * fill loop: series with outliers, seed slots that are themselves exceptions,
 * and row periods (lag-p) round-trip exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { writeIntStream } from './int-codec.ts';
import { decodeIntStream, readIntStream } from './int-stream.ts';

const longArb = fc
  .record({
    n: fc.integer({ min: 8193, max: 20000 }),
    shape: fc.constantFrom('walk', 'steps', 'periodic', 'noise'),
    period: fc.integer({ min: 2, max: 1500 }),
    outlierRate: fc.constantFrom(0, 0.001, 0.02, 0.3),
    headOutliers: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, shape, period, outlierRate, headOutliers, seed }) => {
    let s = seed;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const base = Array.from({ length: period }, () => Math.floor(rand() * 1000));
    const x = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (shape === 'walk') v += Math.floor(rand() * 7) - 3;
      else if (shape === 'steps') v += 10_000_000;
      else if (shape === 'periodic') v = base[i % period] + Math.floor(rand() * 3);
      else v = Math.floor(rand() * 2 ** 20);
      x[i] = rand() < outlierRate ? Math.floor(rand() * 2 ** 45) - 2 ** 44 : v;
    }
    if (headOutliers) {
      x[0] = 2 ** 48;
      x[1] = -(2 ** 48);
    }
    return { x, period: shape === 'periodic' ? period : 0 };
  });

describe('long integer streams (screened plans, listed exceptions)', () => {
  it('round-trip exactly', () => {
    fc.assert(
      fc.property(longArb, ({ x, period }) => {
        const w = new ByteWriter();
        writeIntStream(w, x, x.length, true, period);
        const got = new Float64Array(x.length);
        decodeIntStream(readIntStream(new ByteReader(w.finish()), x.length), got);
        expect(Array.from(got)).toEqual(Array.from(x));
      }),
      { numRuns: 60 },
    );
  });
});
