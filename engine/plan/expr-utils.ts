/**
 * @module engine/plan/expr-utils
 * Pure helpers over bound expressions: structural fingerprints (to match
 * GROUP BY expressions), bottom-up rewriting, column-use analysis and
 * conjunct splitting for planner rules.
 */
import type { Expr } from './nodes.ts';

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
