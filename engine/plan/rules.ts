/**
 * @module engine/plan/rules
 * Planner rules, each a pure function plan → plan:
 * - pushDownFilters: predicates move into scans (deriving zone-map ranges) and
 *   below joins; cross joins with equality predicates become hash joins.
 * - fuseTopK: ORDER BY followed by a constant LIMIT keeps only k rows.
 */
import { andAll, columnsUsed, conjuncts, hasSubquery, mapExpr, shiftColumns } from './expr-utils.ts';
import type { ColumnRange, Expr, Plan } from './nodes.ts';

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** Derives a zone-map range from `col op const` / `col IN (consts)` / ORs of `col = const` over scan columns. */
export function rangeOf(e: Expr, columns: readonly number[]): ColumnRange | undefined {
  if (e.kind === 'or') {
    const parts = e.args.map((a) => rangeOf(a, columns));
    const first = parts[0];
    if (!first?.values || parts.some((p) => !p?.values || p.column !== first.column)) return undefined;
    return {
      column: first.column,
      values: parts.flatMap((p) => p!.values!),
      minInclusive: true,
      maxInclusive: true,
    };
  }
  if (e.kind === 'in' && !e.negate && e.arg.kind === 'col' && e.list.every((x) => x.kind === 'const')) {
    return {
      column: columns[e.arg.index],
      values: e.list.map((x) => (x as { value: unknown }).value),
      minInclusive: true,
      maxInclusive: true,
    };
  }
  if (e.kind !== 'call' || e.args.length !== 2 || !(e.name in FLIP)) return undefined;
  let [a, b] = e.args;
  let op = e.name;
  if (a.kind === 'const' && b.kind === 'col') {
    [a, b] = [b, a];
    op = FLIP[op];
  }
  if (a.kind !== 'col' || b.kind !== 'const' || b.value === null) return undefined;
  const column = columns[a.index];
  const v = b.value;
  switch (op) {
    case '=':
      return { column, values: [v], minInclusive: true, maxInclusive: true };
    case '>':
      return { column, min: v, minInclusive: false, maxInclusive: true };
    case '>=':
      return { column, min: v, minInclusive: true, maxInclusive: true };
    case '<':
      return { column, max: v, minInclusive: true, maxInclusive: false };
    case '<=':
      return { column, max: v, minInclusive: true, maxInclusive: true };
  }
  return undefined;
}

function addFilter(plan: Plan, preds: Expr[]): Plan {
  if (preds.length === 0) return plan;
  if (plan.kind === 'scan') {
    const all = [...conjuncts(plan.filter), ...preds];
    const ranges = all.map((p) => rangeOf(p, plan.columns)).filter((r): r is ColumnRange => r !== undefined);
    return { ...plan, filter: andAll(all), ranges };
  }
  if (plan.kind === 'filter') return addFilter(plan.input, [...conjuncts(plan.predicate), ...preds]);
  if (
    plan.kind === 'join' &&
    (plan.joinType === 'inner' || plan.joinType === 'cross' || plan.joinType === 'left')
  ) {
    const nl = plan.left.schema.length;
    const toLeft: Expr[] = [];
    const toRight: Expr[] = [];
    const keep: Expr[] = [];
    const leftKeys = [...plan.leftKeys];
    const rightKeys = [...plan.rightKeys];
    const inner = plan.joinType !== 'left';
    for (const p of preds) {
      const used = [...columnsUsed(p)];
      const sub = hasSubquery(p);
      if (!sub && used.length > 0 && used.every((i) => i < nl)) toLeft.push(p);
      else if (!sub && inner && used.length > 0 && used.every((i) => i >= nl))
        toRight.push(shiftColumns(p, -nl));
      else if (inner && !sub && p.kind === 'call' && p.name === '=') {
        const [a, b] = p.args;
        const ua = [...columnsUsed(a)];
        const ub = [...columnsUsed(b)];
        const isL = (u: number[]) => u.length > 0 && u.every((i) => i < nl);
        const isR = (u: number[]) => u.length > 0 && u.every((i) => i >= nl);
        if (isL(ua) && isR(ub)) {
          leftKeys.push(a);
          rightKeys.push(shiftColumns(b, -nl));
        } else if (isR(ua) && isL(ub)) {
          leftKeys.push(b);
          rightKeys.push(shiftColumns(a, -nl));
        } else keep.push(p);
      } else keep.push(p);
    }
    const joined: Plan = {
      ...plan,
      joinType: plan.joinType === 'cross' && leftKeys.length > 0 ? 'inner' : plan.joinType,
      left: addFilter(plan.left, toLeft),
      right: addFilter(plan.right, toRight),
      leftKeys,
      rightKeys,
      residual: inner ? andAll([...conjuncts(plan.residual), ...keep]) : plan.residual,
    };
    if (inner || keep.length === 0) return joined;
    return { kind: 'filter', input: joined, predicate: andAll(keep)!, schema: plan.schema };
  }
  if (plan.kind === 'apply') {
    // Predicates on the left row alone filter it before the right side re-runs for it.
    const nl = plan.left.schema.length;
    const toLeft: Expr[] = [];
    const keep: Expr[] = [];
    for (const p of preds) {
      const used = [...columnsUsed(p)];
      if (!hasSubquery(p) && used.length > 0 && used.every((i) => i < nl)) toLeft.push(p);
      else keep.push(p);
    }
    if (toLeft.length > 0) {
      const pushed: Plan = { ...plan, left: addFilter(plan.left, toLeft) };
      return keep.length
        ? { kind: 'filter', input: pushed, predicate: andAll(keep)!, schema: plan.schema }
        : pushed;
    }
  }
  return { kind: 'filter', input: plan, predicate: andAll(preds)!, schema: plan.schema };
}

/** Applies a rule bottom-up to every node. */
function transform(plan: Plan, f: (p: Plan) => Plan): Plan {
  let p: Plan = plan;
  switch (p.kind) {
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'sort':
    case 'limit':
    case 'distinct':
      p = { ...p, input: transform(p.input, f) } as Plan;
      break;
    case 'groupingsets':
    case 'projectset':
      p = { ...p, input: transform(p.input, f) };
      break;
    case 'join':
    case 'setop':
    case 'apply':
      p = { ...p, left: transform(p.left, f), right: transform(p.right, f) } as Plan;
      break;
    case 'recursive':
      p = { ...p, base: transform(p.base, f), step: transform(p.step, f) };
      break;
  }
  return f(p);
}

export function pushDownFilters(plan: Plan): Plan {
  return transform(plan, (p) => (p.kind === 'filter' ? addFilter(p.input, conjuncts(p.predicate)) : p));
}

export function fuseTopK(plan: Plan): Plan {
  return transform(plan, (p) => {
    if (p.kind !== 'limit' || p.input.kind !== 'sort') return p;
    const lim = p.limit?.kind === 'const' ? p.limit.value : undefined;
    const off = p.offset === undefined ? 0n : p.offset.kind === 'const' ? p.offset.value : undefined;
    if (lim === undefined || lim === null || off === undefined || off === null) return p;
    const k = Number(lim) + Number(off);
    return { ...p, input: { ...p.input, limit: k } };
  });
}

/** A projection that passes every input column through in order is a no-op. */
export function dropIdentityProjects(plan: Plan): Plan {
  return transform(plan, (p) =>
    p.kind === 'project' &&
    p.exprs.length === p.input.schema.length &&
    p.exprs.every((e, i) => e.kind === 'col' && e.index === i && e.type === p.input.schema[i].type)
      ? p.input
      : p,
  );
}

type Used = Set<number> | 'all';

function usedBy(exprs: readonly (Expr | undefined)[], into: Set<number>): boolean {
  for (const e of exprs) {
    if (!e) continue;
    if (hasCorrelated(e)) return false;
    for (const c of columnsUsed(e)) into.add(c);
  }
  return true;
}

/** Correlated subqueries copy the whole current row, so every column counts as used. */
function hasCorrelated(e: Expr): boolean {
  let found = false;
  const walk = (x: Expr): Expr | undefined => {
    if (x.kind === 'subquery' && x.correlated) found = true;
    return undefined;
  };
  mapExpr(e, walk);
  return found;
}

function withCols(used: Used, exprs: readonly (Expr | undefined)[]): Used {
  if (used === 'all') return 'all';
  const s = new Set(used);
  return usedBy(exprs, s) ? s : 'all';
}

/**
 * Marks which scan columns the query reads, so scans skip fetching (and, for
 * encoded chunks, decoding) the others. Column positions never change.
 */
export function markNeededColumns(plan: Plan, used: Used = 'all'): Plan {
  switch (plan.kind) {
    case 'scan': {
      if (used === 'all') return plan;
      const needed = plan.columns.map((_, i) => used.has(i));
      if (plan.filter) for (const c of columnsUsed(plan.filter)) needed[c] = true;
      if (plan.filter && hasCorrelated(plan.filter)) return plan;
      return { ...plan, needed };
    }
    case 'project': {
      const keep = used === 'all' ? plan.exprs : plan.exprs.filter((_, i) => used.has(i));
      return { ...plan, input: markNeededColumns(plan.input, withCols(new Set(), keep)) };
    }
    case 'filter':
      return { ...plan, input: markNeededColumns(plan.input, withCols(used, [plan.predicate])) };
    case 'sort':
      return {
        ...plan,
        input: markNeededColumns(
          plan.input,
          withCols(
            used,
            plan.keys.map((k) => k.expr),
          ),
        ),
      };
    case 'limit':
      return { ...plan, input: markNeededColumns(plan.input, used) };
    case 'distinct':
      return { ...plan, input: markNeededColumns(plan.input, plan.on ? withCols(used, plan.on) : 'all') };
    case 'aggregate': {
      const exprs: (Expr | undefined)[] = [...plan.groups];
      for (const a of plan.aggs) exprs.push(...a.args, a.filter, ...(a.orderBy ?? []).map((k) => k.expr));
      return { ...plan, input: markNeededColumns(plan.input, withCols(new Set(), exprs)) };
    }
    case 'window': {
      const n = plan.input.schema.length;
      const base = used === 'all' ? 'all' : new Set([...used].filter((i) => i < n));
      const exprs: Expr[] = [];
      for (const c of plan.calls) exprs.push(...c.args, ...c.partition, ...c.order.map((k) => k.expr));
      return { ...plan, input: markNeededColumns(plan.input, withCols(base, exprs)) };
    }
    case 'join': {
      const nl = plan.left.schema.length;
      const all = withCols(used, [plan.residual]);
      if (all === 'all') return plan;
      const left = new Set([...all].filter((i) => i < nl));
      const right = new Set([...all].filter((i) => i >= nl).map((i) => i - nl));
      return {
        ...plan,
        left: markNeededColumns(plan.left, withCols(left, plan.leftKeys)),
        right: markNeededColumns(plan.right, withCols(right, plan.rightKeys)),
      };
    }
    default:
      return plan;
  }
}

/** The rule pipeline run on every query plan. */
export function optimize(plan: Plan): Plan {
  return markNeededColumns(dropIdentityProjects(fuseTopK(pushDownFilters(plan))));
}
