/**
 * @module durable-objects/change-log-retention
 * How long the change log keeps entries. Entries older than `maxAgeMs`, or
 * beyond `maxBytes` (oldest first), are removed, but never past the slowest
 * durable consumer cursor; past the hard cap (`hardMaxBytes`, `hardMaxAgeMs`)
 * the oldest entries go regardless, and a consumer behind them gets the gap
 * error (`LOG_GAP_STATE`) on its next read instead of silently missing them.
 * Removing a bulk-load entry releases the chunks it referenced; those already
 * detached (merged away, dropped) are deleted then, and until then their bytes
 * count toward the entry's size.
 */
import { SqlError } from '../engine/errors.ts';
import { LOG_GAP_STATE, logGap, newestLsn, prunedThrough } from './change-log.ts';
import { deleteChunks, type Meter } from './shard-storage.ts';
import { LOG_HELD_TABLE } from './shard-tables.ts';

/** Retention limits of the change log. */
export interface LogRetention {
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  /** Past these, entries go even when a consumer has not read them. */
  readonly hardMaxAgeMs: number;
  readonly hardMaxBytes: number;
}

/** Defaults: a day or 64 MiB, held back by consumers up to a week or 1 GiB. */
export const DEFAULT_LOG_RETENTION: LogRetention = {
  maxAgeMs: 24 * 3600_000,
  maxBytes: 64 << 20,
  hardMaxAgeMs: 7 * 24 * 3600_000,
  hardMaxBytes: 1 << 30,
};

/** Entries examined per retention pass (a pass is one transaction; the alarm comes back for more). */
export const PRUNE_PASS = 4096;

/** The stored retention limits. */
export function readLogRetention(m: Meter): LogRetention {
  const row = m.all<{ value: string }>(`SELECT value FROM _meta WHERE key = 'change_log_retention'`)[0];
  return row
    ? { ...DEFAULT_LOG_RETENTION, ...(JSON.parse(row.value) as Partial<LogRetention>) }
    : DEFAULT_LOG_RETENTION;
}

/** Stores retention limits (operators and tests). */
export function writeLogRetention(m: Meter, r: LogRetention): void {
  for (const [k, v] of Object.entries(r))
    if (!Number.isFinite(v) || v < 0)
      throw new SqlError('22023', `invalid value for log retention setting "${k}": ${String(v)}`);
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('change_log_retention', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    JSON.stringify(r),
  );
}

/**
 * Registers a durable consumer whose cursor holds retention back; it has read
 * everything before `fromLsn` (default: the next entry to be written).
 */
export function registerConsumer(m: Meter, name: string, fromLsn?: number): { lsn: number } {
  if (m.all(`SELECT 1 FROM change_log_consumers WHERE name = ?`, name).length > 0)
    throw new SqlError('42710', `log consumer "${name}" already exists`);
  const next = newestLsn(m) + 1;
  const start = fromLsn ?? next;
  if (!Number.isSafeInteger(start) || start < 1 || start > next)
    throw new SqlError('22023', `cannot start log consumer "${name}" at ${start}: the next entry is ${next}`);
  const pruned = prunedThrough(m);
  if (start <= pruned) throw logGap(start, pruned, name);
  m.all(`INSERT INTO change_log_consumers (name, lsn) VALUES (?, ?)`, name, start - 1);
  return { lsn: start - 1 };
}

/** Records that `name` has processed every entry up to `lsn` (cursors only move forward). */
export function advanceCursor(m: Meter, name: string, lsn: number): { lsn: number } {
  const cur = m.all<{ lsn: number }>(`SELECT lsn FROM change_log_consumers WHERE name = ?`, name)[0];
  if (!cur) throw new SqlError('42704', `log consumer "${name}" does not exist`);
  const newest = newestLsn(m);
  if (!Number.isSafeInteger(lsn) || lsn > newest)
    throw new SqlError(
      '22023',
      `cannot advance log consumer "${name}" to ${lsn}: the newest entry is ${newest}`,
    );
  if (lsn <= cur.lsn) return cur;
  m.all(`UPDATE change_log_consumers SET lsn = ? WHERE name = ?`, lsn, name);
  return { lsn };
}

/**
 * Moves consumer `name` back (or forward) so that it next reads the entry after
 * `at.lsn`, or the first entry committed at or after `at.fromMs`, and holds
 * retention from there. The entries it will read must all still be in the log:
 * otherwise the gap error. With `fromMs`, when retention has removed entries and
 * the oldest kept one is already at or after `fromMs`, the removed ones may have
 * been too: that is a gap as well.
 */
export function rewindConsumer(
  m: Meter,
  name: string,
  at: { lsn: number } | { fromMs: number },
): { lsn: number } {
  if (m.all(`SELECT 1 FROM change_log_consumers WHERE name = ?`, name).length === 0)
    throw new SqlError('42704', `log consumer "${name}" does not exist`);
  const newest = newestLsn(m);
  const pruned = prunedThrough(m);
  let lsn: number;
  if ('lsn' in at) {
    if (!Number.isSafeInteger(at.lsn) || at.lsn < 0 || at.lsn > newest)
      throw new SqlError(
        '22023',
        `cannot move log consumer "${name}" to ${at.lsn}: the newest entry is ${newest}`,
      );
    lsn = at.lsn;
  } else {
    const first = m.all<{ lsn: number }>(
      `SELECT lsn FROM change_log WHERE commit_ms >= ? ORDER BY lsn LIMIT 1`,
      at.fromMs,
    )[0];
    lsn = first ? first.lsn - 1 : newest;
  }
  if ('fromMs' in at && pruned > 0 && lsn <= pruned)
    throw new SqlError(
      LOG_GAP_STATE,
      `log consumer "${name}" cannot go back to ${new Date(at.fromMs).toISOString()}: retention removed ` +
        `entries up to ${pruned}, and the log now starts at ${pruned + 1}`,
    );
  if (lsn < pruned) throw logGap(lsn + 1, pruned, name);
  m.all(`UPDATE change_log_consumers SET lsn = ? WHERE name = ?`, lsn, name);
  return { lsn };
}

/** Removes a consumer (its cursor no longer holds retention back). */
export function dropConsumer(m: Meter, name: string): void {
  if (m.all(`DELETE FROM change_log_consumers WHERE name = ? RETURNING name`, name).length === 0)
    throw new SqlError('42704', `log consumer "${name}" does not exist`);
}

/** Consumers and their cursors (the last LSN each has processed). */
export function listConsumers(m: Meter): { name: string; lsn: number }[] {
  return m.all<{ name: string; lsn: number }>(`SELECT name, lsn FROM change_log_consumers ORDER BY name`);
}

/**
 * One retention pass (call inside a transaction): removes the entries the
 * limits allow, at most `PRUNE_PASS`. Returns the new pruned-through LSN and
 * whether more may go.
 */
export function pruneLog(m: Meter, r: LogRetention, nowMs: number): { pruned: number; more: boolean } {
  const before = prunedThrough(m);
  // An entry's size counts the detached chunks only it keeps alive (live chunks cost nothing extra).
  const held = `(SELECT r.lsn, sum(c.bytes) AS b FROM change_log_chunks r JOIN chunks c ON c.id = r.chunk_id
    WHERE c.table_id = ? GROUP BY r.lsn)`;
  let remaining =
    m.all<{ b: number | null }>(
      `SELECT sum(l.bytes + coalesce(h.b, 0)) AS b FROM change_log l LEFT JOIN ${held} h ON h.lsn = l.lsn`,
      LOG_HELD_TABLE,
    )[0].b ?? 0;
  const slowest = m.all<{ lsn: number | null }>(`SELECT min(lsn) AS lsn FROM change_log_consumers`)[0].lsn;
  const hold = slowest ?? Number.POSITIVE_INFINITY;
  const oldest = m.all<{ lsn: number; commit_ms: number; bytes: number }>(
    `SELECT l.lsn, l.commit_ms, l.bytes + coalesce(h.b, 0) AS bytes FROM change_log l
     LEFT JOIN ${held} h ON h.lsn = l.lsn ORDER BY l.lsn LIMIT ?`,
    LOG_HELD_TABLE,
    PRUNE_PASS,
  );
  let cut = before;
  for (const e of oldest) {
    const hard = remaining > r.hardMaxBytes || e.commit_ms < nowMs - r.hardMaxAgeMs;
    const soft = remaining > r.maxBytes || e.commit_ms < nowMs - r.maxAgeMs;
    if (!hard && !(soft && e.lsn <= hold)) break;
    cut = e.lsn;
    remaining -= e.bytes;
  }
  if (cut === before) return { pruned: before, more: false };
  m.all(`DELETE FROM change_log WHERE lsn <= ?`, cut);
  const released = m
    .all<{ chunk_id: number }>(`DELETE FROM change_log_chunks WHERE lsn <= ? RETURNING chunk_id`, cut)
    .map((r) => r.chunk_id);
  const detached = m
    .all<{ id: number }>(
      `SELECT id FROM chunks WHERE table_id = ? AND id IN (SELECT value FROM json_each(?))`,
      LOG_HELD_TABLE,
      JSON.stringify(released),
    )
    .map((c) => c.id);
  deleteChunks(m, detached);
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('change_log_pruned', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(cut),
  );
  return { pruned: cut, more: oldest.length === PRUNE_PASS && cut === oldest[oldest.length - 1].lsn };
}
