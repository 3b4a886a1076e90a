/**
 * @module durable-objects/shard-log
 * The shard log as the ShardDO writes it: one row per write batch (LSN,
 * idempotency batch id, state; decided entries are pruned after the
 * idempotency window, see shard-log-prune), and how a logged operation is applied to the
 * hot store or to chunks, including both phases of two-phase commit. Every
 * function runs inside the caller's SQLite transaction, so a batch's log
 * entry and its effect commit together.
 */

import { type BucketChunk, bucketOf, encodeTableRows } from '../engine/distributed/chunk-rows.ts';
import { parsePlaneJson, planeJson } from '../engine/distributed/row-json.ts';
import type { ShardPlacement } from '../engine/distributed/shard-map.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { intentKeys, resolveKeys, touchesKeys } from '../engine/distributed/unique-keys.ts';
import { SqlError } from '../engine/errors.ts';
import { type CommitStamp, commitStamp, logBulk, logDdl, logRemoved, logRows } from './change-log.ts';
import { deleteHits, deleteHitsOf, type ShardOp, updatedRows } from './shard-ops.ts';
import { insertChunks, type Meter, type ShardStats } from './shard-storage.ts';
import { LOG_HELD_TABLE, RETRY_STATE, rememberTable, STALE_CATALOG } from './shard-tables.ts';
import {
  checkBulkBatch,
  type KeyRejection,
  positionsOf,
  removeReplaced,
  ShardKeyLookup,
} from './shard-unique.ts';

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
  /** This shard's ranges in the shard map the Worker routed with (see `shard-tables`). */
  readonly placement?: ShardPlacement;
}

/**
 * Outcome of a write: rows, and whether it was a duplicate of an earlier batch.
 * (No LSN: the ledger's row number is no commit position; the change log's LSN is, see change-log.)
 */
export interface WriteResult {
  readonly duplicate: boolean;
  readonly rowCount: number;
  readonly stats: ShardStats;
  /** Highest catalog version this shard has seen (newer than the Worker's = refetch). */
  readonly catalogVersion: number;
  /** Bulk rows refused for their PRIMARY KEY / UNIQUE key (not counted in `rowCount`). */
  readonly rejected?: KeyRejection[];
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
  table: number,
  kind: string,
  rows: number,
  state: string,
  payload: string | null,
): number {
  return m.all<{ lsn: number }>(
    `INSERT INTO shard_log (batch_id, table_id, kind, row_count, state, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING lsn`,
    batchId,
    table,
    kind,
    rows,
    state,
    payload,
    Date.now(),
  )[0].lsn;
}

/**
 * Applies a logged operation; returns the rows it affected. ON CONFLICT is
 * resolved again here against the rows as they are now (compaction may have
 * moved the rows it replaces); `txnId`'s own intent is not a conflict. The
 * change is logged under `stamp` (see `change-log`).
 */
export function applyOp(
  m: Meter,
  t: DistTable,
  op: ShardOp,
  txnId: string | undefined,
  stamp: CommitStamp,
): number {
  if (op.kind === 'delete') {
    const hits = deleteHitsOf(m, op);
    logRemoved(m, stamp, t, hits);
    return deleteHits(m, hits);
  }
  if (op.kind === 'update') {
    const { hits, rows } = updatedRows(m, op);
    logRemoved(m, stamp, t, hits, rows);
    deleteHits(m, hits);
    insertHot(m, t, rows, stamp.commitMs);
    return rows.length;
  }
  if (op.onConflict && t.unique?.length) {
    const w = resolveKeys(t, op.rows, new ShardKeyLookup(m, t, txnId, false), op.onConflict);
    // DO UPDATE is logged as the replaced rows' delete and the new versions' insert.
    logRemoved(m, stamp, t, positionsOf(w.replaced));
    removeReplaced(m, w.replaced);
    logRows(m, stamp, t, 'insert', [], w.rows);
    insertHot(m, t, w.rows, stamp.commitMs);
    return w.affected;
  }
  if (op.target === 'chunks')
    logBulk(m, stamp, t, insertChunks(m, t, encodeTableRows(t, op.rows), stamp.commitMs));
  else {
    logRows(m, stamp, t, 'insert', [], op.rows);
    insertHot(m, t, op.rows, stamp.commitMs);
  }
  return op.rows.length;
}

/** Appends rows to the hot store (one SQLite row each, JSON by column id), stored at `now`. */
export function insertHot(m: Meter, t: DistTable, rows: readonly Row[], now: number = Date.now()): void {
  for (const r of rows) {
    const bucket = bucketOf(t, r);
    m.all(
      `INSERT INTO hot_rows (table_id, bucket, at, data) VALUES (?, ?, ?, ?)`,
      t.id,
      bucket,
      now,
      planeJson(r),
    );
  }
}

/** Applies an insert batch once per batch id (call inside a transaction). */
export function applyBatch(
  m: Meter,
  batch: WriteBatch,
): { duplicate: boolean; rowCount: number; rejected?: KeyRejection[] } {
  const prior = loggedBatch(m, batch.batchId);
  if (prior) return { duplicate: true, rowCount: prior.row_count };
  const stamp = commitStamp(batch.batchId);
  logDdl(m, stamp, batch.table, rememberTable(m, batch.table));
  // Keys already stored, held by a prepared transaction or repeated in the batch: those rows are refused.
  const checked = batch.table.unique?.length ? checkBulkBatch(m, batch.table, batch) : undefined;
  const { rows, encoded } = checked ?? batch;
  const n = encoded ? encoded.reduce((s, c) => s + c.rowCount, 0) : rows.length;
  appendLog(m, batch.batchId, batch.table.id, 'insert', n, 'applied', null);
  if (encoded) logBulk(m, stamp, batch.table, insertChunks(m, batch.table, encoded, stamp.commitMs));
  else applyOp(m, batch.table, { kind: 'insert', rows, target: batch.target }, undefined, stamp);
  return checked?.rejected.length
    ? { duplicate: false, rowCount: n, rejected: checked.rejected }
    : { duplicate: false, rowCount: n };
}

/**
 * The exact effect of a prepared DELETE / UPDATE, computed at prepare so the
 * commit cannot fail on data: the rows to remove (hot rids, chunk offsets) and,
 * for an UPDATE, the new row images to insert. The rows stay where they are
 * until the decision: compaction, merging and tiering skip tables with prepared
 * entries (see `tablesWithIntents`), and other transactions' prepares that
 * touch the same rows are refused (see `heldRows`).
 */
export interface PreparedEffect {
  readonly hot: number[];
  readonly chunks: [number, number[]][];
  /** UPDATE: the new row images. */
  readonly rows?: Row[];
}

/** What a prepared entry stores: the statement, its computed effect and its write intents. */
interface PreparedPayload {
  readonly table: DistTable;
  readonly op: ShardOp;
  /** UNIQUE / PRIMARY KEY keys the transaction will write (see `shard-unique`). */
  readonly keys?: Record<string, string[]>;
  readonly effect?: PreparedEffect;
}

export { RETRY_STATE, STALE_CATALOG };

/** Marks a 40001 for rows held by another undecided transaction (the Worker retries after a pause). */
export const ROW_CONFLICT = 'could not serialize access';

/** Row references (`h:rid`, `c:chunk:offset`) held by other prepared transactions on `table`. */
export function heldRows(m: Meter, table: number, ownTxn: string): Map<string, string> {
  const held = new Map<string, string>();
  const entries = m.all<{ batch_id: string; payload: string | null }>(
    `SELECT batch_id, payload FROM shard_log WHERE table_id = ? AND state = 'prepared'`,
    table,
  );
  for (const e of entries) {
    if (e.batch_id === ownTxn || !e.payload) continue;
    const effect = (JSON.parse(e.payload) as { effect?: PreparedEffect }).effect;
    if (!effect) continue;
    for (const rid of effect.hot) held.set(`h:${rid}`, e.batch_id);
    for (const [chunk, offsets] of effect.chunks)
      for (const o of offsets) held.set(`c:${chunk}:${o}`, e.batch_id);
  }
  return held;
}

/** Tables with undecided prepared entries: their rows must not move until the decision. */
export function tablesWithIntents(m: Meter): Set<number> {
  return new Set(
    m
      .all<{ table_id: number }>(`SELECT DISTINCT table_id FROM shard_log WHERE state = 'prepared'`)
      .map((r) => r.table_id),
  );
}

/**
 * 2PC phase 1 (call inside a transaction): evaluates `op` against the rows as
 * they are now and logs its full effect as prepared, once per transaction id.
 * Refused with 40001 when the id was already aborted here (a late prepare after
 * presumed abort) or when a row it touches is held by another undecided transaction.
 */
export function prepareEntry(m: Meter, txnId: string, table: DistTable, op: ShardOp): void {
  const prior = loggedBatch(m, txnId);
  if (prior?.state === 'aborted')
    throw new SqlError(RETRY_STATE, `transaction ${txnId} was already aborted; not applied, retry`);
  if (prior) return;
  logDdl(m, commitStamp(txnId), table, rememberTable(m, table));
  // Evaluate now so type and constraint errors abort the transaction instead of failing its commit.
  let keys: Record<string, string[]> | undefined;
  let effect: PreparedEffect | undefined;
  if (op.kind === 'update' || op.kind === 'delete') {
    const { hits, rows } =
      op.kind === 'update' ? updatedRows(m, op) : { hits: deleteHitsOf(m, op), rows: [] };
    const refs = [...hits.hot.map((r) => `h:${r}`)];
    for (const [chunk, offsets] of hits.chunks) for (const o of offsets) refs.push(`c:${chunk}:${o}`);
    if (refs.length > 0) {
      const held = heldRows(m, table.id, txnId);
      const clash = held.size > 0 ? refs.find((r) => held.has(r)) : undefined;
      if (clash)
        throw new SqlError(
          RETRY_STATE,
          `${ROW_CONFLICT} to "${table.name}": a row is being written by a concurrent transaction; not applied, retry`,
        );
    }
    if (
      op.kind === 'update' &&
      touchesKeys(
        table,
        op.set.map((s) => s.column.id),
      )
    ) {
      resolveKeys(table, rows, new ShardKeyLookup(m, table, txnId), undefined, new Set(refs));
      keys = intentKeys(table, rows);
    }
    effect = { hot: hits.hot, chunks: [...hits.chunks], ...(op.kind === 'update' ? { rows } : {}) };
  } else if (op.kind === 'insert' && table.unique?.length) {
    // The keys this transaction will write are its intent: other prepares and bulk loads see them.
    keys = intentKeys(
      table,
      resolveKeys(table, op.rows, new ShardKeyLookup(m, table, txnId), op.onConflict).rows,
    );
  }
  const rows = op.kind === 'insert' ? op.rows.length : (effect?.rows?.length ?? 0);
  const payload: PreparedPayload = { table, op, ...(keys ? { keys } : {}), ...(effect ? { effect } : {}) };
  appendLog(m, txnId, table.id, op.kind, rows, 'prepared', planeJson(payload));
}

/** Marks a refused single-shard commit whose id already went through 2PC here (the Worker uses 2PC). */
export const NEEDS_COORDINATOR = 'needs the coordinator';

/**
 * A statement on one shard needs no coordinator: it is prepared and applied in
 * one SQLite transaction, logged under `txnId`, so it is applied whole or not
 * at all. A retry of an applied id answers its row count.
 */
export function commitLocal(m: Meter, txnId: string, table: DistTable, op: ShardOp): number {
  const prior = loggedBatch(m, txnId);
  if (prior?.state === 'applied') return prior.row_count;
  if (prior) throw new SqlError(RETRY_STATE, `transaction ${txnId} ${NEEDS_COORDINATOR}`);
  // A plain INSERT into a table without keys neither reads nor holds rows: applied and
  // logged at once, as a batch is, without the round trip through a prepared entry.
  if (op.kind === 'insert' && !table.unique?.length)
    return applyBatch(m, { batchId: txnId, table, rows: op.rows, target: op.target }).rowCount;
  prepareEntry(m, txnId, table, op);
  return resolveEntry(m, txnId, 'committed');
}

/** The table and insert a commit of `txnId` would apply (undefined when nothing reads rows at commit). */
export function pendingOp(
  m: Meter,
  txnId: string,
  decision: 'committed' | 'aborted',
): { table: DistTable; op: ShardOp } | undefined {
  const entry = loggedBatch(m, txnId);
  if (entry?.state !== 'prepared' || decision !== 'committed') return undefined;
  const p = parsePlaneJson<PreparedPayload>(entry.payload!);
  // DELETE / UPDATE apply their prepared effect: nothing to read.
  return p.effect ? undefined : { table: p.table, op: p.op };
}

/**
 * 2PC phase 2 (call inside a transaction): applies exactly the prepared effect
 * or discards it; returns rows affected. An abort of an id never prepared here
 * leaves a tombstone, so a prepare arriving late cannot resurrect it.
 */
export function resolveEntry(m: Meter, txnId: string, decision: 'committed' | 'aborted'): number {
  const entry = loggedBatch(m, txnId);
  if (!entry) {
    if (decision === 'aborted') appendLog(m, txnId, LOG_HELD_TABLE, 'abort', 0, 'aborted', null);
    return 0;
  }
  if (entry.state !== 'prepared') return entry.row_count;
  let n = 0;
  if (decision === 'committed') {
    const { table, op, effect } = parsePlaneJson<PreparedPayload>(entry.payload!);
    const stamp = commitStamp(txnId);
    if (effect) {
      logRemoved(m, stamp, table, effect, effect.rows); // before images: the rows are held until now
      n = deleteHits(m, { hot: effect.hot, chunks: new Map(effect.chunks), rows: [] });
      if (effect.rows) {
        insertHot(m, table, effect.rows, stamp.commitMs);
        n = effect.rows.length;
      }
    } else n = applyOp(m, table, op, txnId, stamp);
  }
  // `at` becomes the decision time: the entry is kept for the idempotency window from it (shard-log-prune).
  m.all(
    `UPDATE shard_log SET state = ?, payload = NULL, row_count = ?, at = ? WHERE batch_id = ?`,
    decision === 'committed' ? 'applied' : 'aborted',
    n,
    Date.now(),
    txnId,
  );
  return n;
}
