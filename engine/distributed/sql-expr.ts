/**
 * @module engine/distributed/sql-expr
 * Translates libpg-query expression ASTs into fragment expressions over one
 * table. Literals compared with a column are coerced to the column's type
 * (so `time >= '2024-01-01'` compares timestamps). Anything outside the
 * supported subset raises 0A000 instead of guessing.
 */
import { SqlError, SqlState } from '../errors.ts';
import { TIMESCALE_ORIGIN } from '../functions/datetime-functions.ts';
import { constructName, sqlTypeName } from '../sql/sql-names.ts';
import { declaredType, readsAsStored } from './column-types.ts';
import type { CmpOp, FExpr } from './fragment-expr.ts';
import {
  CoercionError,
  coerceValue,
  type DistColumn,
  type DistTable,
  type DistType,
} from './table-schema.ts';

const typeWords = (t: DistType | 'null' | 'bool') => (t === 'null' ? 'unknown' : sqlTypeName(t));

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Binding context: the table and the statement's parameters. */
export interface ExprScope {
  readonly table: DistTable;
  readonly params: readonly unknown[];
}

/** Raises 0A000 with a message naming the unsupported SQL construct (never a parser node). */
export function unsupported(what: string): never {
  throw new SqlError(SqlState.featureNotSupported, `${what} is not supported`);
}

const CMP: Record<string, CmpOp> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};
const UNITS_US: Record<string, number> = {
  microsecond: 1,
  microseconds: 1,
  us: 1,
  millisecond: 1e3,
  milliseconds: 1e3,
  ms: 1e3,
  second: 1e6,
  seconds: 1e6,
  sec: 1e6,
  secs: 1e6,
  s: 1e6,
  minute: 6e7,
  minutes: 6e7,
  min: 6e7,
  mins: 6e7,
  m: 6e7,
  hour: 3.6e9,
  hours: 3.6e9,
  h: 3.6e9,
  day: 8.64e10,
  days: 8.64e10,
  d: 8.64e10,
  week: 6.048e11,
  weeks: 6.048e11,
};

/** Parses a fixed-length interval ('1 day', '90 minutes', '1h') to µs; months/years are 0A000. */
export function parseIntervalUs(text: string): number {
  const re = /(-?\d+(?:\.\d+)?)\s*([a-z]+)/gi;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(re)) {
    const unit = UNITS_US[m[2].toLowerCase()];
    if (unit === undefined) unsupported(`interval unit "${m[2]}"`);
    total += Number(m[1]) * unit;
    matched += m[0];
  }
  if (matched.replace(/\s/g, '') !== text.replace(/\s/g, '') || total === 0) {
    throw new SqlError(SqlState.invalidDatetimeFormat, `invalid interval "${text}"`);
  }
  return Math.round(total);
}

/** The name of a type in a TypeName node, lower-case, without `pg_catalog.`. */
export function typeNameOf(tn: Node): string {
  const names = (tn.names as Node[]).map((n) => n.String.sval as string);
  return names[names.length - 1].toLowerCase();
}

/** Maps a PostgreSQL type name to a stored type (0A000 for the rest). */
export function distTypeOf(tn: Node): DistType {
  const t = typeNameOf(tn);
  if (tn.arrayBounds) unsupported('array types');
  switch (t) {
    case 'bool':
    case 'boolean':
      return 'bool';
    case 'int2':
    case 'int4':
    case 'int':
    case 'integer':
    case 'smallint':
      return 'int32';
    case 'int8':
    case 'bigint':
      return 'int64';
    case 'float4':
    case 'float8':
    case 'real':
    case 'double precision':
      return 'float64';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'char':
      return 'text';
    case 'timestamptz':
    case 'timestamp':
      return 'timestamptz';
    default:
      return unsupported(`column type ${t}`);
  }
}

/** Evaluates a constant-only node (literal, parameter, cast, unary minus) to a JS value. */
export function constValue(n: Node, scope: ExprScope): { v: unknown; type: DistType | 'null' | 'interval' } {
  if (n.A_Const) {
    const c = n.A_Const;
    if (c.isnull) return { v: null, type: 'null' };
    // PostgreSQL's literal types: integers are int4 when they fit (the parser's ival), else
    // int8; other numbers are numeric, which the fast path only compares (see `translateExpr`).
    if (c.ival) return { v: c.ival.ival ?? 0, type: 'int32' };
    if (c.fval) {
      const text = String(c.fval.fval);
      if (!/^[-+]?\d+$/.test(text)) return { v: Number(text), type: 'float64' };
      if (!Number.isSafeInteger(Number(text))) unsupported('integer constants beyond ±2^53 here');
      return { v: Number(text), type: 'int64' };
    }
    if (c.sval) return { v: c.sval.sval ?? '', type: 'text' };
    if (c.boolval) return { v: c.boolval.boolval === true, type: 'bool' };
  }
  if (n.ParamRef) {
    const i = n.ParamRef.number as number;
    if (i < 1 || i > scope.params.length) {
      throw new SqlError('42P02', `there is no parameter $${i}`);
    }
    const v = scope.params[i - 1];
    if (v === null) return { v: null, type: 'null' };
    // Typed as the engine types parameters (int4 when an integer fits, else float8).
    if (typeof v === 'number')
      return { v, type: Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 'int32' : 'float64' };
    if (typeof v === 'boolean') return { v, type: 'bool' };
    if (typeof v === 'string') return { v, type: 'text' };
    throw new SqlError(
      SqlState.datatypeMismatch,
      `parameter $${i} must be a string, number, boolean or null`,
    );
  }
  if (n.TypeCast) {
    const inner = constValue(n.TypeCast.arg, scope);
    const t = typeNameOf(n.TypeCast.typeName);
    if (t === 'interval') return { v: parseIntervalUs(String(inner.v)), type: 'interval' };
    return {
      v: coerceOrThrow(inner.v, distTypeOf(n.TypeCast.typeName)),
      type: distTypeOf(n.TypeCast.typeName),
    };
  }
  if (n.A_Expr?.kind === 'AEXPR_OP' && !n.A_Expr.lexpr && n.A_Expr.name[0].String.sval === '-') {
    const inner = constValue(n.A_Expr.rexpr, scope);
    if (typeof inner.v !== 'number')
      throw new SqlError(SqlState.datatypeMismatch, 'unary minus needs a number');
    return { v: -inner.v, type: inner.type };
  }
  return unsupported('this expression as a constant');
}

/** Coerces with a 22P02 SqlError on failure. */
export function coerceOrThrow(v: unknown, type: DistType): unknown {
  try {
    return coerceValue(v, type);
  } catch (e) {
    if (e instanceof CoercionError) throw new SqlError(SqlState.invalidTextRepresentation, e.message);
    throw e;
  }
}

/** A decimal literal (`2.5`, `-1e3`): numeric in PostgreSQL, not float8. */
function isNumericLiteral(n: Node): boolean {
  if (n.A_Const?.fval) return !/^[-+]?\d+$/.test(String(n.A_Const.fval.fval));
  const a = n.A_Expr;
  return a?.kind === 'AEXPR_OP' && !a.lexpr && a.name?.[0]?.String?.sval === '-' && isNumericLiteral(a.rexpr);
}

function isConstNode(n: Node): boolean {
  return Boolean(
    n.A_Const ||
      n.ParamRef ||
      (n.TypeCast && isConstNode(n.TypeCast.arg)) ||
      (n.A_Expr?.kind === 'AEXPR_OP' && !n.A_Expr.lexpr && isConstNode(n.A_Expr.rexpr)),
  );
}

/** Resolves a column reference by name to a `col` node (42703 when absent). */
export function columnRef(n: Node, scope: ExprScope): FExpr {
  const fields = n.ColumnRef.fields as Node[];
  const last = fields[fields.length - 1];
  if (last.A_Star) unsupported('* in this position');
  const name = last.String.sval as string;
  const col = scope.table.columns.find((c) => c.name === name);
  if (!col)
    throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`, n.ColumnRef.location + 1);
  return colExpr(col);
}

/** A column as a fast-path expression; a declared type other than its representation's is the engine's to read. */
export function colExpr(col: DistColumn): FExpr {
  if (!readsAsStored(col)) unsupported(`reading ${sqlTypeName(declaredType(col))} columns here`);
  return { k: 'col', id: col.id, type: col.type };
}

function typed(e: FExpr): DistType | 'null' {
  if (e.k === 'col' || e.k === 'const' || e.k === 'arith') return e.type;
  if (e.k === 'bucket') return 'timestamptz';
  return 'bool';
}

/** A constant node coerced to `target` (the type of the other side of a comparison). */
function constAs(n: Node, scope: ExprScope, target: DistType | 'null'): FExpr {
  const c = constValue(n, scope);
  if (c.type === 'interval') unsupported('interval values outside time_bucket');
  if (c.v === null) return { k: 'const', v: null, type: 'null' };
  if (target === 'null' || target === c.type) return { k: 'const', v: c.v, type: c.type as DistType };
  const numeric = (t: string) => t === 'int32' || t === 'int64' || t === 'float64';
  if (numeric(target) && numeric(c.type)) return { k: 'const', v: c.v, type: c.type as DistType };
  return { k: 'const', v: coerceOrThrow(c.v, target), type: target };
}

/** Translates an expression node. */
export function translateExpr(n: Node, scope: ExprScope): FExpr {
  if (n.ColumnRef) return columnRef(n, scope);
  // A numeric literal outside a comparison keeps numeric semantics only on the engine.
  if (isNumericLiteral(n)) unsupported('numeric constants in expressions');
  if (isConstNode(n)) return constAs(n, scope, 'null');
  if (n.BoolExpr) {
    const args = (n.BoolExpr.args as Node[]).map((a) => translateExpr(a, scope));
    if (n.BoolExpr.boolop === 'NOT_EXPR') return { k: 'not', arg: args[0] };
    return { k: n.BoolExpr.boolop === 'AND_EXPR' ? 'and' : 'or', args };
  }
  if (n.NullTest) {
    return {
      k: 'isnull',
      arg: translateExpr(n.NullTest.arg, scope),
      negated: n.NullTest.nulltesttype === 'IS_NOT_NULL',
    };
  }
  if (n.A_Expr) return translateAExpr(n.A_Expr, scope);
  if (n.FuncCall) {
    const name = (n.FuncCall.funcname as Node[]).map((x) => x.String.sval).join('.');
    if (name === 'time_bucket') {
      const args = n.FuncCall.args as Node[];
      if (args.length < 2)
        throw new SqlError(
          SqlState.undefinedFunction,
          'time_bucket(interval, timestamptz) needs 2 arguments',
        );
      const w = constValue(args[0], scope);
      const widthUs = w.type === 'interval' ? (w.v as number) : parseIntervalUs(String(w.v));
      const arg = translateExpr(args[1], scope);
      if (typed(arg) !== 'timestamptz')
        throw new SqlError(SqlState.datatypeMismatch, 'time_bucket expects a timestamp');
      if (!(widthUs > 0))
        throw new SqlError(SqlState.invalidParameterValue, 'time_bucket width must be positive');
      // TimescaleDB buckets from Monday 2000-01-03 unless an origin is given (3rd argument).
      let offsetUs = TIMESCALE_ORIGIN;
      if (args.length > 2) {
        if (!isConstNode(args[2])) return unsupported('time_bucket origin that is not a constant timestamp');
        const o = constAs(args[2], scope, 'timestamptz') as { v: unknown };
        if (typeof o.v !== 'number') return unsupported('time_bucket with a NULL origin');
        offsetUs = o.v;
      }
      return { k: 'bucket', widthUs, offsetUs, arg };
    }
    return unsupported(`function ${name}() here`);
  }
  return unsupported(constructName(Object.keys(n)[0]));
}

function translateAExpr(a: Node, scope: ExprScope): FExpr {
  const op = a.name?.[0]?.String?.sval as string;
  if (a.kind === 'AEXPR_IN') {
    const arg = translateExpr(a.lexpr, scope);
    const list = (a.rexpr.List.items as Node[]).map((x) => {
      if (!isConstNode(x)) unsupported('IN with non-constant items');
      return (constAs(x, scope, typed(arg)) as { v: unknown }).v;
    });
    return { k: 'in', arg, list, negated: op === '<>' };
  }
  if (a.kind === 'AEXPR_BETWEEN' || a.kind === 'AEXPR_NOT_BETWEEN') {
    const arg = translateExpr(a.lexpr, scope);
    const [lo, hi] = (a.rexpr.List.items as Node[]).map((x) => side(x, scope, typed(arg)));
    const e: FExpr = {
      k: 'and',
      args: [
        { k: 'cmp', op: '>=', l: arg, r: lo },
        { k: 'cmp', op: '<=', l: arg, r: hi },
      ],
    };
    return a.kind === 'AEXPR_BETWEEN' ? e : { k: 'not', arg: e };
  }
  if (a.kind !== 'AEXPR_OP') unsupported(constructName(a.kind));
  if (CMP[op]) {
    const lConst = isConstNode(a.lexpr);
    const l = lConst ? undefined : translateExpr(a.lexpr, scope);
    const r = side(a.rexpr, scope, l ? typed(l) : 'null');
    return { k: 'cmp', op: CMP[op], l: l ?? side(a.lexpr, scope, typed(r)), r };
  }
  if (['+', '-', '*', '/', '%'].includes(op)) {
    if (!a.lexpr)
      return translateExpr({ A_Expr: { ...a, lexpr: { A_Const: { ival: { ival: 0 } } } } }, scope);
    const l = translateExpr(a.lexpr, scope);
    const r = translateExpr(a.rexpr, scope);
    const lt = typed(l);
    const rt = typed(r);
    const num = (t: string) => t === 'int32' || t === 'int64' || t === 'float64' || t === 'null';
    if (!num(lt) || !num(rt)) unsupported(`operator ${op} on ${typeWords(lt)} and ${typeWords(rt)}`);
    const type: DistType =
      lt === 'float64' || rt === 'float64'
        ? 'float64'
        : lt === 'int32' && (rt === 'int32' || rt === 'null')
          ? 'int32'
          : 'int64';
    return { k: 'arith', op: op as '+', l, r, type };
  }
  return unsupported(`operator ${op}`);
}

function side(n: Node, scope: ExprScope, target: DistType | 'null'): FExpr {
  return isConstNode(n) ? constAs(n, scope, target) : translateExpr(n, scope);
}
