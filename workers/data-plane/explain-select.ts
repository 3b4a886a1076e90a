/**
 * @module workers/data-plane/explain-select
 * `EXPLAIN [ANALYZE] SELECT …` on distributed tables: the plan the data plane
 * would run — the fast path's exchange and merge, or the general path's
 * gathers and the coordinator's engine plan — as PostgreSQL prints plans (one
 * text column "QUERY PLAN", one row per line; see coordinator-explain). With
 * ANALYZE the statement runs: each shard's rows and time, the result's rows
 * and the total time are shown; the rows themselves are not returned.
 */
import type { ShardStats } from '../../durable-objects/shard-storage.ts';
import {
  coordinatorDatabase,
  GatherBudget,
  type GatheredTable,
} from '../../engine/distributed/coordinator-engine.ts';
import {
  type ExplainedExchange,
  explainFastPath,
  explainGeneralPath,
  type ShardRun,
} from '../../engine/distributed/coordinator-explain.ts';
import { GATHER_LIMITS, planGather, referencedRelations } from '../../engine/distributed/coordinator-plan.ts';
import type { Fragment, PartialResult } from '../../engine/distributed/fragment.ts';
import { unpackPartial } from '../../engine/distributed/partial-columns.ts';
import { mergePartials } from '../../engine/distributed/partial-merge.ts';
import { planSelectNode } from '../../engine/distributed/select-binding.ts';
import { classify } from '../../engine/distributed/sql-statements.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { type Cluster, isStalePlan } from './cluster.ts';
import { sourceText } from './insert-select.ts';
import type { StatsCollector } from './query-stats.ts';
import type { StatementResult } from './statement-result.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** What EXPLAIN needs from the call. */
export interface ExplainCall {
  readonly cluster: Cluster;
  readonly params: readonly unknown[];
  readonly stats: StatsCollector;
}

/** True when the EXPLAIN options ask for ANALYZE (`EXPLAIN ANALYZE`, `EXPLAIN (ANALYZE [true])`). */
function wantsAnalyze(ex: Node): boolean {
  return ((ex.options ?? []) as Node[]).some((o) => {
    const d = o.DefElem;
    if (d?.defname !== 'analyze') return false;
    const arg = d.arg;
    if (!arg) return true;
    const v = arg.Boolean?.boolval ?? arg.String?.sval ?? arg.Integer?.ival;
    return v === true || v === 'true' || v === 'on' || v === 1;
  });
}

/** Runs `f` on each shard: partials (unpacked) and per-shard rows and time. */
async function runOnShards(
  call: ExplainCall,
  t: DistTable,
  f: Fragment,
  shards: readonly string[],
  budget?: GatherBudget,
): Promise<{ partials: PartialResult[]; runs: ShardRun[] }> {
  const { version } = await call.cluster.snapshot();
  const runs: ShardRun[] = [];
  const partials = await Promise.all(
    shards.map(async (s) => {
      const started = performance.now();
      const r = (await call.cluster
        .shard(s)
        .execute(f, t, version, undefined, call.cluster.placementFor(t, s))) as unknown as {
        result: PartialResult;
        stats: ShardStats;
      };
      call.stats.add(s, r.stats);
      budget?.add(r.result, f.limit);
      runs.push({
        shard: s,
        rows: r.result.rowCount,
        ms: r.result.timing?.total ?? performance.now() - started,
      });
      return unpackPartial(r.result);
    }),
  );
  runs.sort((a, b) => a.shard.localeCompare(b.shard, 'en', { numeric: true }));
  return { partials, runs };
}

/**
 * EXPLAIN [ANALYZE] of one SELECT (`ex` is the ExplainStmt, `text` the statement's text).
 * A shard refusing ANALYZE's fragments as planned on a stale catalog ran nothing: explained
 * again on the refetched catalog, as a SELECT is, without the client seeing it.
 */
export async function runExplain(call: ExplainCall, ex: Node, text: string): Promise<StatementResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await explainOnce(call, ex, text);
    } catch (e) {
      if (attempt >= 3 || !isStalePlan(e)) throw e;
      await call.cluster.refresh();
    }
  }
}

async function explainOnce(call: ExplainCall, ex: Node, text: string): Promise<StatementResult> {
  const inner = ex.query;
  if (!inner?.SelectStmt)
    throw new SqlError(SqlState.featureNotSupported, 'EXPLAIN of INSERT, UPDATE or DELETE is not supported');
  const analyze = wantsAnalyze(ex);
  const started = performance.now();
  const { cluster, params } = call;
  const cmd = classify(inner, params);
  let lines: string[];
  const t = cmd.kind === 'select' ? await cluster.table(cmd.table) : undefined;
  const plan = t && cmd.kind === 'select' ? planSelectNode(cmd.stmt, t, params) : undefined;
  if (t && plan) {
    const shards = plan.pruneValues ? cluster.shardsFor(t, plan.pruneValues) : cluster.shardsOf(t);
    const fragment = { ...plan.fragment, pack: true };
    const x: ExplainedExchange = { table: t, fragment: plan.fragment, shards, prunedBy: plan.pruneValues };
    const merge = { orderBy: plan.orderBy.length, limit: plan.limit, offset: plan.offset };
    if (!analyze) lines = await explainFastPath(x, merge);
    else {
      const { partials, runs } = await runOnShards(call, t, fragment, shards);
      const rows = mergePartials(plan, partials).rows.length;
      lines = await explainFastPath({ ...x, runs }, merge, { rows, ms: performance.now() - started });
    }
  } else {
    const source = sourceText(text, inner);
    const tables: DistTable[] = [];
    for (const name of referencedRelations(inner).keys()) {
      try {
        tables.push(await cluster.table(name));
      } catch (e) {
        if (!(e instanceof SqlError && e.code === SqlState.undefinedTable)) throw e;
      }
    }
    const gathers = planGather(inner, tables, params, GATHER_LIMITS.rows);
    const exchanges: ExplainedExchange[] = gathers.map((g) => ({
      table: g.table,
      fragment: g.plan.fragment,
      shards: g.plan.pruneValues ? cluster.shardsFor(g.table, g.plan.pruneValues) : cluster.shardsOf(g.table),
      prunedBy: g.plan.pruneValues,
    }));
    const empty = await coordinatorDatabase(gathers.map((g) => ({ gather: g, partials: [] })));
    const coordinatorPlan = (await empty.query(`EXPLAIN ${source}`, [...params])).rows.map((r) =>
      String(r[0]),
    );
    if (!analyze) lines = await explainGeneralPath(coordinatorPlan, exchanges);
    else {
      const gathered: GatheredTable[] = [];
      const budget = new GatherBudget();
      const ran: ExplainedExchange[] = [];
      for (const [i, x] of exchanges.entries()) {
        const { partials, runs } = await runOnShards(call, x.table, x.fragment, x.shards, budget);
        gathered.push({ gather: gathers[i], partials });
        ran.push({ ...x, runs });
      }
      const db = await coordinatorDatabase(gathered);
      const rows = (await db.query(source, [...params])).rowCount;
      lines = await explainGeneralPath(coordinatorPlan, ran, { rows, ms: performance.now() - started });
    }
  }
  return {
    columns: [{ name: 'QUERY PLAN', type: 'text' }],
    rows: lines.map((l) => [l]),
    rowCount: lines.length,
    command: 'EXPLAIN',
  };
}
