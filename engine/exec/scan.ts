/**
 * @module engine/exec/scan
 * Table scan: walks a table's segments, skips chunks whose zone maps cannot
 * satisfy the pushed-down ranges, and evaluates the pushed-down filter into a
 * selection vector (typed-array kernels for `column op constant`).
 */
import { conjuncts } from '../plan/expr-utils.ts';
import type { ColumnRange, Plan } from '../plan/nodes.ts';
import { rangeOf } from '../plan/rules.ts';
import type { ExecVector, SegmentView, ZoneMap } from '../storage/table-store.ts';
import { SEGMENT_ROWS } from '../storage/table-store.ts';
import { comparatorFor, type SqlType } from '../types/values.ts';
import { compileFilter } from './filter-kernels.ts';
import type { ExecBatch, ExecContext, Frame } from './frame.ts';
import { setFrameBatch } from './frame.ts';
import type { Operator } from './operator.ts';

/** True when no row of the chunk can satisfy the range (zone-map pruning). */
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
  const segments: readonly SegmentView[] = table.segments();
  let s = 0;
  const needed = plan.needed;
  // Stands in for columns no operator reads: nothing is fetched or decoded.
  const UNREAD: ExecVector = { kind: 'const', type: 'text', length: 0, value: null };
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
        const n = src.rowCount;
        const vecs: ExecVector[] = cols.map((c, k) =>
          needed && !needed[k]
            ? UNREAD
            : (src.column(c.id) ?? {
                kind: 'const',
                type: c.type,
                length: n,
                value: c.default?.kind === 'const' ? c.default.value : null,
              }),
        );
        if (plan.withRowId) {
          const base = segIndex * SEGMENT_ROWS;
          const ids = new Float64Array(n);
          for (let i = 0; i < n; i++) ids[i] = base + i;
          vecs.push({ kind: 'flat', type: 'float64', length: n, values: ids });
        }
        let sel: Uint32Array | undefined;
        if (seg.deleted) {
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
