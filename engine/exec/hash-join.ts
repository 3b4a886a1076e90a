/**
 * @module engine/exec/hash-join
 * Joins: a hash join on equality keys (build on the right input — or
 * on the left for inner joins when it is estimated smaller — and probe with the other) for inner/left/right/full joins, and a nested loop when there are no
 * equality keys. NULL keys never match. The residual predicate is evaluated on
 * each candidate pair, as part of the join condition (so outer joins pad
 * correctly).
 */
import type { Plan } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import {
  batchRows,
  type ExecBatch,
  type ExecContext,
  type Frame,
  rowsToBatch,
  setFrameBatch,
} from './frame.ts';
import { outOfMemory, queryMemory, rowBytes } from './memory.ts';
import { BATCH_ROWS, newFrame, type Operator } from './operator.ts';
import { GraceBuild, graceOperator } from './spill-join.ts';

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

/** A rough row-count estimate, enough to pick the smaller join input to build on. */
export function estimateRows(plan: Plan, ctx: ExecContext): number {
  switch (plan.kind) {
    case 'scan': {
      const t = ctx.store.get(plan.table);
      const n = t ? t.segments().reduce((a, s) => a + s.source.rowCount, 0) : 0;
      return plan.filter ? n / 4 : n;
    }
    case 'values':
      return plan.rows.length;
    case 'function':
      return 1000;
    case 'filter':
      return estimateRows(plan.input, ctx) / 2;
    case 'aggregate':
      return plan.groups.length === 0 ? 1 : estimateRows(plan.input, ctx) / 10;
    case 'join':
      return Math.max(estimateRows(plan.left, ctx), estimateRows(plan.right, ctx));
    case 'setop':
      return estimateRows(plan.left, ctx) + estimateRows(plan.right, ctx);
    default:
      return 'input' in plan ? estimateRows(plan.input, ctx) : 1000;
  }
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
  // Inner equi-joins build the hash table on the smaller input; output rows keep left ++ right order.
  const buildLeft =
    jt === 'inner' && nk > 0 && 2 * estimateRows(plan.left, ctx) < estimateRows(plan.right, ctx);
  const buildOp = buildLeft ? left : right;
  const probeOp = buildLeft ? right : left;
  const nb = buildLeft ? nl : nr;
  const np = buildLeft ? nr : nl;
  const nullRight = new Array(nr).fill(null);
  const combine = buildLeft
    ? (probeRow: unknown[], buildRow: unknown[]) => buildRow.concat(probeRow)
    : (probeRow: unknown[], buildRow: unknown[]) => probeRow.concat(buildRow);
  // Build side, within the query's memory budget; past it, a grace hash join (spill-join.ts).
  const mem = queryMemory(ctx);
  let held = 0;
  const buildRows: unknown[][] = [];
  const buildKeys: unknown[] = [];
  const bframe = newFrame(nb, ctx);
  const bkeys = (buildLeft ? plan.leftKeys : plan.rightKeys).map((k) => compileExpr(k, bframe));
  const pframe = newFrame(np, ctx);
  const pkeys = (buildLeft ? plan.rightKeys : plan.leftKeys).map((k) => compileExpr(k, pframe));
  const table = new Map<unknown, number[]>();
  let grace: GraceBuild | undefined;
  for (let b = buildOp.next(); b; b = buildOp.next()) {
    setFrameBatch(bframe, b);
    const rows = batchRows(b);
    const keys = new Array(b.count);
    let bytes = 0;
    for (let j = 0; j < b.count; j++) {
      keys[j] = nk === 0 ? undefined : compositeKey(bkeys, keyHash, b.sel ? b.sel[j] : j);
      bytes += rowBytes(rows[j]) + 48;
    }
    if (!grace && !mem.tryReserve(bytes)) {
      if (nk === 0) throw outOfMemory('nested-loop join (no equality condition)', mem.limit);
      grace = new GraceBuild(mem, jt);
      for (let r = 0; r < buildRows.length; r++) grace.add(buildRows[r], buildKeys[r]);
      buildRows.length = 0;
      buildKeys.length = 0;
      table.clear();
      mem.release(held);
      held = 0;
    }
    if (grace) {
      for (let j = 0; j < rows.length; j++) grace.add(rows[j], keys[j]);
      continue;
    }
    held += bytes;
    const start = buildRows.length;
    for (let j = 0; j < rows.length; j++) {
      buildRows.push(rows[j]);
      buildKeys.push(keys[j]);
      const key = keys[j];
      if (key === null || key === undefined) continue;
      const list = table.get(key);
      if (list) list.push(start + j);
      else table.set(key, [start + j]);
    }
  }
  if (grace) {
    return graceOperator(
      grace,
      probeOp,
      pframe,
      (i) => compositeKey(pkeys, keyHash, i),
      {
        mem,
        jt,
        nb,
        np,
        combine,
        residual: residual
          ? (row) => {
              residualFrame.set(row);
              return residual(0) === true;
            }
          : undefined,
        padProbe: (p) => p.concat(nullRight),
        padBuild: (r) => new Array(nl).fill(null).concat(r),
      },
      width,
    );
  }
  const matchedBuild = jt === 'right' || jt === 'full' ? new Uint8Array(buildRows.length) : undefined;
  const allBuild = buildRows.map((_, i) => i);
  let finished = false;
  // The probe batch being joined and how far: row j, its candidate list and position in it.
  // Output is cut at BATCH_ROWS, so a cross join never builds more than one batch at a time.
  let pb: ExecBatch | null = null;
  let prows: unknown[][] = [];
  let j = 0;
  let candidates: number[] | undefined;
  let ci = 0;
  let matched = false;
  const budget = ctx.budget;
  return {
    next() {
      const out: unknown[][] = [];
      let examined = 0;
      while (!finished) {
        if (!pb || j >= pb.count) {
          if (out.length) return rowsToBatch(out, width);
          pb = probeOp.next();
          if (!pb) {
            finished = true;
            mem.release(held);
            if (!matchedBuild) return null;
            const pad: unknown[][] = [];
            const nullLeft = new Array(nl).fill(null);
            for (let r = 0; r < buildRows.length; r++)
              if (!matchedBuild[r]) pad.push([...nullLeft, ...buildRows[r]]);
            return pad.length ? rowsToBatch(pad, width) : null;
          }
          setFrameBatch(pframe, pb);
          prows = batchRows(pb);
          j = 0;
          candidates = undefined;
          ci = -1;
        }
        // The hot loop works on locals (closure state is slow to touch per row) and saves them after.
        const sel = pb.sel;
        const count = pb.count;
        const rowsP = prows;
        let jj = j;
        let c = ci;
        let cands = candidates;
        let m = matched;
        let full = false;
        for (; jj < count; jj++) {
          if (c < 0) {
            if (nk === 0) cands = allBuild;
            else {
              const key = compositeKey(pkeys, keyHash, sel ? sel[jj] : jj);
              cands = key === null ? undefined : table.get(key);
            }
            c = 0;
            m = false;
          }
          if (cands) {
            const pr = rowsP[jj];
            while (c < cands.length) {
              const r = cands[c++];
              const row = combine(pr, buildRows[r]);
              if (residual) {
                residualFrame.set(row);
                if (residual(0) !== true) {
                  // Pairs the condition rejects are work too: tick so a join that emits nothing still stops.
                  if (++examined >= BATCH_ROWS) {
                    budget?.tick(examined);
                    examined = 0;
                  }
                  continue;
                }
              }
              m = true;
              if (matchedBuild) matchedBuild[r] = 1;
              out.push(row);
              if (out.length >= BATCH_ROWS) {
                full = true;
                break;
              }
            }
            if (full) break;
          }
          if (!m && (jt === 'left' || jt === 'full')) out.push(rowsP[jj].concat(nullRight));
          c = -1;
        }
        j = jj;
        ci = c;
        candidates = cands;
        matched = m;
        if (full) return rowsToBatch(out, width);
      }
      return out.length ? rowsToBatch(out, width) : null;
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
