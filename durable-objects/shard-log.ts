/**
 * @module durable-objects/shard-log
 * The shard log as the ShardDO writes it: one row per write batch (LSN,
 * idempotency batch id, state), and how a logged operation is applied to the
 * hot store or to chunks. Every function runs inside the caller's SQLite
 * transaction, so a batch's log entry and its effect commit together.
 */
import { type BucketChunk, bucketOf } from '../engine/distributed/chunk-rows.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { applyDelete, deleteHits, type ShardOp, updatedRows } from './shard-ops.ts';
import { type Meter, type ShardStats, writeChunks } from './shard-storage.ts';

/** One idempotent write: a retried `batchId` applies once. */
export interface WriteBatch {
  readonly batchId: string;
  readonly table: DistTable;
  readonly rows: Row[];
  /** `chunks` for bulk loads (straight to columnar), `hot` for small INSERTs. */
  readonly target: 'hot' | 'chunks';
  /** Bulk loads: the rows already encoded by the Worker (then `rows` is empty). */
  readonly encoded?: readonly BucketChunk[];
  /** The catalog version the Worker planned with. */
  readonly catalogVersion?: number;
}

/** Outcome of a write: its LSN, and whether it was a duplicate of an earlier batch. */
export interface WriteResult {
  readonly lsn: number;
  readonly duplicate: boolean;
  readonly rowCount: number;
  readonly stats: ShardStats;
  /** Highest catalog version this shard has seen (newer than the Worker's = refetch). */
  readonly catalogVersion: number;
}

/** A log entry as stored. */
export interface LogEntry {
  readonly lsn: number;
  readonly row_count: number;
  readonly state: string;
  readonly payload: string | null;
}

/** The log entry of a batch id, if it was already applied or prepared. */
export function loggedBatch(m: Meter, batchId: string): LogEntry | undefined {
  return m.all<{ lsn: number; row_count: number; state: string; payload: string | null }>(
    `SELECT lsn, row_count, state, payload FROM shard_log WHERE batch_id = ?`,
    batchId,
  )[0];
}

/** Appends an entry and returns its LSN. */
export function appendLog(
  m: Meter,
  batchId: string,
  table: string,
  kind: string,
  rows: number,
  state: string,
  payload: string | null,
): number {
  return m.all<{ lsn: number }>(
    `INSERT INTO shard_log (batch_id, table_name, kind, row_count, state, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING lsn`,
    batchId,
    table,
    kind,
    rows,
    state,
    payload,
    Date.now(),
  )[0].lsn;
}

/** Applies a logged operation; returns the rows it affected. */
export function applyOp(m: Meter, t: DistTable, op: ShardOp): number {
  if (op.kind === 'delete') return applyDelete(m, op);
  if (op.kind === 'update') {
    const { hits, rows } = updatedRows(m, op);
    deleteHits(m, hits);
    insertHot(m, t, rows);
    return rows.length;
  }
  if (op.target === 'chunks') writeChunks(m, t, op.rows, Date.now());
  else insertHot(m, t, op.rows);
  return op.rows.length;
}

/** Appends rows to the hot store (one SQLite row each, JSON by column id). */
export function insertHot(m: Meter, t: DistTable, rows: readonly Row[]): void {
  const now = Date.now();
  for (const r of rows) {
    const bucket = bucketOf(t, r);
    m.all(
      `INSERT INTO hot_rows (table_name, bucket, at, data) VALUES (?, ?, ?, ?)`,
      t.name,
      bucket,
      now,
      JSON.stringify(r),
    );
  }
}
