/**
 * @module workers/data-plane/sql-executor
 * Runs the statements of one `/sql` call, in order. DDL goes through the
 * CatalogDO (and DROP reaches every shard); INSERT / DELETE commit with 2PC;
 * SELECT fans a fragment out to the shards that can hold matching rows and
 * merges the partials. SELECTs the fast path cannot plan (joins, subqueries,
 * HAVING, windows, set operations…) run on the coordinator's engine over rows
 * gathered from the shards (see `coordinator-select`); INSERT … SELECT writes
 * such a result through 2PC (see `insert-select`).
 */
import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import type { ShardStats } from '../../durable-objects/shard-storage.ts';
import { statementText } from '../../engine/distributed/coordinator-engine.ts';
import type { PartialResult } from '../../engine/distributed/fragment.ts';
import { unpackPartial } from '../../engine/distributed/partial-columns.ts';
import { mergePartials } from '../../engine/distributed/partial-merge.ts';
import { type ExprScope, translateExpr } from '../../engine/distributed/sql-expr.ts';
import { type PlannedSelect, planSelect } from '../../engine/distributed/sql-select.ts';
import {
  type Command,
  classify,
  insertRows,
  onConflictOf,
  updateSets,
} from '../../engine/distributed/sql-statements.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { type ParsedStatement, parseSql } from '../../engine/sql/parser.ts';
import type { Cluster } from './cluster.ts';
import { type GeneralCall, runGeneralSelect } from './coordinator-select.ts';
import { insertSelect } from './insert-select.ts';
import { pushTable, runManagementFunction } from './management-functions.ts';
import type { StatsCollector } from './query-stats.ts';
import { runShowQuery } from './show-from.ts';
import { commandResult, type StatementResult, toStatementResult } from './statement-result.ts';
import { transactionalWrite } from './write-path.ts';

/** Per-call context. */
export interface SqlCall {
  readonly cluster: Cluster;
  readonly params: readonly unknown[];
  readonly defaultShards: number;
  readonly stats: StatsCollector;
  /** Base for 2PC transaction ids; an `Idempotency-Key` makes retries apply once. */
  readonly txnBase: string;
  /** Refuses (42501) unless the caller may run every statement; called before any runs (see `authorize`). */
  readonly authorize: (statements: readonly ParsedStatement[]) => Promise<void>;
}

/** Per-call settings (`SET orochi.coordinator_row_limit`). */
const rowLimits = new WeakMap<SqlCall, number>();
const general = (call: SqlCall): GeneralCall => ({ ...call, rowLimit: rowLimits.get(call) });

/** Parses and runs every statement; returns one result per statement. */
export async function runSql(call: SqlCall, sql: string): Promise<StatementResult[]> {
  const statements = parseSql(sql);
  call.stats.lap('parse');
  if (statements.length === 0) throw new SqlError(SqlState.syntaxError, 'no SQL statement to run');
  await call.authorize(statements);
  // Classify everything first, so an unsupported later statement fails before earlier ones run.
  const commands = statements.map((s) => classify(s.stmt, call.params));
  const results: StatementResult[] = [];
  for (let i = 0; i < commands.length; i++) {
    const text = statementText(sql, statements[i].location, statements[i].length);
    results.push(await runCommand(call, commands[i], `${call.txnBase}:${i}`, text));
  }
  return results;
}

async function runCommand(
  call: SqlCall,
  cmd: Command,
  txnId: string,
  text: string,
): Promise<StatementResult> {
  const { cluster, stats } = call;
  switch (cmd.kind) {
    case 'create':
      await cluster.catalog().createTable(cmd.table, cmd.columns, cmd.ifNotExists, cmd.constraints);
      await cluster.refresh();
      return commandResult('CREATE TABLE');
    case 'alter':
      await pushTable(
        cluster,
        (await cluster
          .catalog()
          .alterTable(cmd.table, cmd.add, cmd.drop, cmd.options)) as unknown as DistTable,
      );
      return commandResult('ALTER TABLE');
    case 'drop': {
      for (const name of cmd.tables) {
        const t = (await cluster.catalog().dropTable(name, cmd.ifExists)) as DistTable | null;
        const { version } = await cluster.refresh();
        if (t) await Promise.all(cluster.shardsOf(t).map((s) => cluster.shard(s).dropTable(name, version)));
      }
      return commandResult('DROP TABLE');
    }
    case 'function':
      return runManagementFunction(call, cmd.call, text);
    case 'showQuery':
      return runShowQuery(general(call), cmd.stmt, text);
    case 'insert': {
      const t = await cluster.table(cmd.table);
      const rows = valuesRows(cmd.stmt, t, call.params);
      // VALUES with expressions (`now()`, `2 * $1` …): evaluated by the engine, like INSERT … SELECT.
      if (!rows) return runCommand(call, { ...cmd, kind: 'insertSelect' }, txnId, text);
      const onConflict = onConflictOf(cmd.stmt, t, call.params);
      const ops = new Map<string, ShardOp>();
      for (const [name, list] of cluster.routeRows(t, rows))
        ops.set(name, { kind: 'insert', rows: list as Row[], target: 'hot', onConflict });
      const n = await transactionalWrite(cluster, t, ops, txnId, stats);
      return commandResult('INSERT', n);
    }
    case 'delete': {
      const t = await cluster.table(cmd.table);
      const plan = planSelect(
        { SelectStmt: { targetList: [], whereClause: cmd.where, op: 'SETOP_NONE' } },
        t,
        call.params,
      );
      const f = plan.fragment;
      const scope: ExprScope = { table: t, params: call.params };
      const filter = cmd.where ? translateExpr(cmd.where, scope) : undefined;
      const reads = t.columns.map((c) => c.id);
      const shards = plan.pruneValues ? cluster.shardsFor(t, plan.pruneValues) : cluster.shardsOf(t);
      const ops = new Map<string, ShardOp>();
      for (const s of shards)
        ops.set(s, { kind: 'delete', table: t.name, filter, reads, defaults: f.defaults });
      const n = await transactionalWrite(cluster, t, ops, txnId, stats);
      return commandResult('DELETE', n);
    }
    case 'update': {
      const t = await cluster.table(cmd.table);
      const set = updateSets(cmd.stmt, t, call.params);
      const where = cmd.stmt.whereClause;
      const plan = planSelect({ targetList: [], whereClause: where, op: 'SETOP_NONE' }, t, call.params);
      const filter = where ? translateExpr(where, { table: t, params: call.params }) : undefined;
      const reads = t.columns.map((c) => c.id);
      const shards = plan.pruneValues ? cluster.shardsFor(t, plan.pruneValues) : cluster.shardsOf(t);
      const ops = new Map<string, ShardOp>();
      for (const s of shards)
        ops.set(s, { kind: 'update', table: t.name, filter, reads, defaults: plan.fragment.defaults, set });
      return commandResult('UPDATE', await transactionalWrite(cluster, t, ops, txnId, stats));
    }
    case 'select': {
      // A shard that has seen a newer catalog answers nothing; plan again on the refetched one.
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await selectOnce(call, cmd);
        if (r === 'general') return await runGeneralSelect(general(call), cmd.original, text);
        if (r) return r;
      }
      return staleCatalogError();
    }
    case 'query':
      return await runGeneralSelect(general(call), cmd.stmt, text);
    case 'set':
      rowLimits.set(call, cmd.value);
      return commandResult('SET');
    case 'insertSelect':
      return commandResult(
        'INSERT',
        await insertSelect(call, cmd, txnId, text, (stmt, source) =>
          runCommand(call, classify(stmt, call.params), txnId, source),
        ),
      );
  }
}

/**
 * Runs a SELECT on the fast path; undefined when a shard reported a newer catalog (the cache
 * is then dropped), `general` when the fast path cannot plan it (see `coordinator-select`).
 */
async function selectOnce(
  call: SqlCall,
  cmd: Extract<Command, { kind: 'select' }>,
): Promise<StatementResult | undefined | 'general'> {
  const { cluster, stats } = call;
  const t = await cluster.table(cmd.table);
  const { version } = await cluster.snapshot();
  const plan = fastPlan(cmd.stmt, t, call.params);
  if (!plan) return 'general';
  const shards = plan.pruneValues ? cluster.shardsFor(t, plan.pruneValues) : cluster.shardsOf(t);
  stats.lap('plan');
  let stale = false;
  const fragment = { ...plan.fragment, pack: true }; // text columns come back dictionary-packed
  const partials = await Promise.all(
    shards.map(async (s) => {
      // RPC typing erases `unknown` payloads to never; the shape is PartialResult + ShardStats.
      const r = (await cluster.shard(s).execute(fragment, t, version)) as unknown as {
        result: PartialResult;
        stats: ShardStats;
        catalogVersion: number;
      };
      stats.add(s, r.stats);
      stats.shardTiming(r.result.timing);
      if (cluster.staleCatalog(r.catalogVersion) || r.catalogVersion > version) stale = true;
      return unpackPartial(r.result);
    }),
  );
  stats.lap('shards');
  if (stale) return undefined;
  const final = mergePartials(plan, partials);
  stats.lap('merge');
  const result = toStatementResult(final.columns, final.rows);
  stats.lap('format');
  return result;
}

/** Rows of INSERT … VALUES with constants, or undefined when some value needs the engine (0A000). */
function valuesRows(stmt: unknown, t: DistTable, params: readonly unknown[]): Row[] | undefined {
  try {
    return insertRows(stmt, t, params);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.featureNotSupported) return undefined;
    throw e;
  }
}

/** The fast path's plan, or undefined when it cannot plan the statement (0A000). */
function fastPlan(stmt: unknown, t: DistTable, params: readonly unknown[]): PlannedSelect | undefined {
  try {
    return planSelect(stmt, t, params);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.featureNotSupported) return undefined;
    throw e;
  }
}

function staleCatalogError(): never {
  // Two catalog changes raced this statement: let the client retry rather than answer from a stale plan.
  throw new SqlError('40001', 'the catalog changed while the statement ran; retry it');
}
