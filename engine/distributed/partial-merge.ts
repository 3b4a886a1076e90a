/**
 * @module engine/distributed/partial-merge
 * The coordinator side of a distributed SELECT: combine shard partials
 * (concatenate rows, or re-aggregate groups), compute final aggregates (avg =
 * sum / count), sort, apply OFFSET/LIMIT and drop hidden sort columns.
 */

import { decDiv, decFromBigInt, decimalToString } from '../types/numeric.ts';
import {
  combineAgg,
  compareByKeys,
  type Fragment,
  finalAgg,
  initAgg,
  type PartialResult,
  type SortKey,
} from './fragment.ts';
import { planeJson } from './row-json.ts';
import type { DistType } from './table-schema.ts';

/** An output's SQL type: a stored type, or numeric (PostgreSQL's avg of integers, sum of bigint). */
export type OutputType = DistType | 'null' | 'numeric';

/**
 * Thrown by `mergePartials` when an integer total left the range a double holds exactly
 * (±2^53): the fast path cannot answer exactly, the general path (the engine) must.
 */
export class InexactMerge extends Error {
  constructor() {
    super('an integer total is beyond ±2^53');
  }
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * A merged integer total (integer sums combine exactly: a number within ±2^53, a bigint
 * beyond). A double beyond ±2^53 is not exact; an int8 output beyond int8 would be 22003:
 * both are left to the general path (the engine).
 */
function exactInteger(v: unknown, type: OutputType): number | bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new InexactMerge();
  if (typeof v === 'bigint' && type === 'int64' && (v > INT64_MAX || v < -INT64_MAX - 1n))
    throw new InexactMerge();
  return v as number | bigint;
}

/** Where a final output column comes from. */
export type OutputSource =
  | { readonly k: 'value'; readonly index: number } // a project output / group key
  | { readonly k: 'agg'; readonly index: number } // a combined aggregate
  | { readonly k: 'avg'; readonly sum: number; readonly count: number };

/** One output column of the statement. Hidden outputs exist only to sort by. */
export interface OutputSpec {
  readonly name: string;
  readonly type: OutputType;
  readonly source: OutputSource;
  readonly hidden?: boolean;
}

/** Everything the coordinator needs to finish a distributed SELECT. */
export interface DistributedSelect {
  readonly fragment: Fragment;
  readonly outputs: readonly OutputSpec[];
  /** Sort keys over `outputs` indexes. */
  readonly orderBy: readonly SortKey[];
  readonly limit?: number;
  readonly offset: number;
  /** DISTINCT ON keys (indexes into `outputs`). */
  readonly distinctOn?: readonly number[];
}

/** Final rows of a statement: visible columns only. */
export interface FinalRows {
  readonly columns: { name: string; type: OutputType }[];
  readonly rows: unknown[][];
}

/** Appends the rows of a columnar partial to `out` (one array per row, built by index). */
function appendRows(p: PartialResult, out: unknown[][]): unknown[][] {
  const cols = p.columns;
  const w = cols.length;
  for (let r = 0; r < p.rowCount; r++) {
    const row: unknown[] = new Array(w);
    for (let c = 0; c < w; c++) row[c] = cols[c][r];
    out.push(row);
  }
  return out;
}

/** True when output i is input column i for every output: the rows need no reshaping. */
function identityOutputs(plan: DistributedSelect, width: number): boolean {
  if (plan.fragment.mode !== 'rows' || plan.outputs.length !== width) return false;
  return plan.outputs.every((o, i) => o.source.k === 'value' && o.source.index === i);
}

/** Merges shard partials into the final result. */
export function mergePartials(plan: DistributedSelect, partials: readonly PartialResult[]): FinalRows {
  const f = plan.fragment;
  const nKeys = f.project.length;
  let inputs: unknown[][];
  if (f.mode === 'rows') {
    inputs = [];
    for (const p of partials) appendRows(p, inputs);
  } else {
    const groups = new Map<string, unknown[]>();
    for (const p of partials) {
      for (const r of appendRows(p, [])) {
        const id = planeJson(r.slice(0, nKeys));
        const g = groups.get(id);
        if (!g) groups.set(id, r);
        else
          f.aggs.forEach((a, i) => {
            g[nKeys + i] = combineAgg(a, g[nKeys + i], r[nKeys + i]);
          });
      }
    }
    inputs = [...groups.values()];
    // Every shard returns the empty global-aggregate row; merging must not duplicate it.
    if (nKeys === 0 && inputs.length === 0) inputs = [f.aggs.map((a) => initAgg(a.fn))];
  }
  const width = partials.find((p) => p.columns.length > 0)?.columns.length ?? plan.outputs.length;
  let rows = identityOutputs(plan, width)
    ? inputs
    : inputs.map((r) =>
        plan.outputs.map((o) => {
          const s = o.source;
          if (s.k === 'value') return r[s.index];
          if (s.k === 'agg') {
            const v = finalAgg(f.aggs[s.index].fn, r[nKeys + s.index]);
            if (v === null || (o.type !== 'int64' && o.type !== 'numeric')) return v;
            return o.type === 'numeric' ? String(exactInteger(v, o.type)) : exactInteger(v, o.type);
          }
          const sum = r[nKeys + s.sum] as number | bigint | null;
          const count = r[nKeys + s.count] as number;
          if (sum === null || count === 0) return null;
          // avg of integers is numeric in PostgreSQL: exact division at PostgreSQL's scale.
          if (o.type === 'numeric')
            return decimalToString(
              decDiv(decFromBigInt(BigInt(exactInteger(sum, o.type))), decFromBigInt(BigInt(count))),
            );
          return Number(sum) / count;
        }),
      );
  if (plan.orderBy.length > 0) {
    const numeric = plan.outputs.flatMap((o, i) => (o.type === 'numeric' ? [i] : []));
    if (numeric.length === 0) rows.sort((a, b) => compareByKeys(a, b, plan.orderBy));
    else {
      // numeric outputs are exact text: sort by their values.
      const keyed = rows.map((r) => {
        const k = [...r];
        for (const i of numeric) if (typeof k[i] === 'string') k[i] = Number(k[i]);
        return { r, k };
      });
      keyed.sort((a, b) => compareByKeys(a.k, b.k, plan.orderBy));
      rows = keyed.map((x) => x.r);
    }
  }
  if (plan.distinctOn) {
    // Sorted, so the first row of each key is the one DISTINCT ON keeps.
    const seen = new Set<string>();
    const keys = plan.distinctOn;
    rows = rows.filter((r) => {
      const id = planeJson(keys.map((i) => r[i]));
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }
  const end = plan.limit === undefined ? undefined : plan.offset + plan.limit;
  if (plan.offset > 0 || end !== undefined) rows = rows.slice(plan.offset, end);
  const visible = plan.outputs.map((o, i) => (o.hidden ? -1 : i)).filter((i) => i >= 0);
  return {
    columns: visible.map((i) => ({ name: plan.outputs[i].name, type: plan.outputs[i].type })),
    rows: visible.length === plan.outputs.length ? rows : rows.map((r) => visible.map((i) => r[i])),
  };
}
