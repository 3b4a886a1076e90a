/**
 * @module workers/data-plane/write-path
 * Routing writes to shards. Every write carries a batch id, so a retried
 * request applies once per shard (the shard log remembers batch ids).
 *
 * - `bulkWrite` (ingest endpoints): one idempotent batch per shard, written
 *   straight into columnar chunks. Not atomic across shards, but a retry with the
 *   same idempotency key completes a partially applied request exactly once.
 * - `transactionalWrite` (SQL INSERT / DELETE): two-phase commit. The durable
 *   coordinator record goes to the CatalogDO first; shards log the operation as
 *   prepared; the decision is recorded in the catalog (the commit point); then
 *   shards apply. If the Worker dies midway, the catalog's alarm finishes the
 *   job: committed records are re-applied, records still `preparing` aborted.
 */
import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import type { KeyRejection } from '../../durable-objects/shard-unique.ts';
import { type BucketChunk, encodeTableRows } from '../../engine/distributed/chunk-rows.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';

/**
 * Outcome of a bulk write. `rejected`: rows a shard refused because their
 * PRIMARY KEY / UNIQUE key was already stored or repeated in the request.
 */
export interface BulkResult {
  readonly rowCount: number;
  readonly duplicate: boolean;
  readonly rejected: readonly KeyRejection[];
}

/** Rows per shard batch; keeps RPC payloads and chunk encodes bounded. */
export const MAX_BATCH_ROWS = 65_536;

/** Writes rows into their shards' chunks, idempotently per `batchId`. */
export async function bulkWrite(
  cluster: Cluster,
  table: DistTable,
  rows: readonly Row[],
  batchId: string,
  stats: StatsCollector,
): Promise<BulkResult> {
  const perShard = new Map<string, BucketChunk[][]>();
  for (const [name, list] of cluster.routeRows(table, rows)) {
    // Encoded here, not in the shard: the shard is one thread per shard, Workers scale out,
    // and compressed blocks cross RPC far cheaper than JS row arrays.
    const slices: BucketChunk[][] = [];
    for (let i = 0; i < list.length; i += MAX_BATCH_ROWS)
      slices.push(encodeTableRows(table, list.slice(i, i + MAX_BATCH_ROWS)));
    perShard.set(name, slices);
  }
  return writeShardChunks(cluster, table, perShard, batchId, stats);
}

/**
 * Ships chunks already encoded per shard name (bulkWrite, or the line
 * protocol path in engine/distributed/ingest-encode): slice `i` of every shard
 * is batch `${batchId}:${i}`, and all shards are written concurrently.
 */
export async function writeShardChunks(
  cluster: Cluster,
  table: DistTable,
  perShard: ReadonlyMap<string, readonly (readonly BucketChunk[])[]>,
  batchId: string,
  stats: StatsCollector,
): Promise<BulkResult> {
  const { version } = await cluster.snapshot();
  const calls: Promise<{ rowCount: number; duplicate: boolean; rejected?: KeyRejection[] }>[] = [];
  for (const [name, slices] of perShard) {
    slices.forEach((encoded, i) => {
      calls.push(
        cluster
          .shard(name)
          .write({
            batchId: `${batchId}:${i}`,
            table,
            rows: [],
            encoded,
            target: 'chunks',
            catalogVersion: version,
          })
          .then((r) => {
            stats.add(name, r.stats);
            // Already written: a newer catalog only means the next request refetches it.
            cluster.staleCatalog(r.catalogVersion);
            return r;
          }),
      );
    });
  }
  const results = await Promise.all(calls);
  return {
    rowCount: results.reduce((s, r) => s + r.rowCount, 0),
    duplicate: results.length > 0 && results.every((r) => r.duplicate),
    rejected: results.flatMap((r) => r.rejected ?? []),
  };
}

/** Runs `ops` (shard name → operation) atomically across shards with 2PC. Returns rows affected. */
export async function transactionalWrite(
  cluster: Cluster,
  table: DistTable,
  ops: ReadonlyMap<string, ShardOp>,
  txnId: string,
  stats: StatsCollector,
): Promise<number> {
  const shards = [...ops.keys()];
  if (shards.length === 0) return 0;
  const catalog = cluster.catalog();
  await catalog.beginTxn(txnId, shards);
  let decision: 'committed' | 'aborted' = 'committed';
  try {
    await Promise.all(
      shards.map(async (name) => {
        const r = await cluster.shard(name).prepare(txnId, table, ops.get(name)!);
        stats.add(name, r.stats);
      }),
    );
  } catch (e) {
    decision = await catalog.decide(txnId, 'aborted');
    await resolveAll(cluster, shards, txnId, decision, stats);
    await catalog.finishTxn(txnId);
    throw e;
  }
  decision = await catalog.decide(txnId, 'committed');
  const affected = await resolveAll(cluster, shards, txnId, decision, stats);
  await catalog.finishTxn(txnId);
  return affected;
}

async function resolveAll(
  cluster: Cluster,
  shards: readonly string[],
  txnId: string,
  decision: 'committed' | 'aborted',
  stats: StatsCollector,
): Promise<number> {
  const results = await Promise.all(
    shards.map(async (name) => {
      const r = await cluster.shard(name).resolve(txnId, decision);
      stats.add(name, r.stats);
      return r.rowCount;
    }),
  );
  return results.reduce((s, n) => s + n, 0);
}
