/**
 * @module durable-objects/shard-freeze
 * The frozen tier: a chunk becomes one Parquet file (engine/parquet; GZIP
 * pages — the architecture's zstd has no implementation in the Workers
 * runtime) in the FROZEN bucket, with the table's column names, so DuckDB,
 * Spark or Arrow can read it straight from R2. The shard keeps querying it:
 * the chunk header (zone maps) and delete bitmap stay in SQLite, and a scan
 * range-reads one Parquet column page per needed column (`shard-tier-read`),
 * decodes it and re-encodes it as a chunk block.
 *
 * For that, freezing rewrites the chunk's header to the "canonical" encoding
 * of each column (the block the encoder makes from the values decoded out of
 * the Parquet page), so a read reproduces exactly the bytes the header's
 * length and CRC describe. Before anything is committed every column is
 * decoded back from the written file and compared with the original values.
 * The move is crash-safe like a cold move (see `tier-uploads`): recorded,
 * verified PUT, one SQLite transaction (new header, blocks or cold object
 * dropped, chunk marked frozen).
 */

import { writeChunkHeader } from '../engine/columnar/chunk-format.ts';
import {
  type ChunkReader,
  type ColumnMeta,
  encodeChunks,
  openChunk,
  openChunkParts,
  readChunkHeader,
} from '../engine/columnar/index.ts';
import { columnIdOf, vectorValues } from '../engine/distributed/chunk-rows.ts';
import type { DistTable } from '../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import { decodeColumnPage } from '../engine/parquet/parquet-pages.ts';
import { writeParquetFile } from '../engine/parquet/parquet-writer.ts';
import { vectorFromValues } from '../engine/storage/chunk-builder.ts';
import type { ColumnType } from '../engine/vector.ts';
import { knownTables } from './shard-maintenance.ts';
import type { Meter } from './shard-storage.ts';
import type { TierDeps } from './shard-tier.ts';
import { chunkObjectKey, uploadChunkObject } from './tier-uploads.ts';

/** The chunk block the encoder makes from a column's values (deterministic). */
function canonical(name: string, type: ColumnType, values: readonly unknown[], rowCount: number) {
  const chunks = encodeChunks([{ name, type }], [vectorFromValues(type, values)], rowCount);
  if (chunks.length !== 1)
    throw new SqlError(SqlState.programLimitExceeded, `column ${name} does not fit one chunk block`);
  return { block: chunks[0].columns[0], meta: readChunkHeader(chunks[0].header).columns[0] };
}

/** A frozen chunk's column block, rebuilt from the values of its Parquet page. */
export function frozenBlock(name: string, type: ColumnType, values: readonly unknown[], rowCount: number) {
  return canonical(name, type, values, rowCount).block;
}

const same = (a: unknown, b: unknown) =>
  Object.is(a, b) || (typeof b === 'bigint' && typeof a === 'number' && BigInt(a) === b);

/** Opens a warm (SQLite) or cold (R2) chunk with all of its blocks readable. */
async function openStored(
  deps: TierDeps,
  m: Meter,
  chunkId: number,
  header: Uint8Array,
  coldKey: string | null,
) {
  if (coldKey === null) return openChunkParts(header, (i) => m.block(chunkId, i));
  const obj = await deps.bucket.get(coldKey);
  if (!obj) throw new SqlError(SqlState.internalError, `cold chunk ${chunkId}: object ${coldKey} is missing`);
  const bytes = new Uint8Array(await obj.arrayBuffer());
  m.stats.r2BytesRead += bytes.length;
  return openChunk(bytes);
}

/**
 * Moves one warm or cold chunk of `table` to the frozen tier. Returns false
 * when the chunk is gone or already frozen. `cache.forget` drops cached blocks
 * of its old encoding.
 */
export async function freezeChunk(
  deps: TierDeps,
  m: Meter,
  table: DistTable,
  chunkId: number,
  cache: BlockCache,
): Promise<boolean> {
  if (!deps.shardName)
    throw new SqlError(SqlState.internalError, 'shard has no name: cannot key its objects');
  const row = m.all<{ header: ArrayBuffer; tier: string | null; object_key: string | null }>(
    `SELECT c.header, k.tier, k.object_key FROM chunks c LEFT JOIN cold_chunks k ON k.chunk_id = c.id WHERE c.id = ?`,
    chunkId,
  )[0];
  if (!row || row.tier === 'frozen') return false;
  const reader: ChunkReader = await openStored(deps, m, chunkId, new Uint8Array(row.header), row.object_key);
  const n = reader.rowCount;
  const names = reader.columns.map((c) => {
    const id = columnIdOf(c.name);
    return table.columns.find((x) => x.id === id)?.name ?? `_dropped_${c.name}`;
  });
  const vectors = reader.columns.map((_, i) => reader.column(i));
  const file = await writeParquetFile(
    reader.columns.map((c, i) => ({ name: names[i], type: c.type, vector: vectors[i] })),
    n,
    'gzip',
  );
  // Decode every page back: the data must survive, and the header must describe what reads will rebuild.
  const metas: ColumnMeta[] = [];
  for (const [i, c] of reader.columns.entries()) {
    const l = file.columns[i];
    const body = file.bytes.subarray(l.offset + l.headerLength, l.offset + l.headerLength + l.bodyLength);
    const values = await decodeColumnPage(body, c.type, n, 'gzip');
    const original = vectorValues(vectors[i]);
    for (let r = 0; r < n; r++)
      if (!same(original[r], values[r]))
        throw new SqlError(
          SqlState.internalError,
          `chunk ${chunkId}: column ${c.name} row ${r} changed in Parquet`,
        );
    metas.push({ ...canonical(c.name, c.type, values, n).meta, name: c.name });
  }
  const layout = JSON.stringify(file.columns.map((l) => [l.offset, l.headerLength, l.bodyLength]));
  const key = chunkObjectKey(deps.shardName, 'frozen', table.id, chunkId);
  const upload = {
    key,
    tier: 'frozen' as const,
    chunkId,
    bytes: file.bytes,
    metadata: { format: 'parquet', table: table.name },
  };
  const done = await uploadChunkObject(deps, m, upload, () => {
    // Dropped or frozen by another attempt while the upload ran: this object is garbage.
    const current = m.all<{ tier: string | null; object_key: string | null }>(
      `SELECT k.tier, k.object_key FROM chunks c LEFT JOIN cold_chunks k ON k.chunk_id = c.id WHERE c.id = ?`,
      chunkId,
    )[0];
    if (!current || current.tier === 'frozen') return false;
    m.all(`UPDATE chunks SET header = ? WHERE id = ?`, writeChunkHeader(n, metas), chunkId);
    m.all(`DELETE FROM chunk_blocks WHERE chunk_id = ?`, chunkId);
    // The chunk's cold object (it may have gone cold while this upload ran) is no longer read.
    if (current.object_key !== null)
      m.all(`INSERT OR IGNORE INTO tier_garbage (object_key, tier) VALUES (?, 'cold')`, current.object_key);
    m.all(
      `INSERT OR REPLACE INTO cold_chunks (chunk_id, table_id, object_key, object_bytes, tier, layout)
       VALUES (?, ?, ?, ?, 'frozen', ?)`,
      chunkId,
      table.id,
      key,
      file.bytes.length,
      layout,
    );
    return true;
  });
  cache.forget(chunkId);
  return done;
}

/** Chunk ids of `table` not yet frozen (of the bucket starting at `bucket`; or ending by `endBeforeUs`). */
export function unfrozenChunkIds(
  m: Meter,
  table: DistTable,
  opts: { bucket?: number; endBeforeUs?: number },
): number[] {
  const last =
    opts.endBeforeUs === undefined ? null : opts.endBeforeUs - (table.hypertable?.chunkIntervalUs ?? 0);
  return m
    .all<{ id: number }>(
      `SELECT id FROM chunks WHERE table_id = ?1 AND (?2 IS NULL OR bucket = ?2) AND (?3 IS NULL OR bucket <= ?3)
       AND id NOT IN (SELECT chunk_id FROM cold_chunks WHERE tier = 'frozen') ORDER BY bucket, id`,
      table.id,
      opts.bucket ?? null,
      last,
    )
    .map((r) => r.id);
}

/** Something that caches blocks by chunk (the shard's cold-block cache). */
export interface BlockCache {
  forget(chunkId: number): void;
}

/** freeze_chunk: freezes `table`'s chunks (of the bucket starting at `bucket`, when given) now. Returns chunks frozen. */
export async function freezeNow(
  deps: TierDeps,
  m: Meter,
  table: DistTable,
  bucket: number | undefined,
  cache: BlockCache,
): Promise<number> {
  let n = 0;
  for (const id of unfrozenChunkIds(m, table, { bucket }))
    if (await freezeChunk(deps, m, table, id, cache)) n++;
  return n;
}

/** Freezes up to `budget` chunks due under the tables' freeze policies. Returns chunks frozen and whether more are due. */
export async function freezeDueChunks(
  deps: TierDeps,
  m: Meter,
  nowMs: number,
  cache: BlockCache,
  budget: number,
  /** The alarm's: a chunk that fails is reported here and skipped, so it cannot block the others. */
  onError?: (chunkId: number, e: unknown) => void,
): Promise<{ moved: number; more: boolean }> {
  let moved = 0;
  let left = budget;
  for (const t of knownTables(m)) {
    if (t.freezeAfterUs === undefined || !t.hypertable) continue;
    const due = unfrozenChunkIds(m, t, { endBeforeUs: nowMs * 1000 - t.freezeAfterUs });
    for (const id of due.slice(0, Math.max(0, left))) {
      try {
        if (await freezeChunk(deps, m, t, id, cache)) moved++;
      } catch (e) {
        if (!onError) throw e;
        onError(id, e);
      }
    }
    left -= due.length;
  }
  return { moved, more: left < 0 };
}
