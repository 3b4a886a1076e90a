/**
 * @module engine/sql/bind-select
 * Binds SELECT (and VALUES, set operations, WITH) into a logical plan, in
 * PostgreSQL's clause order: FROM → WHERE → GROUP BY/aggregates → HAVING →
 * windows → select list → DISTINCT [ON] → ORDER BY → LIMIT/OFFSET.
 */
import { SqlError, SqlState } from '../errors.ts';
import { fingerprint, mapExpr } from '../plan/expr-utils.ts';
import type { AggCall, Column, Expr, Plan, SortKey, WindowCall } from '../plan/nodes.ts';
import type { TableStore } from '../storage/table-store.ts';
import { pgTypeName, type SqlType } from '../types/values.ts';
import { AGG_BASE, bindExpr, coerce, type ExprBinder, names, unifyTypes, WIN_BASE } from './bind-expr.ts';
import { bindFromList, type FromEnv } from './bind-from.ts';
import { expandGroupingSets, groupingValues, hasGroupingSets } from './bind-grouping.ts';
import { bindRecursiveCte, countRefs } from './bind-recursive.ts';
import { extractSpecialCalls, GRP_BASE, hiddenColumns, SRF_BASE } from './bind-special.ts';
import type { PgNode } from './parser.ts';
import { type BindContext, Scope, type ScopeColumn } from './scope.ts';

export interface BoundQuery {
  readonly plan: Plan;
  readonly columns: readonly Column[];
  readonly correlated: boolean;
}

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** Binds queries of one statement against a store's catalog. */
export class SelectBinder {
  constructor(
    readonly store: TableStore,
    readonly ctx: BindContext,
  ) {}

  /** A fresh expression binder over `scope` (aggregates/windows not allowed unless lists are set). */
  makeBinder(scope: Scope): ExprBinder {
    return {
      scope,
      ctx: this.ctx,
      bindSubquery: (stmt, parent) => {
        const q = this.bindQuery(stmt, parent);
        return { plan: q.plan, types: q.columns.map((c) => c.type), correlated: q.correlated };
      },
    };
  }

  private env(outer: Scope | undefined, track: { correlated: boolean }): FromEnv {
    return {
      store: this.store,
      ctx: this.ctx,
      outer,
      bindQuery: (stmt, o, tracked = true) => {
        const q = this.bindQuery(stmt, o);
        if (q.correlated && tracked) track.correlated = true;
        return q;
      },
      makeBinder: (scope) => this.makeBinder(scope),
      markCorrelated: () => {
        track.correlated = true;
      },
    };
  }

  /** Binds FROM items on their own (UPDATE ... FROM, DELETE ... USING). */
  bindFromItems(items: PgNode[]): { plan: Plan; scope: ScopeColumn[] } {
    return bindFromList(this.env(undefined, { correlated: false }), items);
  }

  /** Binds a SelectStmt node (wrapped `{SelectStmt: ...}` or bare). */
  bindQuery(node: PgNode, outer?: Scope): BoundQuery {
    const s = node.SelectStmt ?? node;
    if (s.lockingClause)
      throw err(SqlState.featureNotSupported, 'SELECT ... FOR UPDATE/SHARE is not supported');
    if (s.intoClause) throw err(SqlState.featureNotSupported, 'SELECT INTO is not supported');
    const saved = new Map(this.ctx.ctes);
    try {
      // A CTE that reads the enclosing query's row makes the whole query correlated.
      const cteCorrelated = s.withClause ? this.bindWith(s.withClause, outer) : false;
      const q =
        s.op && s.op !== 'SETOP_NONE'
          ? this.bindSetOp(s, outer)
          : s.valuesLists
            ? this.finishOrderLimit(s, this.bindValues(s, outer), outer)
            : this.bindSimple(s, outer);
      return cteCorrelated && !q.correlated ? { ...q, correlated: true } : q;
    } finally {
      this.ctx.ctes.clear();
      for (const [k, v] of saved) this.ctx.ctes.set(k, v);
    }
  }

  private bindWith(w: PgNode, outer?: Scope): boolean {
    let correlated = false;
    const bind = (stmt: PgNode) => {
      const q = this.bindQuery(stmt, outer);
      if (q.correlated) correlated = true;
      return q;
    };
    for (const c of w.ctes) {
      const cte = c.CommonTableExpr;
      if (w.recursive && countRefs(cte.ctequery, cte.ctename) > 0) {
        this.ctx.ctes.set(cte.ctename, bindRecursiveCte(cte, bind, this.ctx));
        continue;
      }
      const q = bind(cte.ctequery);
      const alias = names(cte.aliascolnames);
      const columns = q.columns.map((col, i) => ({ name: alias[i] ?? col.name, type: col.type }));
      this.ctx.ctes.set(cte.ctename, { plan: q.plan, columns });
    }
    return correlated;
  }

  private bindValues(s: PgNode, outer?: Scope): BoundQuery {
    const b = this.makeBinder(new Scope([], outer));
    const rows: Expr[][] = s.valuesLists.map((l: PgNode) => l.List.items.map((x: PgNode) => bindExpr(b, x)));
    const width = rows[0].length;
    if (rows.some((r) => r.length !== width)) throw err('42601', 'VALUES lists must all be the same length');
    const types = Array.from({ length: width }, (_, j) => unifyTypes(rows.map((r) => r[j].type)));
    const coerced = rows.map((r) => r.map((e, j) => coerce(e, types[j], false)));
    const schema = types.map((t, j) => ({ name: `column${j + 1}`, type: t }));
    return {
      plan: { kind: 'values', rows: coerced, schema },
      columns: schema,
      correlated: b.correlated === true,
    };
  }

  private bindSetOp(s: PgNode, outer?: Scope): BoundQuery {
    const l = this.bindQuery(s.larg, outer);
    const r = this.bindQuery(s.rarg, outer);
    if (l.columns.length !== r.columns.length) {
      throw err('42601', `each ${s.op.replace('SETOP_', '')} query must have the same number of columns`);
    }
    const types = l.columns.map((c, i) => unifyTypes([c.type, r.columns[i].type]));
    const cast = (q: BoundQuery): Plan => {
      if (q.columns.every((c, i) => c.type === types[i])) return q.plan;
      const exprs = q.columns.map((c, i) => coerce({ kind: 'col', index: i, type: c.type }, types[i], false));
      return {
        kind: 'project',
        input: q.plan,
        exprs,
        schema: q.columns.map((c, i) => ({ name: c.name, type: types[i] })),
      };
    };
    const schema = l.columns.map((c, i) => ({ name: c.name, type: types[i] }));
    const op = s.op === 'SETOP_UNION' ? 'union' : s.op === 'SETOP_INTERSECT' ? 'intersect' : 'except';
    const plan: Plan = { kind: 'setop', op, all: s.all === true, left: cast(l), right: cast(r), schema };
    return this.finishOrderLimit(
      s,
      { plan, columns: schema, correlated: l.correlated || r.correlated },
      outer,
    );
  }

  /** ORDER BY / LIMIT over a set operation or VALUES: keys refer to output columns. */
  private finishOrderLimit(s: PgNode, q: BoundQuery, outer?: Scope): BoundQuery {
    let plan = q.plan;
    if (s.sortClause) {
      const scope = new Scope(
        q.columns.map((c) => ({ qualifier: undefined, name: c.name, type: c.type })),
        outer,
      );
      const b = this.makeBinder(scope);
      const keys = s.sortClause.map((item: PgNode) => {
        const sb = item.SortBy;
        const k = sb.node.A_Const?.ival;
        const expr: Expr = k ? ordinal(q.columns, sb.node) : bindExpr(b, sb.node);
        return sortKey(sb, expr);
      });
      plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
    }
    plan = this.applyLimit(s, plan, outer);
    return { ...q, plan };
  }

  private applyLimit(s: PgNode, plan: Plan, outer?: Scope): Plan {
    if (!s.limitCount && !s.limitOffset) return plan;
    if (s.limitOption === 'LIMIT_OPTION_WITH_TIES')
      throw err(SqlState.featureNotSupported, 'FETCH ... WITH TIES is not supported');
    const b = this.makeBinder(new Scope([], outer));
    const lim = (n: PgNode | undefined) => {
      if (!n || n.A_Const?.isnull) return undefined;
      return coerce(bindExpr(b, n), 'int64', true);
    };
    return {
      kind: 'limit',
      input: plan,
      limit: lim(s.limitCount),
      offset: lim(s.limitOffset),
      schema: plan.schema,
    };
  }

  private bindSimple(s: PgNode, outer?: Scope): BoundQuery {
    const track = { correlated: false };
    const from = bindFromList(this.env(outer, track), s.fromClause);
    const aggs: AggCall[] = [];
    const windows: WindowCall[] = [];
    const special = hiddenColumns(s, from.scope, (cols) => ({
      ...this.makeBinder(new Scope(cols, outer)),
      aggs,
      windows,
    }));
    const { targetList, havingClause, sortClause, grpCalls, srfs, mark, nFrom, nG, nS } = special;
    const scope = new Scope(special.scope, outer);
    let plan = from.plan;
    const plain = this.makeBinder(scope);
    if (s.whereClause) {
      const found: PgNode[] = [];
      extractSpecialCalls(s.whereClause, found);
      if (found.length > 0) throw err(SqlState.groupingError, 'grouping operations are not allowed in WHERE');
      const pred = bindExpr(plain, s.whereClause);
      if (pred.type !== 'bool' && pred.type !== 'unknown') {
        throw err(
          SqlState.datatypeMismatch,
          `argument of WHERE must be type boolean, not type ${pgTypeName(pred.type)}`,
        );
      }
      plan = { kind: 'filter', input: plan, predicate: coerce(pred, 'bool'), schema: plan.schema };
    }
    const ab: ExprBinder = { ...plain, aggs, windows };
    const bindOut = (node: PgNode) => mark(bindExpr(ab, node));
    // Select list, with * expanded.
    const targets: { name: string; expr: Expr }[] = [];
    for (let ti = 0; ti < targetList.length; ti++) {
      const rt = targetList[ti].ResTarget;
      const fields = rt.val.ColumnRef?.fields;
      if (fields?.[fields.length - 1].A_Star) {
        const qual = fields.length > 1 ? names(fields)[0] : undefined;
        if (qual && !scope.hasQualifier(qual))
          throw err(SqlState.undefinedTable, `missing FROM-clause entry for table "${qual}"`, rt.location);
        from.scope.forEach((c, i) => {
          if (!c.hidden && (qual === undefined || c.qualifier === qual))
            targets.push({ name: c.name, expr: { kind: 'col', index: i, type: c.type } });
        });
        continue;
      }
      targets.push({ name: rt.name ?? columnName(s.targetList[ti].ResTarget.val), expr: bindOut(rt.val) });
    }
    const targetFor = (node: PgNode): number => {
      const k = node.A_Const?.ival;
      if (k) {
        const n = k.ival ?? 0;
        if (n < 1 || n > targets.length)
          throw err('42P10', `position ${n} is not in select list`, node.A_Const.location);
        return n - 1;
      }
      const f = node.ColumnRef?.fields;
      if (f && f.length === 1 && f[0].String) {
        const nm = f[0].String.sval;
        const hits = targets.map((t, i) => (t.name === nm ? i : -1)).filter((i) => i >= 0);
        if (hits.length >= 1) return hits[0];
      }
      return -1;
    };
    // GROUP BY: input columns first, then output aliases and ordinals (PostgreSQL's rule).
    const bindGroup = (g: PgNode): Expr => {
      const f = g.ColumnRef?.fields;
      const inInput = f && f.length === 1 && f[0].String && scope.find(undefined, f[0].String.sval) >= 0;
      const ti = inInput ? -1 : targetFor(g);
      if (ti >= 0) return targets[ti].expr;
      return bindExpr(plain, g);
    };
    let groups: Expr[];
    let sets: number[][] | undefined;
    if (hasGroupingSets(s.groupClause)) ({ groups, sets } = expandGroupingSets(s.groupClause, bindGroup));
    else groups = (s.groupClause ?? []).map(bindGroup);
    if (!sets && nG > 0) sets = [groups.map((_, i) => i)];
    const grouping = grpCalls.map((gc) =>
      groupingValues(
        (gc.args ?? []).map((a: PgNode) => bindExpr(plain, a)),
        groups,
        sets ?? [],
      ),
    );
    const having = havingClause ? coerce(bindOut(havingClause), 'bool') : undefined;
    // ORDER BY items: output column (alias/ordinal/same expression) or a hidden extra column.
    const hidden: Expr[] = [];
    const orderRefs: { index: number; sb: PgNode }[] = [];
    const refFor = (node: PgNode): number => {
      const ti = targetFor(node);
      if (ti >= 0) return ti;
      const e = bindOut(node);
      const fp = fingerprint(e);
      const same = targets.findIndex((t) => fingerprint(t.expr) === fp);
      if (same >= 0) return same;
      const hi = hidden.findIndex((h) => fingerprint(h) === fp);
      if (hi >= 0) return targets.length + hi;
      hidden.push(e);
      return targets.length + hidden.length - 1;
    };
    for (const item of sortClause ?? []) orderRefs.push({ index: refFor(item.SortBy.node), sb: item.SortBy });
    const distinctOn: number[] = [];
    const distinct = s.distinctClause !== undefined;
    if (distinct && s.distinctClause.length > 0 && Object.keys(s.distinctClause[0]).length > 0) {
      for (const d of s.distinctClause) distinctOn.push(refFor(d));
    }
    // Aggregation.
    const hasAgg = aggs.length > 0 || (s.groupClause ?? []).length > 0 || having !== undefined || nG > 0;
    // Aggregate and window arguments hold the hidden references unmarked.
    const srfInside = (e: Expr | undefined) =>
      e !== undefined && containsMarker(e, nFrom + nG, nFrom + nG + nS);
    const grpInside = (e: Expr | undefined) => e !== undefined && containsMarker(e, nFrom, nFrom + nG);
    if (aggs.some((a) => a.args.some(grpInside) || grpInside(a.filter)))
      throw err(SqlState.groupingError, 'aggregate function calls cannot contain grouping operations');
    if (aggs.some((a) => a.args.some(srfInside) || srfInside(a.filter)))
      throw err(
        SqlState.featureNotSupported,
        'aggregate function calls cannot contain set-returning function calls',
      );
    if (windows.some((w) => [...w.args, ...w.partition, ...w.order.map((k) => k.expr)].some(srfInside)))
      throw err(
        SqlState.featureNotSupported,
        'window function calls cannot contain set-returning function calls',
      );
    let rewrite = (e: Expr) => e;
    if (hasAgg) {
      for (const g of groups) {
        if (containsMarker(g, SRF_BASE, Infinity))
          throw err(SqlState.featureNotSupported, 'set-returning functions are not allowed in GROUP BY');
        if (containsMarker(g, AGG_BASE, Infinity))
          throw err(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY');
      }
      const ng = groups.length;
      const fps = groups.map(fingerprint);
      rewrite = (e: Expr) =>
        mapExpr(e, (x) => {
          const gi = fps.indexOf(fingerprint(x));
          if (gi >= 0) return { kind: 'col', index: gi, type: x.type };
          if (x.kind === 'subquery' && x.correlated) {
            // Its outer references point at pre-aggregation columns.
            throw err(SqlState.featureNotSupported, 'correlated subqueries above GROUP BY are not supported');
          }
          if (x.kind === 'col') {
            if (x.index >= SRF_BASE) return x;
            if (x.index >= GRP_BASE) return { ...x, index: ng + aggs.length + x.index - GRP_BASE };
            if (x.index >= WIN_BASE) return x;
            if (x.index >= AGG_BASE) return { ...x, index: ng + x.index - AGG_BASE };
            const c = from.scope[x.index];
            throw err(
              SqlState.groupingError,
              `column "${c.qualifier ? `${c.qualifier}.` : ''}${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
              x.pos,
            );
          }
          return undefined;
        });
      const schema: Column[] = [
        ...groups.map((g, i) => ({ name: `group${i}`, type: g.type })),
        ...aggs.map((a) => ({ name: a.name, type: a.type })),
      ];
      if (sets) {
        const gcols = grouping.map((_, k) => ({ name: `grouping${k}`, type: 'int32' as const }));
        plan = {
          kind: 'groupingsets',
          input: plan,
          groups,
          sets,
          aggs,
          grouping,
          schema: [...schema, ...gcols],
        };
      } else plan = { kind: 'aggregate', input: plan, groups, aggs, schema };
      if (having) plan = { kind: 'filter', input: plan, predicate: rewrite(having), schema: plan.schema };
    }
    if (windows.length > 0) {
      const width = plan.schema.length;
      // Window arguments hold hidden-column references (GROUPING()) unmarked.
      const wr = (e: Expr) => rewrite(mark(e));
      const calls = windows.map((w) => ({
        ...w,
        args: w.args.map(wr),
        partition: w.partition.map(wr),
        order: w.order.map((k) => ({ ...k, expr: wr(k.expr) })),
      }));
      const schema = [...plan.schema, ...calls.map((c) => ({ name: c.name, type: c.type }))];
      plan = { kind: 'window', input: plan, calls, schema };
      const inner = rewrite;
      rewrite = (e: Expr) =>
        mapExpr(inner(e), (x) =>
          x.kind === 'col' && x.index >= WIN_BASE && x.index < GRP_BASE
            ? { ...x, index: width + x.index - WIN_BASE }
            : undefined,
        );
    }
    if (nS > 0) {
      const width = plan.schema.length;
      const calls = srfs.map((f) => ({ ...f, args: f.args.map(rewrite) }));
      const schema = [...plan.schema, ...calls.map((c) => ({ name: c.name, type: c.type }))];
      plan = { kind: 'projectset', input: plan, srfs: calls, schema };
      const inner = rewrite;
      rewrite = (e: Expr) =>
        mapExpr(inner(e), (x) =>
          x.kind === 'col' && x.index >= SRF_BASE ? { ...x, index: width + x.index - SRF_BASE } : undefined,
        );
    }
    const outExprs = [...targets.map((t) => rewrite(t.expr)), ...hidden.map(rewrite)];
    const outSchema: Column[] = outExprs.map((e, i) => ({
      name: i < targets.length ? targets[i].name : `?hidden${i}`,
      type: e.type,
    }));
    plan = { kind: 'project', input: plan, exprs: outExprs, schema: outSchema };
    const col = (i: number): Expr => ({ kind: 'col', index: i, type: outSchema[i].type });
    const orderKeys: SortKey[] = orderRefs.map((o) => sortKey(o.sb, col(o.index)));
    if (distinct && distinctOn.length === 0) {
      if (hidden.length > 0) {
        const first = orderRefs.find((o) => o.index >= targets.length);
        throw err(
          '42P10',
          'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
          exprLocation(first?.sb.node),
        );
      }
      plan = { kind: 'distinct', input: plan, schema: outSchema };
      if (orderKeys.length) plan = { kind: 'sort', input: plan, keys: orderKeys, schema: outSchema };
    } else if (distinctOn.length > 0) {
      const prefix = orderKeys.slice(0, distinctOn.length).map((k) => (k.expr as { index: number }).index);
      if (orderKeys.length > 0 && !distinctOn.every((d) => prefix.includes(d))) {
        throw err('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
      }
      const keys = orderKeys.length
        ? orderKeys
        : distinctOn.map((d) => ({ expr: col(d), desc: false, nullsFirst: false }));
      plan = { kind: 'sort', input: plan, keys, schema: outSchema };
      plan = { kind: 'distinct', input: plan, on: distinctOn.map(col), schema: outSchema };
    } else if (orderKeys.length) {
      plan = { kind: 'sort', input: plan, keys: orderKeys, schema: outSchema };
    }
    plan = this.applyLimit(s, plan, outer);
    const columns = outSchema.slice(0, targets.length);
    if (hidden.length > 0) {
      plan = { kind: 'project', input: plan, exprs: columns.map((_, i) => col(i)), schema: columns };
    }
    const correlated =
      track.correlated || plain.correlated === true || ab.correlated === true || special.correlated;
    return { plan, columns, correlated };
  }
}

/** The source offset of an AST expression node, when it has one. */
function exprLocation(node: PgNode | undefined): number | undefined {
  if (!node) return undefined;
  const n = node[Object.keys(node)[0]];
  return typeof n?.location === 'number' ? n.location : undefined;
}

function containsMarker(e: Expr, lo: number, hi: number): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'col' && x.index >= lo && x.index < hi) found = true;
    return undefined;
  });
  return found;
}

function ordinal(columns: readonly Column[], node: PgNode): Expr {
  const n = node.A_Const.ival.ival ?? 0;
  if (n < 1 || n > columns.length)
    throw err('42P10', `ORDER BY position ${n} is not in select list`, node.A_Const.location);
  return { kind: 'col', index: n - 1, type: columns[n - 1].type };
}

function sortKey(sb: PgNode, expr: Expr): SortKey {
  if (sb.useOp) throw err(SqlState.featureNotSupported, 'ORDER BY USING is not supported');
  const desc = sb.sortby_dir === 'SORTBY_DESC';
  const nullsFirst =
    sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
  return { expr, desc, nullsFirst };
}

/** PostgreSQL's FigureColname: the output name of an unaliased select item. */
export function columnName(node: PgNode): string {
  const key = Object.keys(node)[0];
  const n = node[key];
  switch (key) {
    case 'ColumnRef': {
      const f = names(n.fields);
      return f[f.length - 1];
    }
    case 'FuncCall':
      return names(n.funcname).pop() ?? '?column?';
    case 'TypeCast': {
      const inner = columnName(n.arg);
      if (inner !== '?column?') return inner;
      const tn = names(n.typeName.names).pop() ?? '?column?';
      return tn;
    }
    case 'CaseExpr':
      return 'case';
    case 'GroupingFunc':
      return 'grouping';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return n.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SQLValueFunction':
      return String(n.op).replace('SVFOP_', '').toLowerCase();
    case 'SubLink':
      return n.subLinkType === 'EXISTS_SUBLINK' ? 'exists' : '?column?';
    case 'A_Expr':
      return n.kind === 'AEXPR_NULLIF' ? 'nullif' : '?column?';
  }
  return '?column?';
}

export type { BindContext, SqlType };
