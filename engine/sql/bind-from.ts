/**
 * @module engine/sql/bind-from
 * Binds the FROM clause: tables, CTE references, subqueries, generate_series
 * and joins (equality conjuncts of ON become hash-join keys).
 */

import { SqlError, SqlState } from '../errors.ts';
import { REGEX_SET_FUNCTIONS } from '../functions/regex-functions.ts';
import { andAll, columnsUsed, conjuncts, hasSubquery, outerReach, shiftColumns } from '../plan/expr-utils.ts';
import type { Column, Expr, Plan } from '../plan/nodes.ts';
import type { TableStore } from '../storage/table-store.ts';
import { elemType, isArrayType, isIntegerType, pgTypeName, type SqlType } from '../types/values.ts';
import { bindExpr, bindOperator, coerce, type ExprBinder, names, unifyTypes } from './bind-expr.ts';
import { regexSetCall } from './bind-regex-srf.ts';
import { catalogViewPlan, isCatalogSchema } from './catalog-views.ts';
import type { PgNode } from './parser.ts';
import { type BindContext, Scope, type ScopeColumn } from './scope.ts';
import { constructName } from './sql-names.ts';
import { expandView } from './views.ts';

/** What the FROM binder needs from the SELECT binder (to bind subqueries). */
export interface FromEnv {
  readonly store: TableStore;
  readonly ctx: BindContext;
  readonly outer?: Scope;
  bindQuery(
    stmt: PgNode,
    outer: Scope | undefined,
    track?: boolean,
  ): { plan: Plan; columns: readonly Column[]; correlated: boolean };
  /** Binds a query on its own, against `sql` (a view's defining query: no outer scope, CTEs or parameters). */
  bindDetached(stmt: PgNode, sql: string): { plan: Plan; columns: readonly Column[] };
  makeBinder(scope: Scope): ExprBinder;
  /** Marks the query being bound as correlated (it reads an enclosing query's row). */
  markCorrelated(): void;
}

export interface FromResult {
  readonly plan: Plan;
  readonly scope: ScopeColumn[];
  /** Set when the plan reads the row of the FROM items to its left (LATERAL). */
  readonly lateral?: boolean;
  /** The table names (aliases) this item makes visible, for the "specified more than once" check. */
  readonly refnames?: readonly string[];
}

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

function aliasColumns(
  cols: readonly Column[],
  qualifier: string | undefined,
  alias: PgNode | undefined,
  what = 'table',
): ScopeColumn[] {
  const renamed = names(alias?.colnames);
  checkAliasCount(what, qualifier ?? '', cols.length, renamed.length);
  return cols.map((c, i) => ({ qualifier, name: renamed[i] ?? c.name, type: c.type }));
}

/** PostgreSQL's 42P10 for a column alias list longer than the item's columns. */
export function checkAliasCount(what: string, name: string, available: number, specified: number): void {
  if (specified > available)
    throw err(
      SqlState.invalidColumnReference,
      `${what} "${name}" has ${available} columns available but ${specified} columns specified`,
    );
}

/** Qualifier of a column an aliased join hides: no SQL identifier can name it. */
const UNREACHABLE = '\u0000hidden';

/**
 * `(a JOIN b …) AS j(c1, …)`: only the join's own columns stay visible, under `j`
 * (renamed by the list); the joined tables' names are no longer in scope.
 */
function aliasJoin(scope: readonly ScopeColumn[], alias: PgNode): ScopeColumn[] {
  const q: string = alias.aliasname;
  const renamed = names(alias.colnames);
  checkAliasCount('join expression', q, scope.filter((c) => !c.hidden).length, renamed.length);
  let k = 0;
  return scope.map((c) =>
    c.hidden ? { ...c, qualifier: UNREACHABLE } : { ...c, qualifier: q, name: renamed[k++] ?? c.name },
  );
}

/** The names both sides make visible; a name twice is PostgreSQL's 42712. */
function mergeRefnames(a: FromResult, b: FromResult, location?: number): string[] {
  const left = a.refnames ?? [];
  const right = b.refnames ?? [];
  for (const r of right)
    if (left.includes(r))
      throw err(SqlState.duplicateAlias, `table name "${r}" specified more than once`, location);
  return [...left, ...right];
}

/** Binds a whole FROM list; several items are cross-joined (the join rule later finds equi keys). */
export function bindFromList(env: FromEnv, items: PgNode[] | undefined): FromResult {
  if (!items || items.length === 0) {
    return { plan: { kind: 'values', rows: [[]], schema: [] }, scope: [] };
  }
  let acc = bindFromItem(env, items[0]);
  for (let i = 1; i < items.length; i++) {
    const r = bindFromItem(env, items[i], acc);
    const refnames = mergeRefnames(acc, r);
    const schema = [...acc.plan.schema, ...r.plan.schema];
    acc = {
      refnames,
      plan: r.lateral
        ? { kind: 'apply', joinType: 'inner', left: acc.plan, right: r.plan, schema }
        : {
            kind: 'join',
            joinType: 'cross',
            left: acc.plan,
            right: r.plan,
            leftKeys: [],
            rightKeys: [],
            schema,
          },
      scope: [...acc.scope, ...r.scope],
    };
  }
  return acc;
}

/**
 * Finishes a LATERAL item bound against `Scope(left columns, env.outer)`: its
 * depth-1 outer references read the left row (the apply node pushes it); deeper
 * ones read the enclosing query, which makes that query correlated.
 */
function lateralResult(env: FromEnv, r: FromResult): FromResult {
  if (outerReach(r.plan) > 1) env.markCorrelated();
  return { ...r, lateral: true };
}

function bindFromItem(env: FromEnv, node: PgNode, left?: FromResult): FromResult {
  const key = Object.keys(node)[0];
  const n = node[key];
  switch (key) {
    case 'RangeVar': {
      const name: string = n.relname;
      const qualifier: string = n.alias?.aliasname ?? name;
      if (!n.schemaname) {
        const cte = env.ctx.ctes.get(name);
        if (cte)
          return {
            plan: cte.plan,
            scope: aliasColumns(cte.columns, qualifier, n.alias),
            refnames: [qualifier],
          };
      }
      if (isCatalogSchema(n.schemaname)) {
        const plan = catalogViewPlan(env.store, name);
        return { plan, scope: aliasColumns(plan.schema, qualifier, n.alias), refnames: [qualifier] };
      }
      const t = env.store.get(name);
      const view = t ? undefined : env.store.views?.get(name);
      if (view) {
        const q = expandView(view, env.bindDetached);
        return { plan: q.plan, scope: aliasColumns(q.columns, qualifier, n.alias) };
      }
      if (!t) throw err(SqlState.undefinedTable, `relation "${name}" does not exist`, n.location);
      const schema = t.def.columns.map((c) => ({ name: c.name, type: c.type }));
      const plan: Plan = {
        kind: 'scan',
        table: name,
        columns: t.def.columns.map((_, i) => i),
        schema,
        ranges: [],
        withRowId: false,
      };
      return { plan, scope: aliasColumns(schema, qualifier, n.alias), refnames: [qualifier] };
    }
    case 'RangeSubselect': {
      const refnames = n.alias ? [n.alias.aliasname] : [];
      if (n.lateral && left) {
        const q = env.bindQuery(n.subquery, new Scope(left.scope, env.outer), false);
        const scope = aliasColumns(q.columns, n.alias?.aliasname, n.alias);
        return lateralResult(env, { plan: q.plan, scope, refnames });
      }
      const q = env.bindQuery(n.subquery, env.outer);
      return { plan: q.plan, scope: aliasColumns(q.columns, n.alias?.aliasname, n.alias), refnames };
    }
    case 'RangeFunction': {
      const plain = () => {
        const r = bindRangeFunction(env, n, env.outer);
        if (outerReach(r.plan) > 0) env.markCorrelated();
        return r;
      };
      if (!left) return plain();
      const lateral = () => lateralResult(env, bindRangeFunction(env, n, new Scope(left.scope, env.outer)));
      if (n.lateral) return lateral();
      // Function calls in FROM are implicitly LATERAL: bind plainly first, laterally when
      // an argument names a column only the items to the left provide.
      try {
        return plain();
      } catch (e) {
        if (
          e instanceof SqlError &&
          (e.code === SqlState.undefinedColumn || e.code === SqlState.undefinedTable)
        )
          return lateral();
        throw e;
      }
    }
    case 'JoinExpr':
      return bindJoin(env, n);
  }
  throw err(SqlState.featureNotSupported, `${constructName(key)} is not supported`, n?.location);
}

function bindRangeFunction(env: FromEnv, n: PgNode, outer: Scope | undefined): FromResult {
  const call = n.functions[0]?.List.items[0].FuncCall;
  const fname = call ? names(call.funcname).pop() : undefined;
  if ((fname === 'unnest' || REGEX_SET_FUNCTIONS.has(fname ?? '')) && n.functions.length === 1)
    return bindUnnest(env, n, call, outer);
  if (n.ordinality || n.functions.length !== 1)
    throw err(SqlState.featureNotSupported, 'this FROM function form is not supported');
  // coalesce(…), current_date and other expressions that are not plain function calls.
  if (!call) throw err(SqlState.featureNotSupported, 'a non-function expression in FROM is not supported');
  if (fname !== 'generate_series')
    throw err(
      SqlState.featureNotSupported,
      `set-returning function ${fname} is not supported`,
      call.location,
    );
  const b = env.makeBinder(new Scope([], outer));
  const { args, type: t } = seriesCall(
    call.args.map((a: PgNode) => bindExpr(b, a)),
    call.location,
  );
  const colName = n.alias?.colnames ? names(n.alias.colnames)[0] : (n.alias?.aliasname ?? 'generate_series');
  const schema: Column[] = [{ name: colName, type: t }];
  return {
    plan: { kind: 'function', name: 'generate_series', args, schema },
    scope: [{ qualifier: n.alias?.aliasname ?? 'generate_series', name: colName, type: t }],
  };
}

/** Types generate_series(start, stop[, step]) arguments: the result type and coerced arguments. */
export function seriesCall(bound: readonly Expr[], location?: number): { args: Expr[]; type: SqlType } {
  if (bound.length < 2 || bound.length > 3)
    throw err(
      SqlState.undefinedFunction,
      `function generate_series(${bound.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      location,
    );
  let t = bound[0].type;
  if (t === 'unknown' || t === 'int16') t = bound[1]?.type === 'int64' ? 'int64' : 'int32';
  if (t === 'int32' && bound.some((a) => a.type === 'int64')) t = 'int64';
  // generate_series(numeric, numeric[, numeric]) also takes integer arguments beside a numeric one.
  if (
    bound.some((a) => a.type === 'numeric') &&
    bound.every((a) => a.type === 'numeric' || a.type === 'unknown' || isIntegerType(a.type))
  )
    t = 'numeric';
  if (t === 'float64' || t === 'float32') {
    throw err(SqlState.featureNotSupported, `generate_series over ${t} is not supported`, location);
  }
  if (t === 'date') t = 'timestamptz';
  const stepType = t === 'timestamp' || t === 'timestamptz' ? 'interval' : t;
  const args = bound.map((a, i) => coerce(a, i < 2 ? t : stepType, true, location));
  return { args, type: t };
}

/** The element type of unnest(array), with PostgreSQL's errors for other argument lists. */
export function unnestType(args: readonly Expr[], location?: number): SqlType {
  const sig = `unnest(${args.map((a) => pgTypeName(a.type)).join(', ')})`;
  if (args.length === 1 && args[0].type === 'unknown')
    throw err(SqlState.ambiguousFunction, `function ${sig} is not unique`, location);
  if (args.length !== 1 || !isArrayType(args[0].type)) {
    const code = args.length > 1 && args.every((a) => isArrayType(a.type));
    throw err(
      code ? SqlState.featureNotSupported : SqlState.undefinedFunction,
      code ? 'unnest over several arrays is not supported' : `function ${sig} does not exist`,
      location,
    );
  }
  return elemType(args[0].type);
}

/**
 * unnest(array), regexp_matches(…) or regexp_split_to_table(…) [WITH ORDINALITY]
 * [AS alias(value, ord)]: one row per element or match.
 */
function bindUnnest(env: FromEnv, n: PgNode, call: PgNode, outer: Scope | undefined): FromResult {
  const b = env.makeBinder(new Scope([], outer));
  const name: string = names(call.funcname).pop() ?? 'unnest';
  let args: Expr[] = (call.args ?? []).map((a: PgNode) => bindExpr(b, a));
  let elem: SqlType;
  if (name === 'unnest') elem = unnestType(args, call.location);
  else ({ args, type: elem } = regexSetCall(name, args, call.location));
  const alias: string = n.alias?.aliasname ?? name;
  const colnames = names(n.alias?.colnames);
  const schema: Column[] = [{ name: colnames[0] ?? alias, type: elem }];
  if (n.ordinality) schema.push({ name: colnames[1] ?? 'ordinality', type: 'int64' });
  return {
    plan: { kind: 'function', name, args, schema },
    scope: schema.map((c) => ({ qualifier: alias, name: c.name, type: c.type })),
  };
}

function bindJoin(env: FromEnv, n: PgNode): FromResult {
  const left = bindFromItem(env, n.larg);
  const right = bindFromItem(env, n.rarg, left);
  const jt = n.jointype as string;
  if (right.lateral && (jt === 'JOIN_RIGHT' || jt === 'JOIN_FULL'))
    throw err('42P10', 'the combining JOIN type must be INNER or LEFT for a LATERAL reference', n.location);
  let joinType: 'inner' | 'left' | 'right' | 'full' | 'cross' =
    jt === 'JOIN_LEFT' ? 'left' : jt === 'JOIN_RIGHT' ? 'right' : jt === 'JOIN_FULL' ? 'full' : 'inner';
  const scopeCols = [...left.scope, ...right.scope];
  const scope = new Scope(scopeCols, env.outer);
  const nl = left.plan.schema.length;
  let cond: Expr | undefined;
  let usingNames: string[] = [];
  // USING/NATURAL see only the visible columns of each side (not those an inner USING merged away).
  const visible = (cols: readonly ScopeColumn[], name: string, side: string) => {
    const hits = cols.flatMap((c, i) => (c.name === name && !c.hidden ? [i] : []));
    if (hits.length > 1)
      throw err(
        SqlState.ambiguousColumn,
        `common column name "${name}" appears more than once in ${side} table`,
        n.location,
      );
    return hits.length ? hits[0] : -1;
  };
  if (n.isNatural) {
    usingNames = left.scope
      .filter((c) => !c.hidden && right.scope.some((r) => !r.hidden && r.name === c.name))
      .map((c) => c.name);
  } else if (n.usingClause) usingNames = names(n.usingClause);
  const leftUsing = usingNames.map((name) => visible(left.scope, name, 'left'));
  const rightUsing = usingNames.map((name) => visible(right.scope, name, 'right'));
  if (usingNames.length > 0) {
    const eqs = usingNames.map((name, k) => {
      const li = leftUsing[k];
      const ri = rightUsing[k];
      if (li < 0 || ri < 0)
        throw err(
          SqlState.undefinedColumn,
          `column "${name}" specified in USING clause does not exist in ${li < 0 ? 'left' : 'right'} table`,
          n.location,
        );
      return bindOperator(
        '=',
        { kind: 'col', index: li, type: left.scope[li].type },
        { kind: 'col', index: nl + ri, type: right.scope[ri].type },
      );
    });
    cond = andAll(eqs);
  } else if (n.quals) {
    const b = env.makeBinder(scope);
    cond = bindExpr(b, n.quals);
    if (cond.type !== 'bool') cond = coerce(cond, 'bool', false, n.location);
  } else if (!n.isNatural) {
    joinType = jt === 'JOIN_INNER' ? 'cross' : joinType;
  }
  const plan: Plan = right.lateral
    ? {
        kind: 'apply',
        joinType: joinType === 'left' ? 'left' : 'inner',
        left: left.plan,
        right: right.plan,
        residual: cond,
        schema: [...left.plan.schema, ...right.plan.schema],
      }
    : makeJoin(joinType, left.plan, right.plan, cond);
  const refnames = mergeRefnames(left, right, n.location);
  if (usingNames.length === 0) return joinResult(n, plan, scopeCols, refnames);
  // USING/NATURAL: the merged columns come first (COALESCE(left, right), which is the
  // left side unless the join is RIGHT/FULL), then the columns of each side in their
  // order, the joined ones hidden: addressable by qualifier (and `t.*`), not by * or
  // an unqualified name.
  const exprs: Expr[] = [];
  const out: ScopeColumn[] = [];
  const col = (i: number): Expr => ({ kind: 'col', index: i, type: scopeCols[i].type });
  const joined = new Set([...leftUsing, ...rightUsing.map((i) => nl + i)]);
  for (let k = 0; k < usingNames.length; k++) {
    const name = usingNames[k];
    const li = leftUsing[k];
    const ri = nl + rightUsing[k];
    const t =
      plan.kind === 'join' ? unifyTypes([scopeCols[li].type, scopeCols[ri].type]) : scopeCols[li].type;
    const l = coerce(col(li), t, false);
    const r = coerce(col(ri), t, false);
    exprs.push(
      joinType === 'right' ? r : joinType === 'full' ? { kind: 'coalesce', args: [l, r], type: t } : l,
    );
    // USING (…) AS j: the merged columns are also j's columns.
    out.push({ qualifier: n.join_using_alias?.aliasname, name, type: t });
  }
  scopeCols.forEach((c, i) => {
    exprs.push(col(i));
    out.push(joined.has(i) ? { ...c, hidden: true } : c);
  });
  const schema = out.map((c) => ({ name: c.name, type: c.type }));
  const usingAlias: string | undefined = n.join_using_alias?.aliasname;
  if (usingAlias !== undefined && refnames.includes(usingAlias))
    throw err(SqlState.duplicateAlias, `table name "${usingAlias}" specified more than once`, n.location);
  const names2 = usingAlias === undefined ? refnames : [...refnames, usingAlias];
  return joinResult(n, { kind: 'project', input: plan, exprs, schema }, out, names2);
}

/** A join's FROM result; `AS alias` replaces the joined tables' names with its own. */
function joinResult(n: PgNode, plan: Plan, scope: ScopeColumn[], refnames: string[]): FromResult {
  if (!n.alias) return { plan, scope, refnames };
  return { plan, scope: aliasJoin(scope, n.alias), refnames: [n.alias.aliasname] };
}

/** Builds a join node, extracting `left = right` conjuncts as hash keys. */
export function makeJoin(
  joinType: 'inner' | 'left' | 'right' | 'full' | 'cross',
  left: Plan,
  right: Plan,
  cond: Expr | undefined,
): Plan {
  const nl = left.schema.length;
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const residual: Expr[] = [];
  for (const c of conjuncts(cond)) {
    if (c.kind === 'call' && c.name === '=' && !hasSubquery(c)) {
      const [a, b] = c.args;
      const ua = [...columnsUsed(a)];
      const ub = [...columnsUsed(b)];
      const side = (u: number[]) =>
        u.length === 0 ? 0 : u.every((i) => i < nl) ? -1 : u.every((i) => i >= nl) ? 1 : 2;
      const sa = side(ua);
      const sb = side(ub);
      if (sa === -1 && sb === 1) {
        leftKeys.push(a);
        rightKeys.push(shiftColumns(b, -nl));
        continue;
      }
      if (sa === 1 && sb === -1) {
        leftKeys.push(b);
        rightKeys.push(shiftColumns(a, -nl));
        continue;
      }
    }
    residual.push(c);
  }
  const type = joinType === 'cross' && cond ? 'inner' : joinType;
  return {
    kind: 'join',
    joinType: type,
    left,
    right,
    leftKeys,
    rightKeys,
    residual: andAll(residual),
    schema: [...left.schema, ...right.schema],
  };
}
