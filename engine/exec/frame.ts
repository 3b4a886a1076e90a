/**
 * @module engine/exec/frame
 * Execution state shared by compiled expressions: the current batch's column
 * getters, parameters, the outer-row stack of correlated subqueries and scan
 * statistics. Getters are specialized per vector shape once per batch, so the
 * per-row path is one closure call with no allocation.
 */
import type { Plan } from '../plan/nodes.ts';
import type { ExecVector, TableStore } from '../storage/table-store.ts';
import type { Vector } from '../vector.ts';

export type Getter = (i: number) => unknown;

/** A batch flowing between operators; `sel` lists the live rows when present. */
export interface ExecBatch {
  readonly length: number;
  readonly cols: readonly ExecVector[];
  readonly sel?: Uint32Array;
  /** Number of live rows (sel.length or length). */
  readonly count: number;
}

export interface ScanStats {
  chunksScanned: number;
  chunksSkipped: number;
  rowsScanned: number;
}

/** Per-statement execution context. */
export interface ExecContext {
  readonly store: TableStore;
  readonly params: readonly unknown[];
  /** Outer rows of enclosing queries, innermost last (for correlated subqueries). */
  readonly outer: (readonly unknown[])[];
  readonly stats: ScanStats;
  /** Executes a plan to rows (used by subqueries). */
  runPlan(plan: Plan): unknown[][];
}

/** Row accessors for one batch; compiled expressions read `frame.get[k](i)`. */
export interface Frame {
  get: Getter[];
  readonly ctx: ExecContext;
}

const NULL_GETTER: Getter = () => null;

/** Specializes a getter for a vector's physical shape. */
export function getterFor(v: ExecVector): Getter {
  switch (v.kind) {
    case 'js': {
      const vals = v.values;
      return (i) => vals[i];
    }
    case 'const': {
      const c = v.value ?? null;
      return () => c;
    }
    case 'dict': {
      const codes = v.codes;
      const dict = v.dict.values as ArrayLike<unknown>;
      const nulls = v.nulls;
      if (!nulls) return (i) => dict[codes[i]];
      return (i) => (nulls[i >> 3] & (1 << (i & 7)) ? null : dict[codes[i]]);
    }
    default: {
      const vals = v.values as ArrayLike<unknown>;
      const nulls = v.nulls;
      if (v.type === 'bool') {
        return nulls ? (i) => (nulls[i >> 3] & (1 << (i & 7)) ? null : vals[i] === 1) : (i) => vals[i] === 1;
      }
      if (!nulls) return (i) => vals[i];
      return (i) => (nulls[i >> 3] & (1 << (i & 7)) ? null : vals[i]);
    }
  }
}

export function setFrameBatch(frame: Frame, b: ExecBatch): void {
  const g = frame.get;
  for (let k = 0; k < b.cols.length; k++) g[k] = getterFor(b.cols[k]);
  for (let k = b.cols.length; k < g.length; k++) g[k] = NULL_GETTER;
}

/** Wraps JS-valued rows (row-major) as a columnar batch. */
export function rowsToBatch(rows: readonly (readonly unknown[])[], width: number): ExecBatch {
  const cols: ExecVector[] = [];
  for (let c = 0; c < width; c++) {
    const values = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = rows[r][c];
    cols.push({ kind: 'js', type: 'unknown', length: rows.length, values });
  }
  return { length: rows.length, cols, count: rows.length };
}

/** Reads the live rows of a batch as JS arrays (filled column by column, no getter calls). */
export function batchRows(b: ExecBatch, out: unknown[][] = []): unknown[][] {
  const n = b.count;
  const w = b.cols.length;
  const start = out.length;
  for (let j = 0; j < n; j++) out.push(new Array(w));
  for (let c = 0; c < w; c++) fillColumn(b.cols[c], b.sel, n, out, start, c);
  return out;
}

function fillColumn(
  v: ExecVector,
  sel: Uint32Array | undefined,
  n: number,
  out: unknown[][],
  start: number,
  c: number,
): void {
  if (v.kind === 'const') {
    const x = v.value ?? null;
    for (let j = 0; j < n; j++) out[start + j][c] = x;
    return;
  }
  if (v.kind === 'js') {
    const vals = v.values;
    for (let j = 0; j < n; j++) out[start + j][c] = vals[sel ? sel[j] : j];
    return;
  }
  const nulls = v.nulls;
  if (v.kind === 'dict') {
    const codes = v.codes;
    const dict = v.dict.values as ArrayLike<unknown>;
    for (let j = 0; j < n; j++) out[start + j][c] = dict[codes[sel ? sel[j] : j]];
  } else if (v.type === 'bool') {
    const vals = v.values as Uint8Array;
    for (let j = 0; j < n; j++) out[start + j][c] = vals[sel ? sel[j] : j] === 1;
  } else {
    const vals = v.values as ArrayLike<unknown>;
    for (let j = 0; j < n; j++) out[start + j][c] = vals[sel ? sel[j] : j];
  }
  if (nulls) {
    for (let j = 0; j < n; j++) {
      const i = sel ? sel[j] : j;
      if (nulls[i >> 3] & (1 << (i & 7))) out[start + j][c] = null;
    }
  }
}

export type { Vector };
