/**
 * @module durable-objects/txn-records
 * The CatalogDO's two-phase-commit coordinator records. One row per attempt:
 * a statement's id (`base`, stable across retries under one Idempotency-Key)
 * may run several attempts, each with its own transaction id, and at most one
 * of them commits. Decisions are durable tombstones kept for the idempotency
 * window after the attempt finished, so a retry of an aborted attempt runs
 * afresh under a new id (shards refuse the old one: they keep an abort
 * tombstone) and a retry of a committed one answers its outcome.
 */
import { IDEMPOTENCY_WINDOW_MS } from './idempotency-keys.ts';

/** A two-phase-commit coordinator record (one attempt). */
export interface TxnRecord {
  readonly id: string;
  readonly shards: readonly string[];
  readonly state: 'preparing' | 'committed' | 'aborted';
  readonly createdAt: number;
}

/**
 * What `beginTxn` tells the coordinator to do (see `CatalogDO.beginTxn`):
 * run attempt `id`, after telling `prior` (an aborted earlier attempt) its
 * shards; or, with `committed`, answer the outcome of attempt `id` on `shards`.
 */
export interface TxnBegin {
  readonly id: string;
  readonly committed?: boolean;
  readonly shards?: readonly string[];
  readonly prior?: { readonly id: string; readonly shards: readonly string[] };
  /** With `committed`: the rows each statement affected (by index), when the decision recorded them. */
  readonly counts?: Record<number, number>;
}

type AttemptRow = {
  id: string;
  attempt: number;
  shards: string;
  state: string;
  created_at: number;
  finished_at: number | null;
  counts: string | null;
};

/** Starts the next attempt of `base` (call from a DO method: no await inside). */
export function beginAttempt(
  sql: SqlStorage,
  base: string,
  shards: readonly string[],
  now: number,
): TxnBegin {
  pruneFinishedTxns(sql, now);
  const last = sql
    .exec<AttemptRow>(`SELECT * FROM txn_attempts WHERE base = ? ORDER BY attempt DESC LIMIT 1`, base)
    .toArray()[0];
  const insert = (id: string, attempt: number) =>
    sql.exec(
      `INSERT INTO txn_attempts (id, base, attempt, shards, state, created_at) VALUES (?, ?, ?, ?, 'preparing', ?)`,
      id,
      base,
      attempt,
      JSON.stringify(shards),
      now,
    );
  if (!last) {
    insert(base, 0);
    return { id: base };
  }
  if (last.state === 'committed')
    return {
      id: last.id,
      committed: true,
      shards: JSON.parse(last.shards),
      ...(last.counts ? { counts: JSON.parse(last.counts) } : {}),
    };
  // Undecided: the first call is still running or died. Abort it; only this attempt may commit.
  if (last.state === 'preparing') decideTxn(sql, last.id, 'aborted');
  const id = `${base}~${last.attempt + 1}`;
  insert(id, last.attempt + 1);
  return last.finished_at === null ? { id, prior: { id: last.id, shards: JSON.parse(last.shards) } } : { id };
}

/**
 * Records the decision once; returns the decision that stands (unknown ids: aborted).
 * `counts`: rows per statement of a committed call, answered to its retries.
 */
export function decideTxn(
  sql: SqlStorage,
  id: string,
  decision: 'committed' | 'aborted',
  counts?: Record<number, number>,
): 'committed' | 'aborted' {
  const row = sql.exec<{ state: string }>(`SELECT state FROM txn_attempts WHERE id = ?`, id).toArray()[0];
  if (!row) return 'aborted';
  if (row.state !== 'preparing') return row.state as 'committed' | 'aborted';
  sql.exec(
    `UPDATE txn_attempts SET state = ?, counts = ? WHERE id = ?`,
    decision,
    counts ? JSON.stringify(counts) : null,
    id,
  );
  return decision;
}

/**
 * Adds shards to an undecided attempt before the caller prepares on them, so
 * recovery reaches every shard it prepared on. False when the attempt is no
 * longer undecided (a retry of the same request or recovery aborted it).
 */
export function enlistShards(sql: SqlStorage, id: string, shards: readonly string[]): boolean {
  const row = sql
    .exec<{ state: string; shards: string }>(`SELECT state, shards FROM txn_attempts WHERE id = ?`, id)
    .toArray()[0];
  if (row?.state !== 'preparing') return false;
  const all = [...new Set([...(JSON.parse(row.shards) as string[]), ...shards])];
  sql.exec(`UPDATE txn_attempts SET shards = ? WHERE id = ?`, JSON.stringify(all), id);
  return true;
}

/** Every shard has the decision: the record becomes a tombstone (undecided ones are aborted first). */
export function finishTxn(sql: SqlStorage, id: string, now: number): void {
  decideTxn(sql, id, 'aborted');
  sql.exec(`UPDATE txn_attempts SET finished_at = ? WHERE id = ? AND finished_at IS NULL`, now, id);
}

/** Attempts not yet finished, oldest first. */
export function pendingTxns(sql: SqlStorage): TxnRecord[] {
  return sql
    .exec<AttemptRow>(`SELECT * FROM txn_attempts WHERE finished_at IS NULL ORDER BY created_at`)
    .toArray()
    .map((r) => ({
      id: r.id,
      shards: JSON.parse(r.shards),
      state: r.state as TxnRecord['state'],
      createdAt: r.created_at,
    }));
}

/**
 * Deletes the tombstones of attempts finished more than the idempotency window
 * ago (never an unfinished one); returns when the oldest tombstone kept expires.
 */
export function pruneFinishedTxns(sql: SqlStorage, now: number): number | undefined {
  sql.exec(
    `DELETE FROM txn_attempts WHERE finished_at IS NOT NULL AND finished_at < ?`,
    now - IDEMPOTENCY_WINDOW_MS,
  );
  const oldest = sql
    .exec<{ at: number | null }>(
      `SELECT min(finished_at) AS at FROM txn_attempts WHERE finished_at IS NOT NULL`,
    )
    .one().at;
  return oldest === null ? undefined : oldest + IDEMPOTENCY_WINDOW_MS;
}
