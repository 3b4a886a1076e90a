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
import { foldConstants } from './constant-fold.ts';
import { planeValue } from './coordinator-engine.ts';
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
    const r = rangeOf(foldConstants(c, params), scanColumns);
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
