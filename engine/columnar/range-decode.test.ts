/**
 * Row-range decoding (format v2 mini-block checkpoints): decoding values
 * [from, to) of any integer stream equals the slice of its full decode, and
 * gathering clustered selections (a few contiguous runs) out of encoded blocks
 * equals gathering out of the decoded column, for every numeric type.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../vector.ts';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { encodeColumn } from './column-codec.ts';
import { decodeColumn } from './column-decoder.ts';
import { gatherColumn, gatherVector } from './gather.ts';
import { writeIntStream } from './int-codec.ts';
import { decodeIntRange, decodeIntStream, type IntStream, readIntStream } from './int-stream.ts';
import { firstDifference, valuesOf, vectorOf } from './test-vectors.ts';

/** Series that favour delta / delta-of-delta streams: walks and regular clocks, restarted per segment. */
const seriesArb = fc
  .record({
    n: fc.integer({ min: 1, max: 6000 }),
    segments: fc.integer({ min: 1, max: 12 }),
    step: fc.constantFrom(1, 10_000_000, 3),
    noise: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    start: fc.integer({ min: -1e6, max: 1e9 }),
  })
  .map(({ n, segments, step, noise, seed, start }) => {
    let s = seed;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const per = Math.ceil(n / segments);
    const out = new Float64Array(n);
    let v = start;
    for (let i = 0; i < n; i++) {
      if (i % per === 0) v = start + Math.floor(rand() * 1000);
      v += step + (noise > 0 ? Math.floor(rand() * (2 * noise + 1)) - noise : 0);
      out[i] = v;
    }
    return out;
  });

function streamOf(x: Float64Array): IntStream {
  const w = new ByteWriter();
  writeIntStream(w, x, x.length);
  return readIntStream(new ByteReader(w.finish()), x.length);
}

describe('row-range decoding', () => {
  it('decodeIntRange equals the slice of a full decode', () => {
    let checkpointed = 0;
    fc.assert(
      fc.property(seriesArb, fc.nat(), fc.nat(), (x, a, b) => {
        const s = streamOf(x);
        if (s.kind === 1 && s.checkpoints !== undefined) checkpointed++;
        const full = new Float64Array(x.length);
        decodeIntStream(s, full);
        expect(firstDifference(Array.from(full), Array.from(x))).toBe(-1);
        const from = a % x.length;
        const to = from + 1 + (b % (x.length - from));
        const out = new Float64Array(to - from);
        decodeIntRange(s, from, to, out);
        expect(firstDifference(Array.from(out), Array.from(full.subarray(from, to)))).toBe(-1);
        const out32 = new Int32Array(to - from);
        decodeIntRange(s, from, to, out32);
        expect(Array.from(out32)).toEqual(Array.from(full.subarray(from, to), (v) => v | 0));
      }),
      { numRuns: 300 },
    );
    // Guard against a vacuous pass: the checkpointed path must have run.
    expect(checkpointed).toBeGreaterThan(30);
  });

  const types: ColumnType[] = ['int32', 'timestamptz', 'float64', 'date'];
  for (const type of types) {
    it(`gathers clustered selections of ${type} columns like a full decode`, () => {
      fc.assert(
        fc.property(
          seriesArb,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          (x, runs, withNulls) => {
            const n = x.length;
            const values = Array.from(x, (v, i) => {
              if (withNulls && i % 37 === 5) return null;
              if (type === 'float64') return v / 100;
              if (type === 'int32' || type === 'date') return v | 0;
              return v;
            });
            const block = encodeColumn(type, vectorOf(type, values), n).bytes;
            const rows = new Set<number>();
            for (const [at, len] of runs)
              for (let i = at % n; i < Math.min(n, (at % n) + len); i++) rows.add(i);
            const sel = Uint32Array.from([...rows].sort((p, q) => p - q));
            const want = valuesOf(gatherVector(decodeColumn(type, block, n), sel));
            const got = valuesOf(gatherColumn(type, block, n, sel));
            expect(firstDifference(want, got)).toBe(-1);
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
