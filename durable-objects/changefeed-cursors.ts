/**
 * @module durable-objects/changefeed-cursors
 * The delivery lease and cursor of one (changefeed, shard), kept by the
 * CatalogDO (see changefeed-store for the model). Every change of a cursor
 * names the lease token it holds: a pump whose lease expired (it was presumed
 * dead) can no longer move the cursor, so two pumps never interleave POSTs of
 * one shard.
 */
import { SqlError } from '../engine/errors.ts';
import { type Changefeed, type ChangefeedCursor, getFeed } from './changefeed-store.ts';

/** What a pump gets when it asks to deliver. */
export type Lease =
  | {
      readonly kind: 'held';
      readonly token: string;
      readonly feed: Changefeed;
      readonly cursor: ChangefeedCursor;
    }
  /** Another pump holds it (it will read the log again before it lets go). */
  | { readonly kind: 'busy' }
  /** A retry is scheduled: come back in `ms`. */
  | { readonly kind: 'wait'; readonly ms: number }
  /** Paused, disabled or deleted: nothing to deliver. */
  | { readonly kind: 'stopped' };

function cursorOf(feed: Changefeed, shard: string): ChangefeedCursor {
  const c = feed.cursors.find((x) => x.shard === shard);
  if (!c) throw new SqlError('42704', `changefeed "${feed.name}" has no cursor on shard "${shard}"`);
  return c;
}

/** Takes (or, with the current `token`, renews) the lease for `leaseMs`. */
export function acquireLease(
  sql: SqlStorage,
  feedId: string,
  shard: string,
  now: number,
  leaseMs: number,
  token?: string,
): Lease {
  const rows = sql.exec(`SELECT 1 FROM changefeeds WHERE id = ?`, feedId).toArray();
  if (rows.length === 0) return { kind: 'stopped' };
  const feed = getFeed(sql, feedId);
  if (feed.status !== 'running') return { kind: 'stopped' };
  const cursor = cursorOf(feed, shard);
  const lease = sql
    .exec<{ lease_until: number; lease_token: string | null }>(
      `SELECT lease_until, lease_token FROM changefeed_cursors WHERE feed_id = ? AND shard = ?`,
      feedId,
      shard,
    )
    .one();
  const mine = token !== undefined && lease.lease_token === token;
  if (!mine && lease.lease_until > now) {
    sql.exec(`UPDATE changefeed_cursors SET dirty = 1 WHERE feed_id = ? AND shard = ?`, feedId, shard);
    return { kind: 'busy' };
  }
  if (cursor.nextAt > now) {
    if (mine)
      sql.exec(
        `UPDATE changefeed_cursors SET lease_until = 0, lease_token = NULL WHERE feed_id = ? AND shard = ?`,
        feedId,
        shard,
      );
    return { kind: 'wait', ms: cursor.nextAt - now };
  }
  const next = mine ? token : crypto.randomUUID();
  sql.exec(
    `UPDATE changefeed_cursors SET lease_until = ?, lease_token = ?, dirty = CASE WHEN ? THEN dirty ELSE 0 END
     WHERE feed_id = ? AND shard = ?`,
    now + leaseMs,
    next,
    mine ? 1 : 0,
    feedId,
    shard,
  );
  return { kind: 'held', token: next, feed, cursor };
}

function requireLease(sql: SqlStorage, feedId: string, shard: string, token: string): void {
  const r = sql
    .exec<{ lease_token: string | null }>(
      `SELECT lease_token FROM changefeed_cursors WHERE feed_id = ? AND shard = ?`,
      feedId,
      shard,
    )
    .toArray()[0];
  if (!r || r.lease_token !== token)
    throw new SqlError('40001', `the delivery lease of changefeed ${feedId} on shard "${shard}" was lost`);
}

/** Moves the cursor after a 2xx (or past entries with nothing to deliver); clears the retry state. */
export function advanceDelivery(
  sql: SqlStorage,
  feedId: string,
  shard: string,
  token: string,
  to: { lsn: number; skip: number },
  deliveredMs: number | null,
): void {
  requireLease(sql, feedId, shard, token);
  sql.exec(
    `UPDATE changefeed_cursors SET lsn = ?, skip = ?, attempt = 0, next_at = 0, last_error = NULL,
       delivered_ms = coalesce(?, delivered_ms) WHERE feed_id = ? AND shard = ?`,
    to.lsn,
    to.skip,
    deliveredMs,
    feedId,
    shard,
  );
}

/** Records a failed attempt: the next one is due at `nextAt`. */
export function failDelivery(
  sql: SqlStorage,
  feedId: string,
  shard: string,
  token: string,
  attempt: number,
  nextAt: number,
  error: string,
): void {
  requireLease(sql, feedId, shard, token);
  sql.exec(
    `UPDATE changefeed_cursors SET attempt = ?, next_at = ?, last_error = ? WHERE feed_id = ? AND shard = ?`,
    attempt,
    nextAt,
    error,
    feedId,
    shard,
  );
}

/**
 * Lets the lease go, unless a trigger arrived while it was held (`dirty`): then
 * the lease is kept, the mark cleared, and true returned so the holder reads
 * the log again.
 */
export function releaseLease(sql: SqlStorage, feedId: string, shard: string, token: string): boolean {
  const r = sql
    .exec<{ dirty: number; lease_token: string | null }>(
      `SELECT dirty, lease_token FROM changefeed_cursors WHERE feed_id = ? AND shard = ?`,
      feedId,
      shard,
    )
    .toArray()[0];
  if (!r || r.lease_token !== token) return false;
  if (r.dirty) {
    sql.exec(`UPDATE changefeed_cursors SET dirty = 0 WHERE feed_id = ? AND shard = ?`, feedId, shard);
    return true;
  }
  sql.exec(
    `UPDATE changefeed_cursors SET lease_until = 0, lease_token = NULL WHERE feed_id = ? AND shard = ?`,
    feedId,
    shard,
  );
  return false;
}

/** (changefeed, shard) pairs of running changefeeds nobody delivers and no retry waits on (the sweep). */
export function idleCursors(sql: SqlStorage, now: number): { feedId: string; shard: string }[] {
  return sql
    .exec<{ feed_id: string; shard: string }>(
      `SELECT c.feed_id, c.shard FROM changefeed_cursors c JOIN changefeeds f ON f.id = c.feed_id
       WHERE f.status = 'running' AND c.lease_until <= ? AND c.next_at <= ?`,
      now,
      now,
    )
    .toArray()
    .map((r) => ({ feedId: r.feed_id, shard: r.shard }));
}

/**
 * Replay: sets each listed shard's cursor (the last LSN delivered) and clears its retry
 * state and lease, so the next pump starts there. A pump still holding the old lease can
 * no longer move the cursor (its token is gone); a POST it has in flight may still arrive.
 */
export function replayCursors(sql: SqlStorage, feedId: string, to: Record<string, number>): Changefeed {
  const feed = getFeed(sql, feedId);
  for (const shard of Object.keys(to)) cursorOf(feed, shard);
  for (const [shard, lsn] of Object.entries(to))
    sql.exec(
      `UPDATE changefeed_cursors SET lsn = ?, skip = 0, attempt = 0, next_at = 0, last_error = NULL,
         lease_until = 0, lease_token = NULL, dirty = 0 WHERE feed_id = ? AND shard = ?`,
      lsn,
      feed.id,
      shard,
    );
  return getFeed(sql, feed.id);
}

/** A changefeed's `resolvedEvery` in ms ("500ms", "10s", "5m", "1h"), or undefined when unset or malformed. */
export function resolvedEveryMs(every: string | undefined): number | undefined {
  const m = every === undefined ? null : /^(\d{1,7})(ms|s|m|h)$/.exec(every);
  if (!m) return undefined;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/**
 * A pump found shard `shard` delivered through the end of its log as of `resolvedMs` (the
 * shard's clock). Records it, and answers the changefeed's resolved time to send — the
 * smallest over its shards — when it moved past the last one sent and the last send is at
 * least most of `resolvedEvery` ago; otherwise null. Marked sent here, so concurrent pumps
 * send each resolved time once (a lost POST is superseded by the next).
 */
export function resolveShard(
  sql: SqlStorage,
  feedId: string,
  shard: string,
  token: string,
  resolvedMs: number,
  now: number,
): number | null {
  requireLease(sql, feedId, shard, token);
  const feed = getFeed(sql, feedId);
  const every = resolvedEveryMs(feed.spec.resolvedEvery);
  if (every === undefined) return null;
  sql.exec(
    `UPDATE changefeed_cursors SET resolved_ms = max(resolved_ms, ?) WHERE feed_id = ? AND shard = ?`,
    resolvedMs,
    feedId,
    shard,
  );
  const min = sql
    .exec<{ t: number }>(`SELECT min(resolved_ms) AS t FROM changefeed_cursors WHERE feed_id = ?`, feedId)
    .one().t;
  const sent = sql
    .exec<{ resolved_ms: number; resolved_sent_at: number }>(
      `SELECT resolved_ms, resolved_sent_at FROM changefeeds WHERE id = ?`,
      feedId,
    )
    .one();
  if (min <= sent.resolved_ms || now - sent.resolved_sent_at < every * 0.8) return null;
  sql.exec(`UPDATE changefeeds SET resolved_ms = ?, resolved_sent_at = ? WHERE id = ?`, min, now, feedId);
  return min;
}

/**
 * Running changefeeds with `resolvedEvery` whose next resolved message is due by `now`
 * (each is woken on every shard so quiet shards report too), and when the next one after
 * those falls due.
 */
export function resolvedDue(sql: SqlStorage, now: number): { due: Changefeed[]; next: number | undefined } {
  const due: Changefeed[] = [];
  let next: number | undefined;
  const rows = sql
    .exec<{ id: string; resolved_sent_at: number }>(
      `SELECT id, resolved_sent_at FROM changefeeds WHERE status = 'running' AND json_extract(spec, '$.resolvedEvery') IS NOT NULL`,
    )
    .toArray();
  for (const r of rows) {
    const feed = getFeed(sql, r.id);
    const every = resolvedEveryMs(feed.spec.resolvedEvery);
    if (every === undefined) continue;
    const at = r.resolved_sent_at + every;
    if (at <= now) due.push(feed);
    const following = at <= now ? now + every : at;
    next = next === undefined ? following : Math.min(next, following);
  }
  return { due, next };
}
