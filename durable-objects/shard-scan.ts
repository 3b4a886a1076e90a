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
import { evalExpr, type FExpr } from '../engine/distributed/fragment-expr.ts';
import { parsePlaneJson } from '../engine/distributed/row-json.ts';
import type { Row } from '../engine/distributed/table-schema.ts';
import { isNullAt } from '../engine/vector.ts';
import type { Meter } from './shard-storage.ts';

/** A visitor over the rows of one table; `false` from `visit` stops the scan early. */
export interface ChunkRowVisitor {
  visit(row: Row, chunkId: number, offset: number): boolean | undefined;
}

/**
 * Iterates a table's live rows: hot rows (with their rid), then chunk rows.
 * `reads` limits decoding to the listed column ids.
 */
function scanTable(
  m: Meter,
  table: string,
  reads: readonly number[],
  onHot: (row: Row, rid: number) => boolean | undefined,
  onChunk: ChunkRowVisitor,
): void {
  for (const h of m.all<{ rid: number; data: string }>(
    `SELECT rid, data FROM hot_rows WHERE table_name = ?`,
    table,
  )) {
    if (onHot(parsePlaneJson<Row>(h.data), h.rid) === false) return;
  }
  const chunks = m.all<{ id: number; row_count: number; header: ArrayBuffer; deleted: ArrayBuffer | null }>(
    `SELECT id, row_count, header, deleted FROM chunks WHERE table_name = ? ORDER BY id`,
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
      const row: Row = [];
      for (let j = 0; j < cols.length; j++) row[cols[j].id] = values[j][r];
      if (onChunk.visit(row, c.id, r) === false) return;
    }
  }
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
