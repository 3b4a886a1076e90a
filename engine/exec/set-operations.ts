/**
 * @module engine/exec/set-operations
 * UNION / INTERSECT / EXCEPT with and without ALL, by hashing whole rows
 * (NULLs compare equal here, as PostgreSQL's set operations treat them).
 */
import type { Plan } from '../plan/nodes.ts';
import { hashKeyFor } from '../types/values.ts';
import { batchRows, rowsToBatch } from './frame.ts';
import type { Operator } from './operator.ts';
import { rowsOperator } from './sort.ts';

export function setOperator(
  left: Operator,
  right: Operator,
  plan: Extract<Plan, { kind: 'setop' }>,
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
  return {
    next() {
      if (!out) {
        const lrows: unknown[][] = [];
        for (let b = left.next(); b; b = left.next()) batchRows(b, lrows);
        const rrows: unknown[][] = [];
        for (let b = right.next(); b; b = right.next()) batchRows(b, rrows);
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
        out = rowsOperator(result, width);
      }
      return out.next();
    },
  };
}

export { rowsToBatch };
