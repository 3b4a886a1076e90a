import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeltaPacked } from './delta-decode.ts';

/** Value i of a ≤ 32-bit packed plane, the slow way. */
function bitsAt(words: Uint32Array, width: number, i: number): number {
  let v = 0;
  for (let b = 0; b < width; b++) {
    const bit = i * width + b;
    if ((words[bit >>> 5] >>> (bit & 31)) & 1) v += 2 ** b;
  }
  return v;
}

const stream = fc
  .record({
    width: fc.integer({ min: 1, max: 30 }),
    n: fc.integer({ min: 1, max: 2500 }),
    base: fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
    first: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    seed: fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 64 }),
    exc: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -(2 ** 30), max: 2 ** 30 })), { maxLength: 40 }),
  })
  .map(({ width, n, base, first, seed, exc }) => {
    const words = new Uint32Array(Math.ceil((n * width) / 32) + 1).map(
      (_, k) => seed[k % seed.length] ^ (k * 2654435761),
    );
    const byPos = new Map(exc.map(([p, v]) => [p % n, v]));
    const pos = [...byPos.keys()].sort((a, b) => a - b);
    return {
      width,
      n,
      base,
      first,
      words,
      excPos: Uint32Array.from(pos),
      excVal: Float64Array.from(pos.map((p) => byPos.get(p)!)),
    };
  });

describe('decodeDeltaPacked (order 1) against a naive running sum', () => {
  it('matches for Float64Array and Int32Array outputs (the latter mod 2^32)', () => {
    fc.assert(
      fc.property(stream, ({ width, n, base, first, words, excPos, excVal }) => {
        const expected = new Float64Array(n);
        expected[0] = first;
        let acc = first;
        let e = 0;
        while (e < excPos.length && excPos[e] < 1) e++;
        for (let i = 1; i < n; i++) {
          let d = base + bitsAt(words, width, i);
          if (e < excPos.length && excPos[e] === i) d = excVal[e++];
          acc += d;
          expected[i] = acc;
        }
        const packed = { width, n, lo: words };
        const f64 = new Float64Array(n).fill(Number.NaN);
        decodeDeltaPacked(packed, base, excPos, excVal, 1, first, 0, f64, n);
        expect(Array.from(f64)).toEqual(Array.from(expected));
        const i32 = new Int32Array(n).fill(-7);
        decodeDeltaPacked(packed, base, excPos, excVal, 1, first, 0, i32, n);
        expect(Array.from(i32)).toEqual(Array.from(Int32Array.from(expected)));
      }),
      { numRuns: 300 },
    );
  });
});
