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
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { isNullAt } from '../engine/vector.ts';
import { deleteChunks, type Meter, writeChunks } from './shard-storage.ts';

/** How often the alarm re-checks retention when nothing else is pending. */
export const RETENTION_CHECK_MS = 15 * 60_000;

/** Compaction thresholds: compact when ≥ minRows hot rows, or the oldest is ≥ maxAgeMs old. */
export interface MaintenancePolicy {
  readonly minRows: number;
  readonly maxAgeMs: number;
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

/** The table definitions this shard has seen (the alarm has no Worker to ask). */
export function knownTables(m: Meter): DistTable[] {
  return m.all<{ def: string }>(`SELECT def FROM shard_tables`).map((r) => JSON.parse(r.def) as DistTable);
}

/** Compacts and merges every table now (call inside a transaction). Returns chunks written. */
export function compactAll(m: Meter, policy: MaintenancePolicy, nowMs: number): number {
  let written = 0;
  for (const t of knownTables(m)) {
    written += compactTable(m, t, policy, nowMs);
    mergeSmallChunks(m, t, nowMs);
  }
  return written;
}

/**
 * One synchronous maintenance pass over every table (call inside a
 * transaction): compaction, merging of small chunks, retention. Records the
 * run time. Returns whether hot rows remain and whether retention must keep running.
 */
export function maintainTables(
  m: Meter,
  policy: MaintenancePolicy,
  nowMs: number,
): { hot: boolean; retention: boolean } {
  const tables = knownTables(m);
  for (const t of tables) {
    compactTable(m, t, policy, nowMs);
    mergeSmallChunks(m, t, nowMs);
    if (t.retentionUs !== undefined) enforceRetention(m, t, nowMs * 1000 - t.retentionUs);
  }
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('alarm_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(nowMs),
  );
  const hot = m.all<{ n: number }>(`SELECT count(*) AS n FROM hot_rows`)[0].n > 0;
  return { hot, retention: tables.some((t) => t.retentionUs !== undefined) };
}

/** Moves a table's hot rows into chunks when the policy says so. Returns chunks written. */
export function compactTable(m: Meter, t: DistTable, p: MaintenancePolicy, nowMs: number): number {
  const stat = m.all<{ n: number; oldest: number | null }>(
    `SELECT count(*) AS n, min(at) AS oldest FROM hot_rows WHERE table_name = ?`,
    t.name,
  )[0];
  if (stat.n === 0) return 0;
  if (stat.n < p.minRows && (stat.oldest === null || nowMs - stat.oldest < p.maxAgeMs)) return 0;
  const hot = m.all<{ data: string }>(`SELECT data FROM hot_rows WHERE table_name = ? ORDER BY rid`, t.name);
  const written = writeChunks(
    m,
    t,
    hot.map((h) => JSON.parse(h.data) as Row),
    nowMs,
  );
  m.all(`DELETE FROM hot_rows WHERE table_name = ?`, t.name);
  return written;
}

/**
 * Drops hypertable buckets whose whole time range ends at or before `cutoffUs`
 * (Timescale's drop_chunks semantics: a chunk is dropped only when entirely older).
 * Returns the dropped bucket starts.
 */
export function enforceRetention(m: Meter, t: DistTable, cutoffUs: number): number[] {
  if (!t.hypertable) return [];
  const w = t.hypertable.chunkIntervalUs;
  const lastBucket = cutoffUs - w; // bucket b is fully older when b + w <= cutoff
  const chunks = m.all<{ id: number; bucket: number }>(
    `SELECT id, bucket FROM chunks WHERE table_name = ? AND bucket <= ?`,
    t.name,
    lastBucket,
  );
  deleteChunks(
    m,
    chunks.map((c) => c.id),
  );
  const hot = m.all<{ bucket: number }>(
    `DELETE FROM hot_rows WHERE table_name = ? AND bucket <= ? RETURNING bucket`,
    t.name,
    lastBucket,
  );
  return [...new Set([...chunks.map((c) => c.bucket), ...hot.map((h) => h.bucket)])].sort((a, b) => a - b);
}

/** Warm chunks below this many rows are merged by compaction (bulk batches make small ones). */
export const SMALL_CHUNK_ROWS = 32_768;
/** Rows merged per run, so one alarm stays short. */
const MAX_MERGE_ROWS = 1_048_576;

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
 * and better compression; deleted rows are dropped on the way. Returns chunks merged away.
 */
export function mergeSmallChunks(m: Meter, t: DistTable, nowMs: number): number {
  const small = m.all<{ id: number; bucket: number; row_count: number }>(
    `SELECT id, bucket, row_count FROM chunks WHERE table_name = ? AND row_count < ?
     AND id NOT IN (SELECT chunk_id FROM cold_chunks) ORDER BY bucket, id`,
    t.name,
    SMALL_CHUNK_ROWS,
  );
  const byBucket = new Map<number, { id: number; row_count: number }[]>();
  for (const c of small) byBucket.set(c.bucket, [...(byBucket.get(c.bucket) ?? []), c]);
  let merged = 0;
  let budget = MAX_MERGE_ROWS;
  for (const list of byBucket.values()) {
    if (list.length < 2 || budget <= 0) continue;
    const take: number[] = [];
    for (const c of list) {
      if (budget - c.row_count < 0 && take.length >= 2) break;
      take.push(c.id);
      budget -= c.row_count;
    }
    const rows = take.flatMap((id) => readChunkRows(m, t, id));
    deleteChunks(m, take);
    writeChunks(m, t, rows, nowMs);
    merged += take.length;
  }
  return merged;
}
