import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../vector.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { encodeColumn } from './column-codec.ts';
import { gatherColumn } from './gather.ts';
import { ALL_TYPES, columnArb, firstDifference, type JsValue, valuesOf, vectorOf } from './test-vectors.ts';

/** An ascending selection drawn from `n` rows. */
function selectionArb(n: number): fc.Arbitrary<Uint32Array> {
  return fc
    .array(fc.nat(Math.max(0, n - 1)), { maxLength: n === 0 ? 0 : Math.min(n, 60) })
    .map((xs) => Uint32Array.from(new Set(xs)).sort());
}

/** Time-major walk data (period = hosts), the lag stream's home ground. */
function walk(hosts: number, steps: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const state = Array.from({ length: hosts }, () => Math.floor(next() * 100));
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let h = 0; h < hosts; h++) {
      out.push(state[h]);
      state[h] = Math.min(100, Math.max(0, state[h] + Math.floor(next() * 5) - 2));
    }
  }
  return out;
}

describe('gatherColumn', () => {
  for (const type of ALL_TYPES) {
    it(`equals a gather from the full decode for ${type}`, () => {
      fc.assert(
        fc.property(
          columnArb(type, 200).chain((values) => fc.tuple(fc.constant(values), selectionArb(values.length))),
          ([values, sel]) => {
            const chunk = encodeChunk([{ name: 'c', type }], [vectorOf(type, values)], values.length);
            const got = valuesOf(openChunk(serializeChunk(chunk)).gather(0, sel));
            const want = Array.from(sel, (i) => values[i]);
            expect(firstDifference(want, got)).toBe(-1);
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it('keeps ALP exceptions (NaN, -0, ±Infinity, real floats) bit-exact when gathering', () => {
    const values: JsValue[] = walk(20, 150, 3);
    const specials = [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1 + 0.2, 5e-324];
    for (let k = 0; k < 60; k++) values[k * 47 + 5] = specials[k % specials.length];
    const n = values.length;
    for (const period of [0, 20]) {
      const block = encodeColumn('float64', vectorOf('float64', values), n, { period }).bytes;
      const sel = Uint32Array.from({ length: 60 }, (_, k) => k * 47 + 5 + (k % 3 === 0 ? 1 : 0));
      const got = valuesOf(gatherColumn('float64', block, n, sel));
      expect(
        firstDifference(
          Array.from(sel, (i) => values[i]),
          got,
        ),
      ).toBe(-1);
    }
  });

  it('reads selected rows of lag, RLE and PFOR blocks directly', () => {
    const cases: [ColumnType, JsValue[], number][] = [
      ['float64', walk(100, 300, 1), 100],
      ['int32', walk(50, 500, 2), 50],
      ['timestamptz', Array.from({ length: 30000 }, (_, i) => 1.7e15 + Math.floor(i / 1000) * 1e7), 0],
      ['int32', Array.from({ length: 30000 }, (_, i) => (i * 7919) % 1000), 0],
      ['text', Array.from({ length: 30000 }, (_, i) => `host_${i % 300}`), 300],
    ];
    for (const [type, values, period] of cases) {
      const n = values.length;
      const block = encodeColumn(type, vectorOf(type, values), n, { period }).bytes;
      const sel = Uint32Array.from({ length: 200 }, (_, k) => Math.floor((k * (n - 1)) / 199));
      const got = valuesOf(gatherColumn(type, block, n, sel));
      expect(
        firstDifference(
          Array.from(sel, (i) => values[i]),
          got,
        ),
      ).toBe(-1);
    }
  });
});
