/**
 * @module engine/distributed/select-pruning
 * What a bound WHERE tells the distributed planner before any shard runs:
 * zone-map bounds per column (the engine's own `rangeOf`) for chunk pruning,
 * and the distribution values it pins for shard pruning. Parameters count as
 * the constants they are, and calls over constants are evaluated by their own
 * implementations, so `host = $1` prunes like `host = 'h1'`.
 */
import { conjuncts } from '../plan/expr-utils.ts';
import type { Expr } from '../plan/nodes.ts';
import { rangeOf } from '../plan/rules.ts';
import { planeValue } from './coordinator-engine.ts';
import { exprSql } from './expr-sql.ts';
import type { ColumnBound } from './fragment.ts';
import type { DistTable } from './table-schema.ts';

/** Zone-map bounds of the filter's conjuncts (the engine's `rangeOf`), and the distribution values it pins. */
export function boundsOf(
  table: DistTable,
  filter: Expr | undefined,
  scanColumns: readonly number[],
  params: readonly unknown[],
): { bounds: ColumnBound[]; pruneValues?: unknown[] } {
  const bounds: ColumnBound[] = [];
  let pruneValues: unknown[] | undefined;
  const distId = table.placement.kind === 'distributed' ? table.placement.columnId : undefined;
  for (const c of conjuncts(filter)) {
    const r = rangeOf(withValues(c, params), scanColumns);
    if (!r) continue;
    const col = table.columns[r.column];
    const plane = (v: unknown) => planeValue(v, col.type);
    const b: { columnId: number; lo?: unknown; hi?: unknown; values?: unknown[] } = { columnId: col.id };
    if (r.min !== undefined) b.lo = plane(r.min);
    if (r.max !== undefined) b.hi = plane(r.max);
    if (r.values) b.values = r.values.filter((v) => v !== null).map(plane);
    bounds.push(b);
    if (col.id === distId && b.values)
      pruneValues = pruneValues ? pruneValues.filter((v) => b.values!.includes(v)) : [...b.values];
  }
  return { bounds, pruneValues };
}

/**
 * `e` with the statement's parameters as constants and the calls over constants evaluated by
 * their own implementations (`$1` is `CAST($1 AS text)` when a string): what pruning compares.
 */
function withValues(e: Expr, params: readonly unknown[]): Expr {
  if (e.kind === 'param') return { kind: 'const', value: params[e.index] ?? null, type: e.type };
  if (e.kind === 'or') return { ...e, args: e.args.map((x) => withValues(x, params)) };
  if (e.kind === 'in')
    return { ...e, arg: withValues(e.arg, params), list: e.list.map((x) => withValues(x, params)) };
  if (e.kind !== 'call' || exprSql(e, () => '') === undefined) return e;
  const args = e.args.map((x) => withValues(x, params));
  if (!args.every((x) => x.kind === 'const')) return { ...e, args };
  const values = args.map((x) => (x as { value: unknown }).value);
  if (e.impl.strict && values.some((v) => v === null)) return { kind: 'const', value: null, type: e.type };
  try {
    return { kind: 'const', value: e.impl.fn(...values), type: e.type };
  } catch {
    return { ...e, args }; // the shard raises the error; no pruning by it
  }
}
