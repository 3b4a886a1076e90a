/**
 * @module durable-objects/shard-scan
 * Finds the rows a DELETE or UPDATE touches: hot rows (by rid) and warm chunk
 * rows (by chunk and offset, for the delete bitmap), decoding only the columns
 * the filter reads. SELECT fragments do not come here: they run on the engine's
 * vectorized executor (see `shard-engine`). DML still evaluates its filter row
 * by row because it needs row positions, which the engine's SQL surface does
 * not expose.
 */

import { openChunkParts } from '../engine/columnar/index.ts';
import { chunkColumnName, vectorValues } from '../engine/distributed/chunk-rows.ts';
import { parsePlaneJson } from '../engine/distributed/row-json.ts';
import type { Row } from '../engine/distributed/table-schema.ts';
import { isNullAt } from '../engine/vector.ts';
import type { Meter } from './shard-storage.ts';

/**
 * A transaction's own uncommitted effect laid over the committed rows (read-your-writes
 * inside one `/sql` call, see `shard-txn`): the hot rids and chunk rows (`chunk:offset`)
 * it deletes or replaces are hidden, and the rows it inserts (new images) are added.
 */
export interface RowOverlay {
  readonly hot: ReadonlySet<number>;
  readonly chunks: ReadonlySet<string>;
  readonly rows: readonly Row[];
}

/** A visitor over the rows of one table; `false` from `visit` stops the scan early. */
export interface ChunkRowVisitor {
  visit(row: Row, chunkId: number, offset: number): boolean | undefined;
}

/**
 * Iterates a table's live rows: hot rows (with their rid), then chunk rows, then
 * the overlay's rows (with their index). `reads` limits decoding to the listed column ids.
 */
function scanTable(
  m: Meter,
  table: number,
  reads: readonly number[],
  onHot: (row: Row, rid: number) => boolean | undefined,
  onChunk: ChunkRowVisitor,
  overlay?: RowOverlay,
  onPending?: (row: Row, index: number) => void,
): void {
  for (const h of m.all<{ rid: number; data: string }>(
    `SELECT rid, data FROM hot_rows WHERE table_id = ?`,
    table,
  )) {
    if (overlay?.hot.has(h.rid)) continue;
    if (onHot(parsePlaneJson<Row>(h.data), h.rid) === false) return;
  }
  const chunks = m.all<{ id: number; row_count: number; header: ArrayBuffer; deleted: ArrayBuffer | null }>(
    `SELECT id, row_count, header, deleted FROM chunks WHERE table_id = ? ORDER BY id`,
    table,
  );
  for (const c of chunks) {
    // A SQLite row (warm) or a prefetched R2 range (cold): see `shard-tier-read`.
    const reader = openChunkParts(new Uint8Array(c.header), (i) => m.block(c.id, i));
    const indexOf = (id: number) => reader.columnIndex(chunkColumnName(id));
    m.stats.chunksScanned++;
    const deleted = c.deleted ? new Uint8Array(c.deleted) : undefined;
    const cols = reads
      .map((id) => ({ id, idx: indexOf(id) }))
      .filter((x) => x.idx >= 0)
      .map((x) => ({ id: x.id, vector: reader.column(x.idx) }));
    const values = cols.map((col) => vectorValues(col.vector));
    for (let r = 0; r < c.row_count; r++) {
      if (deleted && isNullAt(deleted, r)) continue;
      if (overlay?.chunks.has(`${c.id}:${r}`)) continue;
      const row: Row = [];
      for (let j = 0; j < cols.length; j++) row[cols[j].id] = values[j][r];
      if (onChunk.visit(row, c.id, r) === false) return;
    }
  }
  if (overlay && onPending)
    overlay.rows.forEach((row, i) => {
      onPending([...row], i);
    });
}

/**
 * Every live row of a table (DELETE / UPDATE evaluate their WHERE over them, see `shard-dml`):
 * hot rids, per-chunk row offsets, indexes of `overlay` rows (`pending`) and the rows
 * themselves (in that order).
 */
export function matchRows(
  m: Meter,
  table: number,
  reads: readonly number[],
  overlay?: RowOverlay,
): { hot: number[]; chunks: Map<number, number[]>; rows: Row[]; pending?: number[] } {
  const hot: number[] = [];
  const chunks = new Map<number, number[]>();
  const rows: Row[] = [];
  const pending: number[] = [];
  const ok = (row: Row) => rows.push(row) > 0;
  scanTable(
    m,
    table,
    reads,
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
    overlay,
    (row, i) => {
      if (ok(row)) pending.push(i);
    },
  );
  return overlay ? { hot, chunks, rows, pending } : { hot, chunks, rows };
}
