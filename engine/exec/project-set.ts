/**
 * @module engine/exec/project-set
 * Set-returning functions in a select list (PostgreSQL 10+ ProjectSet): per
 * input row every SRF is evaluated; the row repeats as many times as the
 * longest result, shorter results padded with NULL, and a row whose SRFs all
 * return no rows disappears. SRF values are pulled lazily and emitted in
 * batches, so `SELECT generate_series(now(), 'infinity', '1 day') LIMIT 10`
 * answers and an unbounded one is stopped by the statement budget.
 */
import { REGEX_SET_FUNCTIONS, regexSetRows } from '../functions/regex-functions.ts';
import type { Plan, SrfCall } from '../plan/nodes.ts';
import { typedBatch } from './apply.ts';
import { compileExpr } from './compile-expr.ts';
import { batchRows, type ExecBatch, type ExecContext, setFrameBatch } from './frame.ts';
import { BATCH_ROWS, END, newFrame, type Operator, seriesCursor, type ValueCursor } from './operator.ts';

type ProjectSetPlan = Extract<Plan, { kind: 'projectset' }>;

/** A cursor over the rows one SRF call returns for argument values `vals`. */
function srfCursor(srf: SrfCall, vals: readonly unknown[]): ValueCursor {
  if (srf.name === 'unnest') {
    const arr = (vals[0] as unknown[] | null) ?? [];
    let i = 0;
    return { next: () => (i < arr.length ? arr[i++] : END) };
  }
  if (REGEX_SET_FUNCTIONS.has(srf.name)) {
    const rows = regexSetRows(srf.name, vals);
    let i = 0;
    return { next: () => (i < rows.length ? rows[i++] : END) };
  }
  return seriesCursor(srf.type, vals);
}

export function projectSetOperator(input: Operator, plan: ProjectSetPlan, ctx: ExecContext): Operator {
  const frame = newFrame(plan.input.schema.length, ctx);
  const argEvs = plan.srfs.map((s) => s.args.map((a) => compileExpr(a, frame)));
  // The input batch being expanded, its rows, the next row, and that row's SRF cursors.
  let batch: ExecBatch | null = null;
  let rows: unknown[][] = [];
  let j = 0;
  let cursors: ValueCursor[] | null = null;
  return {
    next() {
      const out: unknown[][] = [];
      while (out.length < BATCH_ROWS) {
        if (cursors) {
          // One output row: every SRF's next value, NULL for those already exhausted.
          let live = false;
          const vals = cursors.map((c) => {
            const v = c.next();
            if (v === END) return null;
            live = true;
            return v;
          });
          if (live) {
            out.push([...rows[j], ...vals]);
            continue;
          }
          cursors = null;
          j++;
        }
        if (batch && j < rows.length) {
          const i = batch.sel ? batch.sel[j] : j;
          cursors = plan.srfs.map((s, k) =>
            srfCursor(
              s,
              argEvs[k].map((ev) => ev(i)),
            ),
          );
          continue;
        }
        batch = input.next();
        if (!batch) break;
        setFrameBatch(frame, batch);
        rows = batchRows(batch);
        j = 0;
      }
      return out.length ? typedBatch(out, plan.schema) : null;
    },
  };
}
