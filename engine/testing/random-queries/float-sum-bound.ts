/**
 * @module engine/testing/random-queries/float-sum-bound
 * sum() and avg() of double precision add their inputs in whatever order rows
 * arrive: a shard-by-shard merge, a hash join or a sort each give another
 * order, and PostgreSQL's own answer changes with its plan (see plan-variants).
 * No order is the right one, so an answer is judged against the error bound
 * of float summation instead of against one order's rounding: any order's
 * result lies within (n − 1)·u·Σ|xᵢ| of the exact sum (u = 2⁻⁵³), so two
 * orders' results lie within twice that of each other. The bound is computed
 * by PostgreSQL over the query's FROM and WHERE (all groups together, an upper
 * bound for each group; for avg the group's count only divides it further).
 * Only float8 sum/avg columns get this allowance; every other column is
 * compared as before.
 */
import type { Cell } from '../result-compare.ts';
import { renderPred } from './expressions.ts';
import type { RqgQuery } from './query.ts';

const U = 2 ** -53;

/** `sum(x)` / `avg(x)` of a double expression (not a window call): its argument. */
function floatSumArg(item: RqgQuery['items'][number]): string | undefined {
  if (item.type !== 'double') return undefined;
  const m = /^(?:sum|avg)\((.*)\)$/s.exec(item.sql);
  return m && !/\bOVER\b/i.test(item.sql) && !/^\s*DISTINCT\b/i.test(m[1]) ? m[1] : undefined;
}

/** The oracle's interface: PostgreSQL runs the bound query. */
interface Oracle {
  query(sql: string): Promise<{ readonly rows: readonly (readonly Cell[])[] }>;
}

/**
 * Per output column, the absolute difference float summation order can explain (0 for
 * columns that are not float8 sum/avg); undefined when the query has no such column or its
 * shape (a set operation) leaves the inputs unknown.
 */
export async function floatSumTolerances(oracle: Oracle, q: RqgQuery): Promise<number[] | undefined> {
  if (q.setOp) return undefined;
  const args = q.items.map(floatSumArg);
  if (args.every((a) => a === undefined)) return undefined;
  const where = q.where ? ` WHERE ${renderPred(q.where)}` : '';
  const sums = args.flatMap((a) => (a === undefined ? [] : [`sum(abs(${a})), count(${a})`]));
  const sql = `${q.with ? `${q.with} ` : ''}SELECT ${sums.join(', ')} FROM ${q.from}${where}`;
  let row: readonly Cell[];
  try {
    row = (await oracle.query(sql)).rows[0];
  } catch {
    return undefined;
  }
  let k = 0;
  return args.map((a) => {
    if (a === undefined) return 0;
    const abs = Number(row[2 * k]);
    const n = Number(row[2 * k + 1]);
    k++;
    return Number.isFinite(abs) ? 2 * Math.max(0, n - 1) * U * abs : 0;
  });
}
