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
import type { StatementBudget } from './budget.ts';
import type { QueryMemory } from './memory.ts';

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
  /** The statement's operator memory budget and spill store (unlimited when absent). */
  readonly memory?: QueryMemory;
  /** The statement's deadline (statement_timeout); operators tick it per batch. */
  readonly budget?: StatementBudget;
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

/**
 * Reads the live rows of a batch as JS arrays. Rows are built row-major from
 * arrays pre-filled with null, which keeps V8 from re-shaping each row array as
 * doubles and strings arrive (measured ~2x faster than column-major filling).
 */
export function batchRows(
  b: ExecBatch,
  out: unknown[][] = [],
  formats?: readonly (((v: unknown) => unknown) | undefined)[],
): unknown[][] {
  const n = b.count;
  const w = b.cols.length;
  const sel = b.sel;
  // Per column: a direct values array (plain typed/JS arrays without nulls), codes + dictionary, or a getter.
  const direct: (ArrayLike<unknown> | undefined)[] = new Array(w);
  const codes: (Int32Array | undefined)[] = new Array(w);
  const getters: (Getter | undefined)[] = new Array(w);
  for (let c = 0; c < w; c++) {
    const v = b.cols[c];
    if (formats?.[c]) {
      // Result formatting (e.g. timestamps to text) applied while reading, skipping boxed doubles.
      const g = getterFor(v);
      const f = formats[c]!;
      getters[c] = (i) => {
        const x = g(i);
        return x === null ? null : f(x);
      };
    } else if (v.kind === 'js') direct[c] = v.values;
    else if (v.kind === 'flat' && !v.nulls && v.type !== 'bool') direct[c] = v.values as ArrayLike<unknown>;
    else if (v.kind === 'dict' && !v.nulls) {
      codes[c] = v.codes;
      direct[c] = v.dict.values as ArrayLike<unknown>;
    } else getters[c] = getterFor(v);
  }
  for (let j = 0; j < n; j++) {
    const i = sel ? sel[j] : j;
    const row: unknown[] = new Array(w).fill(null);
    for (let c = 0; c < w; c++) {
      const d = direct[c];
      if (d !== undefined) {
        const cc = codes[c];
        row[c] = cc !== undefined ? d[cc[i]] : d[i];
      } else row[c] = getters[c]!(i);
    }
    out.push(row);
  }
  return out;
}

export type { Vector };
