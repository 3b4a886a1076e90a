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

import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import {
  NEEDS_COORDINATOR,
  RETRY_STATE,
  ROW_CONFLICT,
  STALE_CATALOG,
} from '../../durable-objects/shard-log.ts';
import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import type { KeyRejection } from '../../durable-objects/shard-unique.ts';
import { type BucketChunk, encodeTableRows } from '../../engine/distributed/chunk-rows.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { isSqlError, SqlError } from '../../engine/errors.ts';
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
  let version = await plannedVersion(cluster, table);
  for (let attempt = 1; ; attempt++) {
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
              placement: cluster.placementFor(table, name),
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
    const settled = await Promise.allSettled(calls);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      const err = fromRpcError((failed as PromiseRejectedResult).reason);
      if (!isSqlError(err) || !err.message.includes(STALE_CATALOG) || attempt >= 3) throw err;
      // Planned on an older catalog: batches are idempotent, so all of them go again with the
      // refetched version, provided this table's definition (which encoded the chunks) is unchanged.
      const snap = await cluster.refreshFor(table);
      if (!snap) {
        if (settled.every((r) => r.status === 'rejected'))
          throw new SqlError(RETRY_STATE, `table "${table.name}" ${TABLE_CHANGED}; not applied, retry`);
        // Bulk writes are per shard: some shards stored their batches. A retry under the same key completes it.
        throw new SqlError(
          '40003',
          `table "${table.name}" ${TABLE_CHANGED}; some shards stored their rows: retry with the same Idempotency-Key`,
        );
      }
      version = snap.version;
      continue;
    }
    const results = settled.map(
      (r) =>
        (r as PromiseFulfilledResult<{ rowCount: number; duplicate: boolean; rejected?: KeyRejection[] }>)
          .value,
    );
    return {
      rowCount: results.reduce((s, r) => s + r.rowCount, 0),
      duplicate: results.length > 0 && results.every((r) => r.duplicate),
      rejected: results.flatMap((r) => r.rejected ?? []),
    };
  }
}

/** Marks a 40001 for a table whose definition changed since the statement was planned (sql-executor plans again). */
export const TABLE_CHANGED = 'changed while the statement ran';

/** Attempts of one statement before a 40001 (row conflict, stale catalog) reaches the client. */
export const MAX_TXN_ATTEMPTS = 8;

/**
 * Runs `ops` (shard name → operation) atomically across shards with 2PC and
 * returns rows affected. `txnBase` names the statement: a retry under the same
 * Idempotency-Key passes the same one and gets the first outcome when it
 * committed, or runs afresh under a new attempt id when it aborted.
 *
 * A prepare refused because another undecided transaction holds a touched row,
 * or because the plan's catalog is stale (the table definition is unchanged
 * after a refetch), is retried here with a short randomized pause, so the
 * client sees 40001 only after `MAX_TXN_ATTEMPTS`. A statement aborted by
 * recovery or by a concurrent retry of the same request answers 40001 ("not
 * applied, retry").
 */
export async function transactionalWrite(
  cluster: Cluster,
  table: DistTable,
  ops: ReadonlyMap<string, ShardOp>,
  txnBase: string,
  stats: StatsCollector,
): Promise<number> {
  if (ops.size === 0) return 0;
  const t = table;
  let version = await plannedVersion(cluster, t);
  // One shard: no coordinator (one RPC instead of five); the shard applies it whole or not at all.
  let local = ops.size === 1;
  for (let attempt = 1; ; attempt++) {
    try {
      if (local) {
        const [name, op] = [...ops][0];
        const r = await cluster
          .shard(name)
          .commitLocal(txnBase, t, op, version, cluster.placementFor(t, name));
        stats.add(name, r.stats);
        stats.lap('write');
        return r.rowCount;
      }
      const n = await runAttempt(cluster, t, ops, txnBase, version, stats);
      stats.lap('write');
      return n;
    } catch (e) {
      const err = fromRpcError(e);
      if (!isSqlError(err) || err.code !== RETRY_STATE || attempt >= MAX_TXN_ATTEMPTS) throw err;
      if (err.message.includes(NEEDS_COORDINATOR)) {
        local = false; // an earlier attempt of this statement went through 2PC: so do the retries
        continue;
      }
      if (err.message.includes(STALE_CATALOG)) {
        // The statement was planned against this definition and map: only unchanged ones may run it.
        const snap = await cluster.refreshFor(t);
        if (!snap) throw new SqlError(RETRY_STATE, `table "${t.name}" ${TABLE_CHANGED}; not applied, retry`);
        version = snap.version;
      } else if (err.message.includes(ROW_CONFLICT)) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
      } else throw err;
    }
  }
}

/**
 * The catalog version `t` was planned with: the cached snapshot's when it holds
 * this very definition, else a refetched one's; a definition that changed since
 * planning answers 40001 (nothing applied).
 */
export async function plannedVersion(cluster: Cluster, t: DistTable): Promise<number> {
  const same = (snap: { tables: readonly DistTable[] }) => {
    const cached = snap.tables.find((x) => x.name === t.name);
    return cached !== undefined && (cached === t || JSON.stringify(cached) === JSON.stringify(t));
  };
  const snap = await cluster.snapshot();
  if (same(snap)) return snap.version;
  const fresh = await cluster.refresh();
  if (same(fresh)) return fresh.version;
  throw new SqlError(RETRY_STATE, `table "${t.name}" ${TABLE_CHANGED}; not applied, retry`);
}

async function runAttempt(
  cluster: Cluster,
  table: DistTable,
  ops: ReadonlyMap<string, ShardOp>,
  txnBase: string,
  version: number,
  stats: StatsCollector,
): Promise<number> {
  const shards = [...ops.keys()];
  const catalog = cluster.catalog();
  const begun = await catalog.beginTxn(txnBase, shards);
  if (begun.prior) {
    // An earlier attempt of this statement was aborted: make sure its shards know before this one prepares.
    await resolveAll(cluster, begun.prior.shards, begun.prior.id, 'aborted', stats);
    await catalog.finishTxn(begun.prior.id);
  }
  if (begun.committed) {
    // A retry of a statement that committed: the shards' logs answer its row counts.
    const n = await resolveAll(cluster, begun.shards ?? shards, begun.id, 'committed', stats);
    await catalog.finishTxn(begun.id);
    return n;
  }
  const txnId = begun.id;
  const prepared = await Promise.allSettled(
    shards.map(async (name) => {
      const r = await cluster
        .shard(name)
        .prepare(txnId, table, ops.get(name)!, version, cluster.placementFor(table, name));
      stats.add(name, r.stats);
    }),
  );
  const failed = prepared.find((p) => p.status === 'rejected');
  if (failed) {
    const decision = await catalog.decide(txnId, 'aborted');
    try {
      await resolveAll(cluster, shards, txnId, decision, stats);
      await catalog.finishTxn(txnId);
    } catch (e) {
      // The record stays unfinished: recovery tells the shards.
      console.error(`abort of ${txnId} left to recovery:`, e);
    }
    throw (failed as PromiseRejectedResult).reason;
  }
  const decision = await catalog.decide(txnId, 'committed');
  const affected = await resolveAll(cluster, shards, txnId, decision, stats);
  await catalog.finishTxn(txnId);
  if (decision === 'aborted')
    throw new SqlError(
      RETRY_STATE,
      'the statement was aborted (by recovery, or by a retry of the same request); not applied, retry',
    );
  return affected;
}

/** Resolve attempts per shard: a lost commit RPC is re-sent before the decision is left to recovery. */
const RESOLVE_TRIES = 3;

/** Sends the decision on `txnId` to every shard; returns the rows they report (08007 when a commit is not confirmed). */
export async function resolveAll(
  cluster: Cluster,
  shards: readonly string[],
  txnId: string,
  decision: 'committed' | 'aborted',
  stats: StatsCollector,
): Promise<number> {
  const results = await Promise.allSettled(
    shards.map(async (name) => {
      for (let i = 1; ; i++) {
        try {
          const r = await cluster.shard(name).resolve(txnId, decision);
          stats.add(name, r.stats);
          return r.rowCount;
        } catch (e) {
          if (i >= RESOLVE_TRIES) throw e;
        }
      }
    }),
  );
  const lost = results.find((r) => r.status === 'rejected');
  if (lost && decision === 'committed')
    // Committed for good (the coordinator record says so): recovery completes the shards that did not answer.
    throw new SqlError(
      '08007',
      `transaction ${txnId} committed but not every shard confirmed it yet; it completes within a minute (${String((lost as PromiseRejectedResult).reason)})`,
    );
  if (lost) throw (lost as PromiseRejectedResult).reason;
  return results.reduce((s, r) => s + (r.status === 'fulfilled' ? r.value : 0), 0);
}
