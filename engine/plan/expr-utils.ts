/**
 * @module engine/plan/expr-utils
 * Pure helpers over bound expressions: structural fingerprints (to match
 * GROUP BY expressions), bottom-up rewriting, column-use analysis and
 * conjunct splitting for planner rules.
 */
import type { Expr, Plan } from './nodes.ts';

/** A structural key: equal fingerprints mean the same computation. */
export function fingerprint(e: Expr): string {
  return JSON.stringify(e, (k, v) =>
    k === 'impl' || k === 'plan' || k === 'pos' ? undefined : typeof v === 'bigint' ? `${v}n` : v,
  );
}

/** Rewrites an expression top-down: `f` returns a replacement or undefined to recurse. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr | undefined): Expr {
  const r = f(e);
  if (r) return r;
  const m = (x: Expr) => mapExpr(x, f);
  switch (e.kind) {
    case 'call':
      return { ...e, args: e.args.map(m) };
    case 'and':
    case 'or':
      return { ...e, args: e.args.map(m) };
    case 'not':
    case 'isnull':
    case 'istrue':
      return { ...e, arg: m(e.arg) };
    case 'distinctfrom':
      return { ...e, left: m(e.left), right: m(e.right) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: m(w.when), result: m(w.result) })),
        otherwise: e.otherwise && m(e.otherwise),
      };
    case 'coalesce':
    case 'minmax':
      return { ...e, args: e.args.map(m) };
    case 'in':
      return { ...e, arg: m(e.arg), list: e.list.map(m) };
    case 'subquery':
      return e.arg ? { ...e, arg: m(e.arg) } : e;
    default:
      return e;
  }
}

/** Visits every node of an expression (not descending into subquery plans). */
export function visitExpr(e: Expr, f: (e: Expr) => void): void {
  mapExpr(e, (x) => {
    f(x);
    return undefined;
  });
}

/** Column indexes an expression reads (outer references excluded). */
export function columnsUsed(e: Expr): Set<number> {
  const s = new Set<number>();
  visitExpr(e, (x) => {
    if (x.kind === 'col') s.add(x.index);
  });
  return s;
}

/** True when the expression contains a subquery or a volatile call. */
export function hasSubquery(e: Expr): boolean {
  let found = false;
  visitExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'outer') found = true;
  });
  return found;
}

/** Splits nested ANDs into a list of conjuncts. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.kind === 'and') return e.args.flatMap(conjuncts);
  return [e];
}

/** Joins conjuncts back into one predicate (undefined for none). */
export function andAll(list: readonly Expr[]): Expr | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return { kind: 'and', args: list, type: 'bool' };
}

/** Shifts column indexes by `delta` (e.g. right-side keys of a join). */
export function shiftColumns(e: Expr, delta: number): Expr {
  if (delta === 0) return e;
  return mapExpr(e, (x) => (x.kind === 'col' ? { ...x, index: x.index + delta } : undefined));
}

/** The expressions a plan node evaluates itself (not those of its child plans). */
export function nodeExprs(p: Plan): Expr[] {
  const out: (Expr | undefined)[] = [];
  switch (p.kind) {
    case 'scan':
      out.push(p.filter);
      break;
    case 'values':
      for (const r of p.rows) out.push(...r);
      break;
    case 'filter':
      out.push(p.predicate);
      break;
    case 'project':
      out.push(...p.exprs);
      break;
    case 'aggregate':
    case 'groupingsets':
      out.push(...p.groups);
      for (const a of p.aggs) out.push(...a.args, a.filter, ...(a.orderBy ?? []).map((k) => k.expr));
      break;
    case 'window':
      for (const c of p.calls) out.push(...c.args, ...c.partition, ...c.order.map((k) => k.expr));
      break;
    case 'sort':
      out.push(...p.keys.map((k) => k.expr));
      break;
    case 'limit':
      out.push(p.limit, p.offset);
      break;
    case 'distinct':
      out.push(...(p.on ?? []));
      break;
    case 'join':
      out.push(...p.leftKeys, ...p.rightKeys, p.residual);
      break;
    case 'apply':
      out.push(p.residual);
      break;
    case 'function':
      out.push(...p.args);
      break;
    case 'projectset':
      for (const f of p.srfs) out.push(...f.args);
      break;
  }
  return out.filter((e): e is Expr => e !== undefined);
}

/**
 * How far out a plan's outer references reach: the largest `depth - nesting`
 * over its `outer` expressions, where nesting counts the subqueries and
 * LATERAL right sides (each pushes one outer row) between the plan and the
 * reference. 0 when the plan reads no enclosing row.
 */
export function outerReach(plan: Plan, nesting = 0): number {
  let reach = 0;
  const onExpr = (e: Expr, level: number) =>
    visitExpr(e, (x) => {
      if (x.kind === 'outer') reach = Math.max(reach, x.depth - level);
      else if (x.kind === 'subquery') reach = Math.max(reach, outerReach(x.plan, level + 1));
    });
  for (const e of nodeExprs(plan)) onExpr(e, nesting);
  const children: [Plan, number][] = [];
  if ('input' in plan) children.push([plan.input, nesting]);
  if (plan.kind === 'join' || plan.kind === 'setop')
    children.push([plan.left, nesting], [plan.right, nesting]);
  if (plan.kind === 'apply') children.push([plan.left, nesting], [plan.right, nesting + 1]);
  if (plan.kind === 'recursive') children.push([plan.base, nesting], [plan.step, nesting]);
  for (const [c, l] of children) reach = Math.max(reach, outerReach(c, l));
  return reach;
}
