/**
 * @module engine/exec/filter-kernels
 * Filters a batch into a selection vector, one conjunct at a time, each
 * narrowing the previous selection. `column op constant` on typed arrays runs
 * as a tight loop; predicates on dictionary-encoded columns are evaluated once
 * per dictionary entry and then applied to the codes.
 */
import { conjuncts } from '../plan/expr-utils.ts';
import type { Expr } from '../plan/nodes.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecBatch, Frame } from './frame.ts';
import { getterFor } from './frame.ts';

/**
 * Narrows `sel` (or all rows) into `out` and returns the filled prefix. Writing
 * in place is safe: the write index never passes the read index.
 */
type Refine = (b: ExecBatch, sel: Uint32Array | undefined, n: number, out: Uint32Array) => Uint32Array;

const NUM_OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

function allRows(n: number): Uint32Array {
  const s = new Uint32Array(n);
  for (let i = 0; i < n; i++) s[i] = i;
  return s;
}

function numericKernel(op: string, col: number, c: number, generic: Refine): Refine {
  return (b, sel, n, out) => {
    const v = b.cols[col];
    if (
      v.kind !== 'flat' ||
      v.nulls ||
      !(v.values instanceof Float64Array || v.values instanceof Int32Array)
    ) {
      return generic(b, sel, n, out);
    }
    const vals = v.values;
    let k = 0;
    const m = sel ? sel.length : b.length;
    // One loop per operator keeps the comparison monomorphic.
    switch (op) {
      case '>':
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] > c || vals[i] !== vals[i]) out[k++] = i;
        }
        break;
      case '>=':
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] >= c || vals[i] !== vals[i]) out[k++] = i;
        }
        break;
      case '<':
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] < c) out[k++] = i;
        }
        break;
      case '<=':
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] <= c) out[k++] = i;
        }
        break;
      case '=':
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] === c) out[k++] = i;
        }
        break;
      default:
        for (let j = 0; j < m; j++) {
          const i = sel ? sel[j] : j;
          if (vals[i] !== c) out[k++] = i;
        }
    }
    return out.subarray(0, k);
  };
}

/** Evaluates a single-column predicate once per dictionary entry, then filters by code. */
function dictKernel(col: number, pred: (v: unknown) => unknown, generic: Refine): Refine {
  return (b, sel, n, out) => {
    const v = b.cols[col];
    if (v.kind !== 'dict') return generic(b, sel, n, out);
    const dict = v.dict.values as ArrayLike<unknown>;
    const pass = new Uint8Array(dict.length);
    for (let d = 0; d < dict.length; d++) pass[d] = pred(dict[d]) === true ? 1 : 0;
    const codes = v.codes;
    const nulls = v.nulls;
    // A NULL row passes exactly when the predicate is true for NULL (IS NULL,
    // COALESCE(x, …) = …); evaluate it once like any dictionary entry.
    const nullPass = nulls !== undefined && pred(null) === true;
    let k = 0;
    const m = sel ? sel.length : b.length;
    for (let j = 0; j < m; j++) {
      const i = sel ? sel[j] : j;
      const isNull = nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0;
      if (isNull ? nullPass : pass[codes[i]]) out[k++] = i;
    }
    return out.subarray(0, k);
  };
}

function singleColumn(e: Expr): number {
  let col = -2;
  const walk = (x: Expr): void => {
    if (x.kind === 'col') col = col === -2 || col === x.index ? x.index : -1;
    else if (x.kind === 'outer' || x.kind === 'subquery' || x.kind === 'param') col = -1;
    else if (x.kind === 'call' || x.kind === 'and' || x.kind === 'or' || x.kind === 'coalesce')
      x.args.forEach(walk);
    else if (x.kind === 'not' || x.kind === 'isnull' || x.kind === 'istrue') walk(x.arg);
    else if (x.kind === 'in') {
      walk(x.arg);
      x.list.forEach(walk);
    } else if (x.kind !== 'const') col = -1;
  };
  walk(e);
  return col;
}

function compileConjunct(e: Expr, frame: Frame): Refine {
  const ev = compileExpr(e, frame);
  const generic: Refine = (b, sel, _n, out) => {
    let k = 0;
    if (sel) {
      for (let j = 0; j < sel.length; j++) if (ev(sel[j]) === true) out[k++] = sel[j];
    } else {
      for (let i = 0; i < b.length; i++) if (ev(i) === true) out[k++] = i;
    }
    return out.subarray(0, k);
  };
  if (e.kind === 'call' && NUM_OPS.has(e.name) && e.args.length === 2) {
    const [a, c] = e.args;
    const numeric = (t: string) =>
      t === 'float64' ||
      t === 'float32' ||
      t === 'int32' ||
      t === 'int16' ||
      t === 'timestamp' ||
      t === 'timestamptz' ||
      t === 'time' ||
      t === 'date';
    if (
      a.kind === 'col' &&
      c.kind === 'const' &&
      typeof c.value === 'number' &&
      !Number.isNaN(c.value) &&
      numeric(a.type)
    ) {
      return numericKernel(e.name, a.index, c.value, generic);
    }
  }
  const col = singleColumn(e);
  if (col >= 0) {
    // Evaluate the predicate with the column bound to a single dictionary value.
    const probe: Frame = { get: new Array(frame.get.length), ctx: frame.ctx };
    let current: unknown = null;
    probe.get[col] = () => current;
    const pev = compileExpr(e, probe);
    return dictKernel(
      col,
      (v) => {
        current = v;
        return pev(0);
      },
      generic,
    );
  }
  return generic;
}

/** Compiles a predicate into a batch → selection function (frame getters must be set for the batch). */
/**
 * Compiles a predicate into a batch → selection function (frame getters must be
 * set for the batch). `skip[k]` drops conjunct k for this batch — the scan sets
 * it when a chunk's zone map proves every row satisfies it. The result is
 * undefined when nothing filtered (every input row survives).
 */
export function compileFilter(
  pred: Expr,
  frame: Frame,
): (b: ExecBatch, skip?: readonly boolean[]) => Uint32Array | undefined {
  const parts = conjuncts(pred).map((c) => compileConjunct(c, frame));
  // One selection buffer per filter, reused: a batch's selection is consumed
  // before its producer is asked for the next batch.
  let scratch = new Uint32Array(0);
  return (b, skip) => {
    let sel = b.sel;
    let n = b.sel ? b.sel.length : b.length;
    if (scratch.length < b.length) scratch = new Uint32Array(Math.max(b.length, 1024));
    for (let k = 0; k < parts.length; k++) {
      if (skip?.[k]) continue;
      sel = parts[k](b, sel, n, scratch);
      n = sel.length;
      if (n === 0) break;
    }
    return sel;
  };
}

/** Like compileFilter, but always returns a selection. */
export function compileSelection(pred: Expr, frame: Frame): (b: ExecBatch) => Uint32Array {
  const f = compileFilter(pred, frame);
  return (b) => f(b) ?? allRows(b.length);
}

export { getterFor };
