/**
 * @module engine/sql/dml
 * INSERT (VALUES / SELECT, DEFAULT, RETURNING, ON CONFLICT DO NOTHING / DO
 * UPDATE), UPDATE and DELETE. Target rows are found by a row-id scan and the
 * whole set is collected before any change is applied, so a statement never
 * sees its own writes. UPDATE is delete + insert, as in the chunk design.
 */
import type { QueryResult, StatementEnv } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import { rowFrame } from '../exec/hash-join.ts';
import { formatRows } from '../exec/result-format.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { keyText } from '../storage/memory-store.ts';
import type { ColumnDef, TableData } from '../storage/table-store.ts';
import { typmodEnforcer } from '../types/typmod.ts';
import type { SqlType } from '../types/values.ts';
import { bindElementAssignment } from './array-assign.ts';
import { bindExpr, coerce, type ExprBinder, names } from './bind-expr.ts';
import { columnName } from './bind-select.ts';
import { assignTo, nodeLocation } from './coerce.ts';
import { insertRows } from './insert.ts';
import type { PgNode } from './parser.ts';
import { Scope, type ScopeColumn } from './scope.ts';

export type DmlResult = Omit<QueryResult, 'stats'>;
export const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

export function tableOf(env: StatementEnv, rv: PgNode): TableData {
  const t = env.store.get(rv.relname);
  if (!t && env.store.views?.has(rv.relname))
    throw err(SqlState.featureNotSupported, `writing to view "${rv.relname}" is not supported`, rv.location);
  if (!t) throw err(SqlState.undefinedTable, `relation "${rv.relname}" does not exist`, rv.location);
  return t;
}

export function tableScope(t: TableData, qualifier: string, extra: ScopeColumn[] = []): Scope {
  return new Scope([...t.def.columns.map((c) => ({ qualifier, name: c.name, type: c.type })), ...extra]);
}

/** Evaluates expressions over one row of the table's columns. */
export function rowEvaluator(env: StatementEnv, width: number, exprs: readonly Expr[]) {
  const rf = rowFrame(width, env.context());
  const evs = exprs.map((e) => compileExpr(e, rf.frame));
  return (row: readonly unknown[]) => {
    rf.set(row);
    return evs.map((ev) => ev(0));
  };
}

/** NOT NULL and CHECK constraints (a CHECK passes unless it is false); typmods are applied first, in place. */
export function checkRow(env: StatementEnv, t: TableData, row: unknown[]): void {
  t.def.columns.forEach((c, i) => {
    if (c.typmod && row[i] !== null) row[i] = typmodEnforcer(c.typmod, false)(row[i]);
  });
  t.def.columns.forEach((c, i) => {
    if (c.notNull && row[i] === null) {
      throw err(
        SqlState.notNullViolation,
        `null value in column "${c.name}" of relation "${t.def.name}" violates not-null constraint`,
      );
    }
  });
  if (t.def.checks.length === 0) return;
  const res = rowEvaluator(
    env,
    row.length,
    t.def.checks.map((c) => c.expr),
  )(row);
  res.forEach((v, i) => {
    if (v === false) {
      throw err(
        SqlState.checkViolation,
        `new row for relation "${t.def.name}" violates check constraint "${t.def.checks[i].name}"`,
      );
    }
  });
}

export function returning(
  env: StatementEnv,
  t: TableData,
  list: PgNode[] | undefined,
  rows: unknown[][],
  qualifier: string,
) {
  if (!list) return { columns: [], rows: [] as unknown[][] };
  const b = env.binder().makeBinder(tableScope(t, qualifier));
  const exprs: Expr[] = [];
  const cols: { name: string; type: SqlType }[] = [];
  for (const item of list) {
    const rt = item.ResTarget;
    const f = rt.val.ColumnRef?.fields;
    if (f?.[f.length - 1].A_Star) {
      t.def.columns.forEach((c, i) => {
        exprs.push({ kind: 'col', index: i, type: c.type });
        cols.push({ name: c.name, type: c.type });
      });
      continue;
    }
    const e = bindExpr(b, rt.val);
    exprs.push(e);
    cols.push({ name: rt.name ?? columnName(rt.val), type: e.type });
  }
  const ev = rowEvaluator(env, t.def.columns.length, exprs);
  const out = formatRows(
    rows.map(ev),
    cols.map((c) => c.type),
  );
  return {
    columns: cols.map((c) => ({ name: c.name, type: c.type === 'unknown' ? 'text' : c.type })),
    rows: out,
  };
}

export function defaultValue(env: StatementEnv, c: ColumnDef): unknown {
  if (!c.default) return null;
  return rowEvaluator(env, 0, [c.default])([])[0];
}

/**
 * Target rows of UPDATE/DELETE: the table's columns, then its row id, then the
 * columns of any FROM/USING items (joined by the WHERE clause), plus the scope
 * to bind SET/WHERE expressions in. Each target row appears once (the first match).
 */
function targetRows(
  env: StatementEnv,
  t: TableData,
  qualifier: string,
  where: PgNode | undefined,
  fromItems: PgNode[] | undefined,
  bindSets?: (scope: Scope) => void,
): unknown[][] {
  const def = t.def;
  const width = def.columns.length;
  const schema = def.columns.map((c) => ({ name: c.name, type: c.type as SqlType }));
  let plan: Plan = {
    kind: 'scan',
    table: def.name,
    columns: def.columns.map((_, i) => i),
    schema: [...schema, { name: 'rowid', type: 'float64' }],
    ranges: [],
    withRowId: true,
  };
  const rowid: ScopeColumn = { qualifier: undefined, name: '\u0000rowid', type: 'float64', hidden: true };
  let scopeCols: ScopeColumn[] = [...tableScope(t, qualifier).columns, rowid];
  if (fromItems?.length) {
    const from = env.binder().bindFromItems(fromItems);
    plan = {
      kind: 'join',
      joinType: 'cross',
      left: plan,
      right: from.plan,
      leftKeys: [],
      rightKeys: [],
      schema: [...plan.schema, ...from.plan.schema],
    };
    scopeCols = [...scopeCols, ...from.scope];
  }
  const scope = new Scope(scopeCols);
  bindSets?.(scope);
  if (where) {
    const b = env.binder().makeBinder(scope);
    plan = {
      kind: 'filter',
      input: plan,
      predicate: coerce(bindExpr(b, where), 'bool'),
      schema: plan.schema,
    };
  }
  const rows = env.run(plan);
  if (!fromItems?.length) return rows;
  const seen = new Set<number>();
  return rows.filter((r) => {
    const id = r[width] as number;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function update(env: StatementEnv, s: PgNode): DmlResult {
  const t = tableOf(env, s.relation);
  const def = t.def;
  const qualifier = s.relation.alias?.aliasname ?? def.name;
  let sets: { idx: number; expr: Expr }[] = [];
  const bindSets = (scope: Scope) => {
    const b = env.binder().makeBinder(scope);
    sets = bindSetList(b, s.targetList, def);
  };
  const matches = targetRows(env, t, qualifier, s.whereClause, s.fromClause, bindSets);
  const width = def.columns.length;
  const ev = rowEvaluator(
    env,
    matches[0]?.length ?? width + 1,
    sets.map((x) => x.expr),
  );
  const newRows = matches.map((r) => {
    const old = r.slice(0, width);
    const vals = ev(r);
    const row = old.slice();
    sets.forEach((x, i) => {
      row[x.idx] = vals[i];
    });
    checkRow(env, t, row);
    return { id: r[width] as number, row };
  });
  return finishUpdate(env, t, s, qualifier, newRows);
}

/** Binds UPDATE's SET list against the target (and FROM) scope. */
function bindSetList(b: ExprBinder, list: PgNode[], def: TableData['def']): { idx: number; expr: Expr }[] {
  const out: { idx: number; expr: Expr }[] = [];
  const subscripted = new Set<number>();
  for (const x of list) {
    const rt = x.ResTarget;
    const idx = def.columns.findIndex((c) => c.name === rt.name);
    if (idx < 0)
      throw err(
        SqlState.undefinedColumn,
        `column "${rt.name}" of relation "${def.name}" does not exist`,
        rt.location,
      );
    const prior = out.findIndex((s) => s.idx === idx);
    // Several `a[i] = …` of one column apply in order; any other repeat is an error.
    if (prior >= 0 && !(rt.indirection && subscripted.has(idx)))
      throw err('42601', `multiple assignments to same column "${rt.name}"`, rt.location);
    if (rt.indirection) {
      const c = def.columns[idx];
      const current: Expr = prior >= 0 ? out[prior].expr : { kind: 'col', index: idx, type: c.type };
      const expr = bindElementAssignment(b, rt, c, current);
      if (prior >= 0) out[prior] = { idx, expr };
      else out.push({ idx, expr });
      subscripted.add(idx);
      continue;
    }
    const expr = rt.val.SetToDefault
      ? (def.columns[idx].default ?? { kind: 'const', value: null, type: def.columns[idx].type })
      : assignTo(bindExpr(b, rt.val), def.columns[idx], nodeLocation(rt.val));
    out.push({ idx, expr });
  }
  return out;
}

function finishUpdate(
  env: StatementEnv,
  t: TableData,
  s: PgNode,
  qualifier: string,
  newRows: { id: number; row: unknown[] }[],
): DmlResult {
  checkUpdatedKeys(t, newRows);
  // RETURNING is bound and evaluated before the write: an error there must change nothing.
  const ret = returning(
    env,
    t,
    s.returningClause?.exprs ?? s.returningList,
    newRows.map((n) => n.row),
    qualifier,
  );
  for (const n of newRows) t.deleteRow(n.id);
  t.insert(newRows.map((n) => n.row));
  return { command: 'UPDATE', columns: ret.columns, rows: ret.rows, rowCount: newRows.length };
}

function remove(env: StatementEnv, s: PgNode): DmlResult {
  const t = tableOf(env, s.relation);
  const qualifier = s.relation.alias?.aliasname ?? t.def.name;
  const matches = targetRows(env, t, qualifier, s.whereClause, s.usingClause);
  const width = t.def.columns.length;
  const ret = returning(
    env,
    t,
    s.returningClause?.exprs ?? s.returningList,
    matches.map((r) => r.slice(0, width)),
    qualifier,
  );
  for (const r of matches) t.deleteRow(r[width] as number);
  return { command: 'DELETE', columns: ret.columns, rows: ret.rows, rowCount: matches.length };
}

/** Fails (before any write) when updated rows would collide on the primary key. */
function checkUpdatedKeys(t: TableData, rows: readonly { id: number; row: unknown[] }[]): void {
  const def = t.def;
  if (def.primaryKey.length === 0) return;
  const pkIdx = def.primaryKey.map((id) => def.columns.findIndex((c) => c.id === id));
  const moving = new Set(rows.map((r) => r.id));
  const seen = new Set<string>();
  for (const r of rows) {
    const key = keyText(pkIdx.map((i) => r.row[i]));
    const other = t.lookupKey(key);
    if (seen.has(key) || (other !== undefined && !moving.has(other))) {
      throw err(
        SqlState.uniqueViolation,
        `duplicate key value violates unique constraint "${def.name}_pkey"`,
      );
    }
    seen.add(key);
  }
}

/** Runs a DML statement; undefined when `stmt` is not DML. */
export function runDml(stmt: PgNode, env: StatementEnv): DmlResult | undefined {
  const key = Object.keys(stmt)[0];
  const s = stmt[key];
  if ((s?.withClause && key !== 'SelectStmt') || s?.withClause) {
    if (key === 'InsertStmt' || key === 'UpdateStmt' || key === 'DeleteStmt') {
      throw err(SqlState.featureNotSupported, 'WITH on INSERT/UPDATE/DELETE is not supported');
    }
  }
  switch (key) {
    case 'InsertStmt':
      return insertRows(env, s);
    case 'UpdateStmt':
      return update(env, s);
    case 'DeleteStmt':
      return remove(env, s);
  }
  return undefined;
}

export { names };
