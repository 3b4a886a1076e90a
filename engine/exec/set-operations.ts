/**
 * @module engine/exec/set-operations
 * UNION / INTERSECT / EXCEPT with and without ALL, by hashing whole rows
 * (NULLs compare equal here, as PostgreSQL's set operations treat them).
 * Inputs are accounted against the query's memory budget; past it the query
 * fails with 53200 (set operations do not spill).
 */
import type { Plan } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { batchRows, rowsToBatch } from './frame.ts';
import { type QueryMemory, rowBytes, unlimitedMemory } from './memory.ts';
import type { Operator } from './operator.ts';
import { rowsOperator } from './sort.ts';

export function setOperator(
  left: Operator,
  right: Operator,
  plan: Extract<Plan, { kind: 'setop' }>,
  mem: QueryMemory = unlimitedMemory(),
): Operator {
  const width = plan.schema.length;
  const hashers = plan.schema.map((c) => hashKeyFor(c.type));
  const keyOf = (r: readonly unknown[]) => {
    let s = '';
    for (let k = 0; k < width; k++) {
      const v = r[k] === null ? null : hashers[k](r[k]);
      s += `${v === null ? '\u0002' : typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v)}\u0001`;
    }
    return s;
  };
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
  let out: Operator | undefined;
  let held = 0;
  return {
    next() {
      if (!out) {
        // Both inputs and their row keys are held until the end: account them (53200 past the budget).
        const what = `${plan.op.toUpperCase()} (set operation)`;
        const collect = (op: Operator): unknown[][] => {
          const rows: unknown[][] = [];
          for (let b = op.next(); b; b = op.next()) {
            const start = rows.length;
            batchRows(b, rows);
            let bytes = 0;
            for (let r = start; r < rows.length; r++) bytes += 2 * rowBytes(rows[r]);
            held += bytes;
            mem.reserve(bytes, what);
          }
          return rows;
        };
        const lrows = collect(left);
        const rrows = collect(right);
        const result: unknown[][] = [];
        if (plan.op === 'union') {
          const seen = new Set<string>();
          for (const r of [...lrows, ...rrows]) {
            const k = keyOf(r);
            if (!seen.has(k)) {
              seen.add(k);
              result.push(r);
            }
          }
        } else {
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
        }
        const emit = rowsOperator(result, width);
        out = {
          next() {
            const b = emit.next();
            if (!b) mem.release(held);
            return b;
          },
        };
      }
      return out.next();
    },
  };
}

export { rowsToBatch };
