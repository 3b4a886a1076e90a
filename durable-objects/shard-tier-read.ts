/**
 * @module durable-objects/shard-tier-read
 * Reads of cold chunks. A cold chunk keeps its header (zone maps) and delete
 * bitmap in SQLite; its column blocks live in one R2 object laid out as the
 * chunk format's single-buffer form (header, then each block 8-byte aligned),
 * so the header doubles as the per-column offset table (`columnByteRange`).
 *
 * The engine's executor is synchronous, so blocks are fetched before a run:
 * the chunks the fragment's zone-map bounds cannot exclude, only the columns
 * it reads, with R2 range GETs (adjacent columns coalesced into one GET,
 * several GETs in parallel). Fetched blocks are pinned for the run and kept
 * in a bounded LRU in the Durable Object, so repeated queries skip R2. If the
 * run still asks for a block that was not fetched (the engine pruned less
 * than the bounds did, or a chunk changed tier while the request waited — a
 * frozen chunk is also re-encoded), the run is retried after fetching more:
 * first every remote chunk's read columns, then every column. Frozen chunks are read the
 * same way, one Parquet column page per GET, decoded and turned back into the
 * chunk block their header describes (see `shard-freeze`).
 */
import { columnByteRange, readChunkHeader } from '../engine/columnar/index.ts';
import { type ZoneValue, zoneMayMatchIn, zoneMayMatchRange } from '../engine/columnar/zone-map.ts';
import { chunkColumnName } from '../engine/distributed/chunk-rows.ts';
import type { ColumnBound } from '../engine/distributed/fragment.ts';
import { isSqlError, SqlError, SqlState } from '../engine/errors.ts';
import { decodeColumnPage } from '../engine/parquet/parquet-pages.ts';
import type { ColumnType } from '../engine/vector.ts';
import { frozenBlock } from './shard-freeze.ts';
import { ColdBlockMissing, type ColdBlocks, type Meter } from './shard-storage.ts';

/** Bytes of cold blocks a shard keeps between queries. */
export const COLD_CACHE_BYTES = 24 * 1024 * 1024;
/** R2 range GETs in flight at once (Workers allow six open connections per request). */
const PARALLEL_GETS = 6;

const blockKey = (chunkId: number, col: number) => `${chunkId}:${col}`;

/** One R2 range GET: consecutive columns of one chunk. */
interface RangeGet {
  readonly chunkId: number;
  readonly objectKey: string;
  readonly start: number;
  end: number;
  readonly cols: { col: number; start: number; end: number }[];
  /** A frozen chunk's Parquet page (decoded, then re-encoded as the chunk block). */
  readonly frozen?: { readonly name: string; readonly type: ColumnType; readonly rowCount: number };
}

/** A chunk in R2 as the prefetch sees it. */
interface RemoteChunk extends Record<string, SqlStorageValue> {
  chunk_id: number;
  object_key: string;
  header: ArrayBuffer;
  tier: string;
  layout: string | null;
}

function zoneValue(v: unknown): ZoneValue | undefined {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/** What to fetch: column ids the run reads (or every column), and bounds that may exclude chunks. */
export interface ColdNeeds {
  readonly reads: readonly number[] | 'all';
  readonly bounds: readonly ColumnBound[];
  /** Only these chunks (default: every cold chunk of the table). */
  readonly chunks?: readonly number[];
}

/** The table's chunks whose blocks are in R2. */
function remoteChunks(m: Meter, table: number, only?: readonly number[]): RemoteChunk[] {
  const all = m.all<{
    chunk_id: number;
    object_key: string;
    header: ArrayBuffer;
    tier: string;
    layout: string | null;
  }>(
    `SELECT k.chunk_id, k.object_key, c.header, k.tier, k.layout FROM cold_chunks k JOIN chunks c ON c.id = k.chunk_id
     WHERE k.table_id = ?`,
    table,
  );
  return only ? all.filter((c) => only.includes(c.chunk_id)) : all;
}

/** The cold-block cache of one shard, and the prefetch around a synchronous run. */
export class ColdBlockCache implements ColdBlocks {
  private readonly lru = new Map<string, Uint8Array>();
  private bytes = 0;
  private readonly pins = new Set<Map<string, Uint8Array>>();

  constructor(
    private readonly bucket: R2Bucket,
    private readonly frozen: R2Bucket,
    private readonly budget = COLD_CACHE_BYTES,
  ) {}

  /** Drops cached blocks of a chunk whose blocks changed (it was frozen: new canonical blocks). */
  forget(chunkId: number): void {
    for (const [k, b] of this.lru) {
      if (k.startsWith(`${chunkId}:`)) {
        this.lru.delete(k);
        this.bytes -= b.byteLength;
      }
    }
  }

  block(chunkId: number, col: number): Uint8Array | undefined {
    const k = blockKey(chunkId, col);
    for (const pin of this.pins) {
      const b = pin.get(k);
      if (b) return b;
    }
    const b = this.lru.get(k);
    if (b) {
      this.lru.delete(k); // most recently used goes last
      this.lru.set(k, b);
    }
    return b;
  }

  /** Forgets every cached block (the shard was destroyed). */
  clear(): void {
    this.lru.clear();
    this.bytes = 0;
  }

  /**
   * Fetches the cold blocks `needs` may touch in `table`, then runs `run`
   * (synchronous engine work or a SQLite transaction) with them pinned.
   */
  async withBlocks<T>(m: Meter, table: number, needs: ColdNeeds, run: () => T | Promise<T>): Promise<T> {
    let cold = remoteChunks(m, table, needs.chunks);
    const pin = new Map<string, Uint8Array>();
    this.pins.add(pin);
    try {
      if (cold.length > 0) await this.fetch(m, pin, cold, needs);
      for (let attempt = 0; ; attempt++) {
        try {
          return await run();
        } catch (e) {
          const missing = e instanceof ColdBlockMissing;
          const corrupt = isSqlError(e) && e.message.startsWith('columnar chunk is corrupt');
          if ((!missing && !corrupt) || attempt >= 2) throw e;
          // A chunk may have changed tier (freezing also re-encodes it) while this request waited.
          const now = remoteChunks(m, table, needs.chunks);
          const changed = now.filter((c) => cold.find((x) => x.chunk_id === c.chunk_id)?.tier !== c.tier);
          if (corrupt && changed.length === 0) throw e;
          for (const c of changed) {
            this.forget(c.chunk_id);
            for (const k of pin.keys()) if (k.startsWith(`${c.chunk_id}:`)) pin.delete(k);
          }
          cold = now;
          const reads = attempt === 0 && needs.reads !== 'all' ? [...needs.reads] : 'all';
          await this.fetch(m, pin, cold, { reads, bounds: [] });
        }
      }
    } finally {
      this.pins.delete(pin);
    }
  }

  private async fetch(
    m: Meter,
    pin: Map<string, Uint8Array>,
    cold: readonly RemoteChunk[],
    needs: ColdNeeds,
  ): Promise<void> {
    const gets: RangeGet[] = [];
    for (const c of cold) {
      const header = readChunkHeader(new Uint8Array(c.header));
      const indexOf = (id: number) => header.columns.findIndex((col) => col.name === chunkColumnName(id));
      const excluded = needs.bounds.some((b) => {
        const i = indexOf(b.columnId);
        if (i < 0) return false; // the chunk predates the column: it reads as the default
        const zone = header.columns[i].zone;
        if (b.values) {
          const vs = b.values.map(zoneValue);
          return !vs.includes(undefined) && !zoneMayMatchIn(zone, vs as ZoneValue[]);
        }
        const lo = b.lo === undefined ? undefined : zoneValue(b.lo);
        const hi = b.hi === undefined ? undefined : zoneValue(b.hi);
        if ((b.lo !== undefined && lo === undefined) || (b.hi !== undefined && hi === undefined))
          return false;
        return !zoneMayMatchRange(zone, lo, hi);
      });
      if (excluded) continue;
      const cols =
        needs.reads === 'all'
          ? header.columns.map((_, i) => i)
          : needs.reads.map(indexOf).filter((i) => i >= 0);
      let run: RangeGet | undefined;
      const layout = c.layout ? (JSON.parse(c.layout) as [number, number, number][]) : [];
      for (const col of [...new Set(cols)].sort((a, b) => a - b)) {
        const k = blockKey(c.chunk_id, col);
        const have = pin.get(k) ?? this.block(c.chunk_id, col);
        if (have) {
          pin.set(k, have);
          continue;
        }
        if (c.tier === 'frozen') {
          const [offset, headerLength, bodyLength] = layout[col];
          const start = offset + headerLength;
          const meta = header.columns[col];
          const frozen = { name: meta.name, type: meta.type, rowCount: header.rowCount };
          const end = start + bodyLength;
          gets.push({
            chunkId: c.chunk_id,
            objectKey: c.object_key,
            start,
            end,
            cols: [{ col, start, end }],
            frozen,
          });
          continue;
        }
        const r = columnByteRange(header, col);
        // Blocks are 8-byte aligned: the next column starts at the aligned end of this one.
        if (run && ((run.end + 7) & ~7) === r.start) {
          run.cols.push({ col, ...r });
          run.end = r.end;
        } else {
          run = {
            chunkId: c.chunk_id,
            objectKey: c.object_key,
            start: r.start,
            end: r.end,
            cols: [{ col, ...r }],
          };
          gets.push(run);
        }
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < gets.length) {
        const g = gets[next++];
        const obj = await (g.frozen ? this.frozen : this.bucket).get(g.objectKey, {
          range: { offset: g.start, length: g.end - g.start },
        });
        if (!obj)
          throw new SqlError(
            SqlState.internalError,
            `cold chunk ${g.chunkId}: object ${g.objectKey} is missing`,
          );
        const buf = new Uint8Array(await obj.arrayBuffer());
        if (buf.length !== g.end - g.start)
          throw new SqlError(SqlState.internalError, `cold chunk ${g.chunkId}: short range read`);
        m.stats.r2BytesRead += buf.length;
        for (const c of g.cols) {
          const f = g.frozen;
          const block = f
            ? frozenBlock(f.name, f.type, await decodeColumnPage(buf, f.type, f.rowCount, 'gzip'), f.rowCount)
            : buf.subarray(c.start - g.start, c.end - g.start);
          pin.set(blockKey(g.chunkId, c.col), block);
          this.remember(blockKey(g.chunkId, c.col), block);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_GETS, gets.length) }, worker));
  }

  private remember(k: string, block: Uint8Array): void {
    if (block.byteLength > this.budget || this.lru.has(k)) return;
    this.lru.set(k, block);
    this.bytes += block.byteLength;
    for (const [old, b] of this.lru) {
      if (this.bytes <= this.budget) break;
      this.lru.delete(old);
      this.bytes -= b.byteLength;
    }
  }
}
