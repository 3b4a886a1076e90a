/**
 * @module engine/sql/bind-recursive
 * Binds a self-referencing CTE under WITH RECURSIVE into a `recursive` plan
 * node: the non-recursive term fixes the column types; the recursive term is
 * bound with the CTE's name resolving to a `worktable` leaf. Forms PostgreSQL
 * rejects are rejected with its SQLSTATE (42P19, 42804).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Column, Plan } from '../plan/nodes.ts';
import { pgTypeName } from '../types/values.ts';
import { coerce, names, unifyTypes } from './bind-expr.ts';
import type { PgNode } from './parser.ts';
import type { BindContext, Cte } from './scope.ts';

const INVALID_RECURSION = '42P19';

let nextWorktable = 1;

interface Bound {
  readonly plan: Plan;
  readonly columns: readonly Column[];
}

/** Counts FROM references to `name` (unqualified table names) anywhere in an AST. */
export function countRefs(node: unknown, name: string): number {
  if (!node || typeof node !== 'object') return 0;
  if (Array.isArray(node)) return node.reduce((a, x) => a + countRefs(x, name), 0);
  const o = node as Record<string, unknown>;
  const rv = o.RangeVar as PgNode | undefined;
  if (rv && rv.relname === name && !rv.schemaname) return 1;
  let n = 0;
  for (const k in o) n += countRefs(o[k], name);
  return n;
}

/** The SubLink (expression subquery) nodes of an AST. */
function sublinks(node: unknown, out: unknown[] = []): unknown[] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const x of node) sublinks(x, out);
    return out;
  }
  const o = node as Record<string, unknown>;
  if (o.SubLink) out.push(o.SubLink);
  else for (const k in o) sublinks(o[k], out);
  return out;
}

/** The plan nodes directly below `p` (not those inside expression subqueries). */
function children(p: Plan): Plan[] {
  if ('input' in p) return [p.input];
  if (p.kind === 'join' || p.kind === 'setop' || p.kind === 'apply') return [p.left, p.right];
  if (p.kind === 'recursive') return [p.base, p.step];
  return [];
}

function readsWorktable(p: Plan, id: number): boolean {
  return (p.kind === 'worktable' && p.id === id) || children(p).some((c) => readsWorktable(c, id));
}

/** PostgreSQL's restrictions on where the recursive reference may appear. */
function checkRecursiveTerm(p: Plan, id: number, name: string): void {
  if (!readsWorktable(p, id)) return;
  if (p.kind === 'aggregate' || p.kind === 'groupingsets')
    throw new SqlError(
      INVALID_RECURSION,
      "aggregate functions are not allowed in a recursive query's recursive term",
    );
  if (p.kind === 'join' || p.kind === 'apply') {
    const t = p.joinType;
    const nullable =
      t === 'full' ? [p.left, p.right] : t === 'left' ? [p.right] : t === 'right' ? [p.left] : [];
    if (nullable.some((c) => readsWorktable(c, id)))
      throw new SqlError(
        INVALID_RECURSION,
        `recursive reference to query "${name}" must not appear within an outer join`,
      );
  }
  for (const c of children(p)) checkRecursiveTerm(c, id, name);
}

/** Casts a bound query's columns to `types` (a project when any differs). */
function castTo(q: Bound, columns: readonly Column[]): Plan {
  if (q.columns.every((c, i) => c.type === columns[i].type)) return q.plan;
  const exprs = q.columns.map((c, i) =>
    coerce({ kind: 'col', index: i, type: c.type }, columns[i].type, false),
  );
  return { kind: 'project', input: q.plan, exprs, schema: columns };
}

export function bindRecursiveCte(cte: PgNode, bindQuery: (q: PgNode) => Bound, ctx: BindContext): Cte {
  const name: string = cte.ctename;
  const s = cte.ctequery.SelectStmt;
  const fail = (msg: string, code = INVALID_RECURSION) => new SqlError(code, msg);
  if (s?.op !== 'SETOP_UNION')
    throw fail(
      `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`,
    );
  if (s.sortClause)
    throw fail('ORDER BY in a recursive query is not implemented', SqlState.featureNotSupported);
  if (s.limitCount || s.limitOffset)
    throw fail('OFFSET/LIMIT in a recursive query is not implemented', SqlState.featureNotSupported);
  // Ignored, the recursive term would run without its lock clause (and maybe without end).
  if (s.lockingClause)
    throw fail('FOR UPDATE/SHARE in a recursive query is not implemented', SqlState.featureNotSupported);
  if (cte.search_clause || cte.cycle_clause)
    throw fail('SEARCH and CYCLE clauses are not supported', SqlState.featureNotSupported);
  if (s.withClause) throw fail('WITH in a recursive query is not supported', SqlState.featureNotSupported);
  if (countRefs(s.larg, name) > 0)
    throw fail(`recursive reference to query "${name}" must not appear within its non-recursive term`);
  if (countRefs(sublinks(s.rarg), name) > 0)
    throw fail(`recursive reference to query "${name}" must not appear within a subquery`);
  if (countRefs(s.rarg, name) > 1)
    throw fail(`recursive reference to query "${name}" must not appear more than once`);
  const base = bindQuery(s.larg);
  const alias = names(cte.aliascolnames);
  if (alias.length > base.columns.length)
    throw fail(
      `WITH query "${name}" has ${base.columns.length} columns available but ${alias.length} columns specified`,
      '42P10',
    );
  // Untyped literals in the non-recursive term become text, as in PostgreSQL.
  const columns: Column[] = base.columns.map((c, i) => ({
    name: alias[i] ?? c.name,
    type: c.type === 'unknown' ? 'text' : c.type,
  }));
  const id = nextWorktable++;
  ctx.ctes.set(name, { plan: { kind: 'worktable', name, id, schema: columns }, columns });
  const step = bindQuery(s.rarg);
  checkRecursiveTerm(step.plan, id, name);
  if (step.columns.length !== columns.length)
    throw fail('each UNION query must have the same number of columns', '42601');
  step.columns.forEach((c, i) => {
    const overall = unifyTypes([columns[i].type, c.type]);
    if (overall !== columns[i].type)
      throw fail(
        `recursive query "${name}" column ${i + 1} has type ${pgTypeName(columns[i].type)} in non-recursive term but type ${pgTypeName(overall)} overall`,
        SqlState.datatypeMismatch,
      );
  });
  const plan: Plan = {
    kind: 'recursive',
    name,
    id,
    all: s.all === true,
    base: castTo(base, columns),
    step: castTo(step, columns),
    schema: columns,
  };
  return { plan, columns };
}
