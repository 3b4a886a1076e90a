/**
 * @module engine/exec/sort
 * ORDER BY (with top-k when a LIMIT is known), DISTINCT and DISTINCT ON.
 * NULLs sort as larger than any value unless NULLS FIRST/LAST says otherwise,
 * as in PostgreSQL; text compares in C collation.
 */
import type { Plan, SortKey } from '../plan/nodes.ts';
import { comparatorFor } from '../types/values.ts';
import { compileExpr } from './compile-expr.ts';
import { batchRows, type ExecContext, rowsToBatch, setFrameBatch } from './frame.ts';
import { queryMemory } from './memory.ts';
import { BATCH_ROWS, newFrame, type Operator } from './operator.ts';
import { hashDistinctOperator } from './spill-distinct.ts';
import { ExternalSorter, type RowStream } from './spill-sort.ts';

export interface KeyComparator {
  readonly index: number;
  readonly cmp: (a: unknown, b: unknown) => number;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** Comparators for sort keys that are column references into a row. */
export function sortKeyComparators(keys: readonly SortKey[]): KeyComparator[] {
  return keys.map((k) => ({
    index: (k.expr as { index: number }).index,
    cmp: comparatorFor(k.expr.type),
    desc: k.desc,
    nullsFirst: k.nullsFirst,
  }));
}

export function compareRows(
  cmps: readonly KeyComparator[],
  a: readonly unknown[],
  b: readonly unknown[],
): number {
  for (let k = 0; k < cmps.length; k++) {
    const c = cmps[k];
    const x = a[c.index];
    const y = b[c.index];
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === c.nullsFirst ? -1 : 1;
    }
    const r = c.cmp(x, y);
    if (r !== 0) return c.desc ? -r : r;
  }
  return 0;
}

/** Emits materialized rows in batches. */
export function rowsOperator(rows: unknown[][], width: number): Operator {
  let pos = 0;
  return {
    next() {
      if (pos >= rows.length && !(pos === 0 && rows.length === 0 && false)) return null;
      const chunk = rows.slice(pos, pos + BATCH_ROWS);
      pos += chunk.length;
      return rowsToBatch(chunk, width);
    },
  };
}

export function sortOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'sort' }>,
  ctx: ExecContext,
): Operator {
  const width = plan.input.schema.length;
  const frame = newFrame(width, ctx);
  const keyEvs = plan.keys.map((k) => compileExpr(k.expr, frame));
  const cmps = sortKeyComparators(
    plan.keys.map((k, i) => ({ ...k, expr: { kind: 'col', index: width + i, type: k.expr.type } })),
  );
  const order = (a: readonly unknown[], b: readonly unknown[]) => compareRows(cmps, a, b);
  let out: Operator | undefined;
  return {
    next() {
      if (!out) {
        // Buffers within the query's memory budget, spilling sorted runs past it (spill-sort.ts).
        const sorter = new ExternalSorter(queryMemory(ctx), order, 'ORDER BY', plan.limit);
        for (let b = input.next(); b; b = input.next()) {
          setFrameBatch(frame, b);
          const rows = batchRows(b);
          const sel = b.sel;
          for (let j = 0; j < b.count; j++) {
            const i = sel ? sel[j] : j;
            const row = rows[j];
            for (const ev of keyEvs) row.push(ev(i));
            sorter.add(row);
          }
        }
        out = streamOperator(sorter.finish(), width, sorter.spilled ? SPILLED_BATCH_ROWS : BATCH_ROWS);
      }
      return out.next();
    },
  };
}

/** Output batch size when rows come from spill runs: small, so output does not undo the budget. */
const SPILLED_BATCH_ROWS = 1024;

/** Emits rows from a stream in batches, cut to `width` columns (dropping appended sort keys). */
export function streamOperator(stream: RowStream, width: number, batchRows = BATCH_ROWS): Operator {
  let done = false;
  return {
    next() {
      if (done) return null;
      const chunk: unknown[][] = [];
      while (chunk.length < batchRows) {
        const r = stream.next();
        if (r === undefined) {
          done = true;
          break;
        }
        chunk.push(r.length > width ? r.slice(0, width) : r);
      }
      return chunk.length ? rowsToBatch(chunk, width) : null;
    },
  };
}

/** DISTINCT (hash on all columns) or DISTINCT ON (first row of each run of equal keys in sorted input). */
export function distinctOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'distinct' }>,
  ctx: ExecContext,
): Operator {
  const width = plan.schema.length;
  if (!plan.on)
    return hashDistinctOperator(
      input,
      plan.schema.map((c) => c.type),
      queryMemory(ctx),
    );
  const frame = newFrame(width, ctx);
  const keyEvs = plan.on.map((e) => compileExpr(e, frame));
  const keyCmps = plan.on.map((e) => comparatorFor(e.type));
  let prev: unknown[] | undefined;
  return {
    next() {
      for (let b = input.next(); b; b = input.next()) {
        setFrameBatch(frame, b);
        const rows = batchRows(b);
        const keep: unknown[][] = [];
        const sel = b.sel;
        for (let j = 0; j < b.count; j++) {
          const i = sel ? sel[j] : j;
          const key = keyEvs.map((ev) => ev(i));
          const same =
            prev !== undefined &&
            key.every((v, k) =>
              v === null || prev![k] === null ? v === prev![k] : keyCmps[k](v, prev![k]) === 0,
            );
          if (!same) keep.push(rows[j]);
          prev = key;
        }
        if (keep.length) return rowsToBatch(keep, width);
      }
      return null;
    },
  };
}
