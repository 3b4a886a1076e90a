/**
 * @module engine/exec/window
 * Window functions: materializes the input, sorts by (partition, order) per
 * call, and computes ranking, offset and aggregate functions over ROWS and
 * GROUPS frames with offsets and RANGE frames (peer rows, or offsets: see
 * window-range), each with EXCLUDE CURRENT ROW / GROUP / TIES. Past the
 * query's memory budget the input is sorted externally by the PARTITION BY
 * keys all calls share and computed partition by partition; without shared
 * keys, or with one partition larger than the budget, the query fails with
 * 53200.
 */
import { SqlError } from '../errors.ts';
import { makeAccumulator } from '../functions/aggregates.ts';
import { fingerprint } from '../plan/expr-utils.ts';
import type { AggCall, Plan, WindowCall } from '../plan/nodes.ts';
import { compileExpr } from './compile-expr.ts';
import { batchRows, type ExecContext, rowsToBatch } from './frame.ts';
import { rowFrame } from './hash-join.ts';
import { outOfMemory, type QueryMemory, queryMemory, rowBytes } from './memory.ts';
import type { Operator } from './operator.ts';
import { compareRows, rowsOperator, sortKeyComparators } from './sort.ts';
import { ExternalSorter } from './spill-sort.ts';
import { rangeOffsetBounds, rangeOffsetValues } from './window-range.ts';

export function windowOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'window' }>,
  ctx: ExecContext,
): Operator {
  let out: Operator | undefined;
  return {
    next() {
      if (!out) {
        const mem = queryMemory(ctx);
        const width = plan.input.schema.length;
        const rows: unknown[][] = [];
        let held = 0;
        let spilled: PartitionSpill | undefined;
        for (let b = input.next(); b; b = input.next()) {
          const batch = batchRows(b);
          let bytes = 0;
          // Computing a call about doubles a row's footprint (sort decoration, result column).
          for (const r of batch) bytes += 2 * rowBytes(r);
          if (!spilled && !mem.tryReserve(bytes)) {
            spilled = new PartitionSpill(plan, ctx, mem);
            for (const r of rows) spilled.add(r);
            rows.length = 0;
            mem.release(held);
            held = 0;
          }
          if (spilled) for (const r of batch) spilled.add(r);
          else {
            for (const r of batch) rows.push(r);
            held += bytes;
          }
        }
        if (spilled) out = spilled.finish();
        else {
          for (const call of plan.calls) computeCall(call, rows, width, ctx);
          const emit = rowsOperator(rows, plan.schema.length);
          out = {
            next() {
              const b = emit.next();
              if (!b) mem.release(held);
              return b;
            },
          };
        }
      }
      return out.next();
    },
  };
}

/**
 * Window input past the memory budget: sorted (with spilling) by the
 * PARTITION BY keys every call shares, then computed one partition at a time.
 */
class PartitionSpill {
  private readonly sorter: ExternalSorter;
  private readonly keys: ((r: unknown[]) => unknown)[];
  private readonly cmps: ReturnType<typeof sortKeyComparators>;
  private readonly width: number;

  constructor(
    private readonly plan: Extract<Plan, { kind: 'window' }>,
    private readonly ctx: ExecContext,
    private readonly mem: QueryMemory,
  ) {
    const text = fingerprint;
    const [first, ...rest] = plan.calls;
    const shared = first.partition.filter((e) =>
      rest.every((c) => c.partition.some((x) => text(x) === text(e))),
    );
    if (shared.length === 0)
      throw outOfMemory('window function without a PARTITION BY shared by every call', mem.limit);
    this.width = plan.input.schema.length;
    const rf = rowFrame(this.width, ctx);
    this.keys = shared.map((e) => {
      const ev = compileExpr(e, rf.frame);
      return (r) => {
        rf.set(r);
        return ev(0);
      };
    });
    this.cmps = sortKeyComparators(
      shared.map((e, i) => ({
        expr: { kind: 'col', index: this.width + i, type: e.type },
        desc: false,
        nullsFirst: false,
      })),
    );
    this.sorter = new ExternalSorter(mem, (a, b) => compareRows(this.cmps, a, b), 'window function');
  }

  add(row: unknown[]): void {
    const n = this.keys.length;
    const keyed = row.slice();
    for (let k = 0; k < n; k++) keyed.push(this.keys[k](row));
    this.sorter.add(keyed);
  }

  finish(): Operator {
    const stream = this.sorter.finish();
    const { mem, width, plan, ctx, cmps } = this;
    let pending = stream.next();
    return {
      next() {
        if (pending === undefined) return null;
        const first = pending;
        const part: unknown[][] = [];
        let held = 0;
        while (pending !== undefined && compareRows(cmps, first, pending) === 0) {
          const r = pending.slice(0, width);
          const bytes = 2 * rowBytes(r);
          if (!mem.tryReserve(bytes)) {
            stream.close();
            throw outOfMemory('one window partition', mem.limit);
          }
          held += bytes;
          part.push(r);
          pending = stream.next();
        }
        for (const call of plan.calls) computeCall(call, part, width, ctx);
        mem.release(held);
        return rowsToBatch(part, plan.schema.length);
      },
    };
  }
}

function computeCall(call: WindowCall, rows: unknown[][], width: number, ctx: ExecContext): void {
  const rf = rowFrame(width, ctx);
  const evalOn = (e: Parameters<typeof compileExpr>[0]) => {
    const ev = compileExpr(e, rf.frame);
    return (r: unknown[]) => {
      rf.set(r);
      return ev(0);
    };
  };
  const parts = call.partition.map(evalOn);
  const orders = call.order.map((k) => evalOn(k.expr));
  const args = call.args.map(evalOn);
  // RANGE offsets have no columns: evaluated once, over a row of NULLs.
  const nullRow = new Array(width).fill(null);
  const bounds = rangeOffsetValues(call.frame, (e) => evalOn(e)(nullRow));
  // Decorate: [partition keys..., order keys..., original index]
  const np = parts.length;
  const no = orders.length;
  const deco = rows.map((r, i) => [...parts.map((p) => p(r)), ...orders.map((o) => o(r)), i]);
  const pcmp = sortKeyComparators(
    call.partition.map((e, i) => ({
      expr: { kind: 'col', index: i, type: e.type },
      desc: false,
      nullsFirst: false,
    })),
  );
  const ocmp = sortKeyComparators(
    call.order.map((k, i) => ({ ...k, expr: { kind: 'col', index: np + i, type: k.expr.type } })),
  );
  const all = [...pcmp, ...ocmp];
  deco.sort((a, b) => compareRows(all, a, b) || (a[np + no] as number) - (b[np + no] as number));
  const result = new Array(rows.length);
  let start = 0;
  while (start < deco.length) {
    let end = start + 1;
    while (end < deco.length && compareRows(pcmp, deco[start], deco[end]) === 0) end++;
    computePartition(call, deco.slice(start, end), rows, args, ocmp, np + no, result, bounds);
    start = end;
  }
  for (let i = 0; i < rows.length; i++) rows[i].push(result[i]);
}

function computePartition(
  call: WindowCall,
  part: unknown[][],
  rows: unknown[][],
  args: ((r: unknown[]) => unknown)[],
  ocmp: ReturnType<typeof sortKeyComparators>,
  idxPos: number,
  result: unknown[],
  bounds: ReturnType<typeof rangeOffsetValues>,
): void {
  const n = part.length;
  const rowOf = (k: number) => rows[part[k][idxPos] as number];
  const put = (k: number, v: unknown) => {
    result[part[k][idxPos] as number] = v;
  };
  // Peer groups: rows equal on the ORDER BY keys.
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  for (let k = 0; k < n; ) {
    let e = k + 1;
    while (e < n && compareRows(ocmp, part[k], part[e]) === 0) e++;
    for (let q = k; q < e; q++) {
      peerStart[q] = k;
      peerEnd[q] = e;
    }
    k = e;
  }
  // Peer group number of each row, and where each group starts (plus n at the end).
  const group = new Int32Array(n);
  const groupStart: number[] = [];
  for (let k = 0; k < n; k++) {
    if (peerStart[k] === k) groupStart.push(k);
    group[k] = groupStart.length - 1;
  }
  groupStart.push(n);
  const groups = groupStart.length - 1;
  const f = call.frame;
  const rangeOffsets =
    f.rangeStart || f.rangeEnd
      ? rangeOffsetBounds(
          f,
          bounds,
          { ...call.order[0], type: call.order[0].expr.type },
          part.map((d) => d[idxPos - call.order.length]),
          peerStart,
          peerEnd,
        )
      : undefined;
  /** The frame of row k as [start, end) before exclusion. */
  const frameBounds = (k: number): [number, number] => {
    let s: number;
    let e: number;
    if (rangeOffsets) return rangeOffsets(k);
    if (f.mode === 'range') {
      s = f.start === -Infinity ? 0 : peerStart[k];
      e = f.end === Infinity ? n : peerEnd[k];
    } else if (f.mode === 'groups') {
      const gs = group[k] + f.start;
      const ge = group[k] + f.end;
      s = f.start === -Infinity ? 0 : gs > groups ? n : groupStart[Math.max(0, gs)];
      e = f.end === Infinity ? n : ge < 0 ? 0 : groupStart[Math.min(groups, ge + 1)];
    } else {
      s = f.start === -Infinity ? 0 : Math.min(n, Math.max(0, k + f.start));
      e = f.end === Infinity ? n : Math.max(0, Math.min(n, k + f.end + 1));
    }
    return [s, Math.max(s, e)];
  };
  /**
   * The frame of row k after EXCLUDE, as [start, end) pairs in row order (flattened): the
   * rows before the excluded ones, the current row itself for TIES, the rows after.
   */
  const frameRanges = (k: number): number[] => {
    const [s, e] = frameBounds(k);
    if (!f.exclude) return e > s ? [s, e] : [];
    const xs = f.exclude === 'current' ? k : peerStart[k];
    const xe = f.exclude === 'current' ? k + 1 : peerEnd[k];
    const out: number[] = [];
    if (Math.min(e, xs) > s) out.push(s, Math.min(e, xs));
    if (f.exclude === 'ties' && k >= s && k < e) out.push(k, k + 1);
    if (e > Math.max(s, xe)) out.push(Math.max(s, xe), e);
    return out;
  };
  /** The i-th (0-based) row of row k's frame, or -1. */
  const frameRow = (k: number, i: number): number => {
    const r = frameRanges(k);
    for (let j = 0; j < r.length; j += 2) {
      if (i < r[j + 1] - r[j]) return r[j] + i;
      i -= r[j + 1] - r[j];
    }
    return -1;
  };
  switch (call.name) {
    case 'row_number':
      for (let k = 0; k < n; k++) put(k, BigInt(k + 1));
      return;
    case 'rank':
      for (let k = 0; k < n; k++) put(k, BigInt(peerStart[k] + 1));
      return;
    case 'dense_rank': {
      let r = 0;
      for (let k = 0; k < n; k++) {
        if (peerStart[k] === k) r++;
        put(k, BigInt(r));
      }
      return;
    }
    case 'percent_rank':
      for (let k = 0; k < n; k++) put(k, n > 1 ? peerStart[k] / (n - 1) : 0);
      return;
    case 'cume_dist':
      for (let k = 0; k < n; k++) put(k, peerEnd[k] / n);
      return;
    case 'ntile': {
      for (let k = 0; k < n; k++) {
        const buckets = Number(args[0](rowOf(k)));
        if (!(buckets > 0)) throw new SqlError('22014', 'argument of ntile must be greater than zero');
        const size = Math.floor(n / buckets);
        const extra = n % buckets;
        const big = extra * (size + 1);
        put(
          k,
          k < big ? Math.floor(k / (size + 1)) + 1 : Math.floor((k - big) / Math.max(1, size)) + extra + 1,
        );
      }
      return;
    }
    case 'lag':
    case 'lead': {
      const sign = call.name === 'lag' ? -1 : 1;
      for (let k = 0; k < n; k++) {
        const off = args[1] ? Number(args[1](rowOf(k))) : 1;
        const t = k + sign * off;
        put(k, t >= 0 && t < n ? args[0](rowOf(t)) : args[2] ? args[2](rowOf(k)) : null);
      }
      return;
    }
    case 'first_value':
      for (let k = 0; k < n; k++) {
        const q = frameRow(k, 0);
        put(k, q < 0 ? null : args[0](rowOf(q)));
      }
      return;
    case 'last_value':
      for (let k = 0; k < n; k++) {
        const r = frameRanges(k);
        put(k, r.length === 0 ? null : args[0](rowOf(r[r.length - 1] - 1)));
      }
      return;
    case 'nth_value':
      for (let k = 0; k < n; k++) {
        const nth = args[1](rowOf(k));
        if (nth === null) {
          put(k, null);
          continue;
        }
        if (Number(nth) <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
        const q = frameRow(k, Number(nth) - 1);
        put(k, q < 0 ? null : args[0](rowOf(q)));
      }
      return;
  }
  // Aggregates over the frame.
  const agg: AggCall = {
    name: call.name === 'count_star' ? 'count' : call.name,
    args: call.args,
    distinct: false,
    star: call.name === 'count_star',
    type: call.type,
  };
  const vals = part.map((_, k) => (agg.star ? true : args[0](rowOf(k))));
  // A second argument (string_agg's delimiter) is read per row too.
  const vals2 = args[1] ? part.map((_, k) => args[1](rowOf(k))) : undefined;
  if (f.start === -Infinity && !f.exclude && !rangeOffsets) {
    // Running aggregate: extend one accumulator as the frame end advances.
    const acc = makeAccumulator(agg);
    let upto = 0;
    for (let k = 0; k < n; k++) {
      const [, e] = frameBounds(k);
      while (upto < e) {
        if (vals[upto] !== null || acc.acceptsNulls) acc.add(0, vals[upto], vals2?.[upto]);
        upto++;
      }
      put(k, acc.result(0));
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const r = frameRanges(k);
    const acc = makeAccumulator(agg);
    for (let j = 0; j < r.length; j += 2)
      for (let q = r[j]; q < r[j + 1]; q++)
        if (vals[q] !== null || acc.acceptsNulls) acc.add(0, vals[q], vals2?.[q]);
    put(k, acc.result(0));
  }
}
