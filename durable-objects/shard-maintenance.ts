/**
 * @module durable-objects/shard-maintenance
 * What the shard alarm does: compact hot rows into columnar chunks once a
 * table has enough of them or the oldest is old enough, merge small warm
 * chunks (bulk batches write many), and drop whole time buckets of
 * hypertables past their retention. Cold chunks (in R2) are never merged;
 * moving chunks to R2 is `shard-tier`'s part of the alarm.
 */

import { openChunkParts } from '../engine/columnar/index.ts';
import { chunkColumnName, vectorValues } from '../engine/distributed/chunk-rows.ts';
import { parsePlaneJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { isNullAt } from '../engine/vector.ts';
import { commitStamp, logDroppedBuckets } from './change-log.ts';
import { tablesWithIntents } from './shard-log.ts';
import { deleteChunks, type Meter, writeChunks } from './shard-storage.ts';

/** How often the alarm re-checks retention when nothing else is pending. */
export const RETENTION_CHECK_MS = 15 * 60_000;

/** Compaction thresholds: compact when ≥ minRows hot rows, or the oldest is ≥ maxAgeMs old. */
export interface MaintenancePolicy {
  readonly minRows: number;
  readonly maxAgeMs: number;
  /** Rows one pass materializes at most per table and step (default PASS_ROWS; tests lower it). */
  readonly passRows?: number;
}

/**
 * Rows one maintenance transaction turns into JS rows at most, per table and
 * step (hot rows compacted, small chunks merged). A merge holds its rows as
 * arrays (~400 bytes per row of TSBS's 21-column cpu table in V8: 87 MB for the
 * 216,000 rows of one shard after a 1.73M-row load, 422 MB for the 1M rows a
 * pass was allowed), and a Durable Object's isolate has 128 MB: an unbounded
 * merge of a big load dies of memory and leaves the work undone. Larger jobs
 * take several passes, each its own transaction.
 */
export const PASS_ROWS = 65_536;

/** What one bounded maintenance pass did and whether work remains for another. */
export interface PassResult {
  readonly written: number;
  readonly more: boolean;
}

/** 4,096 rows or 60 s: small enough to bound hot-row reads, big enough for useful chunks. */
export const DEFAULT_POLICY: MaintenancePolicy = { minRows: 4096, maxAgeMs: 60_000 };

/** The shard's compaction thresholds (overridable by tests and operators). */
export function readPolicy(sql: SqlStorage): MaintenancePolicy {
  const row = sql.exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'policy'`).toArray()[0];
  return row ? (JSON.parse(row.value) as MaintenancePolicy) : DEFAULT_POLICY;
}

/** Stores compaction thresholds. */
export function writePolicy(sql: SqlStorage, p: MaintenancePolicy): void {
  sql.exec(
    `INSERT INTO _meta (key, value) VALUES ('policy', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    JSON.stringify(p),
  );
}

/**
 * The table definitions this shard has seen (the alarm has no Worker to ask).
 * One that cannot be read is logged and left out, so it cannot stop the
 * maintenance of the others; the table's next write or schema push rewrites it.
 */
export function knownTables(m: Meter): DistTable[] {
  const tables: DistTable[] = [];
  for (const r of m.all<{ id: number; name: string; def: string }>(
    `SELECT id, name, def FROM shard_tables WHERE dropped = 0`,
  )) {
    try {
      // The row's id, not the definition's: a table held before ids existed has a provisional one.
      tables.push({ ...(JSON.parse(r.def) as DistTable), id: r.id });
    } catch (e) {
      console.error(`shard table definition of "${r.name}" is unreadable; skipped:`, e);
    }
  }
  return tables;
}

/**
 * One bounded pass of compaction and merging over every table (call inside a
 * transaction; repeat in new transactions while `more`). Returns chunks written.
 */
export function compactAll(m: Meter, policy: MaintenancePolicy, nowMs: number): PassResult {
  let written = 0;
  let more = false;
  const held = tablesWithIntents(m);
  for (const t of knownTables(m)) {
    // Rows under a prepared transaction's intents must stay where its effect points.
    if (held.has(t.id)) continue;
    const c = compactTable(m, t, policy, nowMs);
    const merged = mergeSmallChunks(m, t, nowMs, policy.passRows);
    written += c.written;
    more ||= c.more || merged.more;
  }
  return { written, more };
}

/**
 * One synchronous maintenance step for one table (call inside its own
 * transaction, so a table that fails rolls back alone): compaction, merging of
 * small chunks, retention. A table with undecided prepared entries is skipped
 * (`held`): their effects point at rows by position. Returns whether work remains.
 */
export function maintainTable(
  m: Meter,
  t: DistTable,
  policy: MaintenancePolicy,
  nowMs: number,
): { more: boolean; held: boolean } {
  if (tablesWithIntents(m).has(t.id)) return { more: false, held: true };
  let more = compactTable(m, t, policy, nowMs).more;
  more ||= mergeSmallChunks(m, t, nowMs, policy.passRows).more;
  // A logical delete of whole buckets: logged (compaction and merging above are not changes).
  if (t.retentionUs !== undefined)
    logDroppedBuckets(
      m,
      commitStamp('retention', nowMs),
      t,
      enforceRetention(m, t, nowMs * 1000 - t.retentionUs),
    );
  return { more, held: false };
}

/** Records the alarm's run time; returns whether hot rows remain and whether retention must keep running. */
export function maintenanceDone(m: Meter, nowMs: number): { hot: boolean; retention: boolean } {
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('alarm_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(nowMs),
  );
  const hot = m.all<{ n: number }>(`SELECT count(*) AS n FROM hot_rows`)[0].n > 0;
  return { hot, retention: knownTables(m).some((t) => t.retentionUs !== undefined) };
}

/**
 * Moves a table's oldest hot rows (at most `passRows`) into chunks when the
 * policy says so. Returns chunks written and whether hot rows are left to move.
 */
export function compactTable(m: Meter, t: DistTable, p: MaintenancePolicy, nowMs: number): PassResult {
  const stat = m.all<{ n: number; oldest: number | null }>(
    `SELECT count(*) AS n, min(at) AS oldest FROM hot_rows WHERE table_id = ?`,
    t.id,
  )[0];
  if (stat.n === 0) return { written: 0, more: false };
  if (stat.n < p.minRows && (stat.oldest === null || nowMs - stat.oldest < p.maxAgeMs))
    return { written: 0, more: false };
  const limit = Math.max(1, p.passRows ?? PASS_ROWS);
  const hot = m.all<{ rid: number; data: string }>(
    `SELECT rid, data FROM hot_rows WHERE table_id = ? ORDER BY rid LIMIT ?`,
    t.id,
    limit,
  );
  const written = writeChunks(
    m,
    t,
    hot.map((h) => parsePlaneJson<Row>(h.data)),
    nowMs,
  );
  m.all(`DELETE FROM hot_rows WHERE table_id = ? AND rid <= ?`, t.id, hot[hot.length - 1].rid);
  return { written, more: stat.n > hot.length };
}

/**
 * Drops hypertable buckets whose whole time range ends at or before `cutoffUs`
 * (Timescale's drop_chunks semantics: a chunk is dropped only when entirely older)
 * and, with `newerThanUs`, starts at or after it (both given: the buckets in between).
 * Returns the buckets dropped.
 */
export function enforceRetention(
  m: Meter,
  t: DistTable,
  cutoffUs: number | undefined,
  newerThanUs?: number,
): number[] {
  if (!t.hypertable) return [];
  const w = t.hypertable.chunkIntervalUs;
  const where: string[] = ['table_id = ?'];
  const args: unknown[] = [t.id];
  if (cutoffUs !== undefined) {
    where.push('bucket <= ?'); // bucket b is fully older when b + w <= cutoff
    args.push(cutoffUs - w);
  }
  if (newerThanUs !== undefined) {
    where.push('bucket >= ?');
    args.push(newerThanUs);
  }
  const cond = where.join(' AND ');
  const chunks = m.all<{ id: number; bucket: number }>(
    `SELECT id, bucket FROM chunks WHERE ${cond}`,
    ...args,
  );
  deleteChunks(
    m,
    chunks.map((c) => c.id),
  );
  const hot = m.all<{ bucket: number }>(`DELETE FROM hot_rows WHERE ${cond} RETURNING bucket`, ...args);
  return [...new Set([...chunks.map((c) => c.bucket), ...hot.map((h) => h.bucket)])].sort((a, b) => a - b);
}

/** Warm chunks below this many rows are merged by compaction (bulk batches make small ones). */
export const SMALL_CHUNK_ROWS = 32_768;

/** Live rows of one chunk (delete bitmap applied), all current columns (missing → default). */
function readChunkRows(m: Meter, t: DistTable, chunkId: number): Row[] {
  const c = m.all<{ row_count: number; header: ArrayBuffer; deleted: ArrayBuffer | null }>(
    `SELECT row_count, header, deleted FROM chunks WHERE id = ?`,
    chunkId,
  )[0];
  const reader = openChunkParts(new Uint8Array(c.header), (i) => {
    const b = m.all<{ data: ArrayBuffer }>(
      `SELECT data FROM chunk_blocks WHERE chunk_id = ? AND col = ?`,
      chunkId,
      i,
    )[0];
    return new Uint8Array(b.data);
  });
  const cols = t.columns.map((col) => {
    const idx = reader.columnIndex(chunkColumnName(col.id));
    return {
      id: col.id,
      values: idx >= 0 ? vectorValues(reader.column(idx)) : undefined,
      dflt: col.default ?? null,
    };
  });
  const deleted = c.deleted ? new Uint8Array(c.deleted) : undefined;
  const rows: Row[] = [];
  for (let r = 0; r < c.row_count; r++) {
    if (deleted && isNullAt(deleted, r)) continue;
    const row: Row = new Array(t.nextColumnId).fill(null);
    for (const col of cols) row[col.id] = col.values ? col.values[r] : col.dflt;
    rows.push(row);
  }
  return rows;
}

/**
 * Merges small warm chunks of the same time bucket into full ones. Fewer,
 * larger chunks mean fewer SQLite rows read per scan (one per column block)
 * and better compression; deleted rows are dropped on the way. Reads about
 * `passRows` rows at most (a bucket's first two chunks always go); `more` says
 * buckets are left to merge in another pass. Each pass leaves at most one small
 * chunk per merged group, so repeated passes finish.
 */
export function mergeSmallChunks(
  m: Meter,
  t: DistTable,
  nowMs: number,
  passRows = PASS_ROWS,
): { merged: number; more: boolean } {
  const small = m.all<{ id: number; bucket: number; row_count: number }>(
    `SELECT id, bucket, row_count FROM chunks WHERE table_id = ? AND row_count < ?
     AND id NOT IN (SELECT chunk_id FROM cold_chunks) ORDER BY bucket, id`,
    t.id,
    SMALL_CHUNK_ROWS,
  );
  const byBucket = new Map<number, { id: number; row_count: number }[]>();
  for (const c of small) byBucket.set(c.bucket, [...(byBucket.get(c.bucket) ?? []), c]);
  let merged = 0;
  let more = false;
  let budget = passRows;
  for (const list of byBucket.values()) {
    if (list.length < 2) continue;
    if (budget <= 0) {
      more = true;
      continue;
    }
    const take: number[] = [];
    for (const c of list) {
      if (budget - c.row_count < 0 && take.length >= 2) break;
      take.push(c.id);
      budget -= c.row_count;
    }
    if (take.length < list.length) more = true;
    const rows = take.flatMap((id) => readChunkRows(m, t, id));
    deleteChunks(m, take);
    writeChunks(m, t, rows, nowMs);
    merged += take.length;
  }
  return { merged, more };
}
