/**
 * Segment slices (see `segment-slices`): a clustered chunk cut into runs of one
 * segment value answers every query exactly like the whole chunk, whatever the
 * run boundaries (bitmaps re-based off byte boundaries), and zone maps skip the
 * other values' slices. A chunk that is not clustered is refused.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { openChunkParts } from '../columnar/index.ts';
import { initParser } from '../sql/parser.ts';
import { encodedSegment } from '../storage/segment-store.ts';
import { columnIdOf, encodeTableRows } from './chunk-rows.ts';
import { engineOver, engineTableDef } from './fragment-engine.ts';
import { segmentSlices } from './segment-slices.ts';
import type { DistTable, Row } from './table-schema.ts';

const t: DistTable = {
  name: 'm',
  columns: [
    { id: 0, name: 'time', type: 'timestamptz', notNull: false },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'v', type: 'float64', notNull: false },
    { id: 3, name: 'k', type: 'int32', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 4,
  placement: { kind: 'local' },
  shardCount: 1,
  layout: { segmentBy: [1], orderBy: [{ id: 0, desc: false }] },
};

/** Over the engine's view of the table, where columns are named c<id> (time c0, host c1, v c2, k c3). */
const QUERIES = [
  "SELECT count(*), count(c2), sum(c3), min(c0), max(c0) FROM m WHERE c1 = 'b'",
  'SELECT c1, count(*), max(c2), sum(c3) FROM m GROUP BY c1 ORDER BY c1 NULLS FIRST',
  "SELECT count(*) FROM m WHERE c0 >= '1970-01-01 00:00:00.00004+00' AND c0 < '1970-01-01 00:00:00.00009+00' AND c1 IN ('a', 'c')",
  'SELECT count(*), sum(c3) FROM m WHERE c1 IS NULL OR c2 IS NULL',
  'SELECT c1, c0, c2 FROM m ORDER BY c2 DESC NULLS LAST, c0, c1 LIMIT 5',
];

async function answers(segments: ReturnType<typeof segmentSlices>) {
  const db = await engineOver([{ def: engineTableDef(t), segments: () => segments! }]);
  const out = [];
  for (const q of QUERIES) out.push((await db.query(q)).rows);
  return out;
}

describe('segment slices', () => {
  beforeAll(() => initParser());

  it('answer like the whole chunk for any run lengths and slice size', async () => {
    const row = fc.tuple(
      fc.constantFrom('a', 'b', 'c', 'd', null),
      fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: null }),
      fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        async (xs, max) => {
          const rows: Row[] = xs.map(([h, v, k], i) => [i % 3 === 0 ? null : i, h, v, k]);
          const [chunk] = encodeTableRows(t, rows);
          const seg = encodedSegment(
            openChunkParts(chunk.header, (i) => chunk.columns[i]),
            columnIdOf,
          );
          const slices = segmentSlices(seg, 1, 0, max)!;
          expect(slices).toBeDefined(); // encoded clustered by host
          expect(slices.reduce((s, x) => s + x.source.rowCount, 0)).toBe(rows.length);
          // A chunk of at most `max` rows stays whole; slices hold one segment value each.
          for (const s of slices[0] === seg ? [] : slices) {
            const z = s.source.zoneMap(1)!;
            expect(z.nullCount === z.rowCount || z.min === z.max).toBe(true);
          }
          expect(await answers(slices)).toEqual(await answers([seg]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('skips the slices of other segment values and refuses unclustered chunks', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 4000; i++) rows.push([i * 10, `h${i % 8}`, i, i % 7]);
    const [chunk] = encodeTableRows(t, rows);
    const seg = encodedSegment(
      openChunkParts(chunk.header, (i) => chunk.columns[i]),
      columnIdOf,
    );
    const slices = segmentSlices(seg, 1, 0)!;
    expect(slices.length).toBe(8);
    const db = await engineOver([{ def: engineTableDef(t), segments: () => slices }]);
    const r = await db.query("SELECT count(*) FROM m WHERE c1 = 'h3' AND c0 < '1970-01-01 00:00:00.02+00'");
    expect(r.rows).toEqual([[250n]]);
    expect(r.stats).toMatchObject({ chunksScanned: 1, chunksSkipped: 7 });
    const arrival = encodeTableRows({ ...t, layout: { segmentBy: [], orderBy: [] } }, rows)[0];
    const flat = encodedSegment(
      openChunkParts(arrival.header, (i) => arrival.columns[i]),
      columnIdOf,
    );
    expect(segmentSlices(flat, 1, 0)).toBeUndefined();
  });
});
