/**
 * @module engine/exec/spill-join
 * Grace hash join, for a build side past the query's memory budget: both
 * inputs are split into FANOUT spill runs by a hash of the join key (each row
 * carries its key as an extra last column, so keys are evaluated once), then
 * joined one partition pair at a time with an in-memory hash table. A
 * partition whose build rows still do not fit is split again with another
 * hash seed, up to MAX_DEPTH levels; past that (one key value with more rows
 * than the budget holds) the query fails with 53200.
 *
 * Equal keys always land in the same partition, so every join type works
 * per partition: unmatched probe rows are padded as they are probed (LEFT,
 * FULL), unmatched build rows after their partition (RIGHT, FULL). Rows whose
 * key is NULL never match and are spilled separately by the caller.
 */
import type { Plan } from '../plan/nodes.ts';
import { batchRows, type Frame, rowsToBatch, setFrameBatch } from './frame.ts';
import { outOfMemory, type QueryMemory, rowBytes } from './memory.ts';
import type { Operator } from './operator.ts';
import { blockBytesFor, RunReader, RunWriter } from './spill-run.ts';

export const FANOUT = 16;
const MAX_DEPTH = 4;
const OUT_ROWS = 1024;
/** Hash table bookkeeping per build row (index in a candidate list, map entry share). */
const ENTRY_BYTES = 48;

/** The plan's join types; semi/anti are not produced by the binder today and run as inner. */
export type JoinKind = Extract<Plan, { kind: 'join' }>['joinType'];

/** What a partition join needs besides its rows. */
export interface GraceJoin {
  readonly mem: QueryMemory;
  readonly jt: JoinKind;
  /** Widths of build and probe rows (the key is the column after them). */
  readonly nb: number;
  readonly np: number;
  /** Output row for a pair (both without their key column). */
  combine(probe: unknown[], build: unknown[]): unknown[];
  /** The residual join condition on an output row, when there is one. */
  readonly residual?: (row: unknown[]) => boolean;
  /** Output row for an unmatched probe row (LEFT/FULL) and build row (RIGHT/FULL). */
  padProbe(probe: unknown[]): unknown[];
  padBuild(build: unknown[]): unknown[];
}

/** 32-bit FNV-1a of the key's text, seeded per partitioning level. */
function partitionOf(key: unknown, depth: number): number {
  const s = typeof key === 'string' ? key : String(key);
  let h = (0x811c9dc5 ^ Math.imul(depth + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  return (h >>> 0) % FANOUT;
}

/** Writes rows (key last) into FANOUT runs by key hash. */
export class Partitioner {
  private readonly writers: (RunWriter | undefined)[] = new Array(FANOUT);
  private readonly blockBytes: number;

  constructor(
    private readonly mem: QueryMemory,
    private readonly depth: number,
    private readonly what: string,
  ) {
    // Every partition buffers one block while writing: keep them all within a quarter of the budget.
    this.blockBytes = Math.max(1024, Math.floor(blockBytesFor(mem, 4) / FANOUT));
  }

  add(row: unknown[], key: unknown): void {
    const p = partitionOf(key, this.depth);
    let w = this.writers[p];
    if (!w) w = this.writers[p] = new RunWriter(this.mem, this.what, this.blockBytes);
    w.add(row);
  }

  /** Run id per partition (undefined for empty partitions). */
  finish(): (number | undefined)[] {
    return Array.from(this.writers, (w) => w?.finish());
  }
}

/** Joins partition pairs; yields chunks of output rows. */
export function* joinPartitions(
  j: GraceJoin,
  build: readonly (number | undefined)[],
  probe: readonly (number | undefined)[],
  depth: number,
): Generator<unknown[][]> {
  for (let p = 0; p < FANOUT; p++) yield* joinPartition(j, build[p], probe[p], depth);
}

function* joinPartition(
  j: GraceJoin,
  buildRun: number | undefined,
  probeRun: number | undefined,
  depth: number,
): Generator<unknown[][]> {
  const { mem, nb, np, jt } = j;
  const outer = jt === 'left' || jt === 'full';
  if (buildRun === undefined) {
    if (probeRun !== undefined && outer) yield* mapRun(mem, probeRun, (r) => j.padProbe(r.slice(0, np)));
    else if (probeRun !== undefined) mem.dropRun(probeRun);
    return;
  }
  const rows: unknown[][] = [];
  const table = new Map<unknown, number[]>();
  let held = 0;
  const reader = new RunReader(mem, buildRun, false);
  for (; reader.row !== undefined; reader.advance()) {
    const row = reader.row;
    const bytes = rowBytes(row) + ENTRY_BYTES;
    if (!mem.tryReserve(bytes)) {
      reader.close();
      mem.release(held);
      if (depth + 1 >= MAX_DEPTH) throw outOfMemory('hash join (rows sharing one join key value)', mem.limit);
      const b = repartition(mem, buildRun, nb, depth + 1);
      const pr = probeRun === undefined ? [] : repartition(mem, probeRun, np, depth + 1);
      yield* joinPartitions(j, b, pr, depth + 1);
      return;
    }
    held += bytes;
    const key = row[nb];
    const list = table.get(key);
    if (list) list.push(rows.length);
    else table.set(key, [rows.length]);
    rows.push(row);
  }
  reader.close();
  mem.dropRun(buildRun);
  const matched = jt === 'right' || jt === 'full' ? new Uint8Array(rows.length) : undefined;
  if (probeRun !== undefined) {
    let out: unknown[][] = [];
    for (const pr = new RunReader(mem, probeRun); pr.row !== undefined; pr.advance()) {
      const prow = pr.row;
      const candidates = table.get(prow[np]);
      let any = false;
      if (candidates) {
        const p = prow.slice(0, np);
        for (const r of candidates) {
          const row = j.combine(p, rows[r].slice(0, nb));
          if (j.residual && !j.residual(row)) continue;
          any = true;
          if (matched) matched[r] = 1;
          out.push(row);
        }
      }
      if (!any && outer) out.push(j.padProbe(prow.slice(0, np)));
      if (out.length >= OUT_ROWS) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  }
  if (matched) {
    let out: unknown[][] = [];
    for (let r = 0; r < rows.length; r++) {
      if (matched[r]) continue;
      out.push(j.padBuild(rows[r].slice(0, nb)));
      if (out.length >= OUT_ROWS) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  }
  mem.release(held);
}

/** Splits a run (key at column `keyAt`) into FANOUT runs at a deeper level; drops the input run. */
function repartition(mem: QueryMemory, run: number, keyAt: number, depth: number): (number | undefined)[] {
  const part = new Partitioner(mem, depth, 'hash join');
  for (const rd = new RunReader(mem, run); rd.row !== undefined; rd.advance())
    part.add(rd.row, rd.row[keyAt]);
  return part.finish();
}

/** Streams a run's rows through `f` in output chunks; drops the run. */
export function* mapRun(
  mem: QueryMemory,
  run: number,
  f: (row: unknown[]) => unknown[],
): Generator<unknown[][]> {
  let out: unknown[][] = [];
  for (const rd = new RunReader(mem, run); rd.row !== undefined; rd.advance()) {
    out.push(f(rd.row));
    if (out.length >= OUT_ROWS) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

/** The build side once it went past the budget: partitioned runs plus NULL-key rows (RIGHT/FULL). */
export class GraceBuild {
  readonly parts: Partitioner;
  readonly nulls: RunWriter | undefined;

  constructor(mem: QueryMemory, jt: JoinKind) {
    this.parts = new Partitioner(mem, 0, 'hash join');
    this.nulls =
      jt === 'right' || jt === 'full' ? new RunWriter(mem, 'hash join', blockBytesFor(mem)) : undefined;
  }

  /** Adds a build row with its key (null: never matches; undefined is not expected here). */
  add(row: unknown[], key: unknown): void {
    if (key === null || key === undefined) {
      this.nulls?.add(row);
      return;
    }
    row.push(key);
    this.parts.add(row, key);
  }
}

/** Partitions the probe input, then joins partition by partition. */
export function graceOperator(
  build: GraceBuild,
  probe: Operator,
  pframe: Frame,
  probeKey: (i: number) => unknown,
  j: GraceJoin,
  width: number,
): Operator {
  let out: Generator<unknown[][]> | undefined;
  const start = function* (): Generator<unknown[][]> {
    const buildRuns = build.parts.finish();
    const buildNulls = build.nulls?.finish();
    const outer = j.jt === 'left' || j.jt === 'full';
    const parts = new Partitioner(j.mem, 0, 'hash join');
    const nulls = outer ? new RunWriter(j.mem, 'hash join', blockBytesFor(j.mem)) : undefined;
    for (let b = probe.next(); b; b = probe.next()) {
      setFrameBatch(pframe, b);
      const rows = batchRows(b);
      for (let r = 0; r < rows.length; r++) {
        const key = probeKey(b.sel ? b.sel[r] : r);
        if (key === null) nulls?.add(rows[r]);
        else {
          rows[r].push(key);
          parts.add(rows[r], key);
        }
      }
    }
    const probeRuns = parts.finish();
    const probeNulls = nulls?.finish();
    yield* joinPartitions(j, buildRuns, probeRuns, 0);
    if (probeNulls !== undefined) yield* mapRun(j.mem, probeNulls, (r) => j.padProbe(r));
    if (buildNulls !== undefined) yield* mapRun(j.mem, buildNulls, (r) => j.padBuild(r));
  };
  return {
    next() {
      out ??= start();
      const r = out.next();
      return r.done ? null : rowsToBatch(r.value, width);
    },
  };
}
