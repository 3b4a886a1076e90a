/**
 * @module engine/exec/build
 * Turns a logical plan into a tree of operators and runs it to rows.
 */
import type { Plan } from '../plan/nodes.ts';
import { applyOperator } from './apply.ts';
import { distinctOnOperator } from './distinct-on.ts';
import { batchRows, type ExecContext } from './frame.ts';
import { groupingSetsOperator } from './grouping-sets.ts';
import { hashAggregateOperator } from './hash-aggregate.ts';
import { joinOperator } from './hash-join.ts';
import { queryMemory } from './memory.ts';
import {
  filterOperator,
  limitOperator,
  type Operator,
  projectOperator,
  seriesOperator,
  valuesOperator,
} from './operator.ts';
import { projectSetOperator } from './project-set.ts';
import { recursiveOperator, worktableOperator } from './recursive-cte.ts';
import { scanOperator } from './scan.ts';
import { setOperator } from './set-operations.ts';
import { distinctOperator, sortOperator } from './sort.ts';
import { unnestOperator } from './unnest.ts';
import { windowOperator } from './window.ts';

/** Builds the operator tree for a plan; with a budget, every operator ticks it per batch. */
export function buildOperator(plan: Plan, ctx: ExecContext): Operator {
  const op = buildUnmetered(plan, ctx);
  const budget = ctx.budget;
  if (!budget) return op;
  return {
    next() {
      const b = op.next();
      budget.tick(b ? b.count : 0);
      return b;
    },
  };
}

function buildUnmetered(plan: Plan, ctx: ExecContext): Operator {
  switch (plan.kind) {
    case 'scan':
      return scanOperator(plan, ctx);
    case 'values':
      return valuesOperator(plan, ctx);
    case 'filter':
      return filterOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'project':
      return projectOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'aggregate':
      return hashAggregateOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'window':
      return windowOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'sort':
      return sortOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'limit':
      return limitOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'distinct':
      if (plan.on && plan.input.kind === 'sort') {
        return distinctOnOperator(buildOperator(plan.input.input, ctx), plan, plan.input, ctx);
      }
      return distinctOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'join':
      return joinOperator(buildOperator(plan.left, ctx), buildOperator(plan.right, ctx), plan, ctx);
    case 'setop':
      return setOperator(
        buildOperator(plan.left, ctx),
        buildOperator(plan.right, ctx),
        plan,
        queryMemory(ctx),
      );
    case 'function':
      return plan.name === 'generate_series' ? seriesOperator(plan, ctx) : unnestOperator(plan, ctx);
    case 'recursive':
      return recursiveOperator(plan, ctx);
    case 'worktable':
      return worktableOperator(plan, ctx);
    case 'groupingsets':
      return groupingSetsOperator(buildOperator(plan.input, ctx), plan, ctx);
    case 'apply':
      return applyOperator(buildOperator(plan.left, ctx), plan, ctx);
    case 'projectset':
      return projectSetOperator(buildOperator(plan.input, ctx), plan, ctx);
  }
}

/** Runs a plan to completion and returns its rows as JS values. */
export function runToRows(plan: Plan, ctx: ExecContext): unknown[][] {
  const op = buildOperator(plan, ctx);
  const rows: unknown[][] = [];
  for (let b = op.next(); b; b = op.next()) batchRows(b, rows);
  return rows;
}
