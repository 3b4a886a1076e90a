/**
 * @module engine/distributed/sql-statements
 * Classifies parsed statements into data-plane commands and does the pure part
 * of each: column definitions of CREATE / ALTER TABLE, rows of INSERT … VALUES,
 * arguments of the Citus/Timescale management functions. Catalog lookups and
 * shard I/O stay with the caller.
 */

import { SqlError, SqlState } from '../errors.ts';
import { coerce, typeFromTypeName, typmodOf } from '../sql/coerce.ts';
import { setValue } from '../sql/set-statements.ts';
import { alterActionName, commandName, constraintName } from '../sql/sql-names.ts';
import type { RelOption } from '../storage/chunk-layout.ts';
import { SessionSettings } from '../types/session-settings.ts';
import type { ColumnType } from '../vector.ts';
import { declaredType, enforceTypmod, storageTypeOf } from './column-types.ts';
import { constantOf } from './constant-fold.ts';
import { type EngineType, planeValue } from './coordinator-engine.ts';
import { bindSelectPlan } from './coordinator-schema.ts';
import { classifyCreateAs } from './create-table-as.ts';
import { inlineCte } from './cte-inline.ts';
import type { CallArgs } from './management-args.ts';
import { typeNameOf, unsupported } from './sql-expr.ts';
import { CoercionError, type DistColumn, type DistTable, type Row, rowFromNamed } from './table-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Column definition parsed from CREATE TABLE / ADD COLUMN (ids are assigned by the catalog). */
export type ColumnSpec = Omit<DistColumn, 'id'>;

/**
 * A management function call: `SELECT fn(positional…, name => value…)`. The
 * arguments stay expression nodes; the data plane evaluates them with the
 * engine, typed (see `management-args`).
 */
export interface FunctionCall extends CallArgs {
  readonly name: string;
}

/** What a statement asks the data plane to do. */
export type Command =
  | {
      readonly kind: 'create';
      readonly table: string;
      readonly columns: ColumnSpec[];
      /** PRIMARY KEY / UNIQUE, column and table forms, in the order written. */
      readonly constraints: ConstraintSpec[];
      readonly ifNotExists: boolean;
    }
  /** ADD / DROP COLUMN, and `SET (timescaledb.compress_segmentby = …)`: the chunk layout (`options`). */
  | {
      readonly kind: 'alter';
      readonly table: string;
      readonly add: ColumnSpec[];
      readonly drop: string[];
      readonly options: RelOption[];
    }
  | { readonly kind: 'drop'; readonly tables: string[]; readonly ifExists: boolean }
  /** CREATE TABLE AS / SELECT INTO (see `create-table-as`): `query` is a wrapped SelectStmt. */
  | {
      readonly kind: 'createAs';
      readonly table: string;
      readonly query: Node;
      readonly columnNames: readonly string[];
      readonly ifNotExists: boolean;
      readonly withData: boolean;
    }
  /** `ALTER TABLE [IF EXISTS] t RENAME TO u`. */
  | { readonly kind: 'rename'; readonly table: string; readonly to: string; readonly ifExists: boolean }
  | { readonly kind: 'insert'; readonly table: string; readonly stmt: Node }
  | { readonly kind: 'insertSelect'; readonly table: string; readonly stmt: Node }
  | { readonly kind: 'delete'; readonly table: string; readonly where?: Node }
  | { readonly kind: 'update'; readonly table: string; readonly stmt: Node }
  /** A single-table SELECT the fast path may plan; `original` is the statement node before CTE inlining. */
  | { readonly kind: 'select'; readonly table: string; readonly stmt: Node; readonly original: Node }
  /** Any other query: runs on the coordinator's engine over gathered rows (see `coordinator-plan`). */
  | { readonly kind: 'query'; readonly stmt: Node }
  /** `EXPLAIN [ANALYZE] SELECT …` (`stmt` is the ExplainStmt): the distributed plan as text. */
  | { readonly kind: 'explain'; readonly stmt: Node }
  | { readonly kind: 'function'; readonly call: FunctionCall }
  /** A query with show_shards() / show_chunks() in FROM: runs over their rows (see `show-from`). */
  | { readonly kind: 'showQuery'; readonly stmt: Node }
  /**
   * `SET orochi.coordinator_row_limit = n`: lowers the general path's row limit for the rest of
   * the call; a session setting (see `setting`) has no `value` and changes nothing.
   */
  | { readonly kind: 'set'; readonly name: string; readonly value?: number };

/** The management functions the data plane implements. */
export const MANAGEMENT_FUNCTIONS = new Set([
  'create_distributed_table',
  'create_reference_table',
  'create_hypertable',
  'drop_chunks',
  'add_retention_policy',
  'remove_retention_policy',
  'add_tiering_policy',
  'remove_tiering_policy',
  'tier_chunk',
  'freeze_chunk',
  'show_shards',
  'show_chunks',
  'compact_table',
]);

/** The management functions that return rows and may stand in FROM (`SELECT … FROM show_chunks('t')`). */
export const SHOW_FUNCTIONS = new Set(['show_shards', 'show_chunks']);

/** The function name of a FuncCall node (`a.b` when qualified). */
export function funcName(fc: Node): string {
  return (fc.funcname as Node[]).map((x: Node) => x.String.sval).join('.');
}

/** The show_* call of a RangeFunction node (a function in FROM), or undefined for any other function. */
export function showCall(rf: Node): Node | undefined {
  const items = rf.functions?.length === 1 ? (rf.functions[0].List?.items as Node[]) : undefined;
  const fc = items?.[0]?.FuncCall;
  return fc && SHOW_FUNCTIONS.has(funcName(fc)) ? fc : undefined;
}

/** Whether a statement calls a show_* function in FROM (anywhere, subqueries included). */
export function callsShowInFrom(n: Node): boolean {
  if (n === null || typeof n !== 'object') return false;
  if (n.RangeFunction && showCall(n.RangeFunction)) return true;
  return Object.values(n).some(callsShowInFrom);
}

/** Positional and named arguments of a FuncCall node (`name => value`). */
export function callArgs(fc: Node): CallArgs {
  if (fc.agg_star || fc.agg_distinct || fc.func_variadic || fc.agg_order || fc.agg_filter || fc.over)
    unsupported(`${funcName(fc)}() with *, DISTINCT, VARIADIC, ORDER BY, FILTER or OVER`);
  const args: Node[] = [];
  const named: Record<string, Node> = {};
  for (const a of (fc.args ?? []) as Node[]) {
    if (!a.NamedArgExpr) args.push(a);
    else if (named[a.NamedArgExpr.name] !== undefined)
      throw new SqlError(SqlState.syntaxError, `argument name "${a.NamedArgExpr.name}" used more than once`);
    else named[a.NamedArgExpr.name] = a.NamedArgExpr.arg;
  }
  return { args, named };
}

/** A PRIMARY KEY / UNIQUE constraint as written (the catalog resolves names to ids; see `unique-keys`). */
export interface ConstraintSpec {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly primary: boolean;
}

/** Type names that imply a default (a sequence) in PostgreSQL, which the data plane has not. */
const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/**
 * A column's declared type resolved by the engine (its names, modifiers, errors) and the
 * representation shards store it in (0A000 for types they cannot store; see `column-types`).
 */
function columnType(tn: Node): Pick<ColumnSpec, 'type' | 'sqlType' | 'typmod'> {
  const name = typeNameOf(tn);
  if (SERIALS.has(name)) unsupported(`column type ${name}`);
  const sqlType = typeFromTypeName(tn) as ColumnType;
  const typmod = typmodOf(tn, sqlType);
  const type = storageTypeOf(sqlType);
  return { type, ...(sqlType !== type && { sqlType }), ...(typmod && { typmod }) };
}

/** A column definition and the PRIMARY KEY / UNIQUE constraints written on it. */
function columnDef(cd: Node, params: readonly unknown[]): { spec: ColumnSpec; keys: ConstraintSpec[] } {
  const typed = columnType(cd.typeName);
  let notNull = false;
  let dflt: unknown;
  const keys: ConstraintSpec[] = [];
  for (const c of (cd.constraints ?? []) as Node[]) {
    const ct = c.Constraint.contype as string;
    if (ct === 'CONSTR_NOTNULL') notNull = true;
    else if (ct === 'CONSTR_NULL') notNull = false;
    else if (ct === 'CONSTR_DEFAULT') {
      dflt = defaultOf(c.Constraint.raw_expr, params, typed);
    } else if (ct === 'CONSTR_PRIMARY' || ct === 'CONSTR_UNIQUE') {
      keys.push(keyConstraint(c.Constraint, [cd.colname]));
      notNull = notNull || ct === 'CONSTR_PRIMARY';
    } else unsupported(constraintName(ct));
  }
  return { spec: { name: cd.colname, ...typed, notNull, default: dflt }, keys };
}

/**
 * A DEFAULT: the engine's constant (folded by the engine, see `constant-fold`) cast to the
 * declared type, then the modifier as an assignment applies it (22001 / 22003), held in the
 * column's stored representation (a numeric as its exact decimal text).
 */
function defaultOf(
  node: Node,
  params: readonly unknown[],
  column: Pick<ColumnSpec, 'type' | 'sqlType' | 'typmod'>,
): unknown {
  const type = declaredType(column);
  const v = enforceTypmod(column, engineValue(node, params, 'DEFAULT', type).value);
  if (v === null || v === undefined) return undefined;
  return type === 'numeric' ? v : planeValue(v, type as EngineType);
}

/** PRIMARY KEY / UNIQUE (column or table form); the index options PostgreSQL also takes are refused. */
function keyConstraint(c: Node, columns: string[]): ConstraintSpec {
  const what = c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
  if (c.nulls_not_distinct) unsupported(`${what} … NULLS NOT DISTINCT`);
  if (c.including) unsupported(`${what} … INCLUDE`);
  if (c.deferrable || c.initdeferred) unsupported(`DEFERRABLE ${what}`);
  if (c.options || c.indexspace || c.indexname) unsupported(`${what} with index options`);
  return { name: c.conname, columns, primary: c.contype === 'CONSTR_PRIMARY' };
}

function columnSpec(cd: Node, params: readonly unknown[]): ColumnSpec {
  const { spec, keys } = columnDef(cd, params);
  // Existing rows would have to be checked (PostgreSQL builds the index over them).
  if (keys.length > 0)
    throw new SqlError(
      SqlState.featureNotSupported,
      'ADD COLUMN … PRIMARY KEY / UNIQUE is not supported: declare the key in CREATE TABLE',
    );
  return spec;
}

function relName(rel: Node): string {
  if (rel.schemaname && rel.schemaname !== 'public') unsupported(`schema "${rel.schemaname}"`);
  return rel.relname as string;
}

/**
 * `SET (timescaledb.compress_segmentby = 'host', …)`: storage parameters, checked
 * (names and columns) by the catalog against the table (see `table-layout`).
 */
function relOptions(def: Node): RelOption[] {
  return ((def?.List?.items ?? []) as Node[]).map((x) => {
    const d = x.DefElem;
    const arg = d.arg;
    // `= 'a, b'` and `= true` arrive as strings, `= 1` as an integer.
    const value = arg?.String?.sval ?? (arg?.Integer ? String(arg.Integer.ival ?? 0) : undefined);
    return { namespace: d.defnamespace, name: d.defname, value };
  });
}

/** Whether a statement has `WITH x AS (INSERT | UPDATE | DELETE | MERGE …)` anywhere. */
function hasDataModifyingCte(n: Node): boolean {
  const stack: unknown[] = [n];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object') continue;
    const q = (x as Node).CommonTableExpr?.ctequery;
    if (q && (q.InsertStmt || q.UpdateStmt || q.DeleteStmt || q.MergeStmt)) return true;
    for (const v of Object.values(x)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  return false;
}

/** Turns one parsed statement into a command (0A000 for anything else). */
export function classify(stmt: Node, params: readonly unknown[]): Command {
  // The general path runs a statement over gathered copies of the rows: a DELETE in a CTE
  // there would report rows and change nothing. Refuse it until the write path runs it.
  if (hasDataModifyingCte(stmt)) unsupported('data-modifying statements in WITH');
  // The write path returns counts, not rows: INSERT … RETURNING answered no rows at all
  // (PostgreSQL 18's parser names the list `returningClause.exprs`, older ones `returningList`).
  const dml = stmt.InsertStmt ?? stmt.UpdateStmt ?? stmt.DeleteStmt;
  if (dml && (dml.returningClause || dml.returningList)) unsupported('RETURNING');
  const createAs = classifyCreateAs(stmt);
  if (createAs) return createAs;
  if (stmt.CreateStmt) {
    const c = stmt.CreateStmt;
    const columns: ColumnSpec[] = [];
    const constraints: ConstraintSpec[] = [];
    for (const e of (c.tableElts ?? []) as Node[]) {
      if (e.ColumnDef) {
        const { spec, keys } = columnDef(e.ColumnDef, params);
        columns.push(spec);
        constraints.push(...keys);
      } else if (
        e.Constraint &&
        (e.Constraint.contype === 'CONSTR_PRIMARY' || e.Constraint.contype === 'CONSTR_UNIQUE')
      ) {
        const keys = (e.Constraint.keys as Node[]).map((k) => k.String.sval as string);
        constraints.push(keyConstraint(e.Constraint, keys));
      } else unsupported('table constraints other than PRIMARY KEY / UNIQUE');
    }
    if (c.inhRelations || c.partspec) unsupported('INHERITS / PARTITION BY');
    const names = columns.map((x) => x.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new SqlError(SqlState.duplicateColumn, `column "${dup}" specified more than once`);
    if (columns.length === 0) throw new SqlError(SqlState.syntaxError, 'a table needs at least one column');
    return {
      kind: 'create',
      table: relName(c.relation),
      columns,
      constraints,
      ifNotExists: Boolean(c.if_not_exists),
    };
  }
  if (stmt.AlterTableStmt) {
    const a = stmt.AlterTableStmt;
    const add: ColumnSpec[] = [];
    const drop: string[] = [];
    const options: RelOption[] = [];
    for (const cmd of a.cmds as Node[]) {
      const c = cmd.AlterTableCmd;
      if (c.subtype === 'AT_AddColumn') add.push(columnSpec(c.def.ColumnDef, params));
      else if (c.subtype === 'AT_DropColumn') drop.push(c.name);
      else if (c.subtype === 'AT_SetRelOptions') options.push(...relOptions(c.def));
      else if (c.subtype === 'AT_AddConstraint') addConstraintRefused(c.def?.Constraint);
      else unsupported(alterActionName(String(c.subtype)));
    }
    return { kind: 'alter', table: relName(a.relation), add, drop, options };
  }
  if (stmt.RenameStmt) {
    const r = stmt.RenameStmt;
    if (r.renameType !== 'OBJECT_TABLE')
      unsupported(`ALTER … RENAME of ${String(r.renameType).replace('OBJECT_', '').toLowerCase()}`);
    return {
      kind: 'rename',
      table: relName(r.relation),
      to: String(r.newname),
      ifExists: Boolean(r.missing_ok),
    };
  }
  if (stmt.DropStmt) {
    const d = stmt.DropStmt;
    if (d.removeType !== 'OBJECT_TABLE') unsupported(`DROP ${String(d.removeType).replace('OBJECT_', '')}`);
    const tables = (d.objects as Node[]).map((o) => {
      const items = o.List.items as Node[];
      return items[items.length - 1].String.sval as string;
    });
    return { kind: 'drop', tables, ifExists: Boolean(d.missing_ok) };
  }
  if (stmt.InsertStmt) {
    const i = stmt.InsertStmt;
    if (i.withClause) unsupported('INSERT with WITH');
    const source = i.selectStmt?.SelectStmt;
    if (source && !source.valuesLists) return { kind: 'insertSelect', table: relName(i.relation), stmt: i };
    return { kind: 'insert', table: relName(i.relation), stmt: i };
  }
  if (stmt.DeleteStmt) {
    const d = stmt.DeleteStmt;
    if (d.usingClause || d.withClause) unsupported('DELETE with USING / WITH');
    return { kind: 'delete', table: relName(d.relation), where: d.whereClause };
  }
  if (stmt.SelectStmt) {
    const query = { kind: 'query', stmt } as const;
    const raw = stmt.SelectStmt;
    if (callsShowInFrom(raw)) return { kind: 'showQuery', stmt };
    if (raw.intoClause) unsupported('SELECT INTO (use CREATE TABLE … AS)');
    if (raw.lockingClause) unsupported('SELECT … FOR UPDATE / SHARE (each statement is its own transaction)');
    if (raw.op !== 'SETOP_NONE' || raw.valuesLists) return query;
    let s = raw;
    if (raw.withClause) {
      try {
        s = inlineCte(raw);
      } catch (e) {
        if (e instanceof SqlError && e.code === SqlState.featureNotSupported) return query;
        throw e;
      }
    }
    const from = (s.fromClause ?? []) as Node[];
    if (from.length === 0) return isManagementCall(s) ? { kind: 'function', call: functionCall(s) } : query;
    if (from.length > 1 || !from[0].RangeVar || from[0].RangeVar.schemaname) return query;
    return { kind: 'select', table: relName(from[0].RangeVar), stmt: s, original: stmt };
  }
  if (stmt.UpdateStmt) {
    const u = stmt.UpdateStmt;
    if (u.fromClause || u.withClause) unsupported('UPDATE with FROM / WITH');
    return { kind: 'update', table: relName(u.relation), stmt: u };
  }
  if (stmt.IndexStmt)
    throw new SqlError(
      SqlState.featureNotSupported,
      `CREATE ${stmt.IndexStmt.unique ? 'UNIQUE ' : ''}INDEX is not supported: ` +
        'declare PRIMARY KEY or UNIQUE in CREATE TABLE (shards enforce those; scans use zone maps instead of indexes)',
    );
  if (stmt.ExplainStmt) return { kind: 'explain', stmt: stmt.ExplainStmt };
  if (stmt.VariableSetStmt) return setting(stmt.VariableSetStmt, params);
  if (stmt.TransactionStmt) unsupported('explicit transactions (each call is one transaction per statement)');
  return unsupported(commandName(Object.keys(stmt)[0]));
}

/** ALTER TABLE … ADD CONSTRAINT: existing rows would have to be validated; refused with a hint. */
function addConstraintRefused(c: Node | undefined): never {
  const what =
    c?.contype === 'CONSTR_PRIMARY'
      ? 'PRIMARY KEY'
      : c?.contype === 'CONSTR_UNIQUE'
        ? 'UNIQUE'
        : 'a constraint';
  throw new SqlError(
    SqlState.featureNotSupported,
    `ALTER TABLE … ADD ${what} is not supported: declare PRIMARY KEY and UNIQUE in CREATE TABLE`,
  );
}

/** The engine's value of a constant expression node, cast to `type` if given, with its engine type. */
function engineValue(
  node: Node,
  params: readonly unknown[],
  what: string,
  type?: ColumnType,
): { value: unknown; type: EngineType } {
  const plan = bindSelectPlan(
    [],
    { targetList: [{ ResTarget: { val: node } }], op: 'SETOP_NONE' },
    '',
    params,
  );
  if (plan.kind !== 'project') return unsupported(what);
  const e = type ? coerce(plan.exprs[0], type, true) : plan.exprs[0];
  return { value: constantOf(e, params, what), type: e.type as EngineType };
}

/** The engine's value of a constant expression node, as the data plane holds it. */
function engineConstant(node: Node, params: readonly unknown[], what: string): unknown {
  const { value, type } = engineValue(node, params, what);
  return planeValue(value, type);
}

/** The settings a call may change (per call, never persisted). */
export const CALL_SETTINGS = new Set(['orochi.coordinator_row_limit']);

/**
 * Session settings whose non-default values the data plane does not carry to the shards yet:
 * a call may set them to what the server does anyway (UTC, ISO dates, postgres intervals, hex).
 */
const DATA_PLANE_FIXED: Record<string, string> = {
  timezone: 'UTC',
  datestyle: 'ISO, MDY',
  intervalstyle: 'postgres',
  bytea_output: 'hex',
};

/**
 * SET of a session setting: checked by the engine's `SessionSettings` (PostgreSQL's 42704 for
 * an unknown name, 22023 for a bad value, 0A000 for a value the engine does not implement).
 * Settings that do not change answers (client_encoding UTF8, application_name, planner
 * switches, …) are accepted and change nothing; zone and style settings only at their defaults.
 */
function setting(v: Node, params: readonly unknown[]): Command {
  const name = String(v.name);
  if (!CALL_SETTINGS.has(name) && (v.kind === 'VAR_SET_VALUE' || v.kind === 'VAR_SET_DEFAULT')) {
    const probe = new SessionSettings();
    const shown = probe.set(name, setValue(v));
    const key = name.toLowerCase();
    const fixed = DATA_PLANE_FIXED[key];
    const ref = probe.zone.ref;
    const isDefault = key === 'timezone' ? 'fixed' in ref && ref.fixed === 0 : shown === fixed;
    if (fixed !== undefined && !isDefault)
      throw new SqlError(
        SqlState.featureNotSupported,
        `SET ${SessionSettings.showName(name)} = '${shown}' is not supported over the HTTP API yet: ` +
          `results are computed with ${SessionSettings.showName(name)} '${fixed}'`,
      );
    return { kind: 'set', name };
  }
  if (v.kind !== 'VAR_SET_VALUE' || !CALL_SETTINGS.has(name)) unsupported(`SET ${name}`);
  const args = (v.args ?? []) as Node[];
  const value = args.length === 1 ? engineConstant(args[0], params, `SET ${name}`) : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new SqlError(SqlState.invalidParameterValue, `${name} must be a non-negative integer`);
  return { kind: 'set', name, value };
}

/** `SELECT fn(…)` naming one of the management functions. */
function isManagementCall(s: Node): boolean {
  const targets = (s.targetList ?? []) as Node[];
  const fc = targets.length === 1 ? targets[0].ResTarget.val.FuncCall : undefined;
  return Boolean(fc && MANAGEMENT_FUNCTIONS.has(funcName(fc)));
}

function functionCall(s: Node): FunctionCall {
  const fc = (s.targetList as Node[])[0].ResTarget.val.FuncCall;
  if (s.whereClause || s.groupClause || s.havingClause || s.sortClause || s.limitCount || s.limitOffset)
    unsupported(`${funcName(fc)}() with WHERE, GROUP BY, ORDER BY or LIMIT (call it in FROM for that)`);
  return { name: funcName(fc), ...callArgs(fc) };
}

/** A row of `table` from values by column name; coercion failures become SQL errors. */
export function tableRow(table: DistTable, named: Readonly<Record<string, unknown>>): Row {
  try {
    return rowFromNamed(table, named);
  } catch (e) {
    if (!(e instanceof CoercionError)) throw e;
    const code = /does not exist/.test(e.message)
      ? SqlState.undefinedColumn
      : /not-null/.test(e.message)
        ? SqlState.notNullViolation
        : SqlState.invalidTextRepresentation;
    throw new SqlError(code, e.message);
  }
}

/**
 * The INSERT without its ON CONFLICT clause, for the engine's binder: it binds and
 * evaluates the rows; the shards resolve ON CONFLICT against the keys they store
 * (see `on-conflict`, engine/distributed/unique-keys). Other statements unchanged.
 */
export function withoutOnConflict(stmt: Node): Node {
  if (!stmt.InsertStmt?.onConflictClause) return stmt;
  const { onConflictClause: _, ...rest } = stmt.InsertStmt;
  return { InsertStmt: rest };
}
