/**
 * @module engine/distributed/fragment
 * A plan fragment — what one shard runs over its own rows — and its streaming
 * executor. A fragment either projects rows (with an optional top-k pushed
 * down) or computes partial aggregates per group; the coordinator merges the
 * partials (see `partial-merge`). Results are columnar: one array per output.
 */
import { compareValues, evalExpr, type FExpr } from './fragment-expr.ts';
import type { Row } from './table-schema.ts';

/** Partial aggregate kinds; avg travels as sum and count. */
export type AggFn = 'count' | 'sum' | 'min' | 'max' | 'countDistinct';

/** One aggregate; `arg` undefined means count(*). */
export interface AggSpec {
  readonly fn: AggFn;
  readonly arg?: FExpr;
}

/** A sort key over fragment outputs. */
export interface SortKey {
  readonly index: number;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** A conjunct usable to skip chunks by zone map: `lo ≤ column ≤ hi` and/or membership in `values`. */
export interface ColumnBound {
  readonly columnId: number;
  readonly lo?: unknown;
  readonly hi?: unknown;
  readonly values?: readonly unknown[];
}

/** What a shard executes. */
export interface Fragment {
  readonly table: string;
  /** Column ids the fragment reads (so chunk columns are decoded only when needed). */
  readonly reads: readonly number[];
  /** Default value per column id for rows stored before a column was added. */
  readonly defaults: readonly unknown[];
  readonly filter?: FExpr;
  readonly bounds: readonly ColumnBound[];
  readonly mode: 'rows' | 'agg';
  /** Row mode: output expressions. Agg mode: group keys. */
  readonly project: readonly FExpr[];
  readonly aggs: readonly AggSpec[];
  /** Row mode only: sort, then keep `limit` rows (offset + limit of the query). */
  readonly orderBy: readonly SortKey[];
  readonly limit?: number;
  /** Row mode: keep only the first row (under `orderBy`) per distinct value of these outputs. */
  readonly distinctOn?: readonly number[];
}

/** A fragment's output: `columns[i][r]` (project outputs, then one column per aggregate). */
export interface PartialResult {
  readonly rowCount: number;
  readonly columns: unknown[][];
}

/** Compares two rows of values by sort keys (PostgreSQL: NULLs last ascending, first descending, by default). */
export function compareByKeys(
  a: readonly unknown[],
  b: readonly unknown[],
  keys: readonly SortKey[],
): number {
  for (const k of keys) {
    const x = a[k.index];
    const y = b[k.index];
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === k.nullsFirst ? -1 : 1;
    }
    const c = compareValues(x, y);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

/** Folds one value into a partial aggregate. */
export function foldAgg(fn: AggFn, acc: unknown, v: unknown): unknown {
  if (v === null || v === undefined) return acc;
  switch (fn) {
    case 'count':
      return (acc as number) + 1;
    case 'sum':
      return acc === null ? v : (acc as number) + (v as number);
    case 'min':
      return acc === null || compareValues(v, acc) < 0 ? v : acc;
    case 'max':
      return acc === null || compareValues(v, acc) > 0 ? v : acc;
    case 'countDistinct':
      // Exact: the partial is the set of distinct values (an array once it crosses RPC).
      (acc as Set<unknown>).add(v);
      return acc;
  }
}

/** Combines two partials of the same aggregate (count adds; sum adds; min/max compare). */
export function combineAgg(fn: AggFn, a: unknown, b: unknown): unknown {
  if (fn === 'count') return (a as number) + (b as number);
  if (fn === 'countDistinct') return new Set([...(a as Iterable<unknown>), ...(b as Iterable<unknown>)]);
  if (b === null) return a;
  if (a === null) return b;
  return foldAgg(fn, a, b);
}

/** Initial partial state. */
export function initAgg(fn: AggFn): unknown {
  return fn === 'count' ? 0 : fn === 'countDistinct' ? new Set() : null;
}

/** The final value of a combined partial (count distinct → the set's size). */
export function finalAgg(fn: AggFn, acc: unknown): unknown {
  if (fn !== 'countDistinct') return acc;
  return acc instanceof Set ? acc.size : (acc as unknown[]).length;
}

/** Streams rows through a fragment. Feed every visible row, then `finish`. */
export class FragmentRun {
  private readonly rows: unknown[][] = [];
  private readonly groups = new Map<string, { keys: unknown[]; accs: unknown[] }>();
  private readonly distinct = new Map<string, unknown[]>();
  rowsScanned = 0;

  constructor(readonly fragment: Fragment) {}

  /** Filters and folds one stored row. */
  feed(row: Row): void {
    const f = this.fragment;
    this.rowsScanned++;
    if (f.filter && evalExpr(f.filter, row, f.defaults) !== true) return;
    const keys = f.project.map((e) => evalExpr(e, row, f.defaults));
    if (f.mode === 'rows' && f.distinctOn) {
      const id = JSON.stringify(f.distinctOn.map((i) => keys[i]));
      const best = this.distinct.get(id);
      if (!best || compareByKeys(keys, best, f.orderBy) < 0) this.distinct.set(id, keys);
      return;
    }
    if (f.mode === 'rows') {
      this.rows.push(keys);
      // Bound memory for top-k: compact once the buffer is twice the limit.
      if (f.limit !== undefined && f.orderBy.length > 0 && this.rows.length >= 2 * f.limit + 1024)
        this.compact();
      return;
    }
    const id = JSON.stringify(keys);
    let g = this.groups.get(id);
    if (!g) {
      g = { keys, accs: f.aggs.map((a) => initAgg(a.fn)) };
      this.groups.set(id, g);
    }
    f.aggs.forEach((a, i) => {
      g.accs[i] = foldAgg(a.fn, g.accs[i], a.arg ? evalExpr(a.arg, row, f.defaults) : 1);
    });
  }

  /** True when a row-mode fragment without ORDER BY already has enough rows. */
  get satisfied(): boolean {
    const f = this.fragment;
    return (
      f.mode === 'rows' &&
      !f.distinctOn &&
      f.orderBy.length === 0 &&
      f.limit !== undefined &&
      this.rows.length >= f.limit
    );
  }

  private compact(): void {
    const f = this.fragment;
    this.rows.sort((a, b) => compareByKeys(a, b, f.orderBy));
    if (f.limit !== undefined) this.rows.length = Math.min(this.rows.length, f.limit);
  }

  /** The columnar partial result. */
  finish(): PartialResult {
    const f = this.fragment;
    let rows: unknown[][];
    if (f.mode === 'rows') {
      if (f.distinctOn) this.rows.push(...this.distinct.values());
      if (f.orderBy.length > 0) this.compact();
      else if (f.limit !== undefined) this.rows.length = Math.min(this.rows.length, f.limit);
      rows = this.rows;
    } else {
      rows = [...this.groups.values()].map((g) => [...g.keys, ...g.accs]);
      // A global aggregate (no GROUP BY) returns one row even over no input.
      if (f.project.length === 0 && rows.length === 0) rows = [f.aggs.map((a) => initAgg(a.fn))];
      // Sets travel as arrays (compact and cloneable everywhere).
      for (const r of rows)
        for (let i = f.project.length; i < r.length; i++)
          if (r[i] instanceof Set) r[i] = [...(r[i] as Set<unknown>)];
    }
    const width = f.project.length + (f.mode === 'agg' ? f.aggs.length : 0);
    const columns: unknown[][] = Array.from({ length: width }, () => new Array(rows.length));
    rows.forEach((r, i) => {
      for (let c = 0; c < width; c++) columns[c][i] = r[c];
    });
    return { rowCount: rows.length, columns };
  }
}
