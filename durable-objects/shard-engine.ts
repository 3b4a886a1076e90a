/**
 * @module durable-objects/shard-engine
 * Runs plan fragments on the engine's vectorized executor over this shard's
 * SQLite storage. One engine `Database` per table is cached in the Durable
 * Object instance with the table's chunk headers (zone maps) and hot rows;
 * column blocks are fetched lazily, only for the columns and chunks a scan
 * reads. Decoded columns of the chunks within DECODED_CACHE_BYTES stay in
 * memory, as the in-process engine keeps them: a warm query neither reads nor
 * decodes those blocks again (and is not billed for them — the meters count
 * what really comes out of SQLite). Chunks past the budget are fetched and
 * decoded on every query, which bounds a DO's memory. Cached hypertable chunks
 * are scanned in 8,192-row time slices with exact time zone maps (see
 * `time-slices`), so a one-hour query skips most of a 12-hour chunk; the
 * `chunksScanned/Skipped` meters then count slices.
 *
 * The cache is keyed by the table definition the Worker sent (so ALTER TABLE
 * or a newer catalog version rebuilds it) and dropped by `invalidate()`, which
 * the shard calls after anything that changes its rows or chunks.
 */

import wasmModule from 'libpg-query/wasm/libpg-query.wasm';
import { openChunkParts } from '../engine/columnar/index.ts';
import type { Database } from '../engine/database.ts';
import { columnIdOf } from '../engine/distributed/chunk-rows.ts';
import type { Fragment, PartialResult } from '../engine/distributed/fragment.ts';
import {
  dmlEvaluatorReady,
  engineOver,
  engineTableDef,
  hotSegment,
  runFragmentOnEngine,
} from '../engine/distributed/fragment-engine.ts';
import { parsePlaneJson } from '../engine/distributed/row-json.ts';
import { segmentSlices } from '../engine/distributed/segment-slices.ts';
import { chunkLayoutOf } from '../engine/distributed/table-layout.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { timeSlices } from '../engine/distributed/time-slices.ts';
import { initParser } from '../engine/sql/parser.ts';
import { encodedSegment } from '../engine/storage/segment-store.ts';
import type { SegmentView } from '../engine/storage/table-store.ts';
import { newNullBitmap, setNullAt } from '../engine/vector.ts';
import type { RowOverlay } from './shard-scan.ts';
import { ShardSpill } from './shard-spill.ts';
import { ColdBlockMissing, type Meter } from './shard-storage.ts';

/** Estimated decoded bytes (8 per value) of the chunks whose decoded columns are kept, per table. */
const DECODED_CACHE_BYTES = 48 << 20;

interface CachedTable {
  readonly key: string;
  readonly db: Database;
  /** The meter of the query in flight: lazily fetched blocks are billed to it. */
  meter: Meter;
  /** Milliseconds the query in flight spent reading blocks from SQLite. */
  blockMs: number;
}

/** Loads the PostgreSQL parser once per isolate (a DO may live in an isolate no Worker route warmed). */
function ensureParser(): Promise<void> {
  // With nodejs_compat the emscripten glue reads `__dirname`, which the ESM bundle does not define.
  const g = globalThis as { __dirname?: string };
  if (g.__dirname === undefined) g.__dirname = '/';
  return initParser({ wasmModule });
}

/** Readies the engine that evaluates UPDATE / DELETE shipped as SQL (see `shard-dml`). */
export async function ensureDmlEngine(): Promise<void> {
  await ensureParser();
  await dmlEvaluatorReady(wasmModule);
}

/** Per-DO engine cache and fragment runner. */
export class ShardEngine {
  private readonly tables = new Map<string, CachedTable>();
  /** Bumped by `invalidate`: an engine built across a change is used once, never cached. */
  private generation = 0;
  /** Operator memory per query in bytes (undefined: the engine's default); tests lower it to force spilling. */
  memoryLimit: number | undefined;

  /** Forgets every cached table (after writes, compaction, retention, DROP). */
  invalidate(): void {
    this.generation++;
    this.tables.clear();
  }

  /**
   * Runs `f` over `table` on the engine; adds chunk and byte counters to `m.stats`. With an
   * `overlay` (a transaction reading its own writes, see `shard-txn`), over that view, uncached.
   */
  async run(m: Meter, f: Fragment, table: DistTable, overlay?: RowOverlay): Promise<PartialResult> {
    const t0 = performance.now();
    const cached = await this.open(m, table, overlay);
    const t1 = performance.now();
    cached.meter = m;
    // Operator state past the memory budget spills to this shard's SQLite, billed to this query.
    cached.db.spill = new ShardSpill(m);
    if (this.memoryLimit !== undefined) cached.db.memoryLimit = this.memoryLimit;
    cached.blockMs = 0;
    const { result, stats, timing } = await runFragmentOnEngine(cached.db, f);
    m.stats.chunksScanned += stats.chunksScanned;
    m.stats.chunksSkipped += stats.chunksSkipped;
    const total = performance.now() - t0;
    return { ...result, timing: { open: t1 - t0, ...timing, blocks: cached.blockMs, total } };
  }

  /** The segments of `table` (the cached engine's), blocks billed to `m`: for join fragments (see `shard-join`). */
  async segmentsOf(m: Meter, table: DistTable): Promise<readonly SegmentView[]> {
    const cached = await this.open(m, table);
    cached.meter = m;
    return cached.db.store.get(table.name)?.segments() ?? [];
  }

  private async open(m: Meter, table: DistTable, overlay?: RowOverlay): Promise<CachedTable> {
    const key = JSON.stringify(table);
    const hit = this.tables.get(table.name);
    if (hit && hit.key === key && !overlay) return hit;
    await ensureParser();
    const generation = this.generation;
    const hot = m
      .all<{ rid: number; data: string }>(
        `SELECT rid, data FROM hot_rows WHERE table_id = ? ORDER BY rid`,
        table.id,
      )
      .filter((h) => !overlay?.hot.has(h.rid))
      .map((h) => parsePlaneJson<Row>(h.data));
    if (overlay) hot.push(...overlay.rows);
    const chunks = m.all<{ id: number; row_count: number; header: ArrayBuffer; deleted: ArrayBuffer | null }>(
      `SELECT id, row_count, header, deleted FROM chunks WHERE table_id = ? ORDER BY id`,
      table.id,
    );
    let entry: CachedTable | undefined;
    const segments: SegmentView[] = [];
    if (hot.length > 0) segments.push(hotSegment(table, hot));
    // The newest chunks get the decoded-column budget first: recent time ranges are queried most.
    const keep = new Set<number>();
    let budget = DECODED_CACHE_BYTES;
    for (let i = chunks.length - 1; i >= 0; i--) {
      const estimate = chunks[i].row_count * table.columns.length * 8;
      if (estimate <= budget) {
        budget -= estimate;
        keep.add(chunks[i].id);
      }
    }
    const time = table.hypertable?.timeColumnId;
    const segmentBy = chunkLayoutOf(table)?.segmentBy[0];
    /** Cached chunks of a clustered table: sliced per segment value on first use (see `slicesOf`). */
    const clustered = new Set<SegmentView>();
    for (const c of chunks) {
      const reader = openChunkParts(
        new Uint8Array(c.header),
        (i) => {
          const meter = entry!.meter;
          const t0 = performance.now();
          const block = meter.block(c.id, i); // a SQLite row (warm) or a prefetched R2 range (cold)
          entry!.blockMs += performance.now() - t0;
          return block;
        },
        { cache: keep.has(c.id) },
      );
      const seg = encodedSegment(reader, columnIdOf, deletedOf(c, overlay));
      // Cached hypertable chunks are scanned in time slices that time predicates can skip; those
      // of a clustered table (by host, then time) in slices of one host each (see `segment-slices`).
      if (time !== undefined && keep.has(c.id) && segmentBy === undefined)
        segments.push(...timeSlices(seg, time));
      else {
        if (time !== undefined && keep.has(c.id)) clustered.add(seg);
        segments.push(seg);
      }
    }
    // Slicing by segment reads the segment column, so it waits for the first query (whose meter
    // pays for the block); a cold block not prefetched leaves that chunk whole.
    let sliced: SegmentView[] | undefined;
    const slicesOf = (s: SegmentView): SegmentView[] => {
      if (!clustered.has(s)) return [s];
      try {
        return segmentSlices(s, segmentBy!, time!) ?? timeSlices(s, time!);
      } catch (e) {
        if (e instanceof ColdBlockMissing) return [s];
        throw e;
      }
    };
    const db = await engineOver(
      [{ def: engineTableDef(table), segments: () => (sliced ??= segments.flatMap(slicesOf)) }],
      wasmModule,
    );
    entry = { key, db, meter: m, blockMs: 0 };
    if (generation === this.generation && !overlay) this.tables.set(table.name, entry);
    return entry;
  }
}

/** A chunk's delete bitmap, with the rows an overlay's transaction removes marked too. */
function deletedOf(
  c: { id: number; row_count: number; deleted: ArrayBuffer | null },
  overlay: RowOverlay | undefined,
): Uint8Array | undefined {
  const stored = c.deleted ? new Uint8Array(c.deleted) : undefined;
  if (!overlay || overlay.chunks.size === 0) return stored;
  const prefix = `${c.id}:`;
  const own = [...overlay.chunks].filter((k) => k.startsWith(prefix));
  if (own.length === 0) return stored;
  const bitmap = stored ? stored.slice() : newNullBitmap(c.row_count);
  for (const k of own) setNullAt(bitmap, Number(k.slice(prefix.length)));
  return bitmap;
}
