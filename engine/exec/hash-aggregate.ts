/**
 * @module engine/exec/hash-aggregate
 * Hash aggregation: each live row gets a dense group id (a Map lookup per key
 * column, nested for composite keys — no per-row key objects), then every
 * aggregate updates its per-group state array. Dictionary-encoded key columns
 * are grouped by code through a per-batch code → group-map cache. Group state
 * is accounted per group against the query's memory budget; past it whole
 * hash partitions of groups move to spill runs (spill-aggregate.ts) and are
 * aggregated one partition at a time after the input ends.
 */
import { type Accumulator, makeAccumulator } from '../functions/aggregates.ts';
import type { Plan, SortKey } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import {
  type ExecBatch,
  type ExecContext,
  type Frame,
  getterFor,
  rowsToBatch,
  setFrameBatch,
} from './frame.ts';
import { GroupTable } from './group-table.ts';
import { outOfMemory, type QueryMemory, queryMemory, rowBytes, valueBytes } from './memory.ts';
import { newFrame, type Operator } from './operator.ts';
import { compareRows, sortKeyComparators } from './sort.ts';
import {
  AggPartitions,
  aggregateRuns,
  FANOUT,
  MAX_DEPTH,
  type SpillableAggregation,
} from './spill-aggregate.ts';

type AggPlan = Extract<Plan, { kind: 'aggregate' }>;

/** DISTINCT key of a NULL argument (only aggregates that accept NULLs, i.e. array_agg, see one). */
const NULL_KEY = Symbol('null');

export function hashAggregateOperator(input: Operator, plan: AggPlan, ctx: ExecContext): Operator {
  let out: Generator<unknown[][]> | undefined;
  const width = plan.schema.length;
  const inputWidth = plan.input.schema.length;
  const run = function* (): Generator<unknown[][]> {
    const mem = queryMemory(ctx);
    const top = new HashAggregation(plan, ctx, mem, 0);
    try {
      for (let b = input.next(); b; b = input.next()) top.addBatch(b);
    } catch (e) {
      top.finish();
      throw e;
    }
    const rows = top.finish();
    if (rows.length) yield rows;
    yield* aggregateRuns(
      mem,
      top.spilledRuns(),
      1,
      inputWidth,
      (d) => new HashAggregation(plan, ctx, mem, d),
    );
  };
  return {
    next() {
      out ??= run();
      const r = out.next();
      return r.done ? null : rowsToBatch(r.value, width);
    },
  };
}

/** Accounted bytes per group beyond its key values: map entries and one state slot per aggregate. */
const GROUP_BYTES = 64;
const STATE_BYTES = 24;

/**
 * One level of hash aggregation over batches (the query input, or a spilled
 * partition replayed). `depth` seeds the hash partitioning it spills by.
 */
class HashAggregation implements SpillableAggregation {
  private readonly frame: Frame;
  private readonly keyEvs: Ev[];
  private readonly nk: number;
  private readonly accs: Accumulator[];
  private readonly argEvs: Ev[][];
  private readonly filterEvs: (Ev | undefined)[];
  /** DISTINCT aggregates: per-group set of seen argument keys. */
  private readonly distinctSeen: (Map<number, Set<unknown>> | undefined)[];
  private readonly distinctKey: (((v: unknown) => unknown) | undefined)[];
  /** Ordered aggregates (string_agg(x, ',' ORDER BY y)): rows per group, replayed sorted at the end. */
  private readonly ordered: (Map<number, unknown[][]> | undefined)[];
  private readonly orderEvs: Ev[][];
  /** Aggregates whose argument is a plain column can run straight over a Float64Array. */
  private readonly plainCol: number[];
  /** Aggregates whose state grows with every value (array_agg, string_agg). */
  private readonly growing: boolean[];
  private readonly table: GroupTable;
  private gids = new Int32Array(0);
  /** Accounted bytes per group (key, entries, state, kept DISTINCT/ORDER BY arguments). */
  private gBytes: number[] = [];
  /** Partition per group once spilling started (-1: not computed), and groups moved out. */
  private gPart: number[] = [];
  private dead = new Uint8Array(0);
  /** Bytes reserved, and bytes grown since the last reservation. */
  private held = 0;
  private pending = 0;
  private parts: AggPartitions | undefined;
  private keep = new Uint32Array(0);

  constructor(
    private readonly plan: AggPlan,
    ctx: ExecContext,
    private readonly mem: QueryMemory,
    private readonly depth: number,
  ) {
    const frame = (this.frame = newFrame(plan.input.schema.length, ctx));
    this.keyEvs = plan.groups.map((g) => compileExpr(g, frame));
    this.nk = this.keyEvs.length;
    this.accs = plan.aggs.map(makeAccumulator);
    this.argEvs = plan.aggs.map((a) => a.args.map((x) => compileExpr(x, frame)));
    this.filterEvs = plan.aggs.map((a) => (a.filter ? compileExpr(a.filter, frame) : undefined));
    this.distinctSeen = plan.aggs.map((a) => (a.distinct ? new Map<number, Set<unknown>>() : undefined));
    this.distinctKey = plan.aggs.map((a) =>
      a.distinct && a.args[0] ? hashKeyFor(a.args[0].type) : undefined,
    );
    this.ordered = plan.aggs.map((a) => (a.orderBy?.length ? new Map<number, unknown[][]>() : undefined));
    this.orderEvs = plan.aggs.map((a) => (a.orderBy ?? []).map((k) => compileExpr(k.expr, frame)));
    this.plainCol = plan.aggs.map((a) =>
      !a.distinct && !a.filter && !a.orderBy?.length && a.args.length === 1 && a.args[0].kind === 'col'
        ? a.args[0].index
        : -1,
    );
    this.growing = plan.aggs.map((a, i) => !!this.accs[i].acceptsNulls || a.name === 'string_agg');
    this.table = new GroupTable(plan.groups, this.keyEvs);
    if (this.nk === 0) {
      this.table.keyVals.push([]);
      this.table.nGroups = 1;
      this.gBytes[0] = 0;
    }
  }

  addBatch(b: ExecBatch): void {
    const { frame, nk, accs, table, plan } = this;
    setFrameBatch(frame, b);
    let n = b.count;
    let sel = b.sel;
    if (this.parts) {
      sel = this.route(b, sel, n);
      n = sel.length;
      if (n === 0) return;
    }
    if (this.gids.length < n) this.gids = new Int32Array(n);
    const gids = this.gids;
    const gBytes = this.gBytes;
    const before = table.nGroups;
    if (nk > 0) table.assign(b, sel, n, gids);
    for (let g = before; g < table.nGroups; g++) gBytes[g] = 0;
    for (const acc of accs) acc.reserve?.(table.nGroups);
    let extra = 0;
    for (let a = 0; a < accs.length; a++) {
      const acc = accs[a];
      const evs = this.argEvs[a];
      const filt = this.filterEvs[a];
      const seen = this.distinctSeen[a];
      const ord = this.ordered[a];
      const star = plan.aggs[a].star;
      const grows = this.growing[a];
      const ev0 = evs[0];
      const ev1 = evs[1];
      if (star && !filt && !seen && !ord && acc.addRows) {
        acc.addRows(nk === 0 ? undefined : gids, n);
        continue;
      }
      const pc = this.plainCol[a];
      if (pc >= 0 && acc.addFloats) {
        const v = b.cols[pc];
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
          const hk = v === null ? NULL_KEY : this.distinctKey[a]!(v);
          if (s.has(hk)) continue;
          s.add(hk);
          const bytes = 40 + valueBytes(v);
          gBytes[g] += bytes;
          extra += bytes;
        }
        if (ord) {
          let list = ord.get(g);
          if (!list) ord.set(g, (list = []));
          const r = [v, ev1?.(i), ...this.orderEvs[a].map((e) => e(i))];
          list.push(r);
          const bytes = rowBytes(r);
          gBytes[g] += bytes;
          extra += bytes;
          continue;
        }
        const v1 = ev1?.(i);
        if (grows) {
          const bytes = valueBytes(v) + (typeof v1 === 'string' ? 2 * v1.length : 0);
          gBytes[g] += bytes;
          extra += bytes;
        }
        acc.add(g, v, v1);
      }
    }
    this.pending += extra;
    this.account(before);
  }

  /** Spills the rows of evicted partitions; returns the selection of the rest. */
  private route(b: ExecBatch, sel: Uint32Array | undefined, n: number): Uint32Array {
    const parts = this.parts!;
    const nk = this.nk;
    const key: unknown[] = new Array(nk);
    if (this.keep.length < n) this.keep = new Uint32Array(n);
    const keep = this.keep;
    const inputWidth = this.plan.input.schema.length;
    const getters = b.cols.slice(0, inputWidth).map(getterFor);
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const i = sel ? sel[j] : j;
      for (let k = 0; k < nk; k++) key[k] = this.keyEvs[k](i);
      const p = parts.partition(key);
      if (!parts.evicted[p]) {
        keep[kept++] = i;
        continue;
      }
      const row: unknown[] = new Array(parts.width + 1).fill(null);
      for (let c = 0; c < inputWidth; c++) row[c] = getters[c](i);
      parts.addRow(p, row);
    }
    return keep.subarray(0, kept);
  }

  /** Reserves what new groups and growth since the last call take, evicting partitions when it does not fit. */
  private account(fromGroup: number): void {
    const { table, gBytes } = this;
    const base = GROUP_BYTES + STATE_BYTES * this.accs.length;
    for (let g = fromGroup; g < table.nGroups; g++) {
      const bytes = rowBytes(table.keyVals[g]) + base;
      gBytes[g] += bytes;
      this.pending += bytes;
    }
    if (this.pending === 0) return;
    while (!this.mem.tryReserve(this.pending)) {
      if (!this.mem.spill || this.depth >= MAX_DEPTH) {
        throw outOfMemory(`hash aggregate (${this.liveGroups()} groups)`, this.mem.limit);
      }
      this.evict();
    }
    this.held += this.pending;
    this.pending = 0;
  }

  reserveBlock(bytes: number): void {
    while (!this.mem.tryReserve(bytes)) this.evict();
  }

  private liveGroups(): number {
    let n = 0;
    for (let g = 0; g < this.table.nGroups; g++) if (!this.dead[g]) n++;
    return n;
  }

  /** Moves the live partition holding the most bytes to spill. */
  private evict(): void {
    const { table, gBytes, gPart, mem } = this;
    this.parts ??= new AggPartitions(
      mem,
      this.depth,
      this.plan.groups.map((g) => g.type),
      this.plan.input.schema.length,
    );
    const parts = this.parts;
    if (this.dead.length < table.nGroups) {
      const d = new Uint8Array(Math.max(table.nGroups, 2 * this.dead.length));
      d.set(this.dead);
      this.dead = d;
    }
    const dead = this.dead;
    const sizes = new Float64Array(FANOUT);
    for (let g = 0; g < table.nGroups; g++) {
      if (dead[g]) continue;
      if (gPart[g] === undefined) gPart[g] = parts.partition(table.keyVals[g]);
      sizes[gPart[g]] += gBytes[g];
    }
    let p = -1;
    for (let q = 0; q < FANOUT; q++)
      if (!parts.evicted[q] && sizes[q] > 0 && (p < 0 || sizes[q] > sizes[p])) p = q;
    if (p < 0) throw outOfMemory('hash aggregate', mem.limit); // nothing left in memory to move
    // One group cannot be split: moving it out would only bring it back just as big.
    if (this.liveGroups() === 1) throw outOfMemory('hash aggregate (the state of one group)', mem.limit);
    parts.evicted[p] = 1;
    let freed = 0;
    for (let g = 0; g < table.nGroups; g++) {
      if (dead[g] || gPart[g] !== p) continue;
      if (gBytes[g] > mem.limit) throw outOfMemory('hash aggregate (the state of one group)', mem.limit);
      parts.addState(p, this.saveGroup(g));
      dead[g] = 1;
      freed += gBytes[g];
    }
    if (this.nk > 0) table.remove((g) => dead[g] === 1);
    // Freed bytes first cover growth not yet reserved, then give back reservations.
    const fromPending = Math.min(freed, this.pending);
    this.pending -= fromPending;
    const rest = freed - fromPending;
    this.held -= rest;
    mem.release(rest);
  }

  /** A group's state record: key, accounted bytes, accumulator states, DISTINCT sets, ORDER BY rows. */
  private saveGroup(g: number): unknown[] {
    const seen = this.distinctSeen.map((m) => {
      const s = m?.get(g);
      if (!s) return null;
      m!.delete(g);
      const keys: unknown[] = [];
      let hasNull = false;
      for (const k of s) {
        if (k === NULL_KEY) hasNull = true;
        else keys.push(k);
      }
      return [hasNull, keys];
    });
    const ordered = this.ordered.map((m) => {
      const list = m?.get(g);
      m?.delete(g);
      return list ?? null;
    });
    return [this.table.keyVals[g], this.gBytes[g], this.accs.map((a) => a.saveState(g)), seen, ordered];
  }

  addState(record: unknown[]): void {
    const [keyVals, bytes, states, seen, ordered] = record as [
      unknown[],
      number,
      unknown[][],
      ([boolean, unknown[]] | null)[],
      (unknown[][] | null)[],
    ];
    const parts = this.parts;
    if (parts) {
      const p = parts.partition(keyVals);
      if (parts.evicted[p]) {
        parts.addState(p, record);
        return;
      }
    }
    const g = this.nk === 0 ? 0 : this.table.insert(keyVals);
    for (const acc of this.accs) acc.reserve?.(this.table.nGroups);
    for (let a = 0; a < this.accs.length; a++) {
      this.accs[a].loadState(g, states[a]);
      const s = seen[a];
      if (s) {
        const set = new Set<unknown>(s[1]);
        if (s[0]) set.add(NULL_KEY);
        this.distinctSeen[a]!.set(g, set);
      }
      const list = ordered[a];
      if (list) this.ordered[a]!.set(g, list);
    }
    this.gBytes[g] = bytes;
    this.pending += bytes;
    this.account(this.table.nGroups);
  }

  finish(): unknown[][] {
    replayOrdered(
      this.plan.aggs.map((x) => x.orderBy),
      this.ordered,
      this.accs,
    );
    const { table, dead } = this;
    const out: unknown[][] = [];
    for (let g = 0; g < table.nGroups; g++) {
      if (dead[g]) continue;
      const row = table.keyVals[g].slice();
      for (const acc of this.accs) row.push(acc.result(g));
      out.push(row);
    }
    this.mem.release(this.held);
    this.held = 0;
    this.pending = 0;
    return out;
  }

  spilledRuns(): (number | undefined)[] {
    return this.parts?.finish() ?? [];
  }
}

function replayOrdered(
  orders: (readonly SortKey[] | undefined)[],
  ordered: (Map<number, unknown[][]> | undefined)[],
  accs: Accumulator[],
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
