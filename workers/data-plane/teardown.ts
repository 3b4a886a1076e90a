/**
 * @module workers/data-plane/teardown
 * Deleting a database removes its data, not only its control-plane row: every
 * ShardDO of every placement its tables ever had (dropped tables and shard
 * counts since changed included: the catalog records each shard count it
 * placed a table with), its objects in both R2 tiers, then its CatalogDO.
 * Shards go first so a failure leaves the catalog (the map to the shards) in
 * place and the deletion can simply be retried.
 */
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { isSqlError } from '../../engine/errors.ts';
import { forgetCatalog } from './catalog-cache.ts';
import { Cluster } from './cluster.ts';

/** R2 keys of a database's objects all start with this prefix. */
export function databaseObjectPrefix(databaseId: string): string {
  return `${databaseId}/`;
}

async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    deleted += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** What a teardown removed. */
export interface TeardownReport {
  readonly shards: number;
  readonly objects: number;
}

/** Destroys every Durable Object and R2 object that belongs to `databaseId`. */
export async function destroyDatabaseData(env: Env, databaseId: string): Promise<TeardownReport> {
  const cluster = new Cluster(env, databaseId);
  // A retried deletion may find the catalog already destroyed (3D000): its shards went before it.
  const counts = await cluster
    .catalog()
    .placedShardCounts()
    .catch((e: unknown) => {
      const err = fromRpcError(e);
      if (isSqlError(err) && err.code === '3D000') return [] as number[];
      throw e;
    });
  const shardNames = counts.flatMap((n) => Array.from({ length: n }, (_, i) => cluster.shardName(n, i)));
  await Promise.all(shardNames.map((name) => cluster.shard(name).destroy()));
  const prefix = databaseObjectPrefix(databaseId);
  const objects = (await deletePrefix(env.COLD, prefix)) + (await deletePrefix(env.FROZEN, prefix));
  await cluster.catalog().destroy();
  forgetCatalog(databaseId);
  return { shards: shardNames.length, objects };
}
