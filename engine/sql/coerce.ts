/**
 * @module engine/sql/coerce
 * Type resolution for the binder: type names and modifiers, implicit and
 * explicit coercion (untyped literals are parsed at bind time, with the
 * literal's position on error), operator binding and common-type selection.
 */
import { SqlError, SqlState } from '../errors.ts';
import { resolveOperator } from '../functions/operators.ts';
import type { Expr } from '../plan/nodes.ts';
import { castFn, parseText } from '../types/cast.ts';
import { readInterval } from '../types/interval-input.ts';
import { makeTypMod, type TypMod, typmodEnforcer } from '../types/typmod.ts';
import {
  arrayOf,
  columnTypeFromName,
  commonType,
  elemType,
  isArrayType,
  isNumericType,
  isTimeType,
  pgTypeName,
  type SqlType,
  type ValueType,
} from '../types/values.ts';
import type { PgNode } from './parser.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** Name of a `String` node list such as funcname or a type name. */
export function names(list: PgNode[] | undefined): string[] {
  return (list ?? []).map((n: PgNode) => n.String?.sval ?? (n.A_Star ? '*' : ''));
}

/**
 * Resolves a TypeName node to a type. Array types (`int[]`, `int[][]`, which
 * PostgreSQL treats alike) only where `allowArray` (casts, the engine's own table
 * columns); elsewhere (data-plane tables, whose shards store no arrays) 0A000.
 */
export function typeFromTypeName(tn: PgNode, allowArray = false): SqlType {
  if (tn.arrayBounds) {
    if (!allowArray)
      throw err(
        SqlState.featureNotSupported,
        'array columns are not supported in data-plane tables',
        tn.location,
      );
    const el = typeFromTypeName({ ...tn, arrayBounds: undefined });
    return arrayOf(el);
  }
  const n = names(tn.names);
  const last = n[n.length - 1];
  // `char(n)` arrives as pg_catalog.bpchar; an unqualified `char` was written "char": the one-byte type.
  if (last === 'char' && n.length === 1)
    throw err(SqlState.featureNotSupported, 'type "char" is not supported', tn.location);
  const t = columnTypeFromName(last);
  if (!t) {
    // A type PostgreSQL has but the engine does not: refused (0A000), not "does not exist".
    if (UNIMPLEMENTED_TYPES.has(last))
      throw err(SqlState.featureNotSupported, `type ${last} is not supported`, tn.location);
    throw err('42704', `type "${n.join('.')}" does not exist`, tn.location);
  }
  return t;
}

/** PostgreSQL's built-in types the engine has no implementation of (yet). */
const UNIMPLEMENTED_TYPES = new Set([
  'timetz',
  'money',
  'bit',
  'varbit',
  'point',
  'line',
  'lseg',
  'box',
  'path',
  'polygon',
  'circle',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'xml',
  'tsvector',
  'tsquery',
  'jsonpath',
  'oid',
  'regclass',
  'regproc',
  'regprocedure',
  'regtype',
  'pg_lsn',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'int4multirange',
  'int8multirange',
  'nummultirange',
  'tsmultirange',
  'tstzmultirange',
  'datemultirange',
]);

/** The type modifier of a TypeName (numeric(p,s), varchar(n), timestamp(p)), if any. */
export function typmodOf(tn: PgNode, type: SqlType): TypMod | undefined {
  const mods = (tn.typmods ?? []).map((m: PgNode) => {
    const v = m.A_Const?.ival?.ival ?? (m.A_Const?.ival ? 0 : undefined);
    if (typeof v !== 'number')
      throw err(SqlState.syntaxError, 'type modifiers must be simple constants', tn.location);
    return v;
  });
  const n = names(tn.names);
  return makeTypMod(type, n[n.length - 1], mods);
}

/**
 * Coerces `e` to `target` and applies the typmod. An untyped interval literal is read with the
 * typmod's field range, as PostgreSQL passes it to interval_in: `interval '1' year` is one year.
 */
export function coerceWithTypmod(e: Expr, target: SqlType, tm: TypMod | undefined, pos?: number): Expr {
  if (tm?.kind === 'interval' && e.kind === 'const' && e.type === 'unknown' && e.value !== null) {
    const value = wrapPos(() => readInterval(String(e.value), tm.range), pos);
    return applyTypmod({ kind: 'const', value, type: target }, tm, true);
  }
  return applyTypmod(coerce(e, target, true, pos), tm, true);
}

/** Wraps `e` so its value satisfies the typmod (explicit cast or assignment semantics). */
export function applyTypmod(e: Expr, tm: TypMod | undefined, explicit: boolean): Expr {
  if (!tm) return e;
  const fn = typmodEnforcer(tm, explicit);
  if (e.kind === 'const') return e.value === null ? e : { ...e, value: fn(e.value) };
  return {
    kind: 'call',
    name: 'typmod',
    args: [e],
    type: e.type,
    impl: { name: 'typmod', strict: true, fn },
    typmod: { mod: tm, explicit },
  };
}

/** Coerces an expression to `target`: folds untyped literals, otherwise wraps a cast. */
export function coerce(e: Expr, target: SqlType, explicit = false, pos?: number): Expr {
  if (e.type === target || target === 'unknown') return e;
  if (e.kind === 'const') {
    if (e.value === null) return { kind: 'const', value: null, type: target };
    if (e.type === 'unknown')
      return { kind: 'const', value: wrapPos(() => parseText(String(e.value), target), pos), type: target };
  }
  if (!explicit && e.type !== 'unknown' && commonType(e.type, target) !== target) {
    throw err(
      SqlState.datatypeMismatch,
      `cannot convert ${pgTypeName(e.type)} to ${pgTypeName(target)} implicitly`,
      pos,
    );
  }
  const fn = castFn(e.type, target as ValueType);
  if (e.kind === 'const') return { kind: 'const', value: wrapPos(() => fn(e.value), pos), type: target };
  return {
    kind: 'call',
    name: `::${target}`,
    args: [e],
    type: target,
    impl: { name: `::${pgTypeName(target)}`, strict: true, fn },
  };
}

/**
 * Whether PostgreSQL assigns a `from` value to a `to` column (an implicit or assignment cast):
 * numbers to any number, date/time types among themselves, anything to text (I/O conversion),
 * untyped literals to anything; not integer to boolean, text to a number, and the like.
 */
export function assignable(from: SqlType, to: SqlType): boolean {
  // I/O conversion to a string type is an assignment cast in PostgreSQL.
  if (from === to || from === 'unknown' || to === 'text' || to === 'bpchar') return true;
  // timestamp, timestamptz and interval store into time (assignment casts); time into interval.
  if (to === 'time') return from === 'timestamp' || from === 'timestamptz' || from === 'interval';
  if (from === 'time' && to === 'interval') return true;
  if (isNumericType(from) && isNumericType(to)) return true;
  if (isTimeType(from) && isTimeType(to)) return true;
  if (isArrayType(from) && isArrayType(to)) return assignable(elemType(from), elemType(to));
  return commonType(from, to) === to;
}

/** The parse location of an expression node (its own, as the parser recorded it), or undefined. */
export function nodeLocation(n: PgNode): number | undefined {
  const inner = n && typeof n === 'object' ? Object.values(n)[0] : undefined;
  const loc = (inner as { location?: unknown } | undefined)?.location;
  return typeof loc === 'number' ? loc : undefined;
}

/** Coerces `e` for storing into `column` with assignment semantics (42804 when PostgreSQL has no such cast). */
export function assignTo(e: Expr, column: AssignTarget, pos?: number): Expr {
  checkAssignable(e.type, column, pos);
  // An interval literal is read with the column's field range (PostgreSQL's coerce_type passes
  // an interval column's typmod to interval_in): '5' into `interval minute` is 5 minutes.
  if (column.typmod?.kind === 'interval') return coerceWithTypmod(e, column.type, column.typmod, pos);
  return coerce(e, column.type, true, pos);
}

type AssignTarget = { readonly name: string; readonly type: SqlType; readonly typmod?: TypMod };

/** 42804 unless a `from` value may be stored into `column` (see `assignable`). */
export function checkAssignable(from: SqlType, column: AssignTarget, pos?: number): void {
  if (!assignable(from, column.type))
    throw err(
      SqlState.datatypeMismatch,
      `column "${column.name}" is of type ${pgTypeName(column.type)} but expression is of type ${pgTypeName(from)}`,
      pos,
    );
}

function wrapPos<T>(f: () => T, pos?: number): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined && pos !== undefined && pos >= 0) {
      throw new SqlError(e.code, e.message, pos + 1);
    }
    throw e;
  }
}

/** Binds an operator call by name with implicit coercion of its operands. */
export function bindOperator(op: string, l: Expr, r: Expr, pos?: number): Expr {
  const res = resolveOperator(op, l.type, r.type);
  if (!res) {
    throw err(
      SqlState.undefinedFunction,
      `operator does not exist: ${pgTypeName(l.type)} ${op} ${pgTypeName(r.type)}`,
      pos,
    );
  }
  const args = [coerce(l, res.argTypes[0], true, pos), coerce(r, res.argTypes[1], true, pos)];
  return { kind: 'call', name: op, args, type: res.type, impl: res.impl };
}

export function toBool(e: Expr, pos?: number): Expr {
  if (e.type === 'bool') return e;
  if (e.type === 'unknown') return coerce(e, 'bool', false, pos);
  throw err(SqlState.datatypeMismatch, `argument must be type boolean, not type ${pgTypeName(e.type)}`, pos);
}

/** Finds one type for a list of expressions (CASE, COALESCE, IN, UNION), as PostgreSQL's select_common_type. */
export function unifyTypes(types: readonly SqlType[], pos?: number): SqlType {
  let t: SqlType = 'unknown';
  for (const x of types) {
    const c = commonType(t, x);
    if (c === undefined)
      throw err(
        SqlState.datatypeMismatch,
        `types ${pgTypeName(t)} and ${pgTypeName(x)} cannot be matched`,
        pos,
      );
    t = c;
  }
  return t === 'unknown' ? 'text' : t;
}
