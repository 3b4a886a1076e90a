/**
 * @module durable-objects/changefeed-store
 * A database's changefeeds, kept by its CatalogDO (per database, strongly
 * consistent, next to the shard map): the definition, its signing secrets
 * (encrypted by the Worker before they get here: this object never sees a
 * plain secret), one cursor per shard and the delivery log.
 *
 * The cursor is the delivery position: `lsn` is the last log entry whose
 * events were all acknowledged with a 2xx, `skip` how many events of the next
 * entry were (a bulk load can hold more events than a batch). The shard's log
 * consumer of the same changefeed only holds retention back and trails it.
 * A lease per (changefeed, shard) makes delivery strictly sequential: a pump
 * that finds the lease held marks the cursor `dirty` instead, and the holder
 * reads the log again before it lets go, so no trigger is lost.
 */
import { SqlError } from '../engine/errors.ts';

/** Row operations a changefeed can deliver. */
export type ChangefeedOp = 'insert' | 'update' | 'delete';

/** What a changefeed delivers and where. */
export interface ChangefeedSpec {
  readonly tables: readonly string[];
  readonly url: string;
  readonly ops: readonly ChangefeedOp[];
  readonly batchSize: number;
  /** A SQL boolean expression over the row (see workers/cdc/changefeed-filter). */
  readonly filter?: string;
  /** The columns events carry, in this order (all when unset). */
  readonly columns?: readonly string[];
  /** How often a resolved message goes out ("10s"; see changefeed-cursors `resolvedEveryMs`). */
  readonly resolvedEvery?: string;
}

/** A signing secret, encrypted; `expiresAt` is set on the old one when the secret is rotated. */
export interface SealedSecret {
  readonly enc: string;
  readonly createdAt: number;
  readonly expiresAt?: number;
}

export type ChangefeedStatus = 'running' | 'paused' | 'disabled';

/** A shard's delivery position and retry state. */
export interface ChangefeedCursor {
  readonly shard: string;
  readonly lsn: number;
  readonly skip: number;
  readonly attempt: number;
  readonly nextAt: number;
  readonly lastError: string | null;
  readonly deliveredMs: number | null;
}

export interface Changefeed {
  readonly id: string;
  readonly name: string;
  readonly spec: ChangefeedSpec;
  readonly secrets: readonly SealedSecret[];
  readonly status: ChangefeedStatus;
  readonly reason: string | null;
  readonly createdAt: number;
  /** The last resolved time sent (0: none yet). */
  readonly resolvedMs: number;
  readonly cursors: readonly ChangefeedCursor[];
}

/** One POST attempt. */
export interface Delivery {
  readonly seq: number;
  readonly shard: string;
  readonly webhookId: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly events: number;
  readonly error: string | null;
  readonly at: number;
}

/** The delivery log keeps this many attempts per changefeed. */
export const DELIVERY_LOG_KEEP = 1000;

type FeedRow = {
  id: string;
  name: string;
  spec: string;
  secrets: string;
  status: string;
  reason: string | null;
  created_at: number;
  resolved_ms: number;
};

type CursorRow = {
  shard: string;
  lsn: number;
  skip: number;
  attempt: number;
  next_at: number;
  last_error: string | null;
  delivered_ms: number | null;
};

const cursorOf = (r: CursorRow): ChangefeedCursor => ({
  shard: r.shard,
  lsn: r.lsn,
  skip: r.skip,
  attempt: r.attempt,
  nextAt: r.next_at,
  lastError: r.last_error,
  deliveredMs: r.delivered_ms,
});

function feedOf(sql: SqlStorage, r: FeedRow): Changefeed {
  const cursors = sql
    .exec<CursorRow>(
      `SELECT shard, lsn, skip, attempt, next_at, last_error, delivered_ms FROM changefeed_cursors
       WHERE feed_id = ? ORDER BY shard`,
      r.id,
    )
    .toArray()
    .map(cursorOf);
  return {
    id: r.id,
    name: r.name,
    spec: JSON.parse(r.spec) as ChangefeedSpec,
    secrets: JSON.parse(r.secrets) as SealedSecret[],
    status: r.status as ChangefeedStatus,
    reason: r.reason,
    createdAt: r.created_at,
    resolvedMs: r.resolved_ms,
    cursors,
  };
}

const notFound = (ref: string) => new SqlError('42704', `changefeed "${ref}" does not exist`);

/** Creates a changefeed starting at `starts` (shard → the last LSN it does not deliver). */
export function createFeed(
  sql: SqlStorage,
  f: { id: string; name: string; spec: ChangefeedSpec; secret: SealedSecret },
  starts: Record<string, number>,
  now: number,
): Changefeed {
  if (sql.exec(`SELECT 1 FROM changefeeds WHERE name = ?`, f.name).toArray().length > 0)
    throw new SqlError('42710', `changefeed "${f.name}" already exists`);
  sql.exec(
    `INSERT INTO changefeeds (id, name, spec, secrets, status, reason, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'running', NULL, ?, ?)`,
    f.id,
    f.name,
    JSON.stringify(f.spec),
    JSON.stringify([f.secret]),
    now,
    now,
  );
  for (const [shard, lsn] of Object.entries(starts))
    sql.exec(`INSERT INTO changefeed_cursors (feed_id, shard, lsn) VALUES (?, ?, ?)`, f.id, shard, lsn);
  return getFeed(sql, f.id);
}

/** Every changefeed, by name. */
export function listFeeds(sql: SqlStorage): Changefeed[] {
  return sql
    .exec<FeedRow>(`SELECT * FROM changefeeds ORDER BY name`)
    .toArray()
    .map((r) => feedOf(sql, r));
}

/** A changefeed by id or name (42704 when there is none). */
export function getFeed(sql: SqlStorage, ref: string): Changefeed {
  const row = sql.exec<FeedRow>(`SELECT * FROM changefeeds WHERE id = ? OR name = ?`, ref, ref).toArray()[0];
  if (!row) throw notFound(ref);
  return feedOf(sql, row);
}

/** Sets the status (and why); resuming clears the retry state so delivery starts at once. */
export function setStatus(
  sql: SqlStorage,
  ref: string,
  status: ChangefeedStatus,
  reason: string | null,
  now: number,
): Changefeed {
  const f = getFeed(sql, ref);
  sql.exec(
    `UPDATE changefeeds SET status = ?, reason = ?, updated_at = ? WHERE id = ?`,
    status,
    reason,
    now,
    f.id,
  );
  if (status === 'running')
    sql.exec(`UPDATE changefeed_cursors SET attempt = 0, next_at = 0 WHERE feed_id = ?`, f.id);
  return getFeed(sql, f.id);
}

/** Adds `secret` as the signing secret; the previous ones sign until `overlapUntil`. */
export function rotateSecret(sql: SqlStorage, ref: string, secret: SealedSecret, overlapUntil: number) {
  const f = getFeed(sql, ref);
  const kept = f.secrets
    .filter((s) => s.expiresAt === undefined || s.expiresAt > secret.createdAt)
    .map((s) => ({ ...s, expiresAt: Math.min(s.expiresAt ?? overlapUntil, overlapUntil) }));
  sql.exec(
    `UPDATE changefeeds SET secrets = ?, updated_at = ? WHERE id = ?`,
    JSON.stringify([...kept, secret]),
    secret.createdAt,
    f.id,
  );
  return getFeed(sql, f.id);
}

/** Removes a changefeed, its cursors and its delivery log; returns it (the Worker drops its log consumers). */
export function deleteFeed(sql: SqlStorage, ref: string): Changefeed {
  const f = getFeed(sql, ref);
  sql.exec(`DELETE FROM changefeed_deliveries WHERE feed_id = ?`, f.id);
  sql.exec(`DELETE FROM changefeed_cursors WHERE feed_id = ?`, f.id);
  sql.exec(`DELETE FROM changefeeds WHERE id = ?`, f.id);
  return f;
}

/** The delivery log, newest first, before `beforeSeq` (exclusive) when given. */
export function listDeliveries(sql: SqlStorage, ref: string, limit: number, beforeSeq?: number): Delivery[] {
  const f = getFeed(sql, ref);
  return sql
    .exec<{
      seq: number;
      shard: string;
      webhook_id: string;
      attempt: number;
      status: number | null;
      latency_ms: number;
      events: number;
      error: string | null;
      at: number;
    }>(
      `SELECT * FROM changefeed_deliveries WHERE feed_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      f.id,
      beforeSeq ?? Number.MAX_SAFE_INTEGER,
      limit,
    )
    .toArray()
    .map((r) => ({
      seq: r.seq,
      shard: r.shard,
      webhookId: r.webhook_id,
      attempt: r.attempt,
      status: r.status,
      latencyMs: r.latency_ms,
      events: r.events,
      error: r.error,
      at: r.at,
    }));
}

/** Records one POST attempt, keeping the newest `DELIVERY_LOG_KEEP` of the changefeed. */
export function recordDelivery(sql: SqlStorage, feedId: string, d: Omit<Delivery, 'seq'>): void {
  const seq = sql
    .exec<{ seq: number }>(
      `INSERT INTO changefeed_deliveries (feed_id, shard, webhook_id, attempt, status, latency_ms, events, error, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      feedId,
      d.shard,
      d.webhookId,
      d.attempt,
      d.status,
      d.latencyMs,
      d.events,
      d.error,
      d.at,
    )
    .one().seq;
  sql.exec(
    `DELETE FROM changefeed_deliveries WHERE feed_id = ? AND seq <= ?`,
    feedId,
    seq - DELIVERY_LOG_KEEP,
  );
}
