/**
 * @module engine/exec/hash-aggregate
 * Hash aggregation: each live row gets a dense group id (a Map lookup per key
 * column, nested for composite keys — no per-row key objects), then every
 * aggregate updates its per-group state array. Dictionary-encoded key columns
 * are grouped by code through a per-batch code → group-map cache.
 */
import { makeAccumulator } from '../functions/aggregates.ts';
import type { Plan, SortKey } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import { type ExecContext, rowsToBatch, setFrameBatch } from './frame.ts';
import { newFrame, type Operator } from './operator.ts';
import { compareRows, sortKeyComparators } from './sort.ts';

type AggPlan = Extract<Plan, { kind: 'aggregate' }>;

export function hashAggregateOperator(input: Operator, plan: AggPlan, ctx: ExecContext): Operator {
  let done = false;
  return {
    next() {
      if (done) return null;
      done = true;
      const rows = aggregateRows(input, plan, ctx);
      return rows.length ? rowsToBatch(rows, plan.schema.length) : null;
    },
  };
}

function aggregateRows(input: Operator, plan: AggPlan, ctx: ExecContext): unknown[][] {
  const frame = newFrame(plan.input.schema.length, ctx);
  const keyEvs: Ev[] = plan.groups.map((g) => compileExpr(g, frame));
  const keyHash = plan.groups.map((g) => hashKeyFor(g.type));
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
  const keyVals: unknown[][] = [];
  const root = new Map<unknown, unknown>();
  let nGroups = 0;
  if (nk === 0) {
    keyVals.push([]);
    nGroups = 1;
  }
  let gids = new Int32Array(0);
  let codeCache = new Int32Array(0);
  const lastKey = plan.groups[nk - 1];
  const lastKeyCol = lastKey?.kind === 'col' ? lastKey.index : -1;
  // Aggregates whose argument is a plain column can run straight over a Float64Array.
  const plainCol = plan.aggs.map((a) =>
    !a.distinct && !a.filter && !a.orderBy?.length && a.args.length === 1 && a.args[0].kind === 'col'
      ? a.args[0].index
      : -1,
  );
  for (let b = input.next(); b; b = input.next()) {
    setFrameBatch(frame, b);
    const n = b.count;
    const sel = b.sel;
    if (gids.length < n) gids = new Int32Array(n);
    if (nk > 0) {
      // The last key, when it is a dictionary column, is looked up by code: each
      // (parent map, code) pair hits the Map once per batch.
      const lastVec = lastKeyCol >= 0 ? b.cols[lastKeyCol] : undefined;
      const codes = lastVec?.kind === 'dict' && !lastVec.nulls ? lastVec.codes : undefined;
      if (codes && codeCache.length < (lastVec as { dict: { length: number } }).dict.length) {
        codeCache = new Int32Array((lastVec as { dict: { length: number } }).dict.length);
      }
      let cacheOwner: Map<unknown, unknown> | undefined;
      // Level-0 memo: consecutive rows usually share the first key (e.g. the time bucket).
      let memoKey: unknown = Symbol.for('none');
      let memoChild: Map<unknown, unknown> | undefined;
      for (let j = 0; j < n; j++) {
        const i = sel ? sel[j] : j;
        let m = root;
        let g = -1;
        for (let k = 0; k < nk; k++) {
          if (k === nk - 1 && codes) {
            if (cacheOwner !== m) {
              codeCache.fill(-1);
              cacheOwner = m;
            }
            g = codeCache[codes[i]];
            if (g >= 0) break;
          }
          const v = keyEvs[k](i);
          const hk = v === null ? null : keyHash[k](v);
          if (k === nk - 1) {
            const next = m.get(hk);
            if (next === undefined) {
              g = nGroups++;
              m.set(hk, g);
              const kv = new Array(nk);
              for (let q = 0; q < nk; q++) kv[q] = keyEvs[q](i);
              keyVals.push(kv);
            } else g = next as number;
            if (codes) codeCache[codes[i]] = g;
          } else if (k === 0 && hk === memoKey && memoChild) {
            m = memoChild;
          } else {
            let child = m.get(hk) as Map<unknown, unknown> | undefined;
            if (!child) {
              child = new Map();
              m.set(hk, child);
            }
            if (k === 0) {
              memoKey = hk;
              memoChild = child;
            }
            m = child;
          }
        }
        gids[j] = g;
      }
    }
    for (const acc of accs) acc.reserve?.(nGroups);
    for (let a = 0; a < accs.length; a++) {
      const acc = accs[a];
      const evs = argEvs[a];
      const filt = filterEvs[a];
      const seen = distinctSeen[a];
      const ord = ordered[a];
      const star = plan.aggs[a].star;
      const ev0 = evs[0];
      const ev1 = evs[1];
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
        if (v === null) continue;
        if (seen) {
          let s = seen.get(g);
          if (!s) seen.set(g, (s = new Set()));
          const hk = distinctKey[a]!(v);
          if (s.has(hk)) continue;
          s.add(hk);
        }
        if (ord) {
          let list = ord.get(g);
          if (!list) ord.set(g, (list = []));
          list.push([v, ev1?.(i), ...orderEvs[a].map((e) => e(i))]);
          continue;
        }
        acc.add(g, v, ev1?.(i));
      }
    }
  }
  replayOrdered(
    plan.aggs.map((x) => x.orderBy),
    ordered,
    accs,
  );
  const out: unknown[][] = [];
  for (let g = 0; g < nGroups; g++) {
    const row = keyVals[g].slice();
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
