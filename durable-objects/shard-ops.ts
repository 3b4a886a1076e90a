/**
 * @module durable-objects/shard-ops
 * Write operations a shard applies from its log: inserts (hot or straight to
 * chunks), deletes (hot rows removed, chunk rows marked in the chunk's
 * delete bitmap, so column blocks are never rewritten for a delete) and
 * updates (delete + re-insert as hot rows).
 */
import { enforceTypmod } from '../engine/distributed/column-types.ts';
import type { DmlSql } from '../engine/distributed/dml-sql.ts';
import type { DistColumn, Row } from '../engine/distributed/table-schema.ts';
import type { OnConflict } from '../engine/distributed/unique-keys.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import { newNullBitmap, setNullAt } from '../engine/vector.ts';
import { matchDml } from './shard-dml.ts';
import type { matchRows, RowOverlay } from './shard-scan.ts';
import type { Meter } from './shard-storage.ts';

/** A logged operation (the payload of a prepared 2PC entry). */
export type ShardOp =
  | {
      readonly kind: 'insert';
      readonly rows: Row[];
      readonly target: 'hot' | 'chunks';
      /** INSERT … ON CONFLICT (against the table's PRIMARY KEY / UNIQUE constraints). */
      readonly onConflict?: OnConflict;
    }
  | {
      readonly kind: 'delete';
      /** The table's name (for messages) and id (what its rows are stored under). */
      readonly table: string;
      readonly tableId: number;
      /** The statement as SQL the shard's engine evaluates (see `shard-dml`). */
      readonly dml: DmlSql;
      readonly reads: readonly number[];
      readonly defaults: readonly unknown[];
    }
  | {
      readonly kind: 'update';
      readonly table: string;
      readonly tableId: number;
      /** The statement as SQL the shard's engine evaluates (see `shard-dml`): WHERE and the SET values. */
      readonly dml: DmlSql;
      readonly reads: readonly number[];
      readonly defaults: readonly unknown[];
      readonly set: readonly UpdateSet[];
    };

/** One column an UPDATE sets (the op's `dml` SELECT computes its value). */
export interface UpdateSet {
  readonly column: Pick<DistColumn, 'id' | 'name' | 'type' | 'sqlType' | 'typmod' | 'notNull'>;
}

type Hits = ReturnType<typeof matchRows>;

/** True when applying `op` evaluates SQL on the shard's engine (UPDATE, DELETE, ON CONFLICT DO UPDATE). */
export function evaluatesSql(op: ShardOp): boolean {
  return op.kind !== 'insert' || op.onConflict?.action === 'update';
}

/** The rows a delete removes (with an `overlay`: over a transaction's own view, see `shard-scan`). */
export function deleteHitsOf(m: Meter, op: Extract<ShardOp, { kind: 'delete' }>, overlay?: RowOverlay): Hits {
  return matchDml(m, op, overlay).hits;
}

/**
 * UPDATE = delete the matched rows (hot rows removed, warm rows masked) and
 * re-insert their new versions as hot rows. With `dryRun` only computes the new
 * rows — 2PC prepare uses it so constraint and type errors abort the
 * transaction before anything commits. Returns the new rows.
 */
export function updatedRows(
  m: Meter,
  op: Extract<ShardOp, { kind: 'update' }>,
  overlay?: RowOverlay,
): { hits: Hits; rows: Row[] } {
  const { hits, match } = matchDml(m, op, overlay);
  const rows = hits.rows.map((old, r) => {
    const next: Row = [...old];
    for (let i = 0; i < next.length; i++) if (next[i] === undefined) next[i] = op.defaults[i] ?? null;
    for (const [k, { column }] of op.set.entries()) {
      // The SELECT cast the value to the declared type; the modifier applies as in an assignment.
      const v = enforceTypmod(column, match.values[r][k]);
      if (v === null && column.notNull) {
        throw new SqlError(
          SqlState.notNullViolation,
          `null value in column "${column.name}" of relation "${op.table}" violates not-null constraint`,
        );
      }
      next[column.id] = v;
    }
    return next;
  });
  return { hits, rows };
}

/** Removes matched rows; returns how many. */
export function deleteHits(m: Meter, hits: Hits): number {
  for (const rid of hits.hot) m.all(`DELETE FROM hot_rows WHERE rid = ?`, rid);
  let n = hits.hot.length;
  for (const [chunkId, offsets] of hits.chunks) {
    const c = m.all<{ row_count: number; deleted: ArrayBuffer | null }>(
      `SELECT row_count, deleted FROM chunks WHERE id = ?`,
      chunkId,
    )[0];
    if (!c) continue; // dropped since prepare (DROP TABLE, drop_chunks): its rows are gone already
    const bitmap = c.deleted ? new Uint8Array(c.deleted) : newNullBitmap(c.row_count);
    for (const o of offsets) setNullAt(bitmap, o);
    n += offsets.length;
    m.all(`UPDATE chunks SET deleted = ? WHERE id = ?`, bitmap, chunkId);
  }
  return n;
}
