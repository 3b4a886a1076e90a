/**
 * @module engine/database
 * The engine's public entry point: `Database.create()`, `exec`, `query` and
 * `bulkLoad`. Each statement is parsed with libpg-query, bound into a logical
 * plan, optimized by the planner rules and run by the vectorized executor.
 */
import { isSqlError, SqlError, SqlState } from './errors.ts';
import { DEFAULT_STATEMENT_TIMEOUT_MS, parseTimeoutMs, StatementBudget } from './exec/budget.ts';
import { buildOperator } from './exec/build.ts';
import { batchRows, type ExecBatch, type ExecContext, type ScanStats } from './exec/frame.ts';
import { DEFAULT_MEMORY_LIMIT, type MemoryStats, outOfMemory, QueryMemory, rowBytes } from './exec/memory.ts';
import { resultFormatters } from './exec/result-format.ts';
import { zoneExcludes } from './exec/scan.ts';
import { MemorySpillStore, type SpillStore } from './exec/spill-store.ts';
import { clock } from './functions/datetime-functions.ts';
import { valueLimits } from './functions/value-limits.ts';
import { explainPlan } from './plan/explain.ts';
import type { Plan } from './plan/nodes.ts';
import { optimize } from './plan/rules.ts';
import { SelectBinder } from './sql/bind-select.ts';
import { runDdl } from './sql/ddl.ts';
import { runDml } from './sql/dml.ts';
import { initParser, type PgNode, parserReady, parseSql } from './sql/parser.ts';
import type { BindContext } from './sql/scope.ts';
import { runSettingStatement } from './sql/set-statements.ts';
import { commandName } from './sql/sql-names.ts';
import { bulkLoadInto } from './storage/bulk-load.ts';
import { MemoryTableStore } from './storage/memory-store.ts';
import type { TableStore } from './storage/table-store.ts';
import { SessionSettings, withSettings } from './types/session-settings.ts';
import type { SqlType, ValueType } from './types/values.ts';
import type { Vector } from './vector.ts';

/** One statement's result. */
export interface QueryResult {
  command: string;
  columns: { name: string; type: ValueType }[];
  rows: unknown[][];
  rowCount: number;
  stats: { chunksScanned: number; chunksSkipped: number; rowsScanned: number };
  /** Operator memory: peak accounted bytes and what was spilled. */
  memory?: MemoryStats;
  /** `bindOnly` SELECT: the bound logical plan (before the planner rules). */
  plan?: Plan;
}

/** Per-call options of `exec` / `query`. */
export interface QueryOptions {
  /** Operator memory budget in bytes for each statement (default: the database's `memoryLimit`). */
  memoryLimit?: number;
  /** statement_timeout in ms for each statement (default: the database's; 0 disables). */
  statementTimeout?: number;
  /** Executor values as they are: date/time as µs numbers, no text formatting (for hosts that re-encode results). */
  raw?: boolean;
  /** Receives each result batch of a SELECT instead of `rows` being built (rows stays empty; values raw). */
  sink?: (batch: ExecBatch) => void;
  /** SELECT: bind and plan only (columns, no rows); other statements run as usual. */
  bindOnly?: boolean;
}

/** Per-statement services handed to the DDL/DML runners. */
export interface StatementEnv {
  readonly store: TableStore;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly paramTypes: SqlType[];
  readonly stats: ScanStats;
  binder(): SelectBinder;
  context(): ExecContext;
  /** Optimizes and runs a plan to JS-valued rows. */
  run(plan: Plan): unknown[][];
}

/** Infers a parameter's SQL type from its JS value (strings stay untyped, like literals). */
export function paramType(v: unknown): SqlType {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 'int32' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'timestamptz';
  if (v instanceof Uint8Array) return 'bytea';
  return 'unknown';
}

const publicType = (t: SqlType): ValueType => (t === 'unknown' ? 'text' : t);

/** Converts a 1-based UTF-8 byte position to a 1-based character position. */
function byteToCharPosition(sql: string, bytePos: number): number {
  let bytes = 0;
  let chars = 0;
  for (const ch of sql) {
    if (bytes >= bytePos - 1) break;
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    chars++;
  }
  return chars + 1;
}

/** Estimated heap bytes of the last `n` rows of `rows`, from a few sampled rows (per batch, not per row). */
function resultBatchBytes(rows: readonly unknown[][], n: number): number {
  if (n === 0) return 0;
  const end = rows.length;
  const sample = [end - n, end - 1 - (n >> 1), end - 1];
  let bytes = 0;
  for (const i of sample) bytes += rowBytes(rows[i]);
  return (bytes / sample.length) * n;
}

/** The value of `SET statement_timeout = …` / `TO DEFAULT` / `RESET statement_timeout`, in ms. */
function statementTimeoutSetting(v: PgNode): number {
  if (v.kind === 'VAR_SET_DEFAULT' || v.kind === 'VAR_RESET') return DEFAULT_STATEMENT_TIMEOUT_MS;
  const c = v.args?.[0]?.A_Const;
  if (v.kind !== 'VAR_SET_VALUE' || v.args.length !== 1 || !c)
    throw new SqlError(SqlState.invalidParameterValue, 'SET statement_timeout takes one value');
  return parseTimeoutMs(
    c.ival ? (c.ival.ival ?? 0) : c.sval ? c.sval.sval : c.fval ? Number(c.fval.fval) : null,
  );
}

export class Database {
  /** Operator memory budget per statement, bytes (sorts, joins, windows spill past it). */
  memoryLimit = DEFAULT_MEMORY_LIMIT;
  /** statement_timeout in ms (57014 past it; 0 disables); `SET statement_timeout` changes it. */
  statementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS;
  /** This session's settings (SET / SHOW / RESET, set_config); active while its statements run. */
  readonly settings = new SessionSettings();
  /** Where operators spill; in JS memory (compactly encoded) unless the host provides storage. */
  spill: SpillStore = new MemorySpillStore();

  private constructor(readonly store: TableStore) {}

  /** Creates a database over `store` (in-memory by default); loads the SQL parser on first use. */
  static async create(
    opts: {
      store?: TableStore;
      wasmModule?: WebAssembly.Module;
      memoryLimit?: number;
      statementTimeout?: number;
      spill?: SpillStore;
    } = {},
  ): Promise<Database> {
    await initParser(opts.wasmModule ? { wasmModule: opts.wasmModule } : {});
    const db = new Database(opts.store ?? new MemoryTableStore());
    if (opts.memoryLimit !== undefined) db.memoryLimit = opts.memoryLimit;
    if (opts.statementTimeout !== undefined) db.statementTimeout = opts.statementTimeout;
    if (opts.spill) db.spill = opts.spill;
    return db;
  }

  /** Runs one or more ;-separated statements; one result per statement. */
  async exec(sql: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult[]> {
    await parserReady();
    const stmts = parseSql(sql, params);
    const results: QueryResult[] = [];
    for (const s of stmts) results.push(this.runStatement(s.stmt, sql, params, opts));
    return results;
  }

  /** Runs the SQL and returns the last statement's result. */
  async query(sql: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    const all = await this.exec(sql, params, opts);
    if (all.length === 0) throw new SqlError(SqlState.syntaxError, 'empty query');
    return all[all.length - 1];
  }

  /**
   * Runs one already parsed statement (`sql` is the text its AST locations point into).
   * For hosts that rewrite or assemble statements from parsed pieces, such as the
   * data plane evaluating management-function arguments or show_*() in FROM.
   */
  runParsed(
    stmt: PgNode,
    sql: string,
    params: readonly unknown[] = [],
    opts: QueryOptions = {},
  ): QueryResult {
    return this.runStatement(stmt, sql, params, opts);
  }

  /** Bulk load straight into columnar chunks (skips the hot row store). */
  async bulkLoad(
    table: string,
    columns: Record<string, ArrayLike<unknown> | Vector>,
    rowCount: number,
  ): Promise<void> {
    const t = this.store.get(table);
    if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${table}" does not exist`);
    bulkLoadInto(t, columns, rowCount, this.store.chunkBuilder);
  }

  private env(
    sql: string,
    params: readonly unknown[],
    stats: ScanStats,
    memory: QueryMemory,
    budget?: StatementBudget,
  ): StatementEnv {
    const paramTypes = params.map(paramType);
    const ctx: BindContext = { ctes: new Map(), params: paramTypes, sql };
    const optimized = new WeakMap<Plan, Plan>();
    const exec: ExecContext = {
      store: this.store,
      params,
      outer: [],
      stats,
      memory,
      budget,
      runPlan: (plan) => {
        let p = optimized.get(plan);
        if (!p) optimized.set(plan, (p = optimize(plan)));
        const optimizedPlan = p;
        // A subquery's operators are done when it returns: give back what they still hold.
        return memory.scoped(() => {
          const op = buildOperator(optimizedPlan, exec);
          const rows: unknown[][] = [];
          for (let b = op.next(); b; b = op.next()) batchRows(b, rows);
          return rows;
        });
      },
    };
    return {
      store: this.store,
      sql,
      params,
      paramTypes,
      stats,
      binder: () => new SelectBinder(this.store, ctx),
      context: () => exec,
      run: (plan) => exec.runPlan(plan),
    };
  }

  private runStatement(
    stmt: PgNode,
    sql: string,
    params: readonly unknown[],
    opts: QueryOptions,
  ): QueryResult {
    try {
      return withSettings(this.settings, () => this.runInSession(stmt, sql, params, opts));
    } finally {
      this.settings.endStatement();
    }
  }

  private runInSession(
    stmt: PgNode,
    sql: string,
    params: readonly unknown[],
    opts: QueryOptions,
  ): QueryResult {
    const stats: ScanStats = { chunksScanned: 0, chunksSkipped: 0, rowsScanned: 0 };
    const memory = new QueryMemory(opts.memoryLimit ?? this.memoryLimit, this.spill);
    const timeout = opts.statementTimeout ?? this.statementTimeout;
    const budget = timeout > 0 ? new StatementBudget(timeout) : undefined;
    const prevValueBytes = valueLimits.maxBytes;
    if (Number.isFinite(memory.limit)) valueLimits.maxBytes = memory.limit;
    const started = Date.now() * 1000;
    const prevNow = clock.nowMicros;
    clock.nowMicros = () => started;
    try {
      const env = this.env(sql, params, stats, memory, budget);
      const key = Object.keys(stmt)[0];
      if (key === 'SelectStmt' && !stmt.SelectStmt.intoClause) {
        const q = env.binder().bindQuery(stmt);
        const columns = q.columns.map((c) => ({ name: c.name, type: publicType(c.type) }));
        if (opts.bindOnly)
          return { command: 'SELECT', columns, rows: [], rowCount: 0, stats: { ...stats }, plan: q.plan };
        const types = q.columns.map((c) => c.type);
        const op = buildOperator(optimize(q.plan), env.context());
        const rows: unknown[][] = [];
        let resultBytes = 0;
        const resultLimit = Math.max(memory.limit, DEFAULT_MEMORY_LIMIT);
        const formats = opts.raw ? undefined : resultFormatters(types);
        const sink = opts.sink;
        for (let b = op.next(); b; b = op.next()) {
          if (sink) sink(b);
          else {
            batchRows(b, rows, formats);
            resultBytes += resultBatchBytes(rows, b.count);
            // Rows kept for the caller cannot spill: past the budget the statement fails (53200).
            if (resultBytes > resultLimit) throw outOfMemory('the result set', resultLimit);
          }
        }
        return {
          command: 'SELECT',
          columns,
          rows,
          rowCount: rows.length,
          stats: { ...stats },
          memory: { ...memory.stats },
        };
      }
      if (key === 'ExplainStmt') return this.explain(stmt.ExplainStmt, env);
      const setting = runSettingStatement(stmt, this.settings);
      if (setting) {
        const v = stmt.VariableSetStmt;
        if (v?.name === 'statement_timeout') this.statementTimeout = statementTimeoutSetting(v);
        if (v?.kind === 'VAR_RESET_ALL') this.statementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS;
        return { ...setting, rowCount: setting.rows.length, stats: { ...stats } };
      }
      const ddl = runDdl(stmt, env);
      if (ddl) return { ...ddl, stats: { ...stats } };
      const dml = runDml(stmt, env);
      if (dml) return { ...dml, stats: { ...stats } };
      throw new SqlError(SqlState.featureNotSupported, `${commandName(key)} is not supported`);
    } catch (e) {
      if (isSqlError(e)) {
        // AST locations are byte offsets into the UTF-8 text; PostgreSQL reports characters.
        if (e.position !== undefined && /[^\x00-\x7f]/.test(sql)) {
          throw new SqlError(e.code, e.message, byteToCharPosition(sql, e.position), e.hint);
        }
        throw e;
      }
      if (e instanceof RangeError) throw new SqlError(SqlState.programLimitExceeded, e.message);
      throw e;
    } finally {
      // Spill runs of a failed or early-stopped statement are deleted here.
      memory.close();
      clock.nowMicros = prevNow;
      valueLimits.maxBytes = prevValueBytes;
    }
  }

  private explain(ex: PgNode, env: StatementEnv): QueryResult {
    const inner = ex.query;
    if (!inner.SelectStmt) throw new SqlError(SqlState.featureNotSupported, 'EXPLAIN supports SELECT only');
    const q = env.binder().bindQuery(inner);
    const plan = optimize(q.plan);
    const lines = explainPlan(plan, (scan) => {
      const t = this.store.get(scan.table);
      if (!t) return { total: 0, skipped: 0 };
      const segs = t.segments();
      let skipped = 0;
      for (const s of segs) {
        if (s.hot) continue;
        const cols = t.def.columns;
        if (
          scan.ranges.some((r) => zoneExcludes(s.source.zoneMap(cols[r.column].id), r, cols[r.column].type))
        )
          skipped++;
      }
      return { total: segs.length, skipped };
    });
    return {
      command: 'EXPLAIN',
      columns: [{ name: 'QUERY PLAN', type: 'text' }],
      rows: lines.map((l) => [l]),
      rowCount: lines.length,
      stats: { chunksScanned: 0, chunksSkipped: 0, rowsScanned: 0 },
    };
  }
}
