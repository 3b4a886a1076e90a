/**
 * @module engine/distributed/join-pushdown
 * Plans joins that every shard can answer alone. Tables distributed with the
 * same shard count share ShardDOs and hash ranges (the colocation group), so
 * when every distributed table of a join is equi-joined to the others on its
 * distribution column, matching rows live on the same shard. Reference tables
 * join anywhere: the coordinator ships their rows with the fragment (a
 * broadcast join), except on the preserved side of an outer join whose other
 * side is distributed (each shard would emit its unmatched rows).
 *
 * The join becomes a virtual table `v` whose columns are every relation's
 * columns numbered apart (virtual id k, named `c<k>` in the shard's engine),
 * and the statement — column references rewritten to `v`'s — is planned by
 * the distributed rules over its bound plan (`sql-select`): filters, projections, partial
 * aggregates and top-k run on the shards, the usual merge finishes. Anything
 * else returns undefined and takes the general path (`coordinator-plan`).
 */
import { conjuncts } from '../plan/expr-utils.ts';
import type { Expr } from '../plan/nodes.ts';
import { chunkColumnName } from './chunk-rows.ts';
import { readsAsStored } from './column-types.ts';
import { andConjuncts, walkAst } from './coordinator-plan.ts';
import { quoteIdent } from './fragment-sql.ts';
import { planSelectNode, shipFilter } from './select-binding.ts';
import type { PlannedSelect } from './sql-select.ts';
import type { DistColumn, DistTable } from './table-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** The name of the virtual join table in the shard SQL. */
export const JOIN_VIEW = 'v';

/** One relation of a pushed-down join. */
export interface JoinRelation {
  readonly alias: string;
  readonly table: DistTable;
  /** The relation's table name in the shard's engine (`r<i>`: a self-join has one per alias). */
  readonly engineName: string;
  /** Virtual column id of each of the table's columns, by column id. */
  readonly vids: readonly number[];
  /** Reference tables: the coordinator ships their rows. */
  readonly broadcast: boolean;
}

/** A join every shard of one colocation group answers alone. */
export interface JoinPushdown {
  readonly relations: readonly JoinRelation[];
  readonly shardCount: number;
  /** `SELECT … FROM r0 JOIN r1 ON …` over the shard engine's relation tables, before the filter. */
  readonly from: string;
  readonly planned: PlannedSelect;
  /** Virtual ids the join conditions read (the fragment's own reads are in `planned`). */
  readonly joinReads: readonly number[];
}

const isDist = (t: DistTable) => t.placement.kind === 'distributed';
const distType = (t: DistTable) =>
  t.placement.kind === 'distributed'
    ? t.columns.find((c) => c.id === (t.placement as { columnId: number }).columnId)?.type
    : undefined;
const hashFamily = (type: string | undefined) => (type === 'int32' || type === 'int64' ? 'int' : type);

/** Plans `s` (a SelectStmt body) as a pushed-down join, or undefined when it is not one. */
export function planJoinPushdown(
  s: Node,
  lookup: (name: string) => DistTable | undefined,
  params: readonly unknown[],
): JoinPushdown | undefined {
  if (s.op !== 'SETOP_NONE' || s.withClause || s.havingClause || s.windowClause) return undefined;
  const from = (s.fromClause ?? []) as Node[];
  // One join tree, or a comma list of tables and join trees (cross joins linked by WHERE equalities).
  if (from.length === 0 || (from.length === 1 && !from[0].JoinExpr)) return undefined;
  let bad = false;
  walkAst(s, (n) => {
    if (n.SubLink || n.RangeSubselect || n.RangeFunction || n.FuncCall?.over) bad = true;
  });
  if (bad) return undefined;

  // Relations, in FROM order, with their virtual ids.
  const relations: JoinRelation[] = [];
  const vcols: DistColumn[] = [];
  // USING: each join's column pairs (virtual ids), and the merged column an unqualified name means.
  const usingPairs = new Map<Node, [number, number][]>();
  const merged = new Map<string, DistColumn>();
  const sideColumn = (side: Node, name: string): DistColumn | undefined => {
    const m = merged.get(name);
    const hits = leafRelations(side, relations).flatMap((r) =>
      r.table.columns.filter((c) => c.name === name).map((c) => vcols[r.vids[c.id]]),
    );
    if (m && hits.includes(m)) return m;
    return hits.length === 1 ? hits[0] : undefined;
  };
  const leaves = (n: Node): boolean => {
    if (n.RangeVar) {
      const t = lookup(n.RangeVar.relname);
      if (!t || n.RangeVar.schemaname || t.placement.kind === 'local') return false;
      // Columns declared as other than their representation are read by the engine only.
      if (!t.columns.every(readsAsStored)) return false;
      const alias = n.RangeVar.alias?.aliasname ?? n.RangeVar.relname;
      if (relations.some((r) => r.alias === alias)) return false;
      const vids: number[] = [];
      for (const c of t.columns) {
        vids[c.id] = vcols.length;
        vcols.push({
          id: vcols.length,
          name: `${alias}.${c.name}`,
          type: c.type,
          notNull: false,
          default: c.default,
        });
      }
      relations.push({ alias, table: t, engineName: `r${relations.length}`, vids, broadcast: !isDist(t) });
      return true;
    }
    const j = n.JoinExpr;
    if (!j || j.alias || j.isNatural) return false;
    if (j.jointype !== 'JOIN_INNER' && j.jointype !== 'JOIN_LEFT') return false;
    if (!leaves(j.larg) || !leaves(j.rarg)) return false;
    if (!j.usingClause) return true;
    const pairs: [number, number][] = [];
    for (const u of j.usingClause as Node[]) {
      const name = u.String.sval as string;
      const l = sideColumn(j.larg, name);
      const r = sideColumn(j.rarg, name);
      if (!l || !r) return false;
      pairs.push([l.id, r.id]);
      merged.set(name, l); // INNER and LEFT joins: the merged column is the left one
    }
    usingPairs.set(n, pairs);
    return true;
  };
  if (!from.every(leaves)) return undefined;
  const dist = relations.filter((r) => !r.broadcast);
  if (dist.length === 0) return undefined;
  const shardCount = dist[0].table.shardCount;
  const family = hashFamily(distType(dist[0].table));
  if (dist.some((r) => r.table.shardCount !== shardCount || hashFamily(distType(r.table)) !== family))
    return undefined;
  const virtual: DistTable = {
    id: 0, // never stored: the join's view of its relations
    version: 0,
    name: JOIN_VIEW,
    columns: vcols,
    nextColumnId: vcols.length,
    placement: {
      kind: 'distributed',
      columnId: dist[0].vids[(dist[0].table.placement as { columnId: number }).columnId],
    },
    shardCount,
  };

  // Column references → virtual column names (undefined when ambiguous or unknown).
  const resolve = (fields: string[]): DistColumn | undefined => {
    if (fields.length === 2) {
      const r = relations.find((x) => x.alias === fields[0]);
      const c = r?.table.columns.find((x) => x.name === fields[1]);
      return r && c ? vcols[r.vids[c.id]] : undefined;
    }
    if (fields.length !== 1) return undefined;
    const m = merged.get(fields[0]);
    if (m) return m;
    const hits = relations.flatMap((r) =>
      r.table.columns.filter((c) => c.name === fields[0]).map((c) => vcols[r.vids[c.id]]),
    );
    return hits.length === 1 ? hits[0] : undefined;
  };
  let unresolved = false;
  // ORDER BY prefers output names, GROUP BY input columns (as PostgreSQL resolves them).
  const rewrite = (n: Node, outputNames: ReadonlySet<string>, preferOutput = false): Node => {
    if (n === null || typeof n !== 'object') return n;
    if (Array.isArray(n)) return n.map((x) => rewrite(x, outputNames, preferOutput));
    if (n.ColumnRef) {
      const fields = (n.ColumnRef.fields as Node[]).map((f) => f.String?.sval as string);
      if (fields.some((f) => f === undefined)) {
        unresolved = true;
        return n;
      }
      if (preferOutput && fields.length === 1 && outputNames.has(fields[0])) return n;
      const c = resolve(fields);
      if (!c) {
        // An output alias (ORDER BY / GROUP BY) stays as it is; anything else is not ours to guess.
        if (!(fields.length === 1 && outputNames.has(fields[0]))) unresolved = true;
        return n;
      }
      return { ColumnRef: { fields: [{ String: { sval: c.name } }], location: n.ColumnRef.location } };
    }
    const out: Node = {};
    for (const [k, v] of Object.entries(n)) out[k] = rewrite(v, outputNames, preferOutput);
    return out;
  };
  const targets: Node[] = [];
  for (const t of s.targetList as Node[]) {
    const rt = t.ResTarget;
    const fields = (rt.val.ColumnRef?.fields ?? []) as Node[];
    if (fields.at(-1)?.A_Star) {
      if (merged.size > 0) return undefined; // `*` over USING merges columns: not rebuilt here
      const only = fields.length === 2 ? fields[0].String?.sval : undefined;
      for (const r of relations)
        if (only === undefined || r.alias === only)
          for (const c of r.table.columns)
            targets.push({
              ResTarget: {
                name: c.name,
                val: { ColumnRef: { fields: [{ String: { sval: vcols[r.vids[c.id]].name } }] } },
              },
            });
      continue;
    }
    const name = rt.name ?? (fields.length > 0 ? fields.at(-1).String?.sval : undefined);
    targets.push({ ResTarget: { ...rt, name, val: rewrite(rt.val, new Set()) } });
  }
  const outputNames = new Set<string>(targets.map((t) => t.ResTarget.name).filter(Boolean));
  const stmt = {
    ...s,
    fromClause: [{ RangeVar: { relname: JOIN_VIEW, inh: true, relpersistence: 'p' } }],
    targetList: targets,
    whereClause: s.whereClause && rewrite(s.whereClause, new Set()),
    groupClause: s.groupClause && rewrite(s.groupClause, outputNames),
    sortClause: s.sortClause && rewrite(s.sortClause, outputNames, true),
    distinctClause: s.distinctClause && rewrite(s.distinctClause, outputNames),
  };

  // The join tree as SQL over the relation tables, and the equalities that co-locate it.
  const links: [number, number][] = [];
  const joinReads = new Set<number>();
  const noteLinks = (e: Expr) => {
    for (const c of conjuncts(e)) {
      if (c.kind !== 'call' || c.name !== '=') continue;
      const [l, r] = c.args.map(integerColumn);
      if (l === undefined || r === undefined) continue;
      const a = distRelation(relations, l);
      const b = distRelation(relations, r);
      if (a >= 0 && b >= 0) links.push([a, b]);
    }
  };
  const render = (n: Node): string | undefined => {
    if (n.RangeVar) {
      const r = relations.find((x) => x.alias === (n.RangeVar.alias?.aliasname ?? n.RangeVar.relname))!;
      return quoteIdent(r.engineName);
    }
    const j = n.JoinExpr;
    const l = render(j.larg);
    const r = render(j.rarg);
    if (l === undefined || r === undefined) return undefined;
    const using = usingPairs.get(n) ?? [];
    const on = j.quals ? shipFilter(rewrite(j.quals, new Set()), virtual, params) : undefined;
    if ((j.quals && !on) || (using.length === 0 && !on)) return undefined;
    const conds = using.map(([a, b]) => `(${chunkColumnName(a)} = ${chunkColumnName(b)})`);
    for (const [a, b] of using) {
      const x = distRelation(relations, a);
      const y = distRelation(relations, b);
      if (x >= 0 && y >= 0) links.push([x, y]);
      joinReads.add(a).add(b);
    }
    if (on) {
      noteLinks(on.expr);
      for (const id of on.reads) joinReads.add(id);
      conds.push(on.sql);
    }
    // A reference table on the preserved side of an outer join with distributed rows opposite: no.
    if (
      j.jointype === 'JOIN_LEFT' &&
      leafRelations(j.larg, relations).every((x) => x.broadcast) &&
      leafRelations(j.rarg, relations).some((x) => !x.broadcast)
    )
      return undefined;
    return `(${l} ${j.jointype === 'JOIN_LEFT' ? 'LEFT' : 'INNER'} JOIN ${r} ON ${conds.join(' AND ')})`;
  };
  const parts = from.map(render);
  if (parts.some((x) => x === undefined) || unresolved) return undefined;
  const joinSql = parts.join(' CROSS JOIN ');
  // WHERE equalities link inner-joined relations too (a LEFT join's right side must link in its ON).
  for (const c of andConjuncts(stmt.whereClause)) {
    const f = shipFilter(c, virtual, params);
    if (f) noteLinks(f.expr);
  }
  if (
    !connected(
      dist.map((r) => relations.indexOf(r)),
      links,
    )
  )
    return undefined;

  // Outside the distributed rules: the general path answers (or reports the error).
  const planned = planSelectNode(stmt, virtual, params);
  if (!planned) return undefined;
  // Equality on any relation's distribution column pins the shard (the join keys are equal).
  let pruneValues = planned.pruneValues ? [...planned.pruneValues] : undefined;
  for (const b of planned.fragment.bounds) {
    if (b.values && distRelation(relations, b.columnId) >= 0)
      pruneValues = pruneValues ? pruneValues.filter((v) => b.values!.includes(v)) : [...b.values];
  }
  return {
    relations,
    shardCount,
    from: joinSql,
    joinReads: [...joinReads],
    planned: { ...planned, pruneValues },
  };
}

const INTEGER = new Set(['int16', 'int32', 'int64']);

/** The virtual id a join key reads: a column, or an integer column widened to another integer type. */
function integerColumn(e: Expr): number | undefined {
  if (e.kind === 'col') return e.index;
  const arg = e.kind === 'call' && e.name.startsWith('::') ? e.args[0] : undefined;
  return arg?.kind === 'col' && INTEGER.has(arg.type) && INTEGER.has(e.type) ? arg.index : undefined;
}

/** Index of the distributed relation whose distribution column has virtual id `vid`, or -1. */
function distRelation(relations: readonly JoinRelation[], vid: number): number {
  return relations.findIndex(
    (r) => !r.broadcast && r.vids[(r.table.placement as { columnId: number }).columnId] === vid,
  );
}

function leafRelations(n: Node, relations: readonly JoinRelation[]): JoinRelation[] {
  const out: JoinRelation[] = [];
  walkAst(n, (x) => {
    if (x.RangeVar) {
      const r = relations.find((y) => y.alias === (x.RangeVar.alias?.aliasname ?? x.RangeVar.relname));
      if (r) out.push(r);
    }
  });
  return out;
}

function connected(nodes: readonly number[], links: readonly [number, number][]): boolean {
  const seen = new Set([nodes[0]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [a, b] of links) {
      if (seen.has(a) !== seen.has(b)) {
        seen.add(a);
        seen.add(b);
        grew = true;
      }
    }
  }
  return nodes.every((n) => seen.has(n));
}
