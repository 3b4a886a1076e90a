import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType, Vector } from '../vector.ts';
import { detectChunkPeriod, encodeChunks, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { encodeColumn } from './column-codec.ts';
import { columnInputOf } from './column-stats.ts';
import { gatherVector } from './gather.ts';
import { rowOrder } from './row-order.ts';
import { type JsValue, valuesOf, vectorOf } from './test-vectors.ts';

const schema = [
  { name: 'host', type: 'text' as ColumnType },
  { name: 'time', type: 'timestamptz' as ColumnType },
  { name: 'v', type: 'float64' as ColumnType },
  { name: 'tag', type: 'text' as ColumnType },
];

const row = fc.record({
  host: fc.constantFrom('host_0', 'host_1', 'host_10', 'host_2', 'b'),
  time: fc.integer({ min: 0, max: 50 }).map((t) => 1.4516064e15 + t * 1e7),
  v: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double({ noNaN: false })),
  // Text with NULLs and many distinct values exercises the fallback paths.
  tag: fc.oneof(fc.constant(null), fc.constantFrom('x', 'y'), fc.string({ maxLength: 4 })),
});

describe('clustered encoding (segmentby/orderby reorder)', () => {
  it('writes the same blocks as encoding the reordered vectors, and reads back in that order', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 300 }), (rows) => {
        const cols: Vector[] = schema.map((s) =>
          vectorOf(
            s.type,
            rows.map((r) => r[s.name as keyof typeof r] as JsValue),
          ),
        );
        const n = rows.length;
        const order = [{ column: 0 }, { column: 1 }];
        const [chunk] = encodeChunks(schema, cols, n, { order });
        const perm = rowOrder(cols, order, 0, n)!;
        const reader = openChunk(serializeChunk(chunk));
        schema.forEach((s, c) => {
          const gathered = gatherVector(cols[c], perm);
          const ref = encodeColumn(s.type, columnInputOf(gathered), n, { period: 0 });
          expect(chunk.columns[c]).toEqual(ref.bytes);
          expect(valuesOf(reader.column(c))).toEqual(valuesOf(gathered));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('unclustered encoding of text columns (table-wide dictionary codes)', () => {
  it('writes the same blocks as encoding each chunk of strings on its own', () => {
    const hosts = ['host_0', 'host_1', 'host_10', 'host_2', 'b', 'c'];
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 64, maxLength: 400 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 16, max: 200 }),
        (rows, period, maxRows) => {
          // Time-major: the host cycles with a period, as TSBS lists hosts at every timestamp.
          const host = rows.map((_, i) => hosts[i % period]);
          const tag = rows.map((r) => r.tag ?? 'z');
          const cols: Vector[] = [
            vectorOf('text', host),
            vectorOf(
              'timestamptz',
              rows.map((r) => r.time),
            ),
            vectorOf(
              'float64',
              rows.map((r) => r.v),
            ),
            vectorOf('text', tag),
          ];
          const n = rows.length;
          const chunks = encodeChunks(schema, cols, n, { maxRows });
          let start = 0;
          for (const chunk of chunks) {
            const count = chunk.meta.rowCount;
            const inputs = cols.map((v) =>
              columnInputOf(vectorOf(v.type, valuesOf(v).slice(start, start + count))),
            );
            const period = detectChunkPeriod(schema, inputs, count);
            schema.forEach((s, c) => {
              expect(chunk.columns[c]).toEqual(encodeColumn(s.type, inputs[c], count, { period }).bytes);
            });
            start += count;
          }
          expect(start).toBe(n);
        },
      ),
      { numRuns: 150 },
    );
  });
});
