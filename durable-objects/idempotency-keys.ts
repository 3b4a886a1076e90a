/**
 * @module durable-objects/idempotency-keys
 * The durable record of `Idempotency-Key`s, kept by each database's CatalogDO:
 * key → SHA-256 of the request it was first used with, and the batch id that
 * request writes under. A retry (same key, same hash) gets the same batch id,
 * so shards apply it once; the same key with another request is refused
 * instead of silently returning the earlier result. Records live for
 * `IDEMPOTENCY_WINDOW_MS`; a key reused after that starts afresh with a new
 * batch id (shard logs remember batch ids for longer, so the id must change).
 */

/** How long a key is bound to its request: 24 hours, as is usual for HTTP idempotency keys. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Outcome of a claim: the batch id to write under (`retry` when the key was already claimed), or a mismatch. */
export type KeyClaim =
  | { readonly batchId: string; readonly retry: boolean }
  | { readonly mismatch: true; readonly firstUsedAt: number };

/**
 * Claims `key` for the request hashing to `requestHash` (call from a Durable
 * Object method: the read and the insert run with no await between them, so
 * two concurrent claims are serialized). The table is the catalog's (`catalog-schema`).
 */
export function claimIdempotencyKey(
  sql: SqlStorage,
  key: string,
  requestHash: string,
  now: number,
): KeyClaim {
  sql.exec(`DELETE FROM idempotency_keys WHERE created_at < ?`, now - IDEMPOTENCY_WINDOW_MS);
  const row = sql
    .exec<{ request_hash: string; batch_id: string; created_at: number }>(
      `SELECT request_hash, batch_id, created_at FROM idempotency_keys WHERE key = ?`,
      key,
    )
    .toArray()[0];
  if (row)
    return row.request_hash === requestHash
      ? { batchId: row.batch_id, retry: true }
      : { mismatch: true, firstUsedAt: row.created_at };
  const batchId = `idem:${now.toString(36)}:${key}`;
  sql.exec(
    `INSERT INTO idempotency_keys (key, request_hash, batch_id, created_at) VALUES (?, ?, ?, ?)`,
    key,
    requestHash,
    batchId,
    now,
  );
  return { batchId, retry: false };
}
