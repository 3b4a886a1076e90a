/**
 * @module durable-objects/shard-ops
 * Write operations a shard applies from its log: inserts (hot or straight to
 * chunks) and deletes (hot rows removed, chunk rows marked in the chunk's
 * delete bitmap, so column blocks are never rewritten for a delete).
 */
import type { FExpr } from '../engine/distributed/fragment-expr.ts';
import type { Row } from '../engine/distributed/table-schema.ts';
import { newNullBitmap, setNullAt } from '../engine/vector.ts';
import { matchRows } from './shard-scan.ts';
import type { Meter } from './shard-storage.ts';

/** A logged operation (the payload of a prepared 2PC entry). */
export type ShardOp =
  | { readonly kind: 'insert'; readonly rows: Row[]; readonly target: 'hot' | 'chunks' }
  | {
      readonly kind: 'delete';
      readonly table: string;
      readonly filter?: FExpr;
      readonly reads: readonly number[];
      readonly defaults: readonly unknown[];
    };

/** Applies a delete; returns rows deleted. */
export function applyDelete(m: Meter, op: Extract<ShardOp, { kind: 'delete' }>): number {
  const hits = matchRows(m, op.table, op.reads, op.defaults, op.filter);
  for (const rid of hits.hot) m.all(`DELETE FROM hot_rows WHERE rid = ?`, rid);
  let n = hits.hot.length;
  for (const [chunkId, offsets] of hits.chunks) {
    const c = m.all<{ row_count: number; deleted: ArrayBuffer | null }>(
      `SELECT row_count, deleted FROM chunks WHERE id = ?`,
      chunkId,
    )[0];
    const bitmap = c.deleted ? new Uint8Array(c.deleted) : newNullBitmap(c.row_count);
    for (const o of offsets) setNullAt(bitmap, o);
    n += offsets.length;
    m.all(`UPDATE chunks SET deleted = ? WHERE id = ?`, bitmap, chunkId);
  }
  return n;
}
