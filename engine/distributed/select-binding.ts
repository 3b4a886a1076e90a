/**
 * @module engine/distributed/select-binding
 * Entry points of the distributed rules (`sql-select`) for SELECT nodes the
 * data plane composes itself — gather scans, joins over a virtual table, a
 * WHERE alone (DML pruning, pushable conjuncts): the engine binds them over
 * the table's schema first, so they mean exactly what the engine says.
 */
import { isSqlError } from '../errors.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { bindSelectPlan, schemaDefs } from './coordinator-schema.ts';
import { type PlannedSelect, peel, planBound } from './sql-select.ts';
import type { DistTable } from './table-schema.ts';

/**
 * Plans a SELECT given as a parsed SelectStmt node (built by the data plane: gather scans,
 * joins over a virtual table) by binding it with the engine over `table`'s schema; undefined
 * when the engine refuses it or the rules do not cut it.
 */
export function planSelectNode(
  stmt: unknown,
  table: DistTable,
  params: readonly unknown[],
): PlannedSelect | undefined {
  let plan: Plan;
  try {
    plan = bindSelectPlan(schemaDefs([table]), stmt, '', params);
  } catch (e) {
    if (isSqlError(e)) return undefined;
    throw e;
  }
  return planBound(plan, table, params);
}

/**
 * A WHERE / ON condition (a parsed expression node) bound alone over `table`, as the shards
 * receive it; undefined when the engine refuses it alone or the rules do not ship it.
 */
export function shipFilter(
  where: unknown,
  table: DistTable,
  params: readonly unknown[],
): { expr: Expr; sql: string; reads: readonly number[] } | undefined {
  const stmt = whereOnly(table.name, where);
  let plan: Plan;
  try {
    plan = bindSelectPlan(schemaDefs([table]), stmt, '', params);
  } catch (e) {
    if (isSqlError(e)) return undefined;
    throw e;
  }
  const planned = planBound(plan, table, params);
  const filter = planned?.fragment.filter;
  const m = peel(plan);
  if (!filter || !m?.filter) return undefined;
  return { expr: m.filter, sql: filter.sql, reads: planned.fragment.reads };
}

/** `FROM table [AS alias]` as a parsed RangeVar node. */
export function rangeVar(table: string, alias: string = table): unknown {
  return {
    RangeVar: {
      relname: table,
      inh: true,
      relpersistence: 'p',
      ...(alias === table ? {} : { alias: { aliasname: alias } }),
    },
  };
}

/** `SELECT FROM table [AS alias] WHERE where` as a parsed SelectStmt body. */
export function whereOnly(table: string, where: unknown, alias?: string): unknown {
  return { targetList: [], fromClause: [rangeVar(table, alias)], whereClause: where, op: 'SETOP_NONE' };
}
