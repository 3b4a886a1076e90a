/**
 * @module durable-objects/shard-scan
 * Runs a plan fragment over one table of a shard: hot rows first, then each
 * warm chunk — skipped outright when its zone maps rule out the fragment's
 * bounds, otherwise decoding only the columns the fragment reads.
 */
import { openChunkParts, type ZoneMap } from '../engine/columnar/index.ts';
import { chunkColumnName, vectorValues, vectorValuesAt } from '../engine/distributed/chunk-rows.ts';
import {
  type ColumnBound,
  type Fragment,
  FragmentRun,
  type PartialResult,
} from '../engine/distributed/fragment.ts';
import { compareValues, evalExpr, type FExpr } from '../engine/distributed/fragment-expr.ts';
import type { Row } from '../engine/distributed/table-schema.ts';
import { isNullAt } from '../engine/vector.ts';
import type { Meter } from './shard-storage.ts';

const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

/** False only when the zone map proves no row of the chunk can satisfy the bound. */
function zoneMayMatch(zone: ZoneMap | undefined, b: ColumnBound): boolean {
  if (!zone) return true; // the chunk predates the column: rows read the default; do not prune.
  if (zone.nullCount === zone.rowCount) return false; // all NULL: no comparison can be true
  if (zone.min === undefined || zone.max === undefined) return true;
  const min = num(zone.min);
  const max = num(zone.max);
  if (b.lo !== undefined && compareValues(max, b.lo) < 0) return false;
  if (b.hi !== undefined && compareValues(min, b.hi) > 0) return false;
  if (b.values) return b.values.some((v) => compareValues(v, min) >= 0 && compareValues(v, max) <= 0);
  return true;
}

const RANGE_TYPES = new Set(['float64', 'int32', 'timestamptz']);

/** Rows of a chunk that can satisfy every usable bound (ascending), or undefined when none applies. */
function preselect(
  reader: ReturnType<typeof openChunkParts>,
  bounds: readonly ColumnBound[],
  indexOf: (id: number) => number,
): Uint32Array | undefined {
  let sel: Uint32Array | undefined;
  for (const b of bounds) {
    const idx = indexOf(b.columnId);
    if (idx < 0) continue;
    const type = reader.columns[idx].type;
    let part: Uint32Array | undefined;
    if (b.values && type === 'text' && b.values.every((v) => typeof v === 'string')) {
      part = reader.filterIn(idx, b.values as string[]);
    } else if (
      !b.values &&
      RANGE_TYPES.has(type) &&
      // NaN sorts above every number in PostgreSQL but fails a block range test: do not preselect then.
      !reader.columns[idx].zone.hasNaN &&
      (typeof b.lo === 'number' || typeof b.hi === 'number')
    ) {
      // Inclusive on both ends: a superset of `>`/`<` matches, which the filter then narrows.
      part = reader.filterRange(idx, {
        lo: typeof b.lo === 'number' ? b.lo : undefined,
        hi: typeof b.hi === 'number' ? b.hi : undefined,
      });
    }
    if (!part) continue;
    sel = sel ? intersect(sel, part) : part;
    if (sel.length === 0) break;
  }
  return sel;
}

function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[k++] = a[i];
      i++;
      j++;
    }
  }
  return out.subarray(0, k);
}

/** A visitor over the rows of one table; `false` from `visit` stops the scan early. */
export interface ChunkRowVisitor {
  visit(row: Row, chunkId: number, offset: number): boolean | undefined;
}

/**
 * Iterates a table's live rows: hot rows (with their rid), then chunk rows.
 * `reads` limits decoding to the listed column ids; `bounds` prune chunks.
 */
export function scanTable(
  m: Meter,
  table: string,
  reads: readonly number[],
  bounds: readonly ColumnBound[],
  onHot: (row: Row, rid: number) => boolean | undefined,
  onChunk: ChunkRowVisitor,
): void {
  for (const h of m.all<{ rid: number; data: string }>(
    `SELECT rid, data FROM hot_rows WHERE table_name = ?`,
    table,
  )) {
    if (onHot(JSON.parse(h.data) as Row, h.rid) === false) return;
  }
  const chunks = m.all<{ id: number; row_count: number; header: ArrayBuffer; deleted: ArrayBuffer | null }>(
    `SELECT id, row_count, header, deleted FROM chunks WHERE table_name = ? ORDER BY id`,
    table,
  );
  for (const c of chunks) {
    const reader = openChunkParts(new Uint8Array(c.header), (i) => {
      const block = m.all<{ data: ArrayBuffer }>(
        `SELECT data FROM chunk_blocks WHERE chunk_id = ? AND col = ?`,
        c.id,
        i,
      )[0];
      m.stats.bytesScanned += block.data.byteLength;
      return new Uint8Array(block.data);
    });
    const indexOf = (id: number) => reader.columnIndex(chunkColumnName(id));
    if (!bounds.every((b) => zoneMayMatch(reader.columns[indexOf(b.columnId)]?.zone, b))) {
      m.stats.chunksSkipped++;
      continue;
    }
    m.stats.chunksScanned++;
    const deleted = c.deleted ? new Uint8Array(c.deleted) : undefined;
    // Filter on the encoded blocks first (dictionary codes, packed numbers): only
    // rows that can match are materialized. The fragment filter still decides.
    const sel = preselect(reader, bounds, indexOf);
    if (sel && sel.length === 0) continue;
    const cols = reads
      .map((id) => ({ id, idx: indexOf(id) }))
      .filter((x) => x.idx >= 0)
      .map((x) => ({ id: x.id, vector: reader.column(x.idx) }));
    const count = sel ? sel.length : c.row_count;
    const values = cols.map((col) => (sel ? vectorValuesAt(col.vector, sel) : vectorValues(col.vector)));
    for (let k = 0; k < count; k++) {
      const r = sel ? sel[k] : k;
      if (deleted && isNullAt(deleted, r)) continue;
      const row: Row = [];
      for (let j = 0; j < cols.length; j++) row[cols[j].id] = values[j][k];
      if (onChunk.visit(row, c.id, r) === false) return;
    }
  }
}

/** Executes a fragment over this shard's rows of its table. */
export function runFragment(m: Meter, f: Fragment): PartialResult {
  const run = new FragmentRun(f);
  const feed = (row: Row) => {
    run.feed(row);
    return run.satisfied ? false : undefined;
  };
  scanTable(m, f.table, f.reads, f.bounds, feed, { visit: feed });
  return run.finish();
}

/** Rows matching `filter` (DELETE / UPDATE): hot rids, per-chunk row offsets and the rows themselves. */
export function matchRows(
  m: Meter,
  table: string,
  reads: readonly number[],
  defaults: readonly unknown[],
  filter: FExpr | undefined,
): { hot: number[]; chunks: Map<number, number[]>; rows: Row[] } {
  const hot: number[] = [];
  const chunks = new Map<number, number[]>();
  const rows: Row[] = [];
  const ok = (row: Row) => {
    if (filter && evalExpr(filter, row, defaults) !== true) return false;
    rows.push(row);
    return true;
  };
  scanTable(
    m,
    table,
    reads,
    [],
    (row, rid) => {
      if (ok(row)) hot.push(rid);
      return undefined;
    },
    {
      visit(row, chunkId, offset) {
        if (!ok(row)) return undefined;
        const list = chunks.get(chunkId);
        if (list) list.push(offset);
        else chunks.set(chunkId, [offset]);
        return undefined;
      },
    },
  );
  return { hot, chunks, rows };
}
