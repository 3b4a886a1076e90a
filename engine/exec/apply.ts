/**
 * @module engine/exec/apply
 * LATERAL as a correlated nested loop: for each left row the right plan runs
 * again with that row pushed onto the outer-row stack (the mechanism
 * correlated subqueries use), so the right side's depth-1 outer references
 * read it. LEFT keeps a left row with NULLs when no right row passes the
 * residual.
 */
import type { Plan } from '../plan/nodes.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import { batchRows, type ExecBatch, type ExecContext, setFrameBatch } from './frame.ts';
import { newFrame, type Operator } from './operator.ts';

type ApplyPlan = Extract<Plan, { kind: 'apply' }>;

const OUT_ROWS = 1024;

/** A batch of JS rows typed by a schema. */
export function typedBatch(rows: readonly unknown[][], schema: Plan['schema']): ExecBatch {
  const cols = schema.map((c, k) => {
    const values = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = rows[r][k];
    return { kind: 'js' as const, type: c.type, length: rows.length, values };
  });
  return { length: rows.length, cols, count: rows.length };
}

export function applyOperator(left: Operator, plan: ApplyPlan, ctx: ExecContext): Operator {
  const nr = plan.right.schema.length;
  const frame = newFrame(plan.schema.length, ctx);
  const residual: Ev | undefined = plan.residual ? compileExpr(plan.residual, frame) : undefined;
  const nullRight = new Array(nr).fill(null);
  let leftRows: unknown[][] = [];
  let li = 0;
  let exhausted = false;
  return {
    next() {
      const out: unknown[][] = [];
      while (out.length < OUT_ROWS) {
        if (li >= leftRows.length) {
          if (exhausted) break;
          const b = left.next();
          if (!b) {
            exhausted = true;
            break;
          }
          leftRows = batchRows(b);
          li = 0;
          continue;
        }
        const l = leftRows[li++];
        ctx.outer.push(l);
        let right: unknown[][];
        try {
          right = ctx.runPlan(plan.right);
        } finally {
          ctx.outer.pop();
        }
        let matched = right.map((r) => [...l, ...r]);
        if (residual && matched.length > 0) {
          setFrameBatch(frame, typedBatch(matched, plan.schema));
          matched = matched.filter((_, i) => residual(i) === true);
        }
        if (matched.length === 0 && plan.joinType === 'left') out.push([...l, ...nullRight]);
        for (const m of matched) out.push(m);
      }
      return out.length ? typedBatch(out, plan.schema) : null;
    },
  };
}
