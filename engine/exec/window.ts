/**
 * @module engine/exec/window
 * Window functions: materializes the input, sorts by (partition, order) per
 * call, and computes ranking, offset and aggregate functions over ROWS frames
 * or RANGE frames of peer rows (UNBOUNDED / CURRENT ROW bounds).
 */
import { SqlError, SqlState } from '../errors.ts';
import { makeAccumulator } from '../functions/aggregates.ts';
import type { AggCall, Plan, WindowCall } from '../plan/nodes.ts';
import { compileExpr } from './compile-expr.ts';
import { batchRows, type ExecContext } from './frame.ts';
import { rowFrame } from './hash-join.ts';
import type { Operator } from './operator.ts';
import { compareRows, rowsOperator, sortKeyComparators } from './sort.ts';

export function windowOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'window' }>,
  ctx: ExecContext,
): Operator {
  let out: Operator | undefined;
  return {
    next() {
      if (!out) {
        const rows: unknown[][] = [];
        for (let b = input.next(); b; b = input.next()) batchRows(b, rows);
        const width = plan.input.schema.length;
        for (const call of plan.calls) computeCall(call, rows, width, ctx);
        out = rowsOperator(rows, plan.schema.length);
      }
      return out.next();
    },
  };
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
    computePartition(call, deco.slice(start, end), rows, args, ocmp, np + no, result);
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
  const frameBounds = (k: number): [number, number] => {
    const f = call.frame;
    if (f.mode === 'range') {
      const s = f.start === -Infinity ? 0 : peerStart[k];
      const e = f.end === Infinity ? n : peerEnd[k];
      return [s, e];
    }
    const s = f.start === -Infinity ? 0 : Math.max(0, k + f.start);
    const e = f.end === Infinity ? n : Math.min(n, k + f.end + 1);
    return [s, Math.max(s, e)];
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
        if (!(buckets > 0))
          throw new SqlError(SqlState.invalidParameterValue, 'argument of ntile must be greater than zero');
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
    case 'last_value':
      for (let k = 0; k < n; k++) {
        const [s, e] = frameBounds(k);
        put(k, s >= e ? null : args[0](rowOf(call.name === 'first_value' ? s : e - 1)));
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
  const unbounded = call.frame.start === -Infinity;
  if (unbounded) {
    // Running aggregate: extend one accumulator as the frame end advances.
    const acc = makeAccumulator(agg);
    let upto = 0;
    for (let k = 0; k < n; k++) {
      const [, e] = frameBounds(k);
      while (upto < e) {
        if (vals[upto] !== null || acc.acceptsNulls) acc.add(0, vals[upto]);
        upto++;
      }
      put(k, acc.result(0));
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const [s, e] = frameBounds(k);
    const acc = makeAccumulator(agg);
    for (let q = s; q < e; q++) if (vals[q] !== null || acc.acceptsNulls) acc.add(0, vals[q]);
    put(k, acc.result(0));
  }
}
