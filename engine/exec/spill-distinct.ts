/**
 * @module engine/exec/spill-distinct
 * SELECT DISTINCT within the query's memory budget. Rows stream out as they
 * are first seen; the seen-set is accounted, and once it no longer fits it is
 * frozen: rows already in it are still dropped, new rows go to FANOUT spill
 * runs by a hash of the whole row. At the end of the input the seen-set is
 * freed and each run is made distinct on its own (equal rows share a run, and
 * none of them was emitted before), splitting a run again when it does not
 * fit either. A zero-column row has the empty key, so one survives.
 */
import type { SqlType } from '../types/values.ts';
import { hashKeyFor } from '../types/values.ts';
import { batchRows, rowsToBatch } from './frame.ts';
import { outOfMemory, type QueryMemory, rowBytes } from './memory.ts';
import type { Operator } from './operator.ts';
import { Partitioner } from './spill-join.ts';
import { RunReader } from './spill-run.ts';

const MAX_DEPTH = 4;
const OUT_ROWS = 1024;

/** A text key equal for rows whose values are equal as SQL values (NULLs equal, as DISTINCT treats them). */
export function rowKeyFn(types: readonly SqlType[]): (r: readonly unknown[]) => string {
  const hashers = types.map((t) => hashKeyFor(t));
  return (r) => {
    let s = '';
    for (let k = 0; k < hashers.length; k++) {
      const v = r[k] === null ? null : hashers[k](r[k]);
      s += `${v === null ? '\u0002' : typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v)}\u0001`;
    }
    return s;
  };
}

/** DISTINCT over all columns of the input. */
export function hashDistinctOperator(input: Operator, types: readonly SqlType[], mem: QueryMemory): Operator {
  const width = types.length;
  const keyOf = rowKeyFn(types);
  let seen = new Set<string>();
  let held = 0;
  let spill: Partitioner | undefined;
  let rest: Generator<unknown[][]> | undefined;
  return {
    next() {
      for (let b = input.next(); b; b = input.next()) {
        const out: unknown[][] = [];
        for (const r of batchRows(b)) {
          const k = keyOf(r);
          if (seen.has(k)) continue;
          if (spill) {
            spill.add(r, k);
            continue;
          }
          const bytes = rowBytes(r) + 2 * k.length + 64;
          if (!mem.tryReserve(bytes)) {
            spill = new Partitioner(mem, 0, 'DISTINCT');
            spill.add(r, k);
            continue;
          }
          held += bytes;
          seen.add(k);
          out.push(r);
        }
        if (out.length) return rowsToBatch(out, width);
      }
      if (spill && !rest) {
        const runs = spill.finish();
        seen = new Set();
        mem.release(held);
        held = 0;
        rest = distinctRuns(mem, runs, keyOf, 1);
      }
      if (rest) {
        const r = rest.next();
        if (!r.done) return rowsToBatch(r.value, width);
      }
      mem.release(held);
      held = 0;
      return null;
    },
  };
}

function* distinctRuns(
  mem: QueryMemory,
  runs: readonly (number | undefined)[],
  keyOf: (r: readonly unknown[]) => string,
  depth: number,
): Generator<unknown[][]> {
  for (const run of runs) if (run !== undefined) yield* distinctRun(mem, run, keyOf, depth);
}

function* distinctRun(
  mem: QueryMemory,
  run: number,
  keyOf: (r: readonly unknown[]) => string,
  depth: number,
): Generator<unknown[][]> {
  const seen = new Set<string>();
  let held = 0;
  let sub: Partitioner | undefined;
  let out: unknown[][] = [];
  for (const rd = new RunReader(mem, run); rd.row !== undefined; rd.advance()) {
    const r = rd.row;
    const k = keyOf(r);
    if (seen.has(k)) continue;
    if (sub) {
      sub.add(r, k);
      continue;
    }
    const bytes = rowBytes(r) + 2 * k.length + 64;
    if (!mem.tryReserve(bytes)) {
      if (depth >= MAX_DEPTH) {
        rd.close();
        mem.release(held);
        throw outOfMemory('DISTINCT', mem.limit);
      }
      sub = new Partitioner(mem, depth, 'DISTINCT');
      sub.add(r, k);
      continue;
    }
    held += bytes;
    seen.add(k);
    out.push(r);
    if (out.length >= OUT_ROWS) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
  seen.clear();
  mem.release(held);
  if (sub) yield* distinctRuns(mem, sub.finish(), keyOf, depth + 1);
}
