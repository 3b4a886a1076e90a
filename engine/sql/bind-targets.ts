/**
 * @module engine/sql/bind-targets
 * A SELECT's select list: `*` / `t.*` expansion, output column names
 * (PostgreSQL's FigureColname) and resolving an alias or ordinal to a target,
 * as GROUP BY and ORDER BY need.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { names } from './bind-expr.ts';
import type { PgNode } from './parser.ts';
import type { Scope, ScopeColumn } from './scope.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** One output column of a select list. */
export interface Target {
  readonly name: string;
  readonly expr: Expr;
}

/**
 * Binds a select list with `*` expanded over the visible FROM columns.
 * `targetList` is the list after hidden-column extraction; `original` (the
 * statement's own list) gives unaliased items their names.
 */
export function bindTargets(
  targetList: readonly PgNode[],
  original: readonly PgNode[],
  scope: Scope,
  from: readonly ScopeColumn[],
  bindOut: (node: PgNode) => Expr,
): Target[] {
  const targets: Target[] = [];
  for (let ti = 0; ti < targetList.length; ti++) {
    const rt = targetList[ti].ResTarget;
    const fields = rt.val.ColumnRef?.fields;
    if (fields?.[fields.length - 1].A_Star) {
      const qual = fields.length > 1 ? names(fields)[0] : undefined;
      if (qual && !scope.hasQualifier(qual)) {
        // t.* of an enclosing query's table (a correlated or LATERAL subquery): its columns as
        // outer references, bound like `t.col` so the query is marked correlated.
        let outer = scope.parent;
        while (outer && !outer.hasQualifier(qual)) outer = outer.parent;
        if (!outer)
          throw err(SqlState.undefinedTable, `missing FROM-clause entry for table "${qual}"`, rt.location);
        for (const c of outer.columns) {
          if (c.qualifier !== qual) continue;
          const ref = {
            ColumnRef: {
              fields: [{ String: { sval: qual } }, { String: { sval: c.name } }],
              location: rt.location,
            },
          };
          targets.push({ name: c.name, expr: bindOut(ref) });
        }
        continue;
      }
      from.forEach((c, i) => {
        // t.* also takes t's columns a USING join merged away (hidden from a bare *).
        if (qual === undefined ? !c.hidden : c.qualifier === qual)
          targets.push({ name: c.name, expr: { kind: 'col', index: i, type: c.type } });
      });
      continue;
    }
    targets.push({ name: rt.name ?? columnName(original[ti].ResTarget.val), expr: bindOut(rt.val) });
  }
  return targets;
}

/** The target an ordinal or a bare output-column name refers to, or -1. */
export function targetIndex(targets: readonly Target[], node: PgNode): number {
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
