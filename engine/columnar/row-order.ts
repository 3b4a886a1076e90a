/**
 * @module engine/columnar/row-order
 * The row order of a clustered chunk (TimescaleDB compression's segmentby /
 * orderby): a permutation of rows by sort keys, PostgreSQL order (NaN above
 * every number, NULLs last ascending and first descending, text in C
 * collation). Built for the common case: a low-cardinality first key (a
 * hostname dictionary) is a counting sort, and time-major input is already in
 * time order inside each group, so a chunk costs O(rows) plus a check.
 */
import { comparatorFor } from '../types/values.ts';
import type { Vector } from '../vector.ts';

/** A sort key: column index and direction. */
export interface RowOrderKey {
  readonly column: number;
  readonly desc?: boolean;
}

/** `rank` orders rows ascending; `cls` (1 = NaN, 2 = NULL) sorts after every value. */
interface SortKey {
  readonly rank: ArrayLike<number>;
  readonly cls: Uint8Array | undefined;
  readonly dir: number;
}

/** Dense ranks of `values[start..start+n)` by the type's order (distinct values sorted once). */
function denseRanks(
  values: ArrayLike<unknown>,
  start: number,
  n: number,
  cmp: (a: unknown, b: unknown) => number,
): Int32Array {
  const ids = new Map<unknown, number>();
  const distinct: unknown[] = [];
  const local = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[start + i];
    let c = ids.get(v);
    if (c === undefined) {
      c = distinct.length;
      ids.set(v, c);
      distinct.push(v);
    }
    local[i] = c;
  }
  const order = Array.from(distinct, (_, c) => c).sort((a, b) => cmp(distinct[a], distinct[b]));
  const rankOf = new Int32Array(distinct.length);
  for (let j = 0; j < order.length; j++)
    rankOf[order[j]] =
      j > 0 && cmp(distinct[order[j]], distinct[order[j - 1]]) === 0 ? rankOf[order[j - 1]] : j;
  for (let i = 0; i < n; i++) local[i] = rankOf[local[i]];
  return local;
}

function sortKey(v: Vector, start: number, n: number, desc: boolean): SortKey {
  const dir = desc ? -1 : 1;
  const cls = new Uint8Array(n);
  let anyCls = false;
  let rank: ArrayLike<number>;
  const cmp = comparatorFor(v.type);
  if (v.kind === 'const') {
    rank = new Int32Array(n);
  } else if (v.kind === 'dict') {
    const codeRank = denseRanks(v.dict.values as ArrayLike<unknown>, 0, v.dict.length, cmp);
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) r[i] = codeRank[v.codes[start + i]];
    rank = r;
  } else if (v.values instanceof Float64Array || v.values instanceof Int32Array) {
    rank = v.values.subarray(start, start + n);
    if (v.values instanceof Float64Array) {
      for (let i = 0; i < n; i++) {
        if (rank[i] !== rank[i]) {
          cls[i] = 1;
          anyCls = true;
        }
      }
    }
  } else {
    const values = v.values as ArrayLike<unknown>;
    rank =
      v.type === 'bool'
        ? (values as Uint8Array).subarray(start, start + n)
        : denseRanks(values, start, n, cmp);
  }
  const nulls = v.kind === 'const' ? undefined : v.nulls;
  const allNull = v.kind === 'const' && (v.value === null || v.value === undefined);
  if (nulls !== undefined || allNull) {
    for (let i = 0; i < n; i++) {
      const j = start + i;
      if (allNull || (nulls![j >> 3] & (1 << (j & 7))) !== 0) {
        cls[i] = 2;
        anyCls = true;
      }
    }
  }
  return { rank, cls: anyCls ? cls : undefined, dir };
}

function compareRows(keys: readonly SortKey[], a: number, b: number): number {
  for (const k of keys) {
    if (k.cls !== undefined && k.cls[a] !== k.cls[b]) return (k.cls[a] - k.cls[b]) * k.dir;
    const x = k.rank[a];
    const y = k.rank[b];
    if (x !== y && (k.cls === undefined || k.cls[a] === 0)) return (x < y ? -1 : 1) * k.dir;
  }
  return a - b; // stable: equal keys keep their input order
}

/** Sorts perm[lo..hi) by `keys` unless it already is. */
function sortRange(perm: Uint32Array, lo: number, hi: number, keys: readonly SortKey[]): void {
  let sorted = true;
  for (let j = lo + 1; j < hi && sorted; j++) sorted = compareRows(keys, perm[j - 1], perm[j]) < 0;
  if (!sorted) perm.subarray(lo, hi).sort((a, b) => compareRows(keys, a, b));
}

/**
 * Rows `[start, start+n)` of `columns` ordered by `keys`, as absolute row
 * indexes (new row j is old row out[j]); undefined when there are no keys.
 */
export function rowOrder(
  columns: readonly Vector[],
  keys: readonly RowOrderKey[],
  start: number,
  n: number,
): Uint32Array | undefined {
  const sk = keys.map((k) => sortKey(columns[k.column], start, n, k.desc === true));
  if (sk.length === 0) return undefined;
  const perm = new Uint32Array(n);
  const first = sk[0];
  if (first.rank instanceof Int32Array && first.cls === undefined && first.dir === 1) {
    // Counting sort on the dense first key, then each group by the other keys.
    let max = 0;
    for (let i = 0; i < n; i++) if (first.rank[i] > max) max = first.rank[i];
    if (max <= n) {
      const starts = new Int32Array(max + 2);
      for (let i = 0; i < n; i++) starts[first.rank[i] + 1]++;
      for (let r = 0; r <= max; r++) starts[r + 1] += starts[r];
      const bounds = starts.slice();
      for (let i = 0; i < n; i++) perm[starts[first.rank[i]]++] = i;
      const rest = sk.slice(1);
      if (rest.length > 0) for (let r = 0; r <= max; r++) sortRange(perm, bounds[r], bounds[r + 1], rest);
      return offset(perm, start);
    }
  }
  for (let i = 0; i < n; i++) perm[i] = i;
  sortRange(perm, 0, n, sk);
  return offset(perm, start);
}

function offset(perm: Uint32Array, start: number): Uint32Array {
  if (start !== 0) for (let i = 0; i < perm.length; i++) perm[i] += start;
  return perm;
}
