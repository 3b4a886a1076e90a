/**
 * @module workers/data-plane/coordinator-select
 * SELECTs the single-table fast path cannot plan. A join every shard answers
 * alone is pushed down (see `join-select`); anything else takes the general path: gather
 * each referenced table's needed columns and pushable filters from its shards
 * (pruned by the distribution key), then run the original statement on an
 * engine `Database` in the Worker (see engine/distributed/coordinator-plan).
 * Bounded by `GATHER_LIMITS` (54000 beyond them).
 */
import type { ShardStats } from '../../durable-objects/shard-storage.ts';
import {
  coordinatorDatabase,
  coordinatorRows,
  GatherBudget,
  type GatheredTable,
} from '../../engine/distributed/coordinator-engine.ts';
import {
  GATHER_LIMITS,
  planGather,
  readsInformationSchema,
  referencedRelations,
} from '../../engine/distributed/coordinator-plan.ts';
import type { PartialResult } from '../../engine/distributed/fragment.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import type { Cluster } from './cluster.ts';
import { coordinatorResult } from './coordinator-result.ts';
import { runJoinPushdown } from './join-select.ts';
import type { StatsCollector } from './query-stats.ts';
import type { StatementResult } from './statement-result.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** What the general path needs from the call. */
export interface GeneralCall {
  readonly cluster: Cluster;
  readonly params: readonly unknown[];
  readonly stats: StatsCollector;
  /** Lowered by `SET orochi.coordinator_row_limit` (never above `GATHER_LIMITS.rows`). */
  readonly rowLimit?: number;
  /** The call's transaction once it wrote: shards lay its own writes over their rows (see `call-txn`). */
  readonly txn?: string;
}

/** Catalog tables among `names`; names the catalog lacks are left to the engine (42P01 there). */
async function catalogTables(cluster: Cluster, names: Iterable<string>): Promise<DistTable[]> {
  const out: DistTable[] = [];
  for (const name of names) {
    try {
      out.push(await cluster.table(name));
    } catch (e) {
      if (!(e instanceof SqlError && e.code === SqlState.undefinedTable)) throw e;
    }
  }
  return out;
}

/** Runs `stmt` (whose SQL text is `text`) once; undefined when a shard reported a newer catalog. */
async function generalOnce(
  call: GeneralCall,
  stmt: Node,
  text: string,
): Promise<StatementResult | undefined> {
  const { cluster, stats } = call;
  const tables = await catalogTables(cluster, referencedRelations(stmt).keys());
  // A join every shard answers alone is pushed down whole (see `join-select`); not over a
  // transaction's own writes, which only the gathers below read.
  if (stmt.SelectStmt && call.txn === undefined) {
    const joined = await runJoinPushdown(call, stmt.SelectStmt, tables);
    if (joined === 'stale') return undefined;
    if (joined) return joined;
  }
  const { version } = await cluster.snapshot();
  const limits = {
    rows: Math.min(call.rowLimit ?? GATHER_LIMITS.rows, GATHER_LIMITS.rows),
    bytes: GATHER_LIMITS.bytes,
  };
  const gathers = planGather(stmt, tables, call.params, limits.rows);
  stats.lap('plan');
  const budget = new GatherBudget(limits);
  let stale = false;
  const gathered: GatheredTable[] = await Promise.all(
    gathers.map(async (g) => {
      const t = g.table;
      const shards = g.plan.pruneValues ? cluster.shardsFor(t, g.plan.pruneValues) : cluster.shardsOf(t);
      const partials = await Promise.all(
        shards.map(async (s) => {
          // RPC typing erases `unknown` payloads to never; the shape is PartialResult + ShardStats.
          const r = (await cluster.fresh(
            cluster.shard(s).execute(g.plan.fragment, t, version, call.txn, cluster.placementFor(t, s)),
          )) as unknown as { result: PartialResult; stats: ShardStats; catalogVersion: number } | undefined;
          // Refused as planned with a stale table or map version: plan again on the refetched catalog.
          if (!r) {
            stale = true;
            return { rowCount: 0, columns: [] };
          }
          stats.add(s, r.stats);
          cluster.staleCatalog(r.catalogVersion);
          budget.add(r.result, g.plan.fragment.limit);
          return r.result;
        }),
      );
      return { gather: g, partials };
    }),
  );
  stats.lap('shards');
  if (stale) return undefined;
  // information_schema lists every table of the catalog (the ones not gathered, empty).
  if (readsInformationSchema(stmt)) {
    for (const t of (await cluster.snapshot()).tables as DistTable[])
      if (!gathered.some((g) => g.gather.table.name === t.name))
        gathered.push({ gather: { table: t, columns: t.columns }, partials: [] });
  }
  const db = await coordinatorDatabase(gathered);
  const rows = coordinatorRows(await db.query(text, [...call.params]));
  stats.lap('merge');
  const result = coordinatorResult(rows);
  stats.lap('format');
  return result;
}

/** Runs a statement the fast path cannot plan (retrying once on a catalog change). */
export async function runGeneralSelect(
  call: GeneralCall,
  stmt: Node,
  text: string,
): Promise<StatementResult> {
  const r = (await generalOnce(call, stmt, text)) ?? (await generalOnce(call, stmt, text));
  if (!r) throw new SqlError('40001', 'the catalog changed while the statement ran; retry it');
  return r;
}
