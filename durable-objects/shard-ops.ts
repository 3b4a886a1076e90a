/**
 * @module durable-objects/shard-ops
 * Write operations a shard applies from its log: inserts (hot or straight to
 * chunks), deletes (hot rows removed, chunk rows marked in the chunk's
 * delete bitmap, so column blocks are never rewritten for a delete) and
 * updates (delete + re-insert as hot rows).
 */

import { coerceStoredToColumn, enforceTypmod } from '../engine/distributed/column-types.ts';
import type { DmlSql } from '../engine/distributed/dml-sql.ts';
import { evalExpr, type FExpr } from '../engine/distributed/fragment-expr.ts';
import { CoercionError, type DistColumn, type Row } from '../engine/distributed/table-schema.ts';
import type { OnConflict } from '../engine/distributed/unique-keys.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import { newNullBitmap, setNullAt } from '../engine/vector.ts';
import { matchDml } from './shard-dml.ts';
import { matchRows, type RowOverlay } from './shard-scan.ts';
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
      readonly table: string;
      /** The statement as SQL the shard's engine evaluates (see `shard-dml`); else `filter`. */
      readonly dml?: DmlSql;
      readonly filter?: FExpr;
      readonly reads: readonly number[];
      readonly defaults: readonly unknown[];
    }
  | {
      readonly kind: 'update';
      readonly table: string;
      /** The statement as SQL the shard's engine evaluates (see `shard-dml`); else `filter` and `set[].expr`. */
      readonly dml?: DmlSql;
      readonly filter?: FExpr;
      readonly reads: readonly number[];
      readonly defaults: readonly unknown[];
      readonly set: readonly UpdateSet[];
    };

/** One `SET column = expr` of an UPDATE. */
export interface UpdateSet {
  readonly column: Pick<DistColumn, 'id' | 'name' | 'type' | 'sqlType' | 'typmod' | 'notNull'>;
  /** Absent when the op ships `dml` (its SELECT computes the value). */
  readonly expr?: FExpr;
}

type Hits = ReturnType<typeof matchRows>;

/** The rows a delete removes (with an `overlay`: over a transaction's own view, see `shard-scan`). */
export function deleteHitsOf(m: Meter, op: Extract<ShardOp, { kind: 'delete' }>, overlay?: RowOverlay): Hits {
  const dml = op.dml;
  return dml
    ? matchDml(m, { ...op, dml }, overlay).hits
    : matchRows(m, op.table, op.reads, op.defaults, op.filter, overlay);
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
  const dml = op.dml;
  const shipped = dml ? matchDml(m, { ...op, dml }, overlay) : undefined;
  const hits = shipped?.hits ?? matchRows(m, op.table, op.reads, op.defaults, op.filter, overlay);
  const rows = hits.rows.map((old, r) => {
    const next: Row = [...old];
    for (let i = 0; i < next.length; i++) if (next[i] === undefined) next[i] = op.defaults[i] ?? null;
    for (const [k, { column, expr }] of op.set.entries()) {
      let v: unknown;
      try {
        v = shipped
          ? enforceTypmod(column, shipped.match.values[r][k])
          : coerceStoredToColumn(evalExpr(expr!, old, op.defaults), column);
      } catch (e) {
        if (e instanceof CoercionError)
          throw new SqlError(
            e.code ?? SqlState.numericValueOutOfRange,
            e.pgMessage ?? `column "${column.name}": ${e.message}`,
          );
        throw e;
      }
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
