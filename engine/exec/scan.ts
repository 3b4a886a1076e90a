/**
 * @module engine/exec/scan
 * Table scan: walks a table's segments, skips chunks whose zone maps cannot
 * satisfy the pushed-down ranges, and evaluates the pushed-down filter into a
 * selection vector (typed-array kernels for `column op constant`).
 *
 * Late materialization: a text equality (`col = 'x'`, `IN`, or an OR of those)
 * is first answered from the encoded block's dictionary codes; when it keeps at
 * most a quarter of a chunk's rows (one host of a chunk clustered by hostname),
 * the needed columns are decoded for those rows only and the whole filter runs
 * on that compacted batch.
 */
import { conjuncts } from '../plan/expr-utils.ts';
import type { ColumnRange, Expr, Plan } from '../plan/nodes.ts';
import { rangeOf } from '../plan/rules.ts';
import type { ExecVector, SegmentView, ZoneMap } from '../storage/table-store.ts';
import { SEGMENT_ROWS } from '../storage/table-store.ts';
import { type ArrayType, comparatorFor, isArrayType, type SqlType } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import { compileFilter } from './filter-kernels.ts';
import type { ExecBatch, ExecContext, Frame } from './frame.ts';
import { setFrameBatch } from './frame.ts';
import type { Operator } from './operator.ts';

/** True when no row of the chunk can satisfy the range (zone-map pruning). */
/** A vector of `n` copies of `value` (array values have no const vector: a JS vector). */
function constant(type: ColumnType | ArrayType, n: number, value: unknown): ExecVector {
  return isArrayType(type)
    ? { kind: 'js', type, length: n, values: new Array(n).fill(value) }
    : { kind: 'const', type, length: n, value };
}

export function zoneExcludes(z: ZoneMap | undefined, r: ColumnRange, type: SqlType): boolean {
  if (!z) return false;
  if (z.nullCount === z.rowCount) return true; // comparisons never match NULL
  if (z.min === undefined || z.max === undefined) return false;
  if (typeof z.min === 'number' && (Number.isNaN(z.min) || Number.isNaN(z.max as number))) return false;
  const cmp = comparatorFor(type);
  if (r.values) {
    return r.values.every((v) => v === null || cmp(v, z.min) < 0 || cmp(v, z.max) > 0);
  }
  if (r.min !== undefined && r.min !== null) {
    const c = cmp(z.max, r.min);
    if (c < 0 || (c === 0 && !r.minInclusive)) return true;
  }
  if (r.max !== undefined && r.max !== null) {
    const c = cmp(z.min, r.max);
    if (c > 0 || (c === 0 && !r.maxInclusive)) return true;
  }
  return false;
}

/** True when every row of the chunk satisfies the range (no NULLs, no NaN, bounds inside). */
export function zoneSatisfies(z: ZoneMap | undefined, r: ColumnRange, type: SqlType): boolean {
  if (z === undefined) return false;
  if (z.nullCount !== 0 || z.min === undefined || z.max === undefined) return false;
  if (typeof z.min === 'number' && (Number.isNaN(z.min) || Number.isNaN(z.max as number))) return false;
  const cmp = comparatorFor(type);
  if (r.values)
    return (
      r.values.length > 0 &&
      cmp(z.min, z.max) === 0 &&
      r.values.some((v) => v !== null && cmp(v, z.min) === 0)
    );
  if (r.min !== undefined && r.min !== null) {
    const c = cmp(z.min, r.min);
    if (c < 0 || (c === 0 && !r.minInclusive)) return false;
  }
  if (r.max !== undefined && r.max !== null) {
    const c = cmp(z.max, r.max);
    if (c > 0 || (c === 0 && !r.maxInclusive)) return false;
  }
  return true;
}

/** A text equality conjunct: scan column `index` equals one of `values`. */
interface EqualitySet {
  readonly index: number;
  readonly values: readonly string[];
}

/** `col = 'x'`, `col IN ('x', …)`, or an OR of those on one text column; else undefined. */
export function equalitySet(e: Expr): EqualitySet | undefined {
  const textCol = (x: Expr): number | undefined =>
    x.kind === 'col' && x.type === 'text' ? x.index : undefined;
  const str = (x: Expr): string | undefined =>
    x.kind === 'const' && typeof x.value === 'string' ? x.value : undefined;
  if (e.kind === 'call' && e.name === '=' && e.args.length === 2) {
    const [a, b] = e.args;
    const index = textCol(a) ?? textCol(b);
    const value = str(b) ?? str(a);
    return index !== undefined && value !== undefined ? { index, values: [value] } : undefined;
  }
  if (e.kind === 'in' && !e.negate) {
    const index = textCol(e.arg);
    const values = e.list.map(str);
    if (index === undefined || values.some((v) => v === undefined)) return undefined;
    return { index, values: values as string[] };
  }
  if (e.kind === 'or') {
    const parts = e.args.map(equalitySet);
    const index = parts[0]?.index;
    if (index === undefined || parts.some((p) => p === undefined || p.index !== index)) return undefined;
    return { index, values: parts.flatMap((p) => p!.values) };
  }
  return undefined;
}

/** Ascending intersection of two ascending selections. */
function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[k++] = a[i++];
      j++;
    }
  }
  return out.subarray(0, k);
}

/** Builds the scan operator for a `scan` plan node. */
export function scanOperator(plan: Extract<Plan, { kind: 'scan' }>, ctx: ExecContext): Operator {
  const table = ctx.store.get(plan.table);
  if (!table) throw new Error(`table ${plan.table} vanished`);
  const def = table.def;
  const cols = plan.columns.map((i) => def.columns[i]);
  const width = cols.length + (plan.withRowId ? 1 : 0);
  const frame: Frame = { get: new Array(width), ctx };
  const filter = plan.filter ? compileFilter(plan.filter, frame) : undefined;
  const conjunctRanges = conjuncts(plan.filter).map((c) => rangeOf(c, plan.columns));
  const equalities = conjuncts(plan.filter)
    .map((c, conjunct) => {
      const q = equalitySet(c);
      return q && { ...q, conjunct };
    })
    .filter((q): q is EqualitySet & { conjunct: number } => q !== undefined);
  // A column equal to one constant on every preselected row is that constant: nothing to gather.
  const constantCols = new Map<number, string>();
  for (const q of equalities) if (q.values.length === 1) constantCols.set(q.index, q.values[0]);
  const segments: readonly SegmentView[] = table.segments();
  let s = 0;
  const needed = plan.needed;
  // Stands in for columns no operator reads: nothing is fetched or decoded.
  const UNREAD: ExecVector = { kind: 'const', type: 'text', length: 0, value: null };
  /**
   * Rows selected by the text equalities on encoded data, minus deleted rows, when
   * they are few enough to be worth gathering; undefined to scan the whole chunk.
   */
  const preselect = (src: SegmentView['source'], deleted?: Uint8Array): Uint32Array | undefined => {
    if (equalities.length === 0 || !src.selectEqual || !src.gather) return undefined;
    let rows: Uint32Array | undefined;
    for (const q of equalities) {
      const hit = src.selectEqual(def.columns[plan.columns[q.index]].id, q.values);
      if (hit === undefined) return undefined;
      rows = rows === undefined ? hit : intersect(rows, hit);
    }
    if (rows === undefined || rows.length > src.rowCount >> 2) return undefined;
    if (deleted === undefined) return rows;
    return rows.filter((i) => (deleted[i >> 3] & (1 << (i & 7))) === 0);
  };
  return {
    next(): ExecBatch | null {
      while (s < segments.length) {
        const segIndex = s++;
        const seg = segments[segIndex];
        const src = seg.source;
        if (src.rowCount === 0) continue;
        if (
          !seg.hot &&
          plan.ranges.some((r) =>
            zoneExcludes(src.zoneMap(def.columns[r.column].id), r, def.columns[r.column].type),
          )
        ) {
          ctx.stats.chunksSkipped++;
          continue;
        }
        if (!seg.hot) ctx.stats.chunksScanned++;
        ctx.stats.rowsScanned += src.rowCount;
        // Rows of the chunk this batch holds: all (undefined), or the encoded-block preselection.
        const rows = seg.hot ? undefined : preselect(src, seg.deleted);
        if (rows !== undefined && rows.length === 0) continue;
        const n = rows ? rows.length : src.rowCount;
        const vecs: ExecVector[] = cols.map((c, k) =>
          needed && !needed[k]
            ? UNREAD
            : rows && constantCols.has(k)
              ? constant(c.type, n, constantCols.get(k)!)
              : ((rows ? src.gather!(c.id, rows) : src.column(c.id)) ??
                constant(c.type, n, c.default?.kind === 'const' ? c.default.value : null)),
        );
        if (plan.withRowId) {
          const base = segIndex * SEGMENT_ROWS;
          const ids = new Float64Array(n);
          for (let i = 0; i < n; i++) ids[i] = base + (rows ? rows[i] : i);
          vecs.push({ kind: 'flat', type: 'float64', length: n, values: ids });
        }
        let sel: Uint32Array | undefined;
        if (seg.deleted && !rows) {
          const del = seg.deleted;
          const tmp = new Uint32Array(n);
          let k = 0;
          for (let i = 0; i < n; i++) if (!(del[i >> 3] & (1 << (i & 7)))) tmp[k++] = i;
          sel = tmp.subarray(0, k);
        }
        let batch: ExecBatch = { length: n, cols: vecs, sel, count: sel ? sel.length : n };
        if (filter) {
          setFrameBatch(frame, batch);
          // Conjuncts the zone map proves true for every row need no evaluation.
          const skip = seg.hot
            ? undefined
            : conjunctRanges.map(
                (r) =>
                  r !== undefined &&
                  zoneSatisfies(src.zoneMap(def.columns[r.column].id), r, def.columns[r.column].type),
              );
          // The preselection already proved the equalities.
          if (rows && skip) for (const q of equalities) skip[q.conjunct] = true;
          const out = filter(batch, skip);
          if (out) {
            if (out.length === 0) continue;
            batch = { length: n, cols: vecs, sel: out, count: out.length };
          }
        }
        if (batch.count === 0) continue;
        return batch;
      }
      return null;
    },
  };
}
