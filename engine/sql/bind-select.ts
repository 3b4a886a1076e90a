/**
 * @module engine/sql/bind-select
 * Binds SELECT (and VALUES, set operations, WITH) into a logical plan, in
 * PostgreSQL's clause order: FROM → WHERE → GROUP BY/aggregates → HAVING →
 * windows → select list → DISTINCT [ON] → ORDER BY → LIMIT/OFFSET.
 */
import { SqlError, SqlState } from '../errors.ts';
import { fingerprint } from '../plan/expr-utils.ts';
import type { AggCall, Column, Expr, Plan, WindowCall } from '../plan/nodes.ts';
import type { TableStore } from '../storage/table-store.ts';
import { pgTypeName, type SqlType } from '../types/values.ts';
import { bindAggregation } from './bind-aggregate.ts';
import { bindExpr, coerce, type ExprBinder, names, unifyTypes } from './bind-expr.ts';
import { bindFromList, checkAliasCount, type FromEnv } from './bind-from.ts';
import { expandGroupingSets, type GroupItem, groupingValues, hasGroupingSets } from './bind-grouping.ts';
import { bindDistinctOrder, bindLimit, type OrderRef, ordinal, outputRefs, sortKey } from './bind-order.ts';
import { bindRecursiveCte, countRefs } from './bind-recursive.ts';
import { extractSpecialCalls, hiddenColumns } from './bind-special.ts';
import { bindTargets, columnName, targetIndex } from './bind-targets.ts';
import { inlineNamedWindows } from './bind-window-names.ts';
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
      bindDetached: (stmt, sql) =>
        new SelectBinder(this.store, { ctes: new Map(), params: [], sql }).bindQuery(stmt),
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
    if (node.InsertStmt || node.UpdateStmt || node.DeleteStmt || node.MergeStmt)
      throw err(SqlState.featureNotSupported, 'data-modifying statements in WITH are not supported');
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
      checkAliasCount('WITH query', cte.ctename, q.columns.length, alias.length);
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
    let correlated = q.correlated;
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
      if (b.correlated) correlated = true;
    }
    plan = this.applyLimit(s, plan, outer, () => {
      correlated = true;
    });
    return { ...q, plan, correlated };
  }

  /** LIMIT/OFFSET; `onOuter` hears of a count that reads the enclosing query's row. */
  private applyLimit(s: PgNode, plan: Plan, outer: Scope | undefined, onOuter: () => void): Plan {
    let b: ExprBinder | undefined;
    const limited = bindLimit(s, plan, () => {
      b = this.makeBinder(new Scope([], outer));
      return b;
    });
    if (b?.correlated) onOuter();
    return limited;
  }

  private bindSimple(stmt: PgNode, outer?: Scope): BoundQuery {
    const s = inlineNamedWindows(stmt);
    const track = { correlated: false };
    const from = bindFromList(this.env(outer, track), s.fromClause);
    const aggs: AggCall[] = [];
    const windows: WindowCall[] = [];
    const special = hiddenColumns(s, from.scope, (cols) => ({
      ...this.makeBinder(new Scope(cols, outer)),
      aggs,
      windows,
    }));
    const { targetList, havingClause, sortClause, grpCalls, mark, nG } = special;
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
    const targets = bindTargets(targetList, s.targetList, scope, from.scope, bindOut);
    const targetFor = (node: PgNode): number => targetIndex(targets, node);
    // GROUP BY: input columns first, then output aliases and ordinals (PostgreSQL's rule).
    // An expression names the first select-list entry equal to it (PostgreSQL's SQL99 rule).
    const bindGroup = (g: PgNode): GroupItem => {
      const f = g.ColumnRef?.fields;
      const inInput = f && f.length === 1 && f[0].String && scope.find(undefined, f[0].String.sval) >= 0;
      const ti = inInput ? -1 : targetFor(g);
      if (ti >= 0) return { expr: targets[ti].expr, target: ti };
      const expr = bindExpr(plain, g);
      const fp = fingerprint(expr);
      const same = targets.findIndex((t) => fingerprint(t.expr) === fp);
      return same >= 0 ? { expr, target: same } : { expr };
    };
    let items: GroupItem[];
    let sets: number[][] | undefined;
    if (hasGroupingSets(s.groupClause))
      ({ groups: items, sets } = expandGroupingSets(s.groupClause, bindGroup, s.groupDistinct === true));
    else items = (s.groupClause ?? []).map(bindGroup);
    const groups = items.map((g) => g.expr);
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
    const { hidden, refFor } = outputRefs(targets, targetFor, bindOut);
    const orderRefs: OrderRef[] = [];
    for (const item of sortClause ?? []) orderRefs.push({ index: refFor(item.SortBy.node), sb: item.SortBy });
    const distinctOn: number[] = [];
    const distinct = s.distinctClause !== undefined;
    if (distinct && s.distinctClause.length > 0 && Object.keys(s.distinctClause[0]).length > 0) {
      for (const d of s.distinctClause) distinctOn.push(refFor(d));
    }
    const hasAgg = aggs.length > 0 || (s.groupClause ?? []).length > 0 || having !== undefined || nG > 0;
    const stages = bindAggregation({
      plan,
      from: from.scope,
      special,
      hasAgg,
      groups,
      sets,
      grouping,
      aggs,
      windows,
      having,
    });
    const rewrite = stages.rewrite;
    // A select-list entry that is a grouping column reads its own column: with grouping
    // sets, two entries of one expression may be grouped in different sets.
    const own = (i: number) => (hasAgg ? items.findIndex((g) => g.target === i) : -1);
    const outExprs = [
      ...targets.map((t, i): Expr => {
        const gi = own(i);
        return gi >= 0 ? { kind: 'col', index: gi, type: t.expr.type } : rewrite(t.expr);
      }),
      ...hidden.map(rewrite),
    ];
    const outSchema: Column[] = outExprs.map((e, i) => ({
      name: i < targets.length ? targets[i].name : `?hidden${i}`,
      type: e.type,
    }));
    plan = { kind: 'project', input: stages.plan, exprs: outExprs, schema: outSchema };
    plan = bindDistinctOrder(plan, outSchema, targets.length, orderRefs, distinct, distinctOn);
    plan = this.applyLimit(s, plan, outer, () => {
      track.correlated = true;
    });
    const columns = outSchema.slice(0, targets.length);
    if (hidden.length > 0) {
      const exprs: Expr[] = columns.map((c, i) => ({ kind: 'col', index: i, type: c.type }));
      plan = { kind: 'project', input: plan, exprs, schema: columns };
    }
    const correlated =
      track.correlated || plain.correlated === true || ab.correlated === true || special.correlated;
    return { plan, columns, correlated };
  }
}

export type { BindContext, SqlType };
export { columnName };
