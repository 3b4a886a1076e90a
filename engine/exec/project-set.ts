/**
 * @module engine/exec/project-set
 * Set-returning functions in a select list (PostgreSQL 10+ ProjectSet): per
 * input row every SRF is evaluated; the row repeats as many times as the
 * longest result, shorter results padded with NULL, and a row whose SRFs all
 * return no rows disappears.
 */
import type { Plan, SrfCall } from '../plan/nodes.ts';
import { typedBatch } from './apply.ts';
import { compileExpr } from './compile-expr.ts';
import { batchRows, type ExecContext, setFrameBatch } from './frame.ts';
import { newFrame, type Operator, seriesOperator } from './operator.ts';

type ProjectSetPlan = Extract<Plan, { kind: 'projectset' }>;

/** The rows one SRF call returns for argument values `vals`. */
function srfValues(srf: SrfCall, vals: readonly unknown[], ctx: ExecContext): readonly unknown[] {
  if (srf.name === 'unnest') return (vals[0] as unknown[] | null) ?? [];
  const op = seriesOperator(
    {
      kind: 'function',
      name: srf.name,
      args: vals.map((value, i) => ({ kind: 'const', value, type: srf.args[i].type })),
      schema: [{ name: srf.name, type: srf.type }],
    },
    ctx,
  );
  const out: unknown[] = [];
  for (let b = op.next(); b; b = op.next()) for (const r of batchRows(b)) out.push(r[0]);
  return out;
}

export function projectSetOperator(input: Operator, plan: ProjectSetPlan, ctx: ExecContext): Operator {
  const frame = newFrame(plan.input.schema.length, ctx);
  const argEvs = plan.srfs.map((s) => s.args.map((a) => compileExpr(a, frame)));
  return {
    next() {
      for (;;) {
        const b = input.next();
        if (!b) return null;
        setFrameBatch(frame, b);
        const rows = batchRows(b);
        const out: unknown[][] = [];
        for (let j = 0; j < rows.length; j++) {
          const i = b.sel ? b.sel[j] : j;
          const results = plan.srfs.map((s, k) =>
            srfValues(
              s,
              argEvs[k].map((ev) => ev(i)),
              ctx,
            ),
          );
          const n = Math.max(0, ...results.map((r) => r.length));
          for (let r = 0; r < n; r++) {
            out.push([...rows[j], ...results.map((res) => (r < res.length ? res[r] : null))]);
          }
        }
        if (out.length) return typedBatch(out, plan.schema);
      }
    },
  };
}
