/**
 * @module engine/exec/grouping-sets
 * GROUPING SETS / ROLLUP / CUBE: the input is read once and held as batches,
 * then replayed into one hash aggregation per grouping set (the existing
 * aggregate operator, unchanged). Each set's rows are widened to the node's
 * layout: every grouping column (NULL when not in the set), the aggregates,
 * then the per-set constant of each GROUPING() call. The held input counts
 * against the query's memory budget (53200 past it; no spilling here).
 */
import type { Plan } from '../plan/nodes.ts';
import { batchRows, type ExecBatch, type ExecContext } from './frame.ts';
import { hashAggregateOperator } from './hash-aggregate.ts';
import { queryMemory } from './memory.ts';
import type { Operator } from './operator.ts';

type GroupingSetsPlan = Extract<Plan, { kind: 'groupingsets' }>;

function replay(batches: readonly ExecBatch[]): Operator {
  let i = 0;
  return { next: () => (i < batches.length ? batches[i++] : null) };
}

export function groupingSetsOperator(input: Operator, plan: GroupingSetsPlan, ctx: ExecContext): Operator {
  let batches: ExecBatch[] | undefined;
  let set = 0;
  const ng = plan.groups.length;
  const na = plan.aggs.length;
  const mem = queryMemory(ctx);
  let held = 0;
  return {
    next() {
      if (!batches) {
        batches = [];
        for (let b = input.next(); b; b = input.next()) {
          // An estimate: a row header plus 16 bytes per column value.
          const n = b.count * (32 + 16 * b.cols.length);
          mem.reserve(n, 'grouping sets');
          held += n;
          batches.push(b);
        }
      }
      while (set < plan.sets.length) {
        const s = set++;
        const members = plan.sets[s];
        const agg = hashAggregateOperator(
          replay(batches),
          {
            kind: 'aggregate',
            input: plan.input,
            groups: members.map((g) => plan.groups[g]),
            aggs: plan.aggs,
            schema: [
              ...members.map((g) => ({ name: `group${g}`, type: plan.groups[g].type })),
              ...plan.aggs.map((a) => ({ name: a.name, type: a.type })),
            ],
          },
          ctx,
        );
        const rows: unknown[][] = [];
        for (let b = agg.next(); b; b = agg.next()) batchRows(b, rows);
        if (rows.length === 0) continue;
        const pos = Array.from({ length: ng }, (_, g) => members.indexOf(g));
        const cols = plan.schema.map((c, k) => {
          const values = new Array(rows.length);
          for (let r = 0; r < rows.length; r++) {
            if (k < ng) values[r] = pos[k] >= 0 ? rows[r][pos[k]] : null;
            else if (k < ng + na) values[r] = rows[r][members.length + k - ng];
            else values[r] = plan.grouping[k - ng - na][s];
          }
          return { kind: 'js' as const, type: c.type, length: rows.length, values };
        });
        return { length: rows.length, cols, count: rows.length };
      }
      mem.release(held);
      held = 0;
      return null;
    },
  };
}
