/**
 * @module durable-objects/change-log
 * The shard's change log: one commit-ordered sequence of what changed (see
 * engine/distributed/change-entry). Entries are appended inside the SQLite
 * transaction that applies the change, so the LSN (`INTEGER PRIMARY KEY
 * AUTOINCREMENT`, never reused after pruning) is taken at commit and an abort
 * leaves nothing. The commit time is taken once by the committing caller
 * (`commitStamp`) and stored; replay (`change-log-apply`) reuses it and never
 * reads a clock.
 *
 * Not logged: compaction, merging and tiering (rows move, answers do not).
 * Bulk loads log references to the chunks they wrote; a referenced chunk that
 * merging, DROP TABLE or drop_chunks would delete is detached instead (moved
 * under table id `LOG_HELD_TABLE`, invisible to queries and maintenance) until log
 * retention releases its entry (see `change-log-retention`).
 *
 * `shard_log` (shard-log.ts) stays the idempotency and 2PC ledger; this table is the change stream.
 */
import type { ChangeBody, ChangeEntry, LogPage } from '../engine/distributed/change-entry.ts';
import { parsePlaneJson, planeJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { SqlError } from '../engine/errors.ts';
import { type RowRefs, rowImage, rowImages } from './change-log-images.ts';
import type { Meter } from './shard-storage.ts';
import { holdsTable, LOG_HELD_TABLE } from './shard-tables.ts';

/** Who committed a change and when: taken once per commit, by the caller. */
export interface CommitStamp {
  readonly txnId: string;
  readonly commitMs: number;
}

/** A stamp for a commit happening now (never called while replaying: entries carry theirs). */
export function commitStamp(txnId: string, commitMs: number = Date.now()): CommitStamp {
  return { txnId, commitMs };
}

/** Entries are split so none exceeds this many bytes of JSON (one row can still exceed it alone). */
export const ENTRY_BYTES = 1 << 20;

/** `readLog` answers at most this many bytes of entries (the RPC limit is 32 MiB). */
export const READ_LOG_BYTES = 4 << 20;

/** SQLSTATE of a read from a position the log no longer holds (PostgreSQL: removed WAL segment). */
export const LOG_GAP_STATE = '58P01';

function append(m: Meter, s: CommitStamp, table: number, body: ChangeBody): number {
  const text = planeJson(body);
  return m.all<{ lsn: number }>(
    `INSERT INTO change_log (txn_id, commit_ms, kind, table_id, body, bytes) VALUES (?, ?, ?, ?, ?, ?) RETURNING lsn`,
    s.txnId,
    s.commitMs,
    body.kind,
    table,
    text,
    text.length,
  )[0].lsn;
}

/**
 * Logs inserted (`after`), deleted (`before`) or updated (`before[i]` → `after[i]`)
 * rows as images of `t`, split into entries of at most `ENTRY_BYTES`.
 */
export function logRows(
  m: Meter,
  s: CommitStamp,
  t: DistTable,
  kind: 'insert' | 'update' | 'delete',
  before: readonly Row[],
  after: readonly Row[],
): void {
  const n = Math.max(before.length, after.length);
  let b: Row[] = [];
  let a: Row[] = [];
  let bytes = 0;
  const flush = () => {
    if (kind === 'insert') append(m, s, t.id, { kind, after: a });
    else if (kind === 'delete') append(m, s, t.id, { kind, before: b });
    else append(m, s, t.id, { kind, before: b, after: a });
    b = [];
    a = [];
    bytes = 0;
  };
  for (let i = 0; i < n; i++) {
    const bi = kind === 'insert' ? undefined : rowImage(t, before[i]);
    const ai = kind === 'delete' ? undefined : rowImage(t, after[i]);
    const size = (bi ? planeJson(bi).length : 0) + (ai ? planeJson(ai).length : 0);
    if (bytes > 0 && bytes + size > ENTRY_BYTES) flush();
    if (bi) b.push(bi);
    if (ai) a.push(ai);
    bytes += size;
  }
  if (n > 0) flush();
}

/**
 * Logs the rows `refs` points at as deleted, or as updated to `after`: call
 * before removing them, in the same transaction.
 */
export function logRemoved(
  m: Meter,
  s: CommitStamp,
  t: DistTable,
  refs: RowRefs,
  after?: readonly Row[],
): void {
  const before = rowImages(m, t, refs);
  if (after && after.length === before.length) logRows(m, s, t, 'update', before, after);
  else {
    // A chunk dropped since the rows were matched has no images left to pair: delete + insert.
    logRows(m, s, t, 'delete', before, []);
    if (after) logRows(m, s, t, 'insert', [], after);
  }
}

/** Logs a bulk load by reference to the chunks it wrote (ids as `insertChunks` returns them). */
export function logBulk(m: Meter, s: CommitStamp, t: DistTable, chunkIds: readonly number[]): void {
  if (chunkIds.length === 0) return;
  const chunks = m
    .all<{ id: number; row_count: number }>(
      `SELECT id, row_count FROM chunks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      JSON.stringify(chunkIds),
    )
    .map((c) => ({ id: c.id, rows: c.row_count }));
  const lsn = append(m, s, t.id, { kind: 'bulk', chunks });
  for (const c of chunks) m.all(`INSERT INTO change_log_chunks (chunk_id, lsn) VALUES (?, ?)`, c.id, lsn);
}

/** Logs a definition change as `rememberTable` reported it (nothing when unchanged). */
export function logDdl(m: Meter, s: CommitStamp, t: DistTable, change: 'create' | 'alter' | undefined): void {
  if (change) append(m, s, t.id, { kind: 'ddl', op: change, def: t });
}

/** Logs DROP TABLE of `table` on this shard (call before dropping; nothing when the shard never had it). */
export function logDrop(m: Meter, s: CommitStamp, table: number): void {
  if (holdsTable(m, table)) append(m, s, table, { kind: 'ddl', op: 'drop' });
}

/** Logs whole time buckets removed by drop_chunks or the retention policy. */
export function logDroppedBuckets(m: Meter, s: CommitStamp, t: DistTable, buckets: number[]): number[] {
  if (buckets.length > 0) append(m, s, t.id, { kind: 'drop_buckets', buckets });
  return buckets;
}

/**
 * Of chunks about to be deleted, detaches those a retained bulk-load entry
 * references (they stay readable by `readLogChunk`) and returns the others.
 */
export function keepLoggedChunks(m: Meter, ids: readonly number[]): number[] {
  if (ids.length === 0) return [];
  const held = new Set(
    m
      .all<{ chunk_id: number }>(
        `SELECT chunk_id FROM change_log_chunks WHERE chunk_id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(ids),
      )
      .map((r) => r.chunk_id),
  );
  for (const id of held) {
    m.all(`UPDATE chunks SET table_id = ? WHERE id = ?`, LOG_HELD_TABLE, id);
    m.all(`UPDATE cold_chunks SET table_id = ? WHERE chunk_id = ?`, LOG_HELD_TABLE, id);
  }
  return ids.filter((id) => !held.has(id));
}

/** The highest LSN retention has removed (0: none). */
export function prunedThrough(m: Meter): number {
  const row = m.all<{ value: string }>(`SELECT value FROM _meta WHERE key = 'change_log_pruned'`)[0];
  return row ? Number(row.value) : 0;
}

/** The newest LSN ever assigned (0: none). */
export function newestLsn(m: Meter): number {
  const max = m.all<{ n: number | null }>(`SELECT max(lsn) AS n FROM change_log`)[0].n;
  return max ?? prunedThrough(m);
}

/** The gap error: entries `fromLsn` … pruned are gone. */
export function logGap(fromLsn: number, pruned: number, consumer?: string): SqlError {
  const who = consumer === undefined ? '' : ` for log consumer "${consumer}"`;
  return new SqlError(
    LOG_GAP_STATE,
    `requested log position ${fromLsn}${who} has already been removed: entries ${fromLsn} to ${pruned} are gone, the log now starts at ${pruned + 1}`,
  );
}

/**
 * Entries from `fromLsn` on, in LSN order: at most `limit`, and at most
 * `READ_LOG_BYTES` of them (always at least one). Throws the gap error
 * (`LOG_GAP_STATE`) when retention already removed `fromLsn`.
 */
export function readLog(m: Meter, fromLsn: number, limit: number, maxBytes = READ_LOG_BYTES): LogPage {
  if (!Number.isSafeInteger(fromLsn) || fromLsn < 1 || !Number.isSafeInteger(limit) || limit < 1)
    throw new SqlError(
      '22023',
      `invalid log position ${fromLsn} or limit ${limit}: both must be positive integers`,
    );
  const pruned = prunedThrough(m);
  if (fromLsn <= pruned) throw logGap(fromLsn, pruned);
  const rows = m.all<{
    lsn: number;
    txn_id: string;
    commit_ms: number;
    table_id: number;
    name: string | null;
    body: string;
  }>(
    `SELECT l.lsn, l.txn_id, l.commit_ms, l.table_id, t.name, l.body FROM change_log l
     LEFT JOIN shard_tables t ON t.id = l.table_id WHERE l.lsn >= ? ORDER BY l.lsn LIMIT ?`,
    fromLsn,
    limit,
  );
  const entries: ChangeEntry[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (entries.length > 0 && bytes + r.body.length > maxBytes) break;
    bytes += r.body.length;
    entries.push({
      lsn: r.lsn,
      txnId: r.txn_id,
      commitMs: r.commit_ms,
      tableId: r.table_id,
      table: r.name ?? '',
      change: parsePlaneJson<ChangeBody>(r.body),
    });
  }
  const next = entries.length > 0 ? entries[entries.length - 1].lsn + 1 : fromLsn;
  return { entries, nextLsn: next, oldestLsn: pruned + 1, newestLsn: newestLsn(m), readMs: Date.now() };
}
