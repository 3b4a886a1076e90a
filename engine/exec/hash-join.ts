/**
 * @module engine/exec/hash-join
 * Joins: a hash join on equality keys (build on the right input, probe with the
 * left) for inner/left/right/full joins, and a nested loop when there are no
 * equality keys. NULL keys never match. The residual predicate is evaluated on
 * each candidate pair, as part of the join condition (so outer joins pad
 * correctly).
 */
import type { Plan } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import { batchRows, type ExecContext, type Frame, rowsToBatch, setFrameBatch } from './frame.ts';
import { newFrame, type Operator } from './operator.ts';

type JoinPlan = Extract<Plan, { kind: 'join' }>;

/** A frame whose getters read the current row array (for per-row evaluation over materialized rows). */
export function rowFrame(
  width: number,
  ctx: ExecContext,
): { frame: Frame; set(row: readonly unknown[]): void } {
  let cur: readonly unknown[] = [];
  const frame: Frame = { get: [], ctx };
  for (let k = 0; k < width; k++) frame.get.push(() => cur[k]);
  return {
    frame,
    set(row) {
      cur = row;
    },
  };
}

export function joinOperator(left: Operator, right: Operator, plan: JoinPlan, ctx: ExecContext): Operator {
  const nl = plan.left.schema.length;
  const nr = plan.right.schema.length;
  const width = nl + nr;
  const jt = plan.joinType;
  const residualFrame = rowFrame(width, ctx);
  const residual: Ev | undefined = plan.residual
    ? compileExpr(plan.residual, residualFrame.frame)
    : undefined;
  const keyHash = plan.leftKeys.map((k) => hashKeyFor(k.type));
  const nk = keyHash.length;
  // Build side.
  const rightRows: unknown[][] = [];
  const rframe = newFrame(nr, ctx);
  const rkeys = plan.rightKeys.map((k) => compileExpr(k, rframe));
  const table = new Map<unknown, number[]>();
  for (let b = right.next(); b; b = right.next()) {
    setFrameBatch(rframe, b);
    const start = rightRows.length;
    batchRows(b, rightRows);
    if (nk === 0) continue;
    for (let j = 0; j < b.count; j++) {
      const i = b.sel ? b.sel[j] : j;
      const key = compositeKey(rkeys, keyHash, i);
      if (key === null) continue;
      const list = table.get(key);
      if (list) list.push(start + j);
      else table.set(key, [start + j]);
    }
  }
  const matchedRight = jt === 'right' || jt === 'full' ? new Uint8Array(rightRows.length) : undefined;
  const lframe = newFrame(nl, ctx);
  const lkeys = plan.leftKeys.map((k) => compileExpr(k, lframe));
  const allRight = rightRows.map((_, i) => i);
  const nullRight = new Array(nr).fill(null);
  let finished = false;
  return {
    next() {
      while (!finished) {
        const b = left.next();
        if (!b) {
          finished = true;
          if (!matchedRight) return null;
          const pad: unknown[][] = [];
          const nullLeft = new Array(nl).fill(null);
          for (let r = 0; r < rightRows.length; r++)
            if (!matchedRight[r]) pad.push([...nullLeft, ...rightRows[r]]);
          return pad.length ? rowsToBatch(pad, width) : null;
        }
        setFrameBatch(lframe, b);
        const lrows = batchRows(b);
        const out: unknown[][] = [];
        for (let j = 0; j < b.count; j++) {
          const i = b.sel ? b.sel[j] : j;
          let candidates: number[] | undefined;
          if (nk === 0) candidates = allRight;
          else {
            const key = compositeKey(lkeys, keyHash, i);
            candidates = key === null ? undefined : table.get(key);
          }
          let matched = false;
          if (candidates) {
            for (const r of candidates) {
              const row = lrows[j].concat(rightRows[r]);
              if (residual) {
                residualFrame.set(row);
                if (residual(0) !== true) continue;
              }
              matched = true;
              if (matchedRight) matchedRight[r] = 1;
              out.push(row);
            }
          }
          if (!matched && (jt === 'left' || jt === 'full')) out.push(lrows[j].concat(nullRight));
        }
        if (out.length) return rowsToBatch(out, width);
      }
      return null;
    },
  };
}

/** The hash key of a row's join keys; null when any key is NULL (never matches). */
function compositeKey(evs: Ev[], hashers: ((v: unknown) => unknown)[], i: number): unknown {
  if (evs.length === 1) {
    const v = evs[0](i);
    return v === null ? null : hashers[0](v);
  }
  let s = '';
  for (let k = 0; k < evs.length; k++) {
    const v = evs[k](i);
    if (v === null) return null;
    const h = hashers[k](v);
    s += `${typeof h === 'bigint' ? `${h}n` : typeof h === 'string' ? JSON.stringify(h) : String(h)}\u0001`;
  }
  return s;
}
