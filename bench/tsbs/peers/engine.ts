/**
 * @module bench/tsbs/peers/engine
 * The Orochi Edge engine (`engine/index.ts` → `Database`) behind the same
 * {@link SqlPeer} seam. The engine is imported dynamically so the harness still
 * runs (peers only) on a tree where the engine cannot load yet; `loadEngine`
 * reports why instead of failing the whole run.
 */
import { formatPgTimestamp, formatPgTimestamptz, parsePgTimestamp } from '../../../engine/testing/pg-time.ts';
import { type Cell, normalizeDecimal } from '../../../engine/testing/result-compare.ts';
import { CPU_TABLE_DDL, type CpuData, cpuTableColumns } from '../generate.ts';
import type { PeerResult, SqlPeer } from './sql-peer.ts';

/** The slice of the engine's result we rely on. */
export interface EngineResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
  readonly rowCount: number;
  readonly stats?: {
    readonly chunksScanned?: number;
    readonly chunksSkipped?: number;
    readonly rowsScanned?: number;
  };
}

/** The slice of `Database` we rely on (see engine/database.ts). */
export interface EngineDatabase {
  exec(sql: string): Promise<unknown>;
  bulkLoad(table: string, columns: Record<string, unknown>, rowCount: number): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<EngineResult>;
  close?(): Promise<void> | void;
}

interface EngineModule {
  Database: { create(options?: { store?: unknown }): Promise<EngineDatabase> };
  /** engine/index.ts only; `encoded: true` keeps chunks in engine/columnar's compressed format. */
  MemoryTableStore?: new (opts?: {
    encoded?: boolean;
  }) => unknown;
}

/** How the engine keeps bulk-loaded chunks: compressed chunk format, or decoded vectors (the default store). */
export type EngineStorage = 'encoded' | 'decoded';

/**
 * Row order inside chunks: `segmentby` clusters each chunk by hostname, then time
 * (TimescaleDB's `compress_segmentby = 'hostname'`, `compress_orderby = 'time'`);
 * `none` keeps the generator's time-major order.
 */
export type EngineLayout = 'segmentby' | 'none';

/** The DDL that sets the `segmentby` layout on the cpu table. */
export const CPU_LAYOUT_DDL =
  "ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'hostname', timescaledb.compress_orderby = 'time')";

/** Imports engine/index.ts; returns why not when it does not load. */
export async function loadEngine(): Promise<EngineModule | string> {
  const path = '../../../engine/index.ts';
  try {
    const mod = (await import(/* @vite-ignore */ path)) as Partial<EngineModule>;
    if (typeof mod.Database?.create !== 'function') return 'engine/index.ts does not export Database.create';
    return mod as EngineModule;
  } catch (e) {
    return `engine/index.ts failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Engine value → normalized cell, using the column's declared type. */
export function engineCell(value: unknown, type: string): Cell {
  if (value === null || value === undefined) return null;
  const t = type.toLowerCase();
  if (typeof value === 'string') {
    if (t === 'numeric' || t.startsWith('decimal')) return normalizeDecimal(value);
    if (t.startsWith('timestamp')) {
      const us = parsePgTimestamp(value);
      if (us === undefined) return value;
      return t === 'timestamptz' || t.includes('with time zone')
        ? formatPgTimestamptz(us)
        : formatPgTimestamp(us);
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  return String(value);
}

/** Normalizes an engine result to cells. */
export function normalizeEngineResult(r: EngineResult): PeerResult {
  const types = r.columns.map((c) => c.type);
  return {
    columns: r.columns.map((c) => c.name),
    rows: r.rows.map((row) => row.map((v, i) => engineCell(v, types[i]))),
  };
}

/** The engine wrapped as a {@link SqlPeer}. */
export class EnginePeer implements SqlPeer {
  readonly name: string;
  constructor(
    readonly db: EngineDatabase,
    readonly storage: EngineStorage = 'decoded',
    readonly layout: EngineLayout = 'none',
  ) {
    this.name = `engine (${storage}${layout === 'none' ? '' : `, ${layout}`})`;
  }

  /**
   * Creates an empty engine database over an in-memory store whose chunks are
   * `storage` (default encoded: the chunk format a ShardDO stores), or returns why it cannot.
   */
  static async create(
    storage: EngineStorage = 'encoded',
    layout: EngineLayout = 'none',
  ): Promise<EnginePeer | string> {
    const mod = await loadEngine();
    if (typeof mod === 'string') return mod;
    if (!mod.MemoryTableStore) return 'engine/index.ts does not export MemoryTableStore';
    const store = new mod.MemoryTableStore({ encoded: storage === 'encoded' });
    return new EnginePeer(await mod.Database.create({ store }), storage, layout);
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async query(sql: string): Promise<PeerResult> {
    return normalizeEngineResult(await this.db.query(sql));
  }

  /** Runs a query and returns the raw engine result (the timing path). */
  raw(sql: string): Promise<EngineResult> {
    return this.db.query(sql);
  }

  /** Creates `cpu` and bulk-loads `data` (or its prebuilt `columns`) into the engine's columnar chunks. */
  async loadCpu(data: CpuData, columns = cpuTableColumns(data)): Promise<void> {
    await this.db.exec(CPU_TABLE_DDL);
    if (this.layout === 'segmentby') await this.db.exec(CPU_LAYOUT_DDL);
    await this.db.bulkLoad('cpu', columns, data.rowCount);
  }

  /**
   * Drops every chunk's decoded columns and cached blocks (cold mode): the next
   * query decodes from the compressed bytes again. Returns how many chunks were evicted.
   */
  evictDecoded(): number {
    const store = (this.db as { store?: EvictableStore }).store;
    let chunks = 0;
    for (const name of store?.names() ?? []) {
      for (const seg of store!.get(name)?.segments() ?? []) {
        if (seg.source.evict) {
          seg.source.evict();
          chunks++;
        }
      }
    }
    return chunks;
  }

  async close(): Promise<void> {
    await this.db.close?.();
  }
}

/** The slice of the engine's TableStore that cold mode walks. */
interface EvictableStore {
  names(): string[];
  get(name: string): { segments(): readonly { source: { evict?(): void } }[] } | undefined;
}
