/**
 * @module workers/data-plane/cluster
 * How a Worker reaches a database's Durable Objects: the catalog (one per
 * database) and the shards. Routing and pruning follow the shard map the
 * catalog snapshot carries (see engine/distributed/shard-map): every table with
 * the same shard count shares one placement's map and ShardDOs — the
 * colocation group — so equal distribution values land on the same shard.
 * Map entries name shard objects within the database (`{count}:{index}`); the
 * object's name is `{databaseId}:{entry}`.
 */
import type { CatalogDO, CatalogSnapshot } from '../../durable-objects/catalog-do.ts';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import type { ShardDO } from '../../durable-objects/shard-do.ts';
import { RETRY_STATE, STALE_CATALOG } from '../../durable-objects/shard-tables.ts';
import {
  mapShards,
  placementOf,
  type ShardMap,
  type ShardPlacement,
  shardOfValue,
} from '../../engine/distributed/shard-map.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { isSqlError, SqlError, SqlState } from '../../engine/errors.ts';
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

  /** Object name of a shard map entry (`{count}:{index}`) of this database. */
  private objectName(entry: string): string {
    return `${this.databaseId}:${entry}`;
  }

  /** Shard name of `index` in the colocation group of `shardCount` shards (the initial map's names). */
  shardName(shardCount: number, index: number): string {
    return this.objectName(`${shardCount}:${index}`);
  }

  /** A shard stub by name. */
  shard(name: string): DurableObjectStub<ShardDO> {
    return this.env.SHARD.get(this.env.SHARD.idFromName(name), this.placement);
  }

  /** The last snapshot this cluster read: routing follows its maps. */
  private current?: CatalogSnapshot;

  /** The shard map of `t`'s placement in the last snapshot read. */
  mapOf(t: DistTable): ShardMap {
    const map = this.current?.maps.find((m) => m.shardCount === t.shardCount);
    if (!map)
      throw new SqlError(
        SqlState.internalError,
        `no shard map for the placement of "${t.name}" (${t.shardCount} shards) in the catalog`,
      );
    return map;
  }

  /** What a request to shard `name` about `t` carries: its ranges and their map version. */
  placementFor(t: DistTable, name: string): ShardPlacement {
    const prefix = `${this.databaseId}:`;
    return placementOf(this.mapOf(t), name.startsWith(prefix) ? name.slice(prefix.length) : name);
  }

  /** Every shard name a table lives on. */
  shardsOf(t: DistTable): string[] {
    return mapShards(this.mapOf(t)).map((s) => this.objectName(s));
  }

  /** Shard names owning the given distribution values (deduplicated). */
  shardsFor(t: DistTable, values: readonly unknown[]): string[] {
    if (t.placement.kind !== 'distributed') return this.shardsOf(t);
    const map = this.mapOf(t);
    return [...new Set(values.map((v) => this.objectName(shardOfValue(map, v))))];
  }

  /** Shard name owning `value`'s hash under `t`'s map (the first shard for tables not hash-distributed). */
  shardOfValue(t: DistTable, value: unknown): string {
    const map = this.mapOf(t);
    return this.objectName(t.placement.kind === 'distributed' ? shardOfValue(map, value) : mapShards(map)[0]);
  }

  /** Splits rows by owning shard. */
  routeRows(t: DistTable, rows: readonly Row[]): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    const col = t.placement.kind === 'distributed' ? t.placement.columnId : undefined;
    for (const r of rows) {
      const name = this.shardOfValue(t, col === undefined ? undefined : r[col]);
      const list = out.get(name);
      if (list) list.push(r);
      else out.set(name, [r]);
    }
    return out;
  }

  /** The catalog snapshot, cached per isolate by version (see `catalog-cache`). */
  async snapshot(): Promise<CatalogSnapshot> {
    const snap = await cachedCatalog(this.databaseId, () => this.catalog().snapshot());
    this.current = snap;
    return snap;
  }

  /**
   * After a shard refused a plan as stale: reads the catalog again and returns it when
   * `t` and its placement's map are unchanged (the same plan may go again), or
   * undefined when the statement must be planned again (42P01 when `t` is gone).
   */
  async refreshFor(t: DistTable): Promise<CatalogSnapshot | undefined> {
    const routed = this.mapOf(t).version;
    const snap = await this.refresh();
    const fresh = tableOf(snap, t.name);
    if (JSON.stringify(fresh) !== JSON.stringify(t) || this.mapOf(fresh).version !== routed) return undefined;
    return snap;
  }

  /**
   * Awaits a shard read; a refusal because it was planned with a stale table or map
   * version answers undefined and drops the cached catalog (the caller plans again).
   */
  async fresh<T>(read: Promise<T>): Promise<T | undefined> {
    try {
      return await read;
    } catch (e) {
      if (!isStalePlan(e)) throw e;
      forgetCatalog(this.databaseId);
      return undefined;
    }
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

/** A shard's refusal of a request planned with a stale table version, map version or routing (40001). */
export function isStalePlan(e: unknown): boolean {
  const err = fromRpcError(e);
  return isSqlError(err) && err.code === RETRY_STATE && err.message.includes(STALE_CATALOG);
}

/** Looks a table up in a snapshot (42P01 when absent). */
export function tableOf(snap: CatalogSnapshot, name: string): DistTable {
  const t = snap.tables.find((x) => x.name === name);
  if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return t;
}
