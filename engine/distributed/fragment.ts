/**
 * @module engine/distributed/fragment
 * A plan fragment — what one shard runs over its own rows (as SQL on the
 * engine's vectorized executor, see `fragment-sql` / `fragment-engine`) — and
 * the partial-aggregate algebra the coordinator merges with. A fragment either
 * projects rows (with an optional top-k pushed down) or computes partial
 * aggregates per group (see `partial-merge`). Results are columnar: one array
 * per output.
 */
import type { SqlType } from '../types/values.ts';
import { planeInt64 } from './table-schema.ts';

/**
 * A bound engine expression as a shard receives it: SQL over the shard's column names
 * (`c<id>`) that its engine binds to the same expression (see `expr-sql`), and its type.
 */
export interface FragmentExpr {
  readonly sql: string;
  readonly type: SqlType;
  /** A constant (a group key that stays out of GROUP BY: an integer there would be a position). */
  readonly constant?: boolean;
}

/** Partial aggregate kinds; avg travels as sum and count. */
export type AggFn = 'count' | 'sum' | 'min' | 'max' | 'countDistinct';

/** One aggregate; `arg` undefined means count(*). */
export interface AggSpec {
  readonly fn: AggFn;
  readonly arg?: FragmentExpr;
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
  readonly filter?: FragmentExpr;
  readonly bounds: readonly ColumnBound[];
  readonly mode: 'rows' | 'agg';
  /** Row mode: output expressions. Agg mode: group keys. */
  readonly project: readonly FragmentExpr[];
  readonly aggs: readonly AggSpec[];
  /** Sort, then keep `limit` rows (offset + limit of the query); agg mode: by group keys only. */
  readonly orderBy: readonly SortKey[];
  readonly limit?: number;
  /** Row mode: keep only the first row (under `orderBy`) per distinct value of these outputs. */
  readonly distinctOn?: readonly number[];
  /** Values of the statement's parameters (`$n` in the expressions). */
  readonly params?: readonly unknown[];
  /** The requester unpacks dictionary-packed text columns (`partial-columns`): smaller RPC answers. */
  readonly pack?: boolean;
}

/**
 * A fragment's output: `columns[i][r]` (project outputs, then one column per aggregate).
 * A column is a plain array, or a Float64Array when it holds only numbers.
 */
export interface PartialResult {
  readonly rowCount: number;
  readonly columns: readonly ArrayLike<unknown>[];
  /** Where the shard spent its time, ms per stage (for `Server-Timing`; not part of the data). */
  readonly timing?: Readonly<Record<string, number>>;
}

/** Total order used by comparisons and ORDER BY over non-null values (text in code-point order). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    // PostgreSQL sorts NaN above every number and equal to itself.
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  // int8 beyond ±2^53 is a bigint: JS compares bigint with number exactly.
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
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

/**
 * True when `a` is a sum of integers: its partials are exact integers (numbers within ±2^53,
 * bigints beyond, as PostgreSQL's sum(int8) is an exact numeric) and must add exactly.
 */
export function isIntegerSum(a: AggSpec): boolean {
  if (a.fn !== 'sum' || !a.arg) return false;
  const t = a.arg.type;
  return t === 'int16' || t === 'int32' || t === 'int64';
}

/** Combines two partials of the same aggregate (count adds; sum adds, integers exactly; min/max compare). */
export function combineAgg(agg: AggSpec, a: unknown, b: unknown): unknown {
  const fn = agg.fn;
  if (fn === 'count') return (a as number) + (b as number);
  if (fn === 'countDistinct') return new Set([...(a as Iterable<unknown>), ...(b as Iterable<unknown>)]);
  if (b === null) return a;
  if (a === null) return b;
  // A double adds two partial sums past 2^53 inexactly, even when the total comes back within it.
  if (isIntegerSum(agg)) return planeInt64(BigInt(a as number | bigint) + BigInt(b as number | bigint));
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
