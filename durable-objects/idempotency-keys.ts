/**
 * @module durable-objects/idempotency-keys
 * The durable record of `Idempotency-Key`s, kept by each database's CatalogDO:
 * key → SHA-256 of the request it was first used with, and the batch id that
 * request writes under. A retry (same key, same hash) gets the same batch id,
 * so shards apply it once; the same key with another request is refused
 * instead of silently returning the earlier result. Records live for
 * `IDEMPOTENCY_WINDOW_MS`; a key reused after that starts afresh with a new
 * batch id.
 *
 * A call holds its key while it runs (`KeysInFlight`, in the CatalogDO's
 * memory): a retry arriving meanwhile waits for it to finish, then replays
 * its batch ids and so answers its outcome.
 */

/**
 * How long a key is bound to its request: 24 hours, as is usual for HTTP
 * idempotency keys. The one window of every idempotency record: keys here,
 * the coordinator records (`txn-records`) and the shards' ledger (`shard-log-prune`).
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * How long a retry waits for the call still holding its key. Past it the retry
 * runs itself under the same batch ids, which apply once whichever call reaches
 * a shard first (see docs/http-api.md, Idempotent retries).
 */
export const IDEMPOTENCY_WAIT_MS = 15_000;

/** A claim as the CatalogDO answers it: with the hold of a claimed key (see `KeysInFlight`). */
export type HeldKeyClaim =
  | (Extract<KeyClaim, { batchId: string }> & KeyHold)
  | Extract<KeyClaim, { mismatch: true }>;

/** A call's hold on its key: `waited` for an earlier call, `tookOver` when that call outlasted the wait. */
export interface KeyHold {
  readonly token: string;
  readonly waited: boolean;
  readonly tookOver: boolean;
}

/** A hold older than this is dropped when another key is held (its Worker died without releasing it). */
const STALE_HOLD_MS = 10 * 60 * 1000;

interface Hold {
  readonly token: string;
  readonly since: number;
  readonly released: Promise<void>;
  readonly release: () => void;
}

/**
 * Keys held by calls that are still running, in one CatalogDO's memory (a
 * restarted object forgets them: a retry then runs at once, still applying
 * once, as it does after the wait).
 */
export class KeysInFlight {
  private readonly held = new Map<string, Hold>();

  /**
   * Waits while another call holds `key`, at most `waitMs`, then holds it.
   * Returns the holder's token and whether it had to wait, and `tookOver` when
   * the wait ran out while the other call still held the key.
   */
  async hold(key: string, waitMs: number): Promise<KeyHold> {
    const deadline = Date.now() + waitMs;
    let waited = false;
    let tookOver = false;
    for (let h = this.held.get(key); h; h = this.held.get(key)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        tookOver = true;
        break;
      }
      waited = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([h.released, new Promise<void>((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    const now = Date.now();
    for (const [k, h] of this.held) if (now - h.since > STALE_HOLD_MS) this.held.delete(k);
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    const token = crypto.randomUUID();
    this.held.set(key, { token, since: now, released, release });
    return { token, waited, tookOver };
  }

  /** The call holding `key` under `token` finished: its waiters go on (a stale token does nothing). */
  release(key: string, token: string): void {
    const h = this.held.get(key);
    if (h?.token !== token) return;
    this.held.delete(key);
    h.release();
  }
}

/** Outcome of a claim: the batch id to write under (`retry` when the key was already claimed), or a mismatch. */
export type KeyClaim =
  | { readonly batchId: string; readonly retry: boolean }
  | { readonly mismatch: true; readonly firstUsedAt: number };

/** Forgets keys bound more than the window ago; returns when the oldest key kept expires. */
export function pruneIdempotencyKeys(sql: SqlStorage, now: number): number | undefined {
  sql.exec(`DELETE FROM idempotency_keys WHERE created_at < ?`, now - IDEMPOTENCY_WINDOW_MS);
  const oldest = sql
    .exec<{ at: number | null }>(`SELECT min(created_at) AS at FROM idempotency_keys`)
    .one().at;
  return oldest === null ? undefined : oldest + IDEMPOTENCY_WINDOW_MS;
}

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
  pruneIdempotencyKeys(sql, now);
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
