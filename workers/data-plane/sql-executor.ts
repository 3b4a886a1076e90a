/**
 * @module workers/data-plane/sql-executor
 * Runs the statements of one `/sql` call, in order. DDL goes through the
 * CatalogDO (and DROP reaches every shard); INSERT / UPDATE / DELETE commit
 * with 2PC — a call whose writes are followed by other statements as ONE
 * transaction (see `call-txn`), a lone write as its own; SELECT fans a fragment out to the shards that can hold matching rows and
 * merges the partials. SELECTs the fast path cannot plan (joins, subqueries,
 * HAVING, windows, set operations…) run on the coordinator's engine over rows
 * gathered from the shards (see `coordinator-select`); INSERT … SELECT writes
 * such a result through 2PC (see `insert-select`).
 */
import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import type { ShardStats } from '../../durable-objects/shard-storage.ts';
import { planeValue, statementText } from '../../engine/distributed/coordinator-engine.ts';
import {
  type BoundStatement,
  bindStatement,
  snapshotDefs,
} from '../../engine/distributed/coordinator-schema.ts';
import { createAsColumns } from '../../engine/distributed/create-table-as.ts';
import { dmlSql } from '../../engine/distributed/dml-sql.ts';
import type { PartialResult } from '../../engine/distributed/fragment.ts';
import { onConflictOf } from '../../engine/distributed/on-conflict.ts';
import { unpackPartial } from '../../engine/distributed/partial-columns.ts';
import { InexactMerge, mergePartials } from '../../engine/distributed/partial-merge.ts';
import { planSelectNode, whereOnly } from '../../engine/distributed/select-binding.ts';
import { planBound } from '../../engine/distributed/sql-select.ts';
import { type Command, classify, withoutOnConflict } from '../../engine/distributed/sql-statements.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { isSqlError, SqlError, SqlState } from '../../engine/errors.ts';
import { type ParsedStatement, parseSql } from '../../engine/sql/parser.ts';
import { withStatementProgress } from '../errors.ts';
import { blockCommands, CallTxn, callTransaction, WRITE_KINDS } from './call-txn.ts';
import type { Cluster } from './cluster.ts';
import { type GeneralCall, runGeneralSelect } from './coordinator-select.ts';
import { runExplain } from './explain-select.ts';
import { insertSelect } from './insert-select.ts';
import { pushTable, runManagementFunction } from './management-functions.ts';
import type { StatsCollector } from './query-stats.ts';
import { runShowQuery } from './show-from.ts';
import { commandResult, type StatementResult, toStatementResult } from './statement-result.ts';
import { TABLE_CHANGED, transactionalWrite } from './write-path.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

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
  /** A transaction block spanning calls (the wire protocol's BEGIN … COMMIT): see `TxnBlock`. */
  readonly block?: TxnBlock;
}

/**
 * An open transaction block of a session: each call's writes prepare under `txn` (statement
 * indexes continue across calls) and reads see them; the session commits or aborts `txn`.
 */
export interface TxnBlock {
  readonly txn: CallTxn;
  /** Statements the block ran so far (the next call's first statement index). */
  statements: number;
  /** A statement of the block wrote (DDL-like statements and unseeing reads may not follow). */
  wrote: boolean;
}

/** A call's state: its settings (`SET orochi.coordinator_row_limit`) and its transaction (see `call-txn`). */
interface CallState {
  rowLimit?: number;
  txn?: CallTxn;
}
/** Keyed by call; the per-statement views of one call (`withParams`) share their call's state. */
const states = new WeakMap<SqlCall, CallState>();
function stateOf(call: SqlCall): CallState {
  let s = states.get(call);
  if (!s) states.set(call, (s = {}));
  return s;
}
/** The call as one of its statements sees it: that statement's parameters, the call's state. */
function withParams(call: SqlCall, params: readonly unknown[]): SqlCall {
  if (params === call.params) return call;
  const view = { ...call, params };
  states.set(view, stateOf(call));
  return view;
}
const general = (call: SqlCall): GeneralCall => ({
  ...call,
  rowLimit: states.get(call)?.rowLimit,
  txn: states.get(call)?.txn?.readId,
});

/**
 * One statement with its own parameters: a call may be a list of them (Neon's
 * `{"queries": [...]}`), run like the statements of one SQL text — one transaction.
 */
export interface SqlPiece {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A parsed statement with the text it came from and the call as it sees it (its parameters). */
interface CallStatement {
  readonly parsed: ParsedStatement;
  readonly sql: string;
  readonly call: SqlCall;
}

/** Commits (or, inside a call's transaction, prepares) a write statement's shard operations; returns rows. */
type Write = (t: DistTable, ops: ReadonlyMap<string, ShardOp>) => Promise<number>;

/**
 * Parses and runs every statement; returns one result per statement. `sql` is one text whose
 * statements share `call.params`, or a list of pieces, each exactly one statement with its own.
 */
export async function runSql(
  call: SqlCall,
  sql: string | readonly SqlPiece[],
  progress: CallProgress = { results: [], statements: 0, prepared: new Set() },
): Promise<StatementResult[]> {
  const { results } = progress;
  const statements = parseCall(call, sql);
  progress.statements = statements.length;
  call.stats.lap('parse');
  if (statements.length === 0) throw new SqlError(SqlState.syntaxError, 'no SQL statement to run');
  await call.authorize(statements.map((s) => s.parsed));
  // Classify everything first, so an unsupported later statement fails before earlier ones run.
  const commands = statements.map((s) => classify(s.parsed.stmt, s.call.params));
  if (call.block) return runInBlock(call, statements, commands, progress, call.block);
  const txn = callTransaction(commands)
    ? new CallTxn(call.cluster, `${call.txnBase}:txn`, call.stats)
    : undefined;
  if (!txn) return runStatements(statements, commands, progress);
  stateOf(call).txn = txn;
  try {
    await runStatements(statements, commands, progress, txn);
    await txn.commit();
  } catch (e) {
    // Committed for good but not confirmed by every shard (08007): the writes count as committed.
    if (isSqlError(e) && e.code === '08007') progress.prepared.clear();
    // After a failed commit too: an undecided transaction is aborted now, a decided one re-sent.
    await txn.abort();
    throw e;
  }
  progress.prepared.clear();
  return results;
}

/** Parses a call's SQL: one text, or pieces of one statement each (42601 otherwise, as PostgreSQL's extended protocol). */
function parseCall(call: SqlCall, sql: string | readonly SqlPiece[]): CallStatement[] {
  if (typeof sql === 'string') return parseSql(sql, call.params).map((parsed) => ({ parsed, sql, call }));
  return sql.flatMap((piece) => {
    const parsed = parseSql(piece.sql, piece.params);
    if (parsed.length > 1)
      throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    if (parsed.length === 0) throw new SqlError(SqlState.syntaxError, 'no SQL statement to run');
    const view = withParams(call, piece.params);
    return parsed.map((p) => ({ parsed: p, sql: piece.sql, call: view }));
  });
}

/** One call inside a session's transaction block: prepares only; the session decides. */
async function runInBlock(
  call: SqlCall,
  statements: readonly CallStatement[],
  commands: readonly Command[],
  progress: CallProgress,
  block: TxnBlock,
): Promise<StatementResult[]> {
  blockCommands(commands, block.wrote);
  stateOf(call).txn = block.txn;
  const base = block.statements;
  block.statements += commands.length;
  try {
    return await runStatements(statements, commands, progress, block.txn, base);
  } finally {
    if (progress.prepared.size > 0) block.wrote = true;
  }
}

/** A call's progress: results so far; `prepared`: result indexes whose writes wait for the call's commit. */
interface CallProgress {
  results: StatementResult[];
  statements: number;
  readonly prepared: Set<number>;
}

async function runStatements(
  statements: readonly CallStatement[],
  commands: readonly Command[],
  progress: CallProgress,
  txn?: CallTxn,
  base = 0,
): Promise<StatementResult[]> {
  const { results } = progress;
  for (let i = 0; i < commands.length; i++) {
    const { call, sql, parsed } = statements[i];
    const text = statementText(sql, parsed.location, parsed.length);
    // CREATE TABLE AS commits on its own, fill included, like the DDL it is.
    const write: Write =
      txn && commands[i].kind !== 'createAs'
        ? (t, ops) => txn.write(base + i, t, ops)
        : (t, ops) => transactionalWrite(call.cluster, t, ops, `${call.txnBase}:${i}`, call.stats);
    for (let attempt = 1; ; attempt++) {
      try {
        // Bound by the engine against the catalog's schema first: every type, name and function
        // error (and its position) is the engine's, whichever path then runs the statement.
        const cmd = commands[i];
        const bound = BOUND_KINDS.has(cmd.kind)
          ? await bindOnCatalog(
              call,
              cmd.kind === 'createAs' ? cmd.query : withoutOnConflict(parsed.stmt),
              sql,
            )
          : undefined;
        call.stats.lap('bind');
        results.push(await runCommand(call, commands[i], write, text, bound, parsed.stmt));
        if (txn && WRITE_KINDS.has(commands[i].kind)) progress.prepared.add(i);
        break;
      } catch (e) {
        // A write planned on a table definition that changed meanwhile applied nothing: plan it again.
        // Not inside a call's transaction: its statements so far were prepared on the old definition.
        if (txn || attempt >= 3 || !isTableChanged(e)) throw e;
        await call.cluster.refresh();
      }
    }
  }
  return results;
}

/** A write refused because its table changed since it was planned (see write-path `TABLE_CHANGED`). */
function isTableChanged(e: unknown): boolean {
  return isSqlError(e) && e.code === '40001' && e.message.includes(TABLE_CHANGED);
}

/** Commands whose success leaves something committed (data or schema). */
const READ_ONLY_COMMANDS = new Set(['SELECT', 'SHOW', 'SET', 'EXPLAIN']);

/** Runs every statement of a call; an error names its statement and what committed before it. */
export async function runSqlReportingProgress(
  call: SqlCall,
  sql: string | readonly SqlPiece[],
): Promise<StatementResult[]> {
  const progress: CallProgress = { results: [], statements: 0, prepared: new Set() };
  try {
    return await runSql(call, sql, progress);
  } catch (e) {
    if (progress.statements < 2) throw e;
    // Writes prepared in the call's transaction were aborted with it: only DDL before them committed.
    const committed = progress.results.flatMap((r, i) =>
      r.command && !READ_ONLY_COMMANDS.has(r.command) && !progress.prepared.has(i)
        ? [{ statement: i + 1, command: r.command, rowCount: r.rowCount }]
        : [],
    );
    // Every statement ran and the commit failed: the error is the last statement's.
    const statement = Math.min(progress.results.length + 1, progress.statements);
    throw withStatementProgress(e, { statement, committed });
  }
}

/**
 * Binds a statement against the cached catalog's schema; a table the cache lacks refetches
 * the catalog once (CREATE TABLE in another isolate reaches no shard), as `Cluster.table` does.
 */
async function bindOnCatalog(call: SqlCall, stmt: Node, sql: string): Promise<BoundStatement> {
  try {
    return await bindStatement(snapshotDefs(await call.cluster.snapshot()), stmt, sql, call.params);
  } catch (e) {
    if (!(e instanceof SqlError && e.code === SqlState.undefinedTable)) throw e;
    return bindStatement(snapshotDefs(await call.cluster.refresh()), stmt, sql, call.params);
  }
}

/** Commands that read or write table data: bound by the engine before they run. */
const BOUND_KINDS = new Set<Command['kind']>([
  'select',
  'query',
  'insert',
  'insertSelect',
  'update',
  'delete',
  'explain',
  'createAs', // its query: the new table's columns
]);

async function runCommand(
  call: SqlCall,
  cmd: Command,
  write: Write,
  text: string,
  bound?: BoundStatement,
  /** The parsed statement (UPDATE / DELETE ship parts of it). */
  parsed?: { UpdateStmt?: Node; DeleteStmt?: Node },
): Promise<StatementResult> {
  const { cluster } = call;
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
    case 'rename': {
      const t = (await cluster.catalog().renameTable(cmd.table, cmd.to, cmd.ifExists)) as DistTable | null;
      // Shards key rows by table id: they only learn the new name (and version) with the definition.
      if (t) await pushTable(cluster, t);
      return commandResult('ALTER TABLE');
    }
    case 'drop': {
      for (const name of cmd.tables) {
        const t = (await cluster.catalog().dropTable(name, cmd.ifExists)) as DistTable | null;
        const { version } = await cluster.refresh();
        if (t) await Promise.all(cluster.shardsOf(t).map((s) => cluster.shard(s).dropTable(t, version)));
      }
      return commandResult('DROP TABLE');
    }
    case 'createAs':
      return createTableAs(call, cmd, write, text, bound);
    case 'function':
      return runManagementFunction(call, cmd.call, text);
    case 'showQuery':
      return runShowQuery(general(call), cmd.stmt, text);
    case 'insert': {
      const t = await cluster.table(cmd.table);
      // VALUES rows were evaluated by the engine while binding (coerced, defaults, NOT NULL);
      // VALUES that read tables (subqueries) run like INSERT … SELECT.
      const rows = bound && !readsTables(cmd.stmt.selectStmt) ? planeRows(t, bound) : undefined;
      if (!rows) return runCommand(call, { ...cmd, kind: 'insertSelect' }, write, text);
      const onConflict = onConflictOf(cmd.stmt, t, call.params);
      const ops = new Map<string, ShardOp>();
      for (const [name, list] of cluster.routeRows(t, rows))
        ops.set(name, { kind: 'insert', rows: list as Row[], target: 'hot', onConflict });
      const n = await write(t, ops);
      return commandResult('INSERT', n);
    }
    case 'delete':
    case 'update': {
      // WHERE and SET travel as SQL the shards' engines evaluate (see `dml-sql`, `shard-dml`).
      const t = await cluster.table(cmd.table);
      const stmt = parsed ?? (cmd.kind === 'update' ? { UpdateStmt: cmd.stmt } : undefined);
      const node = stmt?.UpdateStmt ?? stmt?.DeleteStmt;
      if (!node) throw new SqlError(SqlState.internalError, 'DML without its statement');
      const dml = dmlSql(stmt, text, t, call.params);
      const defaults: unknown[] = [];
      for (const c of t.columns) defaults[c.id] = c.default ?? null;
      const reads = t.columns.map((c) => c.id);
      const pruneValues = dmlPruneValues(node.whereClause, node.relation?.alias?.aliasname, t, call.params);
      const shards = pruneValues ? cluster.shardsFor(t, pruneValues) : cluster.shardsOf(t);
      const set = ((node.targetList ?? []) as { ResTarget: { name: string } }[]).map((x) => ({
        column: t.columns.find((c) => c.name === x.ResTarget.name)!,
      }));
      const ops = new Map<string, ShardOp>();
      for (const s of shards)
        ops.set(
          s,
          cmd.kind === 'delete'
            ? { kind: 'delete', table: t.name, tableId: t.id, dml, reads, defaults }
            : { kind: 'update', table: t.name, tableId: t.id, dml, reads, defaults, set },
        );
      const n = await write(t, ops);
      return commandResult(cmd.kind === 'delete' ? 'DELETE' : 'UPDATE', n);
    }
    case 'select': {
      // A shard refusing the plan as stale answers nothing; plan again on the refetched catalog
      // (bound again too: the first binding saw the old definition).
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await selectOnce(call, cmd, attempt === 0 ? bound : undefined);
        if (r === 'general') return await runGeneralSelect(general(call), cmd.original, text);
        if (r) return r;
      }
      return staleCatalogError();
    }
    case 'explain':
      return runExplain(call, cmd.stmt, text);
    case 'query':
      return await runGeneralSelect(general(call), cmd.stmt, text);
    case 'set':
      if (cmd.value !== undefined) stateOf(call).rowLimit = cmd.value;
      return commandResult('SET');
    case 'insertSelect':
      return commandResult(
        'INSERT',
        await insertSelect(call, cmd, write, text, (stmt, source) =>
          runCommand(call, classify(stmt, call.params), write, source),
        ),
      );
  }
}

/**
 * CREATE TABLE … AS: the table is created from the bound query's columns like CREATE TABLE,
 * then filled as INSERT … SELECT; a failed fill drops it again, so a failing statement
 * leaves no table (PostgreSQL runs it as one transaction).
 */
async function createTableAs(
  call: SqlCall,
  cmd: Extract<Command, { kind: 'createAs' }>,
  write: Write,
  text: string,
  bound?: BoundStatement,
): Promise<StatementResult> {
  const { cluster } = call;
  if (!bound) throw new SqlError(SqlState.internalError, 'CREATE TABLE AS without its bound query');
  const columns = createAsColumns(bound.result.columns, cmd.columnNames);
  const created = (await cluster
    .catalog()
    .createTable(cmd.table, columns, cmd.ifNotExists)) as DistTable | null;
  await cluster.refresh();
  if (!created) return commandResult('CREATE TABLE AS'); // IF NOT EXISTS, and it existed
  if (!cmd.withData) return commandResult('SELECT', 0);
  const relation = { relname: cmd.table, inh: true, relpersistence: 'p' };
  const fill = { kind: 'insertSelect', table: cmd.table, stmt: { relation, selectStmt: cmd.query } } as const;
  try {
    // `WITH DATA` ends the statement's text but is no part of the query's.
    const r = await runCommand(call, fill, write, text.replace(/\s+with\s+data\s*;?\s*$/i, ''));
    return commandResult('SELECT', r.rowCount);
  } catch (e) {
    const t = (await cluster.catalog().dropTable(cmd.table, true)) as DistTable | null;
    const { version } = await cluster.refresh();
    if (t) await Promise.all(cluster.shardsOf(t).map((s) => cluster.shard(s).dropTable(t, version)));
    throw e;
  }
}

/**
 * Runs a SELECT on the fast path; undefined when a shard reported a newer catalog (the cache
 * is then dropped), `general` when the fast path cannot plan it (see `coordinator-select`).
 */
async function selectOnce(
  call: SqlCall,
  cmd: Extract<Command, { kind: 'select' }>,
  bound?: BoundStatement,
): Promise<StatementResult | undefined | 'general'> {
  const { cluster, stats } = call;
  const t = await cluster.table(cmd.table);
  const { version } = await cluster.snapshot();
  // The distributed rules over the engine's bound plan (bound again only when `classify`
  // inlined a CTE); undefined: they do not cut it.
  const plan =
    bound?.result.plan && cmd.stmt === cmd.original.SelectStmt
      ? planBound(bound.result.plan, t, call.params)
      : planSelectNode(cmd.stmt, t, call.params);
  if (!plan) return 'general';
  const shards = plan.pruneValues ? cluster.shardsFor(t, plan.pruneValues) : cluster.shardsOf(t);
  stats.lap('plan');
  let stale = false;
  const fragment = { ...plan.fragment, pack: true }; // text columns come back dictionary-packed
  const partials = await Promise.all(
    shards.map(async (s) => {
      // RPC typing erases `unknown` payloads to never; the shape is PartialResult + ShardStats.
      const r = (await cluster.fresh(
        cluster
          .shard(s)
          .execute(fragment, t, version, states.get(call)?.txn?.readId, cluster.placementFor(t, s)),
      )) as unknown as { result: PartialResult; stats: ShardStats; catalogVersion: number } | undefined;
      // Refused as planned with a stale table or map version: plan again on the refetched catalog.
      if (!r) {
        stale = true;
        return { rowCount: 0, columns: [] };
      }
      stats.add(s, r.stats);
      stats.shardTiming(r.result.timing);
      cluster.staleCatalog(r.catalogVersion); // a newer catalog elsewhere: the next statement refetches
      return unpackPartial(r.result);
    }),
  );
  stats.lap('shards');
  if (stale) return undefined;
  let final: ReturnType<typeof mergePartials>;
  try {
    final = mergePartials(plan, partials);
  } catch (e) {
    // A total beyond ±2^53: the general path (the engine) answers exactly.
    if (e instanceof InexactMerge) return 'general';
    throw e;
  }
  stats.lap('merge');
  const result = toStatementResult(final.columns, final.rows);
  stats.lap('format');
  return result;
}

/** The distribution values a DML WHERE pins (undefined: every shard), by the rules that prune SELECTs. */
function dmlPruneValues(
  where: unknown,
  alias: string | undefined,
  t: DistTable,
  params: readonly unknown[],
): readonly unknown[] | undefined {
  if (!where) return undefined;
  return planSelectNode(whereOnly(t.name, where, alias), t, params)?.pruneValues;
}

/** True when `n` mentions a relation (a subquery over a table). */
function readsTables(n: unknown): boolean {
  if (n === null || typeof n !== 'object') return false;
  if ('RangeVar' in n) return true;
  return Object.values(n).some(readsTables);
}

/** The rows the engine inserted into the schema table while binding, as data-plane rows. */
function planeRows(t: DistTable, bound: BoundStatement): Row[] {
  return bound.inserted(t.name).map((values) => {
    const row: Row = new Array(t.nextColumnId).fill(undefined);
    t.columns.forEach((c, i) => {
      row[c.id] = storedValue(values[i], c.type);
    });
    return row;
  });
}

/** An engine value as the data plane stores it (int8: a number within ±2^53, else a bigint). */
function storedValue(v: unknown, type: string): unknown {
  return planeValue(v, type as Parameters<typeof planeValue>[1]);
}

function staleCatalogError(): never {
  // Two catalog changes raced this statement: let the client retry rather than answer from a stale plan.
  throw new SqlError('40001', 'the catalog changed while the statement ran; retry it');
}
