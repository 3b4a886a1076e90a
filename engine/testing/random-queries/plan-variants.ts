/**
 * @module engine/testing/random-queries/plan-variants
 * PostgreSQL's answer is one of several when it depends on the plan: a float
 * sum or avg adds its inputs in the order the join or aggregate strategy
 * produces them, and rounding makes that order visible (seed 6 of the HTTP run:
 * `avg(a.d)` over a join is 0.2 under a hash join, -0.2 under a nested loop).
 * Before a differing answer is failed, the oracle is asked again under other
 * join and aggregate strategies; an answer PostgreSQL itself gives under one of
 * them is plan-dependent, not wrong.
 */
import { type Cell, diffResults } from '../result-compare.ts';

/** Planner switches turned off together, one set per retry. */
const VARIANTS: readonly (readonly string[])[] = [
  ['enable_hashjoin'],
  ['enable_hashjoin', 'enable_mergejoin'],
  ['enable_nestloop', 'enable_hashjoin'],
  ['enable_hashagg'],
  ['enable_hashjoin', 'enable_mergejoin', 'enable_hashagg'],
];

/** A system that runs SQL (PostgreSQL accepts `SET enable_* = off`). */
interface Oracle {
  query(sql: string): Promise<{ readonly rows: readonly (readonly Cell[])[] }>;
}

/**
 * The planner switches under which the oracle gives `actual` for `sql`, or undefined when
 * none does (or the oracle has no such switches). The oracle's settings are reset after.
 */
export async function planGivingAnswer(
  oracle: Oracle,
  sql: string,
  actual: readonly (readonly Cell[])[],
  ordered: boolean,
): Promise<string | undefined> {
  try {
    for (const off of VARIANTS) {
      await oracle.query('RESET ALL');
      for (const name of off) await oracle.query(`SET ${name} = off`);
      let rows: readonly (readonly Cell[])[];
      try {
        rows = (await oracle.query(sql)).rows;
      } catch {
        continue;
      }
      if (diffResults(rows, actual, ordered) === undefined) return off.map((n) => `${n}=off`).join(', ');
    }
    return undefined;
  } catch {
    return undefined; // not PostgreSQL: no planner switches
  } finally {
    await oracle.query('RESET ALL').catch(() => undefined);
  }
}
