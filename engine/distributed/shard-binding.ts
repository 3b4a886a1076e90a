/**
 * @module engine/distributed/shard-binding
 * Proof that SQL rendered from bound expressions (see `expr-sql`) binds, over
 * a shard's table (columns named by id), to exactly the expressions the
 * coordinator bound — so the shard runs the same functions on the same types.
 *
 * Parsing is the costly part (libpg-query), so a proven shape is remembered:
 * the SQL with every quoted literal blanked, the table's column types and the
 * parameters' types. A literal binds to a constant of its cast's type whose
 * value is the type's text input of the text it spells, so the shape plus
 * each constant surviving its own text round trip is the same proof.
 */
import { paramType } from '../database.ts';
import { fingerprint, visitExpr } from '../plan/expr-utils.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { parseSql } from '../sql/parser.ts';
import { formatText, parseText } from '../types/cast.ts';
import { declaredType } from './column-types.ts';
import { bindSelectPlan } from './coordinator-schema.ts';
import { bindingKey } from './expr-sql.ts';
import { engineTableDef } from './fragment-engine.ts';
import { quoteIdent } from './fragment-sql.ts';
import type { DistTable } from './table-schema.ts';

/** Shapes proven (true) or refuted (false), bounded. */
const shapes = new Map<string, boolean>();

function shapeOf(table: DistTable, declared: boolean, sql: string, params: readonly unknown[]): string {
  const columns = table.columns.map((c) => `${c.id}:${declared ? declaredType(c) : c.type}`).join(',');
  return `${declared ? 'D' : 'S'}${columns}|${params.map(paramType).join(',')}|${sql.replace(/'(?:[^']|'')*'/g, "''")}`;
}

/** True when every constant of `exprs` reads back from its text as the same value. */
function literalsRoundTrip(exprs: readonly Expr[]): boolean {
  let ok = true;
  for (const e of exprs)
    visitExpr(e, (x) => {
      if (!ok || x.kind !== 'const' || x.value === null || x.type === 'unknown') return;
      try {
        ok = fingerprint({ ...x, value: parseText(formatText(x.value, x.type), x.type) }) === fingerprint(x);
      } catch {
        ok = false;
      }
    });
  return ok;
}

/**
 * True when the shipped SQL (each `sql` the `exprSql` rendering of its `expr`) binds over `table`
 * on a shard to exactly the shipped expressions; `declared`: over the columns' declared types
 * (as `evaluateDml` binds), else over their stored representations (as fragments bind).
 */
export function sameOnShard(
  table: DistTable,
  shipped: readonly { readonly expr: Expr; readonly sql: string }[],
  params: readonly unknown[],
  declared = false,
): boolean {
  if (shipped.length === 0) return true;
  const sql = `SELECT ${shipped.map((s) => s.sql).join(', ')} FROM ${quoteIdent(table.name)}`;
  const exprs = shipped.map((s) => s.expr);
  const shape = shapeOf(table, declared, sql, params);
  const known = shapes.get(shape);
  if (known !== undefined) return known && literalsRoundTrip(exprs);
  let rebound: Plan | undefined;
  try {
    rebound = bindSelectPlan([engineTableDef(table, declared)], parseSql(sql, params)[0].stmt, sql, params);
  } catch {
    rebound = undefined;
  }
  const same =
    rebound?.kind === 'project' &&
    rebound.exprs.length === exprs.length &&
    rebound.exprs.every((e, i) => bindingKey(e) === bindingKey(exprs[i]));
  // Only a proof whose literals round trip tells anything about other values of the shape.
  if (literalsRoundTrip(exprs)) {
    if (shapes.size >= 1024) shapes.clear();
    shapes.set(shape, same);
  }
  return same;
}
