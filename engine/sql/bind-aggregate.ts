/**
 * @module engine/sql/bind-aggregate
 * The plan stages a SELECT builds above FROM/WHERE: aggregation (plain or
 * GROUPING SETS) with HAVING, then windows, then select-list set-returning
 * functions. Each stage widens the row, so the returned `rewrite` maps the
 * binder's markers (AGG_BASE, WIN_BASE, GRP_BASE, SRF_BASE) and grouped
 * expressions to columns of the final stage's output.
 */
import { SqlError, SqlState } from '../errors.ts';
import { fingerprint, mapExpr } from '../plan/expr-utils.ts';
import type { AggCall, Column, Expr, Plan, WindowCall } from '../plan/nodes.ts';
import { AGG_BASE, WIN_BASE } from './bind-expr.ts';
import { GRP_BASE, type HiddenColumns, SRF_BASE } from './bind-special.ts';
import type { ScopeColumn } from './scope.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** What the SELECT binder collected for the stages above FROM/WHERE. */
export interface AggregationInput {
  /** The FROM/WHERE plan. */
  readonly plan: Plan;
  /** The FROM columns (for "must appear in the GROUP BY clause" errors). */
  readonly from: readonly ScopeColumn[];
  readonly special: HiddenColumns;
  /** True when the query aggregates (aggregates, GROUP BY, HAVING or GROUPING()). */
  readonly hasAgg: boolean;
  readonly groups: Expr[];
  readonly sets: number[][] | undefined;
  /** GROUPING() values per call and set. */
  readonly grouping: number[][];
  readonly aggs: AggCall[];
  readonly windows: WindowCall[];
  readonly having: Expr | undefined;
}

/**
 * Builds the aggregate, window and project-set stages over `input.plan`.
 * Returns the plan and the rewrite of a bound select-list expression onto it.
 */
export function bindAggregation(input: AggregationInput): { plan: Plan; rewrite: (e: Expr) => Expr } {
  const { from, special, hasAgg, groups, sets, grouping, aggs, windows, having } = input;
  const { srfs, mark, nFrom, nG, nS } = special;
  let plan = input.plan;
  // Aggregate and window arguments hold the hidden references unmarked.
  const srfInside = (e: Expr | undefined) =>
    e !== undefined && containsMarker(e, nFrom + nG, nFrom + nG + nS);
  const grpInside = (e: Expr | undefined) => e !== undefined && containsMarker(e, nFrom, nFrom + nG);
  if (aggs.some((a) => a.args.some(grpInside) || grpInside(a.filter)))
    throw err(SqlState.groupingError, 'aggregate function calls cannot contain grouping operations');
  if (aggs.some((a) => a.args.some(srfInside) || srfInside(a.filter)))
    throw err(
      SqlState.featureNotSupported,
      'aggregate function calls cannot contain set-returning function calls',
    );
  if (windows.some((w) => [...w.args, ...w.partition, ...w.order.map((k) => k.expr)].some(srfInside)))
    throw err(
      SqlState.featureNotSupported,
      'window function calls cannot contain set-returning function calls',
    );
  let rewrite = (e: Expr) => e;
  if (hasAgg) {
    for (const g of groups) {
      if (containsMarker(g, SRF_BASE, Infinity))
        throw err(SqlState.featureNotSupported, 'set-returning functions are not allowed in GROUP BY');
      if (containsMarker(g, AGG_BASE, Infinity))
        throw err(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY');
    }
    const ng = groups.length;
    const fps = groups.map(fingerprint);
    rewrite = (e: Expr) =>
      mapExpr(e, (x) => {
        const gi = fps.indexOf(fingerprint(x));
        if (gi >= 0) return { kind: 'col', index: gi, type: x.type };
        if (x.kind === 'subquery' && x.correlated) {
          // Its outer references point at pre-aggregation columns.
          throw err(SqlState.featureNotSupported, 'correlated subqueries above GROUP BY are not supported');
        }
        if (x.kind === 'col') {
          if (x.index >= SRF_BASE) return x;
          if (x.index >= GRP_BASE) return { ...x, index: ng + aggs.length + x.index - GRP_BASE };
          if (x.index >= WIN_BASE) return x;
          if (x.index >= AGG_BASE) return { ...x, index: ng + x.index - AGG_BASE };
          const c = from[x.index];
          throw err(
            SqlState.groupingError,
            `column "${c.qualifier ? `${c.qualifier}.` : ''}${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
            x.pos,
          );
        }
        return undefined;
      });
    const schema: Column[] = [
      ...groups.map((g, i) => ({ name: `group${i}`, type: g.type })),
      ...aggs.map((a) => ({ name: a.name, type: a.type })),
    ];
    if (sets) {
      const gcols = grouping.map((_, k) => ({ name: `grouping${k}`, type: 'int32' as const }));
      plan = {
        kind: 'groupingsets',
        input: plan,
        groups,
        sets,
        aggs,
        grouping,
        schema: [...schema, ...gcols],
      };
    } else plan = { kind: 'aggregate', input: plan, groups, aggs, schema };
    if (having) plan = { kind: 'filter', input: plan, predicate: rewrite(having), schema: plan.schema };
  }
  if (windows.length > 0) {
    const width = plan.schema.length;
    // Window arguments hold hidden-column references (GROUPING()) unmarked.
    const wr = (e: Expr) => rewrite(mark(e));
    const calls = windows.map((w) => ({
      ...w,
      args: w.args.map(wr),
      partition: w.partition.map(wr),
      order: w.order.map((k) => ({ ...k, expr: wr(k.expr) })),
    }));
    const schema = [...plan.schema, ...calls.map((c) => ({ name: c.name, type: c.type }))];
    plan = { kind: 'window', input: plan, calls, schema };
    const inner = rewrite;
    rewrite = (e: Expr) =>
      mapExpr(inner(e), (x) =>
        x.kind === 'col' && x.index >= WIN_BASE && x.index < GRP_BASE
          ? { ...x, index: width + x.index - WIN_BASE }
          : undefined,
      );
  }
  if (nS > 0) {
    const width = plan.schema.length;
    const calls = srfs.map((f) => ({ ...f, args: f.args.map(rewrite) }));
    const schema = [...plan.schema, ...calls.map((c) => ({ name: c.name, type: c.type }))];
    plan = { kind: 'projectset', input: plan, srfs: calls, schema };
    const inner = rewrite;
    rewrite = (e: Expr) =>
      mapExpr(inner(e), (x) =>
        x.kind === 'col' && x.index >= SRF_BASE ? { ...x, index: width + x.index - SRF_BASE } : undefined,
      );
  }
  return { plan, rewrite };
}

function containsMarker(e: Expr, lo: number, hi: number): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'col' && x.index >= lo && x.index < hi) found = true;
    return undefined;
  });
  return found;
}
