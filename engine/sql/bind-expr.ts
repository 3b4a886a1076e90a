/**
 * @module engine/sql/bind-expr
 * Binds pg AST expressions into typed plan expressions: name resolution,
 * operator/function resolution, implicit coercion of untyped literals.
 *
 * Aggregate and window calls met while binding are appended to the binder's
 * lists and stand in as column references at AGG_BASE + k / WIN_BASE + k; the
 * SELECT binder later rewrites them to the aggregate/window node's outputs.
 */

import { SqlError, SqlState } from '../errors.ts';
import { isAggregateName, makeAggCall } from '../functions/aggregate-types.ts';
import { resolveBitNot, resolveNegate } from '../functions/operators.ts';
import { resolveFunction } from '../functions/scalar.ts';
import { outerReach, visitExpr } from '../plan/expr-utils.ts';
import type { AggCall, Expr, Plan, SortKey, WindowCall } from '../plan/nodes.ts';
import { parseText } from '../types/cast.ts';
import { commonType, isArrayType, pgTypeName, type SqlType } from '../types/values.ts';
import { bindAnyAll, bindArrayExpr, bindIndirection } from './bind-array.ts';
import { bindWindowCall } from './bind-window.ts';
import {
  applyTypmod,
  bindOperator,
  coerce,
  coerceWithTypmod,
  names,
  toBool,
  typeFromTypeName,
  typmodOf,
  unifyTypes,
} from './coerce.ts';
import type { PgNode } from './parser.ts';
import type { BindContext, Scope } from './scope.ts';
import { constructName } from './sql-names.ts';

// Re-exported: the DDL/DML binders use these with bindExpr.
export { applyTypmod, bindOperator, coerce, names, typeFromTypeName, typmodOf, unifyTypes };

export const AGG_BASE = 1_000_000;
export const WIN_BASE = 2_000_000;

/** State for binding expressions of one query level. */
export interface ExprBinder {
  readonly scope: Scope;
  readonly ctx: BindContext;
  /** Collected aggregate calls; undefined where aggregates are not allowed (WHERE, GROUP BY). */
  aggs?: AggCall[];
  windows?: WindowCall[];
  /** Set when an outer-scope column was referenced (correlated subquery). */
  correlated?: boolean;
  /** Binds a subquery in a child scope (supplied by the SELECT binder). */
  bindSubquery(stmt: PgNode, parent: Scope): { plan: Plan; types: SqlType[]; correlated: boolean };
}

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

function constOf(node: PgNode): Expr {
  const c = node.A_Const;
  if (c.isnull) return { kind: 'const', value: null, type: 'unknown' };
  if (c.ival !== undefined) return { kind: 'const', value: c.ival.ival ?? 0, type: 'int32' };
  if (c.fval !== undefined) {
    const s: string = c.fval.fval;
    if (/^[+-]?\d+$/.test(s)) {
      const b = BigInt(s);
      // PostgreSQL's make_const: an integral "float" literal that fits int4 is int4, else int8.
      if (b >= -2147483648n && b <= 2147483647n) return { kind: 'const', value: Number(b), type: 'int32' };
      if (b >= -9223372036854775808n && b <= 9223372036854775807n)
        return { kind: 'const', value: b, type: 'int64' };
    }
    return { kind: 'const', value: parseText(s, 'numeric'), type: 'numeric' };
  }
  if (c.sval !== undefined) return { kind: 'const', value: c.sval.sval ?? '', type: 'unknown' };
  if (c.boolval !== undefined) return { kind: 'const', value: c.boolval.boolval === true, type: 'bool' };
  if (c.bsval !== undefined)
    throw err(SqlState.featureNotSupported, 'bit strings are not supported', c.location);
  return { kind: 'const', value: null, type: 'unknown' };
}

/** Binds one expression node. */
export function bindExpr(b: ExprBinder, node: PgNode): Expr {
  const key = Object.keys(node)[0];
  const n = node[key];
  switch (key) {
    case 'ColumnRef':
      return bindColumnRef(b, n);
    case 'A_Const':
      return constOf(node);
    case 'ParamRef': {
      const idx = n.number - 1;
      return { kind: 'param', index: idx, type: b.ctx.params[idx] ?? 'unknown' };
    }
    case 'TypeCast': {
      const t = typeFromTypeName(n.typeName, true);
      const inner =
        n.arg.A_ArrayExpr && isArrayType(t)
          ? bindArrayExpr((x) => bindExpr(b, x), n.arg.A_ArrayExpr, t)
          : bindExpr(b, n.arg);
      return coerceWithTypmod(inner, t, typmodOf(n.typeName, t), n.location);
    }
    case 'BoolExpr': {
      const args: Expr[] = n.args.map((a: PgNode) => toBool(bindExpr(b, a), n.location));
      if (n.boolop === 'NOT_EXPR') return { kind: 'not', arg: args[0], type: 'bool' };
      const kind = n.boolop === 'AND_EXPR' ? 'and' : 'or';
      // One flat AND/OR (a BETWEEN is an AND of its own): the shape PostgreSQL's parser gives
      // `(a AND b) AND c`, so a bound condition rendered to SQL binds back to the same tree.
      return { kind, args: args.flatMap((a) => (a.kind === kind ? a.args : [a])), type: 'bool' };
    }
    case 'NullTest':
      return {
        kind: 'isnull',
        arg: bindExpr(b, n.arg),
        negate: n.nulltesttype === 'IS_NOT_NULL',
        type: 'bool',
      };
    case 'BooleanTest': {
      const arg = toBool(bindExpr(b, n.arg), n.location);
      const t: string = n.booltesttype;
      const value = t.includes('TRUE') ? true : t.includes('FALSE') ? false : null;
      return { kind: 'istrue', arg, value, negate: t.includes('NOT'), type: 'bool' };
    }
    case 'A_Expr':
      return bindAExpr(b, n);
    case 'CaseExpr':
      return bindCase(b, n);
    case 'CoalesceExpr': {
      const args = n.args.map((a: PgNode) => bindExpr(b, a));
      const t = unifyTypes(
        args.map((a: Expr) => a.type),
        n.location,
      );
      return { kind: 'coalesce', args: args.map((a: Expr) => coerce(a, t, false, n.location)), type: t };
    }
    case 'MinMaxExpr': {
      const args = n.args.map((a: PgNode) => bindExpr(b, a));
      const t = unifyTypes(
        args.map((a: Expr) => a.type),
        n.location,
      );
      return {
        kind: 'minmax',
        op: n.op === 'IS_GREATEST' ? 'greatest' : 'least',
        args: args.map((a: Expr) => coerce(a, t, false, n.location)),
        type: t,
      };
    }
    case 'NullIfExpr':
      break;
    case 'FuncCall':
      return bindFuncCall(b, n);
    case 'SQLValueFunction': {
      const op: string = n.op;
      if (op === 'SVFOP_CURRENT_TIMESTAMP' || op === 'SVFOP_LOCALTIMESTAMP' || op === 'SVFOP_CURRENT_DATE') {
        const r = resolveFunction('now', [])!;
        const e: Expr = { kind: 'call', name: 'now', args: [], type: r.type, impl: r.impl };
        if (op === 'SVFOP_CURRENT_DATE') return coerce(e, 'date', true);
        if (op === 'SVFOP_LOCALTIMESTAMP') return coerce(e, 'timestamp', true);
        return e;
      }
      break;
    }
    case 'SubLink':
      return bindSubLink(b, n);
    case 'A_ArrayExpr':
      return bindArrayExpr((x) => bindExpr(b, x), n);
    case 'A_Indirection':
      return bindIndirection((x) => bindExpr(b, x), n);
    case 'ResTarget':
      return bindExpr(b, n.val);
  }
  throw err(SqlState.featureNotSupported, `${constructName(key)} is not supported`, n?.location);
}

function bindColumnRef(b: ExprBinder, n: PgNode): Expr {
  const parts = names(n.fields);
  if (parts.includes('*')) throw err(SqlState.featureNotSupported, '* is not allowed here', n.location);
  const name = parts[parts.length - 1];
  const qual = parts.length > 1 ? parts[parts.length - 2] : undefined;
  let depth = 0;
  for (let s: Scope | undefined = b.scope; s; s = s.parent, depth++) {
    const idx = s.find(qual, name, n.location + 1);
    if (idx >= 0) {
      const type = s.columns[idx].type;
      if (depth === 0) return { kind: 'col', index: idx, type, name, pos: n.location };
      b.correlated = true;
      return { kind: 'outer', depth, index: idx, type };
    }
  }
  if (qual !== undefined && !b.scope.hasQualifier(qual)) {
    throw err(SqlState.undefinedTable, `missing FROM-clause entry for table "${qual}"`, n.location);
  }
  throw err(SqlState.undefinedColumn, `column "${parts.join('.')}" does not exist`, n.location);
}

function bindAExpr(b: ExprBinder, n: PgNode): Expr {
  const op = names(n.name)[0];
  const pos: number = n.location;
  switch (n.kind) {
    case 'AEXPR_OP': {
      if (!n.lexpr) {
        const r = bindExpr(b, n.rexpr);
        if (op === '+') return r;
        if (op === '~') {
          const not = resolveBitNot(r.type);
          if (!not)
            throw err(SqlState.undefinedFunction, `operator does not exist: ~ ${pgTypeName(r.type)}`, pos);
          return {
            kind: 'call',
            name: '~',
            args: [coerce(r, not.argTypes[0], true, pos)],
            type: not.type,
            impl: not.impl,
          };
        }
        if (op !== '-') break;
        if (r.kind === 'const' && r.type === 'unknown')
          return bindOperator('-', { kind: 'const', value: 0, type: 'int32' }, r, pos);
        const res = resolveNegate(r.type);
        if (!res)
          throw err(SqlState.undefinedFunction, `operator does not exist: - ${pgTypeName(r.type)}`, pos);
        if (r.kind === 'const' && r.value !== null)
          return { kind: 'const', value: res.impl.fn(r.value), type: res.type };
        return { kind: 'call', name: 'neg', args: [r], type: res.type, impl: res.impl };
      }
      return bindOperator(op, bindExpr(b, n.lexpr), bindExpr(b, n.rexpr), pos);
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return bindAnyAll((x) => bindExpr(b, x), n);
    case 'AEXPR_IN': {
      const arg = bindExpr(b, n.lexpr);
      const list = (n.rexpr.List?.items ?? n.rexpr) as PgNode[];
      const items = list.map((x: PgNode) => bindExpr(b, x));
      const t = unifyTypes([arg.type, ...items.map((x) => x.type)], pos);
      return {
        kind: 'in',
        arg: coerce(arg, t, false, pos),
        list: items.map((x) => coerce(x, t, false, pos)),
        negate: op === '<>',
        type: 'bool',
      };
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE': {
      // char(n) is matched with its padding (bpcharlike): not cast to text first.
      const left = bindExpr(b, n.lexpr);
      const l = left.type === 'bpchar' ? left : coerce(left, 'text', false, pos);
      const r = coerce(bindExpr(b, n.rexpr), 'text', false, pos);
      return bindOperator(op, l, r, pos);
    }
    case 'AEXPR_NULLIF': {
      const l = bindExpr(b, n.lexpr);
      const r = bindExpr(b, n.rexpr);
      const eq = bindOperator('=', l, r, pos);
      const t = l.type === 'unknown' ? 'text' : l.type;
      return {
        kind: 'case',
        whens: [{ when: eq, result: { kind: 'const', value: null, type: t } }],
        otherwise: coerce(l, t, false, pos),
        type: t,
      };
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const eq = bindOperator('=', bindExpr(b, n.lexpr), bindExpr(b, n.rexpr), pos) as Extract<
        Expr,
        { kind: 'call' }
      >;
      return {
        kind: 'distinctfrom',
        left: eq.args[0],
        right: eq.args[1],
        negate: n.kind === 'AEXPR_NOT_DISTINCT',
        type: 'bool',
      };
    }
    case 'AEXPR_SIMILAR': {
      // `x [NOT] SIMILAR TO p [ESCAPE e]` is `x ~ similar_to_escape(p [, e])` (`!~` for NOT).
      const l = coerce(bindExpr(b, n.lexpr), 'text', false, pos);
      return bindOperator(op, l, bindExpr(b, n.rexpr), pos);
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const x = bindExpr(b, n.lexpr);
      const [lo, hi] = n.rexpr.List.items.map((i: PgNode) => bindExpr(b, i));
      const both: Expr = {
        kind: 'and',
        args: [bindOperator('>=', x, lo, pos), bindOperator('<=', x, hi, pos)],
        type: 'bool',
      };
      return n.kind === 'AEXPR_BETWEEN' ? both : { kind: 'not', arg: both, type: 'bool' };
    }
  }
  throw err(SqlState.featureNotSupported, `${constructName(n.kind)} is not supported`, pos);
}

function bindCase(b: ExprBinder, n: PgNode): Expr {
  const operand = n.arg ? bindExpr(b, n.arg) : undefined;
  const whens = n.args.map((w: PgNode) => {
    const cw = w.CaseWhen;
    const cond = operand
      ? bindOperator('=', operand, bindExpr(b, cw.expr), cw.location)
      : toBool(bindExpr(b, cw.expr), cw.location);
    return { when: cond, result: bindExpr(b, cw.result) };
  });
  const otherwise = n.defresult ? bindExpr(b, n.defresult) : undefined;
  const t = unifyTypes(
    [...whens.map((w: { result: Expr }) => w.result.type), ...(otherwise ? [otherwise.type] : [])],
    n.location,
  );
  return {
    kind: 'case',
    whens: whens.map((w: { when: Expr; result: Expr }) => ({
      when: w.when,
      result: coerce(w.result, t, false, n.location),
    })),
    otherwise: otherwise ? coerce(otherwise, t, false, n.location) : undefined,
    type: t,
  };
}

function bindFuncCall(b: ExprBinder, n: PgNode): Expr {
  const fname = names(n.funcname);
  const name = fname[fname.length - 1].toLowerCase();
  // VARIADIC spreads an array over the variadic parameter; no built-in here takes one.
  if (n.func_variadic)
    throw err(SqlState.featureNotSupported, `VARIADIC arguments are not supported (${name})`, n.location);
  if (n.over) return bindWindowCall(b, n, name);
  if (isAggregateName(name) || n.agg_star) return bindAggregate(b, n, name);
  if (n.agg_distinct || n.agg_filter || n.agg_order)
    throw err(SqlState.featureNotSupported, `${name} is not an aggregate`, n.location);
  let args: Expr[] = bindCallArgs(b, name, n);
  if (name === 'nullif' && args.length === 2) {
    const eq = bindOperator('=', args[0], args[1], n.location);
    const t = args[0].type === 'unknown' ? 'text' : args[0].type;
    return {
      kind: 'case',
      whens: [{ when: eq, result: { kind: 'const', value: null, type: t } }],
      otherwise: coerce(args[0], t),
      type: t,
    };
  }
  if (name === 'extract' || name === 'date_part' || name === 'date_trunc')
    args = [coerce(args[0], 'text', true), ...args.slice(1)];
  const res = resolveFunction(
    name,
    args.map((a) => a.type),
  );
  if (!res) {
    // A view keeps its parse tree, not PostgreSQL's reverse-listed text: refused, not "does not exist".
    if (name === 'pg_get_viewdef')
      throw err(SqlState.featureNotSupported, 'function pg_get_viewdef is not supported', n.location);
    throw err(
      SqlState.undefinedFunction,
      `function ${name}(${args.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      n.location,
    );
  }
  // PostgreSQL resolves a function only through implicit casts of its arguments: length(integer),
  // upper(bytea) or substr(bytea …) as text do not exist.
  if (args.some((a, i) => !implicitlyCoercible(a.type, res.argTypes[i] ?? a.type)))
    throw err(
      SqlState.undefinedFunction,
      `function ${name}(${args.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      n.location,
    );
  const cargs = args.map((a, i) => coerce(a, res.argTypes[i] ?? a.type, true, n.location));
  return { kind: 'call', name, args: cargs, type: res.type, impl: res.impl };
}

/** Parameter names and defaults of the built-ins callable with named arguments (`name => value`). */
const NAMED_PARAMS: Record<string, { names: readonly string[]; defaults: readonly Expr[] }> = {
  make_interval: {
    names: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'],
    defaults: [0, 0, 0, 0, 0, 0]
      .map((v): Expr => ({ kind: 'const', value: v, type: 'int32' }))
      .concat({
        kind: 'const',
        value: 0,
        type: 'float64',
      }),
  },
};

/**
 * A call's arguments in parameter order: positional ones first, then named ones (`years => 2`,
 * `years := 2`) in their places, the rest from the defaults — PostgreSQL's rules for a function
 * declared with parameter names and defaults. A name the function lacks is 42883.
 */
function bindCallArgs(b: ExprBinder, name: string, n: PgNode): Expr[] {
  const raw: PgNode[] = n.args ?? [];
  const decl = NAMED_PARAMS[name];
  if (!decl) {
    if (raw.some((a) => a.NamedArgExpr))
      throw err(SqlState.undefinedFunction, `function ${name} has no named parameters`, n.location);
    return raw.map((a) => bindExpr(b, a));
  }
  const out: (Expr | undefined)[] = [];
  for (const a of raw) {
    if (!a.NamedArgExpr) {
      out.push(bindExpr(b, a));
      continue;
    }
    const i = decl.names.indexOf(a.NamedArgExpr.name);
    if (i < 0 || out[i] !== undefined)
      throw err(
        SqlState.undefinedFunction,
        `function ${name} has no parameter "${a.NamedArgExpr.name}" to name`,
        n.location,
      );
    out[i] = bindExpr(b, a.NamedArgExpr.arg);
  }
  return Array.from(
    { length: Math.max(decl.names.length, out.length) },
    (_, i) => out[i] ?? decl.defaults[i],
  );
}

/** Whether a value of type `from` reaches `to` by an implicit cast (an untyped literal reaches any). */
function implicitlyCoercible(from: SqlType, to: SqlType): boolean {
  return from === 'unknown' || to === 'unknown' || commonType(from, to) === to;
}

/** Sort keys of ORDER BY inside aggregates and windows (bound against the input scope). */
export function bindSortKeys(b: ExprBinder, items: PgNode[] | undefined): SortKey[] {
  return (items ?? []).map((s: PgNode) => {
    const sb = s.SortBy;
    const desc = sb.sortby_dir === 'SORTBY_DESC';
    const nf =
      sb.sortby_nulls === 'SORTBY_NULLS_FIRST'
        ? true
        : sb.sortby_nulls === 'SORTBY_NULLS_LAST'
          ? false
          : desc;
    if (sb.useOp) throw err(SqlState.featureNotSupported, 'ORDER BY USING is not supported', sb.location);
    return { expr: bindExpr(b, sb.node), desc, nullsFirst: nf };
  });
}

/**
 * PostgreSQL evaluates an aggregate at the level of the innermost query whose columns
 * its arguments (and FILTER) read: one reading only an enclosing query's columns is
 * that query's aggregate. Such outer-level aggregates are refused rather than computed
 * per inner row.
 */
function checkAggregateLevel(exprs: readonly Expr[], n: PgNode): void {
  let local = false;
  let outer = false;
  for (const e of exprs)
    visitExpr(e, (x) => {
      if (x.kind === 'col') local = true;
      else if (x.kind === 'outer') outer = true;
      else if (x.kind === 'subquery') {
        const reach = outerReach(x.plan);
        if (reach === 1) local = true;
        else if (reach > 1) outer = true;
      }
    });
  if (outer && !local)
    throw err(
      SqlState.featureNotSupported,
      "an aggregate over only an enclosing query's columns is not supported",
      n.location,
    );
}

function bindAggregate(b: ExprBinder, n: PgNode, name: string): Expr {
  if (!b.aggs) throw err(SqlState.groupingError, 'aggregate functions are not allowed here', n.location);
  const inner: ExprBinder = { ...b, aggs: undefined, windows: undefined };
  const args: Expr[] = (n.args ?? []).map((a: PgNode) => bindExpr(inner, a));
  const filter = n.agg_filter ? toBool(bindExpr(inner, n.agg_filter), n.location) : undefined;
  const orderBy = n.agg_order ? bindSortKeys(inner, n.agg_order) : undefined;
  if (inner.correlated) {
    b.correlated = true;
    checkAggregateLevel([...args, ...(filter ? [filter] : []), ...(orderBy ?? []).map((k) => k.expr)], n);
  }
  const call = makeAggCall(name, args, {
    distinct: n.agg_distinct === true,
    star: n.agg_star === true,
    filter,
    orderBy,
    pos: n.location,
  });
  b.aggs.push(call);
  return { kind: 'col', index: AGG_BASE + b.aggs.length - 1, type: call.type };
}

function bindSubLink(b: ExprBinder, n: PgNode): Expr {
  const sub = b.bindSubquery(n.subselect, b.scope);
  // A subquery that reaches past this query to an enclosing row makes this query correlated too.
  if (sub.correlated && outerReach(sub.plan) > 1) b.correlated = true;
  switch (n.subLinkType) {
    case 'EXISTS_SUBLINK':
      return {
        kind: 'subquery',
        mode: 'exists',
        plan: sub.plan,
        negate: false,
        correlated: sub.correlated,
        type: 'bool',
      };
    case 'EXPR_SUBLINK':
      if (sub.types.length !== 1) throw err('42601', 'subquery must return only one column', n.location);
      return {
        kind: 'subquery',
        mode: 'scalar',
        plan: sub.plan,
        negate: false,
        correlated: sub.correlated,
        type: sub.types[0],
      };
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      // x IN (subquery) is = ANY; x NOT IN (subquery) arrives as NOT (= ANY); <> ALL is NOT IN too.
      const op = n.operName ? names(n.operName)[0] : '=';
      const any = n.subLinkType === 'ANY_SUBLINK';
      if (!((any && op === '=') || (!any && op === '<>'))) {
        throw err(
          SqlState.featureNotSupported,
          `${op} ${any ? 'ANY' : 'ALL'} (subquery) is not supported`,
          n.location,
        );
      }
      if (sub.types.length !== 1) throw err('42601', 'subquery has too many columns', n.location);
      const arg = bindExpr(b, n.testexpr);
      const t = unifyTypes([arg.type, sub.types[0]], n.location);
      let plan = sub.plan;
      if (t !== sub.types[0]) {
        const col: Expr = { kind: 'col', index: 0, type: sub.types[0] };
        plan = {
          kind: 'project',
          input: plan,
          exprs: [coerce(col, t, false, n.location)],
          schema: [{ name: 'x', type: t }],
        };
      }
      const inExpr: Expr = {
        kind: 'subquery',
        mode: 'in',
        plan,
        arg: coerce(arg, t, false, n.location),
        negate: false,
        correlated: sub.correlated,
        type: 'bool',
      };
      return any ? inExpr : { kind: 'not', arg: inExpr, type: 'bool' };
    }
  }
  throw err(SqlState.featureNotSupported, `${constructName(n.subLinkType)} is not supported`, n.location);
}
