/**
 * Time slices must never change an answer: the same queries over the same
 * chunks, whole and sliced (with NULL times, deleted rows and a partial last
 * slice), give equal results, and time predicates skip slices.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openChunkParts } from '../columnar/index.ts';
import type { Database } from '../database.ts';
import { initParser } from '../sql/parser.ts';
import { encodedSegment } from '../storage/segment-store.ts';
import type { SegmentView } from '../storage/table-store.ts';
import { Prng } from '../testing/prng.ts';
import { columnIdOf, encodeRows } from './chunk-rows.ts';
import { engineOver, engineTableDef } from './fragment-engine.ts';
import type { DistTable, Row } from './table-schema.ts';
import { timeSlices } from './time-slices.ts';

const table: DistTable = {
  name: 't',
  columns: [
    { id: 0, name: 'ts', type: 'timestamptz', notNull: false },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'v', type: 'float64', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 3,
  placement: { kind: 'local' },
  shardCount: 1,
  hypertable: { timeColumnId: 0, chunkIntervalUs: 86_400_000_000 },
};
const T0 = Date.UTC(2024, 0, 1) * 1000;

function rowsOf(n: number, rng: Prng, sorted: boolean): Row[] {
  return Array.from({ length: n }, (_, i) => [
    rng.float() < 0.03 ? null : T0 + (sorted ? i : Math.floor(rng.float() * n)) * 60_000_000,
    rng.float() < 0.05 ? null : `h${Math.floor(rng.float() * 7)}`,
    rng.float() < 0.05 ? null : Math.round(rng.float() * 1000) / 10,
  ]);
}

const QUERIES = [
  "SELECT count(*), sum(c2), min(c0), max(c0) FROM t WHERE c0 >= '2024-01-01 01:00:00+00' AND c0 < '2024-01-01 02:30:00+00'",
  "SELECT c1, count(*), max(c2) FROM t WHERE c0 < '2024-01-01 00:40:00+00' GROUP BY c1 ORDER BY c1 NULLS FIRST",
  "SELECT time_bucket('10 minutes', c0) AS b, avg(c2) FROM t WHERE c1 = 'h3' AND c0 > '2024-01-01 03:00:00+00' GROUP BY b ORDER BY b",
  "SELECT c0, c1, c2 FROM t WHERE c0 <= '2024-01-01 00:20:00+00' ORDER BY c0 DESC NULLS LAST, c1, c2 LIMIT 7",
  // Slice edges (slices of 16 one-minute rows: row 63 = 01:03 ends slice 3, row 64 = 01:04 starts slice 4).
  "SELECT count(*), min(c0), max(c0) FROM t WHERE c0 >= '2024-01-01 01:03:00+00' AND c0 < '2024-01-01 01:04:00+00'",
  "SELECT count(*), min(c0), max(c0) FROM t WHERE c0 > '2024-01-01 01:02:00+00' AND c0 <= '2024-01-01 01:04:00+00'",
  'SELECT count(*) FROM t WHERE c0 IS NULL',
  "SELECT count(*) FROM t WHERE c0 > '2030-01-01 00:00:00+00'",
  'SELECT c1, count(c0) FROM t GROUP BY c1 ORDER BY c1 NULLS LAST',
];

describe('time slices', () => {
  const engines: Record<string, Database> = {};
  beforeAll(async () => {
    await initParser();
    const rng = new Prng(7);
    const chunks = [
      ...encodeRows(table.columns, rowsOf(333, rng, true)),
      ...encodeRows(table.columns, rowsOf(200, rng, false)),
    ];
    // Every 5th row of the first chunk deleted.
    const deleted = new Uint8Array(Math.ceil(333 / 8));
    for (let i = 0; i < 333; i += 5) deleted[i >> 3] |= 1 << (i & 7);
    const whole = (): SegmentView[] =>
      chunks.map((c, k) =>
        encodedSegment(
          openChunkParts(c.header, (i) => c.columns[i]),
          columnIdOf,
          k === 0 ? deleted : undefined,
        ),
      );
    const segsWhole = whole();
    const segsSliced = whole().flatMap((s) => timeSlices(s, 0, 16));
    engines.whole = await engineOver([{ def: engineTableDef(table), segments: () => segsWhole }]);
    engines.sliced = await engineOver([{ def: engineTableDef(table), segments: () => segsSliced }]);
  });

  for (const sql of QUERIES) {
    it(sql, async () => {
      const a = await engines.whole.query(sql);
      const b = await engines.sliced.query(sql);
      expect(b.rows).toEqual(a.rows);
    });
  }

  it('skips slices outside the time range', async () => {
    const r = await engines.sliced.query(
      "SELECT count(*) FROM t WHERE c0 >= '2024-01-01 01:00:00+00' AND c0 < '2024-01-01 01:30:00+00'",
    );
    // 333 time-ordered rows in slices of 16: the half hour lies in at most 3 of the first chunk's 21.
    expect(r.stats.chunksScanned).toBeLessThanOrEqual(3 + 13);
    expect(r.stats.chunksSkipped).toBeGreaterThanOrEqual(18);
  });
});
