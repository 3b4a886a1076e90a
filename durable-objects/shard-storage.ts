/**
 * @module durable-objects/shard-storage
 * The SQLite layout of one shard and metered access to it. Cloudflare bills DO
 * SQLite per row read and written, so every statement goes through `Meter`,
 * which adds the cursor's `rowsRead` / `rowsWritten` to the request's stats.
 *
 * Layout:
 * - `shard_log`   the spine: one row per write batch (LSN, idempotency batch id, state);
 *                 prepared 2PC batches keep their payload until decided.
 * - `hot_rows`    recent small writes, one SQLite row per data row (JSON array by column id).
 * - `chunks`      warm columnar chunks: header (with zone maps) + delete bitmap;
 * - `chunk_blocks` one row per column block (≤ 2 MB, the SQLite value limit); a
 *                 cold chunk has none: its blocks live in R2 (see `shard-tier`).
 * - `cold_chunks` chunks whose blocks are in R2: tier `cold` (chunk bytes in the COLD
 *                 bucket) or `frozen` (a Parquet file in FROZEN, with its page layout).
 * - `tier_moves`  uploads to R2, one row per object key, recorded before the PUT and kept
 *                 until the attempt ends (so an object that lands late is still known).
 * - `tier_garbage` R2 objects of dropped or re-tiered chunks still to delete.
 * - `schema_migrations` the schema version (see `shard-schema`).
 * - `shard_tables` per table id: the newest definition and version seen, and whether it was
 *                 dropped (see `shard-tables`). Every per-table row above is keyed by `table_id`.
 * - `change_log*` the commit-ordered change log and its consumers (see `change-log`).
 */

import { countNulls } from '../engine/columnar/column-stats.ts';
import { type BucketChunk, chunkColumnName, encodeTableRows } from '../engine/distributed/chunk-rows.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { keepLoggedChunks } from './change-log.ts';

/** Per-request counters reported in the API's `stats`. */
export interface ShardStats {
  rowsRead: number;
  rowsWritten: number;
  chunksScanned: number;
  chunksSkipped: number;
  bytesScanned: number;
  /** Bytes fetched from R2 (cold chunk columns not already cached in the Durable Object). */
  r2BytesRead: number;
}

/** Zeroed stats. */
export function emptyStats(): ShardStats {
  return { rowsRead: 0, rowsWritten: 0, chunksScanned: 0, chunksSkipped: 0, bytesScanned: 0, r2BytesRead: 0 };
}

/** Column blocks of cold chunks already fetched from R2 (see `shard-tier-read`). */
export interface ColdBlocks {
  block(chunkId: number, col: number): Uint8Array | undefined;
}

/** A cold chunk's block was needed but not fetched before the (synchronous) run; the caller fetches and retries. */
export class ColdBlockMissing extends Error {
  constructor(
    readonly chunkId: number,
    readonly col: number,
  ) {
    super(`cold chunk ${chunkId} column ${col} was not prefetched`);
  }
}

/** Runs statements and accumulates the billing meters. */
export class Meter {
  constructor(
    private readonly sql: SqlStorage,
    readonly stats: ShardStats = emptyStats(),
    private readonly cold?: ColdBlocks,
  ) {}

  /**
   * Bytes of one column block: from the cold-block cache when the chunk is in
   * R2, else from SQLite. Counts `bytesScanned`.
   */
  block(chunkId: number, col: number): Uint8Array {
    const cold = this.cold?.block(chunkId, col);
    if (cold) {
      this.stats.bytesScanned += cold.byteLength;
      return cold;
    }
    const row = this.all<{ data: ArrayBuffer }>(
      `SELECT data FROM chunk_blocks WHERE chunk_id = ? AND col = ?`,
      chunkId,
      col,
    )[0];
    if (!row) throw new ColdBlockMissing(chunkId, col);
    this.stats.bytesScanned += row.data.byteLength;
    return new Uint8Array(row.data);
  }

  /** Executes and fully reads a statement. */
  all<T extends Record<string, SqlStorageValue>>(query: string, ...args: unknown[]): T[] {
    const cur = this.sql.exec<T>(query, ...args);
    const rows = cur.toArray();
    this.stats.rowsRead += cur.rowsRead;
    this.stats.rowsWritten += cur.rowsWritten;
    return rows;
  }
}

/** Result of a storage round trip, used by `/v1/health`. */
export interface ShardPing {
  readonly nonce: string;
  readonly readBack: string;
  readonly rowsWritten: number;
  readonly rowsRead: number;
}

/** Writes a nonce to SQLite and reads it back: proves the storage path end to end. */
export function pingStorage(sql: SqlStorage, nonce: string): ShardPing {
  const w = sql.exec(
    `INSERT INTO _meta (key, value) VALUES ('ping', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    nonce,
  );
  w.toArray();
  const r = sql.exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'ping'`);
  const row = r.one();
  return { nonce, readBack: row.value, rowsWritten: w.rowsWritten, rowsRead: r.rowsRead };
}

/** Writes rows as columnar chunks (one SQLite row per header and per column block). Returns chunks written. */
export function writeChunks(m: Meter, t: DistTable, rows: readonly Row[], now: number): number {
  return insertChunks(m, t, encodeTableRows(t, rows), now).length;
}

/** Stores already encoded chunks (bulk ingest encodes in the Worker). Returns the ids of the chunks written. */
export function insertChunks(m: Meter, t: DistTable, chunks: readonly BucketChunk[], now: number): number[] {
  const ids: number[] = [];
  for (const chunk of chunks) {
    const bytes = chunk.header.length + chunk.columns.reduce((s, b) => s + b.length, 0);
    const { id } = m.all<{ id: number }>(
      `INSERT INTO chunks (table_id, bucket, row_count, bytes, header, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      t.id,
      chunk.bucket,
      chunk.rowCount,
      bytes,
      chunk.header,
      now,
    )[0];
    // One statement for all of a chunk's blocks: the id is an integer we just got back, so it is
    // inlined and each block binds one parameter (DO SQLite allows 100 per statement).
    for (let c = 0; c < chunk.columns.length; c += 100) {
      const blocks = chunk.columns.slice(c, c + 100);
      const values = blocks.map((_, k) => `(${Number(id)}, ${c + k}, ?)`).join(', ');
      m.all(`INSERT INTO chunk_blocks (chunk_id, col, data) VALUES ${values}`, ...blocks);
    }
    ids.push(id);
  }
  return ids;
}

/**
 * Deletes chunks (and their blocks) by id. A cold chunk's R2 object is queued
 * in `tier_garbage`, deleted after the transaction. Moves of the chunk keep
 * their `tier_moves` row: an upload still running ends by queueing its own
 * object (see `shard-tier`), and one that died is settled by the next
 * garbage collection. Chunks a retained change-log bulk entry references are
 * detached instead (see `change-log`).
 */
export function deleteChunks(m: Meter, ids: readonly number[]): void {
  for (const id of keepLoggedChunks(m, ids)) {
    m.all(`DELETE FROM chunk_blocks WHERE chunk_id = ?`, id);
    m.all(`DELETE FROM chunks WHERE id = ?`, id);
    for (const { object_key, tier } of m.all<{ object_key: string; tier: string }>(
      `DELETE FROM cold_chunks WHERE chunk_id = ? RETURNING object_key, tier`,
      id,
    ))
      m.all(`INSERT OR IGNORE INTO tier_garbage (object_key, tier) VALUES (?, ?)`, object_key, tier);
  }
}

/** Where a chunk's column blocks are. */
export type ChunkTier = 'warm' | 'cold' | 'frozen';

/** Sizes of one table on this shard (for show_shards / show_chunks). */
export interface ShardTableInfo {
  readonly hotRows: number;
  /**
   * `rows`: live rows (stored rows minus those masked by the chunk's delete bitmap);
   * `bytes`: in SQLite (warm) or the R2 object's size (cold).
   */
  readonly chunks: { id: number; bucket: number; rows: number; bytes: number; tier: ChunkTier }[];
}

/** Hot row count and chunk list of a table (by id). */
export function tableInfo(m: Meter, table: number): ShardTableInfo {
  const hot = m.all<{ n: number }>(`SELECT count(*) AS n FROM hot_rows WHERE table_id = ?`, table)[0].n;
  const chunks = m
    .all<{
      id: number;
      bucket: number;
      row_count: number;
      bytes: number;
      deleted: ArrayBuffer | null;
      cold: number | null;
      tier: string | null;
    }>(
      `SELECT c.id, c.bucket, c.row_count, c.bytes, c.deleted, k.object_bytes AS cold, k.tier FROM chunks c
       LEFT JOIN cold_chunks k ON k.chunk_id = c.id WHERE c.table_id = ? ORDER BY c.bucket, c.id`,
      table,
    )
    .map((c) => ({
      id: c.id,
      bucket: c.bucket,
      rows: c.row_count - (c.deleted ? countNulls(new Uint8Array(c.deleted), c.row_count) : 0),
      bytes: c.cold ?? c.bytes,
      tier: (c.tier ?? 'warm') as ChunkTier,
    }));
  return { hotRows: hot, chunks };
}

/** Removes every row and chunk of a table (DROP TABLE; the caller marks it dropped, see `shard-tables`). */
export function dropTableData(m: Meter, table: number): void {
  const ids = m.all<{ id: number }>(`SELECT id FROM chunks WHERE table_id = ?`, table).map((r) => r.id);
  deleteChunks(m, ids);
  m.all(`DELETE FROM hot_rows WHERE table_id = ?`, table);
}

export { chunkColumnName };

/**
 * Raises the shard's record of the highest catalog version it has seen to `v`
 * and returns the record. Schema changes push their version here; Workers send
 * theirs with every request and get this back, so a Worker holding an older
 * cached catalog learns it should refetch. Refusals are per table and per map
 * version (see `shard-tables`), so an unrelated table's DDL refuses nothing.
 */
export function catalogVersionSeen(sql: SqlStorage, v: number | undefined): number {
  const row = sql
    .exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'catalog_version'`)
    .toArray()[0];
  const cur = row ? Number(row.value) : 0;
  if (v === undefined || v <= cur) return cur;
  sql.exec(
    `INSERT INTO _meta (key, value) VALUES ('catalog_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(v),
  );
  return v;
}
