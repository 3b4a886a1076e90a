/**
 * @module engine/testing/random-queries/shrink
 * Smaller variants of a failing query, largest cuts first: drop WHERE, HAVING,
 * LIMIT/OFFSET, DISTINCT, ORDER BY, one output column, an unused GROUP BY key,
 * or replace an AND/OR/NOT node by one of its children. The runner keeps any
 * variant that still fails and repeats until no variant does (greedy delta
 * debugging), which yields a locally minimal query.
 */
import type { Pred } from './expressions.ts';
import type { RqgQuery } from './query.ts';

/** Strictly smaller predicates: children of AND/OR/NOT, one argument dropped, or a child shrunk. */
export function shrinkPred(p: Pred): Pred[] {
  if (p.kind === 'atom') return [];
  if (p.kind === 'not') return [p.arg, ...shrinkPred(p.arg).map((arg): Pred => ({ kind: 'not', arg }))];
  const out: Pred[] = [...p.args];
  if (p.args.length > 2)
    out.push(...p.args.map((_, i) => ({ kind: p.kind, args: p.args.filter((__, j) => j !== i) })));
  p.args.forEach((a, i) => {
    for (const smaller of shrinkPred(a)) {
      out.push({ kind: p.kind, args: p.args.map((x, j) => (j === i ? smaller : x)) });
    }
  });
  return out;
}

/** Candidate simplifications of `q`, in the order worth trying. */
export function* shrinkQuery(q: RqgQuery): Generator<RqgQuery> {
  if (q.setOp) yield { ...q, setOp: undefined };
  if (q.where) yield { ...q, where: undefined };
  if (q.having) yield { ...q, having: undefined };
  if (q.limit !== undefined || q.offset !== undefined) yield { ...q, limit: undefined, offset: undefined };
  if (q.offset !== undefined) yield { ...q, offset: undefined };
  if (q.distinct) yield { ...q, distinct: false };
  if (q.distinctOn) yield { ...q, distinctOn: false };
  if (q.orderBy.length && q.limit === undefined && !q.distinctOn) yield { ...q, orderBy: [] };
  if (q.items.length > 1 && !q.distinctOn) {
    for (let i = 0; i < q.items.length; i++) {
      const orderBy = q.orderBy
        .filter((k) => k.ordinal !== i + 1)
        .map((k) => (k.ordinal > i + 1 ? { ...k, ordinal: k.ordinal - 1 } : k));
      yield { ...q, items: q.items.filter((_, j) => j !== i), orderBy };
    }
  }
  if (q.groupBy && q.groupBy.length > 0) {
    for (const key of q.groupBy) {
      if (q.items.some((e) => e.sql === key)) continue;
      const groupBy = q.groupBy.filter((k) => k !== key);
      yield { ...q, groupBy: groupBy.length ? groupBy : undefined };
    }
  }
  if (q.where) for (const where of shrinkPred(q.where)) yield { ...q, where };
  if (q.having) for (const having of shrinkPred(q.having)) yield { ...q, having };
}
