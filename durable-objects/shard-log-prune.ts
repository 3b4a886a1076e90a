/**
 * @module durable-objects/shard-log-prune
 * Pruning the shard ledger (`shard_log`, see shard-log): what makes a retried
 * batch or transaction id apply once. An applied batch and a decided
 * transaction (its commit, or its abort tombstone) are kept for the
 * idempotency window after the decision, plus a grace period, and then
 * deleted by the ShardDO alarm. A prepared entry is never pruned: it is
 * undecided, and only its decision may remove it.
 *
 * The grace covers a retry whose key was claimed at the very end of its
 * window (the key's window starts before the shard decides): its write still
 * finds the ledger entry if it reaches the shard within the grace.
 */
import { IDEMPOTENCY_WINDOW_MS } from './idempotency-keys.ts';
import type { Meter } from './shard-storage.ts';

/** How long past the idempotency window a decided entry stays. */
export const LEDGER_GRACE_MS = 60 * 60 * 1000;

/** Entries deleted per pass: bounds one alarm's SQLite transaction. */
export const LEDGER_PRUNE_BATCH = 1000;

/**
 * Deletes up to `LEDGER_PRUNE_BATCH` decided entries whose decision is older
 * than `windowMs` + the grace (call inside a transaction). `more`: another
 * pass has work; `nextAt`: when the oldest entry kept becomes prunable.
 */
export function pruneLedger(
  m: Meter,
  now: number,
  windowMs = IDEMPOTENCY_WINDOW_MS,
): { pruned: number; more: boolean; nextAt?: number } {
  const keep = windowMs + LEDGER_GRACE_MS;
  const pruned = m.all(
    `DELETE FROM shard_log WHERE lsn IN (
       SELECT lsn FROM shard_log WHERE state <> 'prepared' AND at < ? LIMIT ?) RETURNING lsn`,
    now - keep,
    LEDGER_PRUNE_BATCH,
  ).length;
  if (pruned === LEDGER_PRUNE_BATCH) return { pruned, more: true };
  const oldest = m.all<{ at: number | null }>(
    `SELECT min(at) AS at FROM shard_log WHERE state <> 'prepared'`,
  )[0]?.at;
  return oldest == null ? { pruned, more: false } : { pruned, more: false, nextAt: oldest + keep };
}
