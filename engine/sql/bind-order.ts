/**
 * @module engine/sql/bind-order
 * ORDER BY, DISTINCT [ON] and LIMIT/OFFSET of a SELECT. ORDER BY and DISTINCT ON
 * items resolve to output columns (alias, ordinal or an identical expression)
 * or to hidden extra columns that are projected away after the sort.
 */
import { SqlError, SqlState } from '../errors.ts';
import { fingerprint } from '../plan/expr-utils.ts';
import type { Column, Expr, Plan, SortKey } from '../plan/nodes.ts';
import { bindExpr, coerce, type ExprBinder } from './bind-expr.ts';
import type { PgNode } from './parser.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** An ORDER BY item resolved to an output column (a target or a hidden column). */
export interface OrderRef {
  readonly index: number;
  readonly sb: PgNode;
}

/**
 * Resolves ORDER BY / DISTINCT ON items against the select list: `targetFor`
 * finds an alias or ordinal, else the bound expression is matched against the
 * targets and earlier hidden columns, else it becomes a new hidden column.
 */
export function outputRefs(
  targets: readonly { readonly expr: Expr }[],
  targetFor: (node: PgNode) => number,
  bindOut: (node: PgNode) => Expr,
): { hidden: Expr[]; refFor: (node: PgNode) => number } {
  const hidden: Expr[] = [];
  const refFor = (node: PgNode): number => {
    const ti = targetFor(node);
    if (ti >= 0) return ti;
    const e = bindOut(node);
    const fp = fingerprint(e);
    const same = targets.findIndex((t) => fingerprint(t.expr) === fp);
    if (same >= 0) return same;
    const hi = hidden.findIndex((h) => fingerprint(h) === fp);
    if (hi >= 0) return targets.length + hi;
    hidden.push(e);
    return targets.length + hidden.length - 1;
  };
  return { hidden, refFor };
}

/**
 * Sort and DISTINCT [ON] over the projected output (`outSchema`: the first
 * `nTargets` columns are the select list, the rest hidden ORDER BY columns).
 */
export function bindDistinctOrder(
  plan: Plan,
  outSchema: readonly Column[],
  nTargets: number,
  orderRefs: readonly OrderRef[],
  distinct: boolean,
  distinctOn: readonly number[],
): Plan {
  const col = (i: number): Expr => ({ kind: 'col', index: i, type: outSchema[i].type });
  const orderKeys: SortKey[] = orderRefs.map((o) => sortKey(o.sb, col(o.index)));
  if (distinct && distinctOn.length === 0) {
    if (outSchema.length > nTargets) {
      const first = orderRefs.find((o) => o.index >= nTargets);
      throw err(
        '42P10',
        'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
        exprLocation(first?.sb.node),
      );
    }
    plan = { kind: 'distinct', input: plan, schema: outSchema };
    if (orderKeys.length) plan = { kind: 'sort', input: plan, keys: orderKeys, schema: outSchema };
  } else if (distinctOn.length > 0) {
    const prefix = orderKeys.slice(0, distinctOn.length).map((k) => (k.expr as { index: number }).index);
    if (orderKeys.length > 0 && !distinctOn.every((d) => prefix.includes(d))) {
      throw err('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
    }
    const keys = orderKeys.length
      ? orderKeys
      : distinctOn.map((d) => ({ expr: col(d), desc: false, nullsFirst: false }));
    plan = { kind: 'sort', input: plan, keys, schema: outSchema };
    plan = { kind: 'distinct', input: plan, on: distinctOn.map(col), schema: outSchema };
  } else if (orderKeys.length) {
    plan = { kind: 'sort', input: plan, keys: orderKeys, schema: outSchema };
  }
  return plan;
}

/** LIMIT/OFFSET over `plan`; `binder()` binds the (uncorrelated-scope) count expressions. */
export function bindLimit(s: PgNode, plan: Plan, binder: () => ExprBinder): Plan {
  if (!s.limitCount && !s.limitOffset) return plan;
  if (s.limitOption === 'LIMIT_OPTION_WITH_TIES')
    throw err(SqlState.featureNotSupported, 'FETCH ... WITH TIES is not supported');
  const b = binder();
  const lim = (n: PgNode | undefined) => {
    if (!n || n.A_Const?.isnull) return undefined;
    return coerce(bindExpr(b, n), 'int64', true);
  };
  return {
    kind: 'limit',
    input: plan,
    limit: lim(s.limitCount),
    offset: lim(s.limitOffset),
    schema: plan.schema,
  };
}

/** An ORDER BY ordinal (`ORDER BY 2`) as a reference to that output column. */
export function ordinal(columns: readonly Column[], node: PgNode): Expr {
  const n = node.A_Const.ival.ival ?? 0;
  if (n < 1 || n > columns.length)
    throw err('42P10', `ORDER BY position ${n} is not in select list`, node.A_Const.location);
  return { kind: 'col', index: n - 1, type: columns[n - 1].type };
}

/** A SortBy node's direction and NULLS placement (PostgreSQL's defaults) over `expr`. */
export function sortKey(sb: PgNode, expr: Expr): SortKey {
  if (sb.useOp) throw err(SqlState.featureNotSupported, 'ORDER BY USING is not supported');
  const desc = sb.sortby_dir === 'SORTBY_DESC';
  const nullsFirst =
    sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
  return { expr, desc, nullsFirst };
}

/** The source offset of an AST expression node, when it has one. */
function exprLocation(node: PgNode | undefined): number | undefined {
  if (!node) return undefined;
  const n = node[Object.keys(node)[0]];
  return typeof n?.location === 'number' ? n.location : undefined;
}
