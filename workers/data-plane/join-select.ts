/**
 * @module workers/data-plane/join-select
 * Joins every shard answers alone (see engine/distributed/join-pushdown):
 * reference tables are read once and shipped with the request (broadcast),
 * each shard of the colocation group — or only the shard a pinned
 * distribution value names — runs the join, filter and partial aggregates,
 * and the usual merge finishes. A reference table over `BROADCAST_MAX_ROWS`
 * leaves the statement to the general path.
 */
import type { ShardStats } from '../../durable-objects/shard-storage.ts';
import { chunkColumnName } from '../../engine/distributed/chunk-rows.ts';
import type { Fragment, PartialResult } from '../../engine/distributed/fragment.ts';
import { joinRequest } from '../../engine/distributed/join-fragment.ts';
import { planJoinPushdown } from '../../engine/distributed/join-pushdown.ts';
import { InexactMerge, mergePartials } from '../../engine/distributed/partial-merge.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import { type StatementResult, toStatementResult } from './statement-result.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Rows of a reference table shipped to every shard with a join; larger ones take the general path. */
export const BROADCAST_MAX_ROWS = 100_000;

interface ShardAnswer {
  result: PartialResult;
  stats: ShardStats;
  catalogVersion: number;
}

/** Every row and column of a broadcast table (one more row than the cap tells it is too big). */
function broadcastScan(t: DistTable): Fragment {
  const defaults: unknown[] = [];
  for (const c of t.columns) defaults[c.id] = c.default ?? null;
  return {
    table: t.name,
    reads: t.columns.map((c) => c.id),
    defaults,
    bounds: [],
    mode: 'rows',
    project: t.columns.map((c) => ({ sql: chunkColumnName(c.id), type: c.type })),
    aggs: [],
    orderBy: [],
    limit: BROADCAST_MAX_ROWS + 1,
  };
}

/**
 * Runs `s` (a SelectStmt body over `tables`) as a pushed-down join. Undefined when it is
 * not one; `stale` when a shard reported a newer catalog (plan again).
 */
export async function runJoinPushdown(
  call: { readonly cluster: Cluster; readonly params: readonly unknown[]; readonly stats: StatsCollector },
  s: Node,
  tables: readonly DistTable[],
): Promise<StatementResult | undefined | 'stale'> {
  const { cluster, stats } = call;
  const plan = planJoinPushdown(s, (n) => tables.find((t) => t.name === n), call.params);
  if (!plan) return undefined;
  const { version } = await cluster.snapshot();
  stats.lap('plan');
  let stale = false;
  // Refused as planned with a stale table or map version (undefined): plan again on the refetched catalog.
  const answer = (name: string, r: ShardAnswer | undefined): PartialResult => {
    if (!r) {
      stale = true;
      return { rowCount: 0, columns: [] };
    }
    stats.add(name, r.stats);
    cluster.staleCatalog(r.catalogVersion);
    return r.result;
  };

  const shipped = new Map<number, PartialResult>();
  for (const [i, rel] of plan.relations.entries()) {
    if (!rel.broadcast) continue;
    const [name] = cluster.shardsOf(rel.table);
    // RPC typing erases `unknown` payloads to never; the shape is PartialResult + ShardStats.
    const r = (await cluster.fresh(
      cluster
        .shard(name)
        .execute(
          broadcastScan(rel.table),
          rel.table,
          version,
          undefined,
          cluster.placementFor(rel.table, name),
        ),
    )) as unknown as ShardAnswer | undefined;
    const rows = answer(name, r);
    if (rows.rowCount > BROADCAST_MAX_ROWS) return undefined;
    shipped.set(i, rows);
  }
  if (stale) return 'stale';

  const anchor = plan.relations.find((r) => !r.broadcast)!.table;
  const pruned = plan.planned.pruneValues;
  const shards = pruned ? cluster.shardsFor(anchor, pruned) : cluster.shardsOf(anchor);
  const req = joinRequest(plan, shipped);
  const partials = await Promise.all(
    shards.map(async (name) => {
      const r = (await cluster.fresh(
        cluster.shard(name).executeJoin(req, version, cluster.placementFor(anchor, name)),
      )) as unknown as ShardAnswer | undefined;
      return answer(name, r);
    }),
  );
  stats.lap('shards');
  if (stale) return 'stale';
  let final: ReturnType<typeof mergePartials>;
  try {
    final = mergePartials(plan.planned, partials);
  } catch (e) {
    // A total beyond ±2^53: the general path (the engine) answers exactly.
    if (e instanceof InexactMerge) return undefined;
    throw e;
  }
  stats.lap('merge');
  const result = toStatementResult(final.columns, final.rows);
  stats.lap('format');
  return result;
}
