import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType, Vector } from '../vector.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { releaseVector, takeFloat64 } from './decode-buffers.ts';
import { columnArb, firstDifference, type JsValue, valuesOf, vectorOf } from './test-vectors.ts';

/** Pooling starts at 4,096 rows: repeat the arbitrary column up to `n` rows. */
function tile(values: JsValue[], n: number): JsValue[] {
  if (values.length === 0) return Array.from({ length: n }, () => null);
  return Array.from({ length: n }, (_, i) => values[i % values.length]);
}

/** Releases arrays of `n` elements full of garbage, so the next decode reuses dirty memory. */
function poison(n: number): { f64: Float64Array; i32: Int32Array } {
  const f64 = new Float64Array(n);
  new Uint32Array(f64.buffer).fill(0xdeadbeef);
  const i32 = new Int32Array(n).fill(-123456789);
  releaseVector({ kind: 'flat', type: 'float64', length: n, values: f64 });
  releaseVector({ kind: 'flat', type: 'int32', length: n, values: i32 });
  return { f64, i32 };
}

const TYPES: ColumnType[] = ['bool', 'int16', 'int32', 'date', 'timestamp', 'timestamptz', 'float64', 'text'];

describe('decoding into recycled (dirty) arrays', () => {
  for (const type of TYPES) {
    it(`${type}: every decoder overwrites all rows`, () => {
      fc.assert(
        fc.property(columnArb(type), fc.integer({ min: 4096, max: 5000 }), (raw, n) => {
          const values = tile(raw, n);
          const bytes = serializeChunk(encodeChunk([{ name: 'c', type }], [vectorOf(type, values)], n));
          const { f64, i32 } = poison(n);
          const v = openChunk(bytes).column(0);
          const at = firstDifference(values, valuesOf(v));
          if (at >= 0) throw new Error(`row ${at}: wrote ${String(values[at])}`);
          // The flat numeric paths really ran on the poisoned arrays (unless the block is all NULL).
          if (v.kind === 'flat' && values.some((x) => x !== null)) {
            if (type === 'float64' || type === 'timestamp' || type === 'timestamptz')
              expect(v.values).toBe(f64);
            if (type === 'int32' || type === 'date' || type === 'int16') expect(v.values).toBe(i32);
          }
          if (v.kind === 'dict') expect(v.codes).toBe(i32);
          // Leave the pool empty of this test's arrays.
          takeFloat64(n);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('evict hands decoded arrays back; small and sub-view arrays stay out', () => {
    const n = 8192;
    const values = Array.from({ length: n }, (_, i) => i * 0.5);
    const reader = openChunk(
      serializeChunk(encodeChunk([{ name: 'f', type: 'float64' }], [vectorOf('float64', values)], n)),
    );
    const first = reader.column(0) as Extract<Vector, { kind: 'flat' }>;
    reader.evict();
    expect(takeFloat64(n)).toBe(first.values);
    const view = new Float64Array(2 * n).subarray(n);
    releaseVector({ kind: 'flat', type: 'float64', length: n, values: view });
    expect(takeFloat64(n)).not.toBe(view);
    const small = new Float64Array(16);
    releaseVector({ kind: 'flat', type: 'float64', length: 16, values: small });
    expect(takeFloat64(16)).not.toBe(small);
  });
});
