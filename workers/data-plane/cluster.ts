/**
 * @module workers/data-plane/cluster
 * How a Worker reaches a database's Durable Objects: the catalog (one per
 * database) and the shards. Shards are named by database, shard count and
 * index, so every table with the same shard count shares ShardDOs — the
 * colocation group — and equal distribution values land on the same shard.
 */
import type { CatalogDO, CatalogSnapshot } from '../../durable-objects/catalog-do.ts';
import type { ShardDO } from '../../durable-objects/shard-do.ts';
import { buildHashRanges, shardForValue } from '../../engine/distributed/hash-ranges.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { cachedCatalog, forgetCatalog, noteCatalogVersion } from './catalog-cache.ts';

/** Handles to one database's Durable Objects. */
export class Cluster {
  /**
   * @param location the database's location hint: a Durable Object is placed
   * near it when this stub creates it (it has no effect on one that exists).
   */
  constructor(
    private readonly env: Env,
    readonly databaseId: string,
    readonly location?: DurableObjectLocationHint,
  ) {}

  private get placement(): DurableObjectNamespaceGetDurableObjectOptions | undefined {
    return this.location ? { locationHint: this.location } : undefined;
  }

  /** The catalog DO of this database. */
  catalog(): DurableObjectStub<CatalogDO> {
    return this.env.CATALOG.get(this.env.CATALOG.idFromName(this.databaseId), this.placement);
  }

  /** Shard name of `index` in the colocation group of `shardCount` shards. */
  shardName(shardCount: number, index: number): string {
    return `${this.databaseId}:${shardCount}:${index}`;
  }

  /** A shard stub by name. */
  shard(name: string): DurableObjectStub<ShardDO> {
    return this.env.SHARD.get(this.env.SHARD.idFromName(name), this.placement);
  }

  /** Every shard name a table lives on. */
  shardsOf(t: DistTable): string[] {
    return Array.from({ length: t.shardCount }, (_, i) => this.shardName(t.shardCount, i));
  }

  /** Shard names owning the given distribution values (deduplicated). */
  shardsFor(t: DistTable, values: readonly unknown[]): string[] {
    if (t.placement.kind !== 'distributed') return this.shardsOf(t);
    const ranges = buildHashRanges(t.shardCount);
    return [...new Set(values.map((v) => this.shardName(t.shardCount, shardForValue(ranges, v))))];
  }

  /** Splits rows by owning shard. */
  routeRows(t: DistTable, rows: readonly Row[]): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    const ranges = t.placement.kind === 'distributed' ? buildHashRanges(t.shardCount) : undefined;
    for (const r of rows) {
      const idx =
        ranges && t.placement.kind === 'distributed' ? shardForValue(ranges, r[t.placement.columnId]) : 0;
      const name = this.shardName(t.shardCount, idx);
      const list = out.get(name);
      if (list) list.push(r);
      else out.set(name, [r]);
    }
    return out;
  }

  /** The catalog snapshot, cached per isolate by version (see `catalog-cache`). */
  async snapshot(): Promise<CatalogSnapshot> {
    return cachedCatalog(this.databaseId, () => this.catalog().snapshot());
  }

  /** Drops the cached snapshot (after this Worker changed the catalog) and reads it again. */
  async refresh(): Promise<CatalogSnapshot> {
    forgetCatalog(this.databaseId);
    return this.snapshot();
  }

  /** True when a shard reported a catalog version newer than the cached one (the cache is dropped). */
  staleCatalog(version: number | undefined): boolean {
    return noteCatalogVersion(this.databaseId, version);
  }

  /** A table by name; a miss refetches once, since CREATE TABLE elsewhere reaches no shard. */
  async table(name: string): Promise<DistTable> {
    const snap = await this.snapshot();
    if (snap.tables.some((t) => t.name === name)) return tableOf(snap, name);
    return tableOf(await this.refresh(), name);
  }
}

/** Looks a table up in a snapshot (42P01 when absent). */
export function tableOf(snap: CatalogSnapshot, name: string): DistTable {
  const t = snap.tables.find((x) => x.name === name);
  if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return t;
}
