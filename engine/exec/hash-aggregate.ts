/**
 * @module engine/exec/hash-aggregate
 * Hash aggregation: each live row gets a dense group id (a Map lookup per key
 * column, nested for composite keys — no per-row key objects), then every
 * aggregate updates its per-group state array. Dictionary-encoded key columns
 * are grouped by code through a per-batch code → group-map cache. Group state
 * is accounted against the query's memory budget; past it the query fails
 * with 53200 (hash aggregation does not spill).
 */
import { makeAccumulator } from '../functions/aggregates.ts';
import type { Plan, SortKey } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import { type ExecContext, rowsToBatch, setFrameBatch } from './frame.ts';
import { GroupTable } from './group-table.ts';
import { type QueryMemory, queryMemory, rowBytes, valueBytes } from './memory.ts';
import { newFrame, type Operator } from './operator.ts';
import { compareRows, sortKeyComparators } from './sort.ts';

type AggPlan = Extract<Plan, { kind: 'aggregate' }>;

/** DISTINCT key of a NULL argument (only aggregates that accept NULLs, i.e. array_agg, see one). */
const NULL_KEY = Symbol('null');

export function hashAggregateOperator(input: Operator, plan: AggPlan, ctx: ExecContext): Operator {
  let done = false;
  return {
    next() {
      if (done) return null;
      done = true;
      const mem = queryMemory(ctx);
      const held = { bytes: 0 };
      try {
        const rows = aggregateRows(input, plan, ctx, mem, held);
        return rows.length ? rowsToBatch(rows, plan.schema.length) : null;
      } finally {
        mem.release(held.bytes);
      }
    },
  };
}

/** Accounted bytes per group beyond its key values: map entries and one state slot per aggregate. */
const GROUP_BYTES = 64;
const STATE_BYTES = 24;

function aggregateRows(
  input: Operator,
  plan: AggPlan,
  ctx: ExecContext,
  mem: QueryMemory,
  held: { bytes: number },
): unknown[][] {
  const frame = newFrame(plan.input.schema.length, ctx);
  const keyEvs: Ev[] = plan.groups.map((g) => compileExpr(g, frame));
  const nk = keyEvs.length;
  const accs = plan.aggs.map(makeAccumulator);
  const argEvs = plan.aggs.map((a) => a.args.map((x) => compileExpr(x, frame)));
  const filterEvs = plan.aggs.map((a) => (a.filter ? compileExpr(a.filter, frame) : undefined));
  // DISTINCT aggregates: per-group set of seen argument keys.
  const distinctSeen = plan.aggs.map((a) => (a.distinct ? new Map<number, Set<unknown>>() : undefined));
  const distinctKey = plan.aggs.map((a) =>
    a.distinct && a.args[0] ? hashKeyFor(a.args[0].type) : undefined,
  );
  // Ordered aggregates (string_agg(x, ',' ORDER BY y)): buffer rows per group, replay sorted at the end.
  const ordered = plan.aggs.map((a) => (a.orderBy?.length ? new Map<number, unknown[][]>() : undefined));
  const orderEvs = plan.aggs.map((a) => (a.orderBy ?? []).map((k) => compileExpr(k.expr, frame)));
  const table = new GroupTable(plan.groups, keyEvs);
  if (nk === 0) {
    table.keyVals.push([]);
    table.nGroups = 1;
  }
  let gids = new Int32Array(0);
  // Aggregates whose argument is a plain column can run straight over a Float64Array.
  const plainCol = plan.aggs.map((a) =>
    !a.distinct && !a.filter && !a.orderBy?.length && a.args.length === 1 && a.args[0].kind === 'col'
      ? a.args[0].index
      : -1,
  );
  // Per group: its key values, map entries and aggregate state; DISTINCT and ORDER BY arguments per kept value.
  let extra = 0;
  const account = (fromGroup: number) => {
    let bytes = extra;
    extra = 0;
    for (let g = fromGroup; g < table.nGroups; g++)
      bytes += rowBytes(table.keyVals[g]) + GROUP_BYTES + STATE_BYTES * accs.length;
    if (bytes === 0) return;
    held.bytes += bytes;
    mem.reserve(bytes, `hash aggregate (${table.nGroups} groups)`);
  };
  for (let b = input.next(); b; b = input.next()) {
    setFrameBatch(frame, b);
    const n = b.count;
    const sel = b.sel;
    if (gids.length < n) gids = new Int32Array(n);
    const before = table.nGroups;
    if (nk > 0) table.assign(b, sel, n, gids);
    for (const acc of accs) acc.reserve?.(table.nGroups);
    for (let a = 0; a < accs.length; a++) {
      const acc = accs[a];
      const evs = argEvs[a];
      const filt = filterEvs[a];
      const seen = distinctSeen[a];
      const ord = ordered[a];
      const star = plan.aggs[a].star;
      const ev0 = evs[0];
      const ev1 = evs[1];
      if (star && !filt && !seen && !ord && acc.addRows) {
        acc.addRows(nk === 0 ? undefined : gids, n);
        continue;
      }
      if (plainCol[a] >= 0 && acc.addFloats) {
        const v = b.cols[plainCol[a]];
        if (v.kind === 'flat' && !v.nulls && v.values instanceof Float64Array) {
          acc.addFloats(nk === 0 ? undefined : gids, sel, n, v.values);
          continue;
        }
      }
      for (let j = 0; j < n; j++) {
        const i = sel ? sel[j] : j;
        const g = nk === 0 ? 0 : gids[j];
        if (filt && filt(i) !== true) continue;
        if (star) {
          acc.add(g, null);
          continue;
        }
        const v = ev0(i);
        if (v === null && !acc.acceptsNulls) continue;
        if (seen) {
          let s = seen.get(g);
          if (!s) seen.set(g, (s = new Set()));
          const hk = v === null ? NULL_KEY : distinctKey[a]!(v);
          if (s.has(hk)) continue;
          s.add(hk);
          extra += 40 + valueBytes(v);
        }
        if (ord) {
          let list = ord.get(g);
          if (!list) ord.set(g, (list = []));
          const r = [v, ev1?.(i), ...orderEvs[a].map((e) => e(i))];
          list.push(r);
          extra += rowBytes(r);
          continue;
        }
        if (acc.acceptsNulls) extra += valueBytes(v); // array_agg keeps every value
        acc.add(g, v, ev1?.(i));
      }
    }
    account(before);
  }
  replayOrdered(
    plan.aggs.map((x) => x.orderBy),
    ordered,
    accs,
  );
  const out: unknown[][] = [];
  for (let g = 0; g < table.nGroups; g++) {
    const row = table.keyVals[g].slice();
    for (const acc of accs) row.push(acc.result(g));
    out.push(row);
  }
  return out;
}

function replayOrdered(
  orders: (readonly SortKey[] | undefined)[],
  ordered: (Map<number, unknown[][]> | undefined)[],
  accs: ReturnType<typeof makeAccumulator>[],
): void {
  ordered.forEach((m, a) => {
    if (!m) return;
    const keys = orders[a]!;
    const cmps = sortKeyComparators(
      keys.map((k, i) => ({ ...k, expr: { kind: 'col', index: 2 + i, type: k.expr.type } })),
    );
    for (const [g, list] of m) {
      list.sort((x, y) => compareRows(cmps, x, y));
      for (const r of list) accs[a].add(g, r[0], r[1]);
    }
  });
}
