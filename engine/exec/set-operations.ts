/**
 * @module engine/exec/set-operations
 * UNION / INTERSECT / EXCEPT with and without ALL, by hashing whole rows
 * (NULLs compare equal here, as PostgreSQL's set operations treat them).
 * Inputs are accounted against the query's memory budget; past it both
 * inputs go to FANOUT spill runs by a hash of the row and the operation runs
 * partition by partition (equal rows share a partition, so per-partition
 * results add up to the whole). A partition that still does not fit is split
 * again, up to MAX_DEPTH levels, then the query fails with 53200.
 */
import type { Plan } from '../plan/nodes.ts';
import { batchRows, rowsToBatch } from './frame.ts';
import { outOfMemory, type QueryMemory, rowBytes, unlimitedMemory } from './memory.ts';
import type { Operator } from './operator.ts';
import { rowKeyFn } from './spill-distinct.ts';
import { FANOUT, Partitioner } from './spill-join.ts';
import { RunReader } from './spill-run.ts';

type SetPlan = Extract<Plan, { kind: 'setop' }>;

export function setOperator(
  left: Operator,
  right: Operator,
  plan: SetPlan,
  mem: QueryMemory = unlimitedMemory(),
): Operator {
  const width = plan.schema.length;
  const keyOf = rowKeyFn(plan.schema.map((c) => c.type));
  if (plan.op === 'union' && plan.all) {
    let leftDone = false;
    return {
      next() {
        if (!leftDone) {
          const b = left.next();
          if (b) return b;
          leftDone = true;
        }
        return right.next();
      },
    };
  }
  const what = `${plan.op.toUpperCase()} (set operation)`;
  let out: Generator<unknown[][]> | undefined;
  const run = function* (): Generator<unknown[][]> {
    // Both inputs are held until the end (twice a row's size: the row and its key).
    let held = 0;
    const sides: [unknown[][], unknown[][]] = [[], []];
    let parts: [Partitioner, Partitioner] | undefined;
    const ops = [left, right];
    for (let s = 0; s < 2; s++) {
      for (let b = ops[s].next(); b; b = ops[s].next()) {
        for (const r of batchRows(b)) {
          if (parts) {
            parts[s].add(r, keyOf(r));
            continue;
          }
          const bytes = 2 * rowBytes(r);
          if (!mem.tryReserve(bytes)) {
            parts = [new Partitioner(mem, 0, what), new Partitioner(mem, 0, what)];
            for (let q = 0; q < 2; q++) for (const x of sides[q]) parts[q].add(x, keyOf(x));
            sides[0] = [];
            sides[1] = [];
            mem.release(held);
            held = 0;
            parts[s].add(r, keyOf(r));
            continue;
          }
          held += bytes;
          sides[s].push(r);
        }
      }
    }
    if (!parts) {
      yield combine(plan, sides[0], sides[1], keyOf);
      mem.release(held);
      return;
    }
    yield* setPartitions(plan, mem, keyOf, what, parts[0].finish(), parts[1].finish(), 0);
  };
  return {
    next() {
      out ??= run();
      for (;;) {
        const r = out.next();
        if (r.done) return null;
        if (r.value.length) return rowsToBatch(r.value, width);
      }
    },
  };
}

const MAX_DEPTH = 4;

/** Runs the operation on each pair of partitions. */
function* setPartitions(
  plan: SetPlan,
  mem: QueryMemory,
  keyOf: (r: readonly unknown[]) => string,
  what: string,
  lruns: readonly (number | undefined)[],
  rruns: readonly (number | undefined)[],
  depth: number,
): Generator<unknown[][]> {
  for (let p = 0; p < FANOUT; p++) {
    const lrun = lruns[p];
    const rrun = rruns[p];
    const l = readRun(mem, lrun);
    const r = l && readRun(mem, rrun);
    if (!l || !r) {
      // Too big for memory still: split both sides again with another hash seed.
      if (l) mem.release(l.held);
      if (depth + 1 >= MAX_DEPTH) throw outOfMemory(what, mem.limit);
      const ls = repartition(mem, lrun, keyOf, depth + 1, what);
      const rs = repartition(mem, rrun, keyOf, depth + 1, what);
      yield* setPartitions(plan, mem, keyOf, what, ls, rs, depth + 1);
      continue;
    }
    if (lrun !== undefined) mem.dropRun(lrun);
    if (rrun !== undefined) mem.dropRun(rrun);
    yield combine(plan, l.rows, r.rows, keyOf);
    mem.release(l.held + r.held);
  }
}

/** Reads a partition's rows within the budget; undefined (nothing held) when they do not fit. */
function readRun(mem: QueryMemory, run: number | undefined): { rows: unknown[][]; held: number } | undefined {
  const rows: unknown[][] = [];
  let held = 0;
  if (run === undefined) return { rows, held };
  for (const rd = new RunReader(mem, run, false); rd.row !== undefined; rd.advance()) {
    const bytes = 2 * rowBytes(rd.row);
    if (!mem.tryReserve(bytes)) {
      rd.close();
      mem.release(held);
      return undefined;
    }
    held += bytes;
    rows.push(rd.row);
  }
  return { rows, held };
}

function repartition(
  mem: QueryMemory,
  run: number | undefined,
  keyOf: (r: readonly unknown[]) => string,
  depth: number,
  what: string,
): (number | undefined)[] {
  if (run === undefined) return [];
  const part = new Partitioner(mem, depth, what);
  for (const rd = new RunReader(mem, run); rd.row !== undefined; rd.advance())
    part.add(rd.row, keyOf(rd.row));
  return part.finish();
}

/** The set operation over two row lists. */
function combine(
  plan: SetPlan,
  lrows: readonly unknown[][],
  rrows: readonly unknown[][],
  keyOf: (r: readonly unknown[]) => string,
): unknown[][] {
  const result: unknown[][] = [];
  if (plan.op === 'union') {
    const seen = new Set<string>();
    for (const rows of [lrows, rrows])
      for (const r of rows) {
        const k = keyOf(r);
        if (!seen.has(k)) {
          seen.add(k);
          result.push(r);
        }
      }
    return result;
  }
  const counts = new Map<string, number>();
  for (const r of rrows) {
    const k = keyOf(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const emitted = new Set<string>();
  for (const r of lrows) {
    const k = keyOf(r);
    const c = counts.get(k) ?? 0;
    if (plan.op === 'intersect') {
      if (plan.all) {
        if (c > 0) {
          counts.set(k, c - 1);
          result.push(r);
        }
      } else if (c > 0 && !emitted.has(k)) {
        emitted.add(k);
        result.push(r);
      }
    } else if (plan.all) {
      if (c > 0) counts.set(k, c - 1);
      else result.push(r);
    } else if (c === 0 && !emitted.has(k)) {
      emitted.add(k);
      result.push(r);
    }
  }
  return result;
}

export { rowsToBatch };
