/**
 * @module engine/exec/recursive-cte
 * WITH RECURSIVE by working-table iteration (PostgreSQL's algorithm): run the
 * non-recursive term, then re-run the recursive term over the rows the
 * previous iteration produced until an iteration produces none. UNION (not
 * ALL) discards rows already produced. A query producing more than
 * MAX_RECURSIVE_ROWS rows fails with 54000 instead of running away. The
 * current iteration's rows and UNION's seen-row keys count against the
 * query's memory budget (53200 past it; this operator does not spill).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Plan } from '../plan/nodes.ts';
import type { ExecBatch, ExecContext } from './frame.ts';
import { queryMemory, rowBytes } from './memory.ts';
import type { Operator } from './operator.ts';
import { rowKeyFn } from './spill-distinct.ts';

type RecursivePlan = Extract<Plan, { kind: 'recursive' }>;
type WorktablePlan = Extract<Plan, { kind: 'worktable' }>;

/** Row cap across all iterations of one recursive CTE evaluation. */
export const MAX_RECURSIVE_ROWS = 1_000_000;

/** Working tables of the recursive CTEs being evaluated, per statement. */
const workTables = new WeakMap<ExecContext, Map<number, unknown[][]>>();

function tablesOf(ctx: ExecContext): Map<number, unknown[][]> {
  let m = workTables.get(ctx);
  if (!m) workTables.set(ctx, (m = new Map()));
  return m;
}

function toBatch(rows: readonly unknown[][], plan: Plan): ExecBatch {
  const cols = plan.schema.map((c, k) => ({
    kind: 'js' as const,
    type: c.type,
    length: rows.length,
    values: rows.map((r) => r[k]),
  }));
  return { length: rows.length, cols, count: rows.length };
}

export function recursiveOperator(plan: RecursivePlan, ctx: ExecContext): Operator {
  let pending: unknown[][] | undefined;
  let done = false;
  const keyOf = rowKeyFn(plan.schema.map((c) => c.type));
  const seen = new Set<string>();
  let total = 0;
  const tables = tablesOf(ctx);
  const mem = queryMemory(ctx);
  let seenBytes = 0;
  let iterBytes = 0;
  const finish = () => {
    done = true;
    mem.release(seenBytes + iterBytes);
    seenBytes = iterBytes = 0;
  };
  // Keeps new rows (all of them for UNION ALL; unseen ones for UNION) and enforces the cap.
  const admit = (rows: unknown[][]): unknown[][] => {
    const out = plan.all
      ? rows
      : rows.filter((r) => {
          const k = keyOf(r);
          if (seen.has(k)) return false;
          seen.add(k);
          const n = 2 * k.length + 48;
          mem.reserve(n, 'recursive query');
          seenBytes += n;
          return true;
        });
    total += out.length;
    mem.release(iterBytes);
    iterBytes = 0;
    for (const r of out) iterBytes += rowBytes(r);
    mem.reserve(iterBytes, 'recursive query');
    if (total > MAX_RECURSIVE_ROWS)
      throw new SqlError(
        SqlState.programLimitExceeded,
        `recursive query "${plan.name}" produced more than ${MAX_RECURSIVE_ROWS} rows`,
      );
    return out;
  };
  return {
    next() {
      for (;;) {
        if (done) return null;
        const saved = tables.get(plan.id);
        let rows: unknown[][];
        if (pending === undefined) rows = admit(ctx.runPlan(plan.base));
        else {
          if (pending.length === 0) {
            finish();
            return null;
          }
          tables.set(plan.id, pending);
          try {
            rows = admit(ctx.runPlan(plan.step));
          } catch (e) {
            finish();
            throw e;
          } finally {
            // Nested evaluations of the same CTE (e.g. from a correlated subquery) see their own table.
            if (saved === undefined) tables.delete(plan.id);
            else tables.set(plan.id, saved);
          }
        }
        pending = rows;
        if (rows.length > 0) return toBatch(rows, plan);
      }
    },
  };
}

export function worktableOperator(plan: WorktablePlan, ctx: ExecContext): Operator {
  let done = false;
  return {
    next() {
      if (done) return null;
      done = true;
      const rows = tablesOf(ctx).get(plan.id);
      if (!rows) throw new SqlError(SqlState.internalError, `working table of "${plan.name}" is not set`);
      return rows.length ? toBatch(rows, plan) : null;
    },
  };
}
