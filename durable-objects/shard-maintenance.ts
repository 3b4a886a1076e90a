/**
 * @module durable-objects/shard-maintenance
 * What the shard alarm does: compact hot rows into columnar chunks once a
 * table has enough of them or the oldest is old enough, and drop whole time
 * buckets of hypertables past their retention.
 */
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { deleteChunks, type Meter, writeChunks } from './shard-storage.ts';

/** Compaction thresholds: compact when ≥ minRows hot rows, or the oldest is ≥ maxAgeMs old. */
export interface MaintenancePolicy {
  readonly minRows: number;
  readonly maxAgeMs: number;
}

/** 4,096 rows or 60 s: small enough to bound hot-row reads, big enough for useful chunks. */
export const DEFAULT_POLICY: MaintenancePolicy = { minRows: 4096, maxAgeMs: 60_000 };

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
