/**
 * @module durable-objects/shard-tier
 * Moves warm chunks to the cold tier in R2 (Timescale's tiering policy:
 * chunks whose whole time range ended `move_after` ago), and deletes the R2
 * objects of dropped cold chunks.
 *
 * A move is crash-safe and idempotent (see `tier-uploads` for the
 * bookkeeping that keeps every object known): it PUTs the chunk's exact bytes
 * (header + blocks, the single-buffer form) under a key of its own, verifies
 * them, and in one SQLite transaction marks the chunk cold (`cold_chunks`)
 * and deletes its blocks. A crash before that commit leaves the chunk warm;
 * the next alarm settles the dead attempt's object as garbage and moves the
 * chunk again. Keys start with `{databaseId}/`, which database teardown deletes.
 */

import { serializeParts } from '../engine/columnar/chunk-format.ts';
import { readChunkHeader } from '../engine/columnar/index.ts';
import type { DistTable } from '../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import { type BlockCache, freezeDueChunks } from './shard-freeze.ts';
import { knownTables } from './shard-maintenance.ts';
import type { Meter } from './shard-storage.ts';
import { chunkObjectKey, settleDeadUploads, type UploadDeps, uploadChunkObject } from './tier-uploads.ts';

/** Chunks one alarm moves at most (the rest wait for the next run). */
export const TIER_BATCH = 32;

/** What a move needs from the Durable Object. */
export interface TierDeps extends UploadDeps {
  /** The shard's name (`{databaseId}:{shardCount}:{index}`). */
  readonly shardName: string | undefined;
}

/** Test hook: fail right after the object is written and verified, before SQLite changes. */
export interface TierFaults {
  readonly crashAfterPut?: boolean;
}

/** Warm chunk ids of `table` (only those of the bucket starting at `bucket`, when given). */
export function warmChunkIds(m: Meter, table: number, bucket?: number): number[] {
  return m
    .all<{ id: number }>(
      `SELECT id FROM chunks WHERE table_id = ?1 AND (?2 IS NULL OR bucket = ?2)
       AND id NOT IN (SELECT chunk_id FROM cold_chunks) ORDER BY bucket, id`,
      table,
      bucket ?? null,
    )
    .map((r) => r.id);
}

/** Warm chunk ids of `t` whose time range ended at or before `cutoffUs`. */
export function warmChunksBefore(m: Meter, t: DistTable, cutoffUs: number, limit: number): number[] {
  const last = cutoffUs - (t.hypertable?.chunkIntervalUs ?? 0);
  return m
    .all<{ id: number }>(
      `SELECT id FROM chunks WHERE table_id = ? AND bucket <= ?
       AND id NOT IN (SELECT chunk_id FROM cold_chunks) ORDER BY bucket, id LIMIT ?`,
      t.id,
      last,
      limit,
    )
    .map((r) => r.id);
}

/** Moves one warm chunk to R2 (see the module comment). Returns false when it is gone or already cold. */
export async function moveChunkToCold(
  deps: TierDeps,
  m: Meter,
  table: number,
  chunkId: number,
  faults: TierFaults = {},
): Promise<boolean> {
  if (!deps.shardName)
    throw new SqlError(SqlState.internalError, 'shard has no name: cannot key its cold objects');
  const c = m.all<{ header: ArrayBuffer }>(
    `SELECT header FROM chunks WHERE id = ? AND id NOT IN (SELECT chunk_id FROM cold_chunks)`,
    chunkId,
  )[0];
  if (!c) return false;
  const header = new Uint8Array(c.header);
  const parsed = readChunkHeader(header);
  const blocks = m.all<{ data: ArrayBuffer }>(
    `SELECT data FROM chunk_blocks WHERE chunk_id = ? ORDER BY col`,
    chunkId,
  );
  if (blocks.length !== parsed.columns.length)
    throw new SqlError(
      SqlState.internalError,
      `chunk ${chunkId} has ${blocks.length} blocks, header says ${parsed.columns.length}`,
    );
  const bytes = serializeParts(
    header,
    blocks.map((b) => new Uint8Array(b.data)),
  );
  const key = chunkObjectKey(deps.shardName, 'cold', table, chunkId);
  const upload = {
    key,
    tier: 'cold' as const,
    chunkId,
    bytes,
    metadata: { format: 'orochi-chunk', table: String(table), chunk: String(chunkId) },
  };
  return uploadChunkObject(
    deps,
    m,
    upload,
    () => {
      // Dropped, or moved by another attempt, while the upload ran: this object is garbage.
      const warm = m.all(
        `SELECT 1 AS x FROM chunks WHERE id = ? AND id NOT IN (SELECT chunk_id FROM cold_chunks)`,
        chunkId,
      );
      if (warm.length === 0) return false;
      m.all(
        `INSERT INTO cold_chunks (chunk_id, table_id, object_key, object_bytes) VALUES (?, ?, ?, ?)`,
        chunkId,
        table,
        key,
        bytes.length,
      );
      m.all(`DELETE FROM chunk_blocks WHERE chunk_id = ?`, chunkId);
      return true;
    },
    faults,
  );
}

/** Moves every chunk due under the tables' tiering policies (at most `TIER_BATCH`). Returns chunks moved and whether more are due. */
export async function tierDueChunks(
  deps: TierDeps,
  m: Meter,
  nowMs: number,
  faults: TierFaults = {},
  /** The alarm's: a chunk that fails is reported here and skipped, so it cannot block the others. */
  onError?: (chunkId: number, e: unknown) => void,
): Promise<{ moved: number; more: boolean }> {
  let moved = 0;
  let more = false;
  let budget = TIER_BATCH;
  for (const t of knownTables(m)) {
    if (t.tierAfterUs === undefined || !t.hypertable) continue;
    if (budget <= 0) {
      more = true;
      break;
    }
    const due = warmChunksBefore(m, t, nowMs * 1000 - t.tierAfterUs, budget + 1);
    if (due.length > budget) more = true;
    for (const id of due.slice(0, budget)) {
      try {
        if (await moveChunkToCold(deps, m, t.id, id, faults)) moved++;
      } catch (e) {
        if (!onError) throw e;
        onError(id, e);
      }
    }
    budget -= Math.min(due.length, budget);
  }
  return { moved, more };
}

/**
 * Deletes R2 objects of dropped (or re-tiered) chunks and of dead uploads.
 * A key a chunk references is never deleted (its garbage row is only
 * dropped). Returns objects deleted.
 */
export async function collectColdGarbage(deps: TierDeps, m: Meter): Promise<number> {
  deps.storage.transactionSync(() => {
    settleDeadUploads(m, deps.uploads);
    m.all(`DELETE FROM tier_garbage WHERE object_key IN (SELECT object_key FROM cold_chunks)`);
  });
  const rows = m.all<{ object_key: string; tier: string }>(
    `SELECT object_key, tier FROM tier_garbage LIMIT 1000`,
  );
  if (rows.length === 0) return 0;
  for (const tier of ['cold', 'frozen']) {
    const keys = rows.filter((r) => r.tier === tier).map((r) => r.object_key);
    if (keys.length > 0) await (tier === 'frozen' ? deps.frozen : deps.bucket).delete(keys);
  }
  for (const r of rows) m.all(`DELETE FROM tier_garbage WHERE object_key = ?`, r.object_key);
  return rows.length;
}

/** Moves `table`'s warm chunks (of the bucket starting at `bucket`, when given) to R2 now. Returns chunks moved. */
export async function tierNow(
  deps: TierDeps,
  m: Meter,
  table: number,
  bucket: number | undefined,
  faults: TierFaults = {},
): Promise<number> {
  let moved = 0;
  for (const id of warmChunkIds(m, table, bucket))
    if (await moveChunkToCold(deps, m, table, id, faults)) moved++;
  return moved;
}

/**
 * The alarm's tiering step: deletes garbage, moves due chunks to cold and to
 * frozen, deletes what moves of dropped chunks left. Each chunk and each
 * garbage collection fails alone (logged, counted in `failed`, retried by a
 * later alarm). `soon` when work remains; `periodic` when a table has a
 * tiering policy (the alarm must keep coming).
 */
export async function runTiering(
  deps: TierDeps,
  m: Meter,
  nowMs: number,
  cache: BlockCache,
): Promise<{ moved: number; soon: boolean; periodic: boolean; failed: number }> {
  let failed = 0;
  const onError = (chunkId: number, e: unknown) => {
    failed++;
    console.error(`shard ${deps.shardName} alarm: moving chunk ${chunkId} failed; retried later:`, e);
  };
  const collect = async () => {
    try {
      return await collectColdGarbage(deps, m);
    } catch (e) {
      failed++;
      console.error(`shard ${deps.shardName} alarm: deleting R2 garbage failed; retried later:`, e);
      return 0;
    }
  };
  await collect();
  // Freeze first: a chunk already due for the frozen tier goes there straight from warm.
  const frozen = await freezeDueChunks(deps, m, nowMs, cache, TIER_BATCH, onError);
  const cold = await tierDueChunks(deps, m, nowMs, {}, onError);
  const garbage = (await collect()) > 0;
  const periodic = knownTables(m).some((t) => t.tierAfterUs !== undefined || t.freezeAfterUs !== undefined);
  return { moved: cold.moved + frozen.moved, soon: cold.more || frozen.more || garbage, periodic, failed };
}
