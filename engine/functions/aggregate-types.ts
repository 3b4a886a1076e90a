/**
 * @module engine/functions/aggregate-types
 * Aggregate names and their PostgreSQL result types, resolved at bind time.
 */
import { SqlError, SqlState } from '../errors.ts';
import { fingerprint } from '../plan/expr-utils.ts';
import type { AggCall, Expr, SortKey } from '../plan/nodes.ts';
import { parseText } from '../types/cast.ts';
import {
  arrayOf,
  isArrayType,
  isFloatType,
  isIntegerType,
  pgTypeName,
  type SqlType,
} from '../types/values.ts';

const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'stddev_samp',
  'stddev_pop',
  'variance',
  'var_samp',
  'var_pop',
  'bool_and',
  'bool_or',
  'every',
  'string_agg',
  'array_agg',
]);

export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name);
}

function resultType(name: string, args: readonly Expr[], pos?: number): SqlType {
  const t = args[0]?.type ?? 'unknown';
  const bad = () =>
    new SqlError(
      SqlState.undefinedFunction,
      `function ${name}(${pgTypeName(t)}) does not exist`,
      pos === undefined ? undefined : pos + 1,
    );
  switch (name) {
    case 'count':
      return 'int64';
    case 'sum':
      if (t === 'int16' || t === 'int32') return 'int64';
      if (t === 'int64' || t === 'numeric') return 'numeric';
      if (isFloatType(t) || t === 'interval') return t;
      throw bad();
    case 'avg':
      if (isIntegerType(t) || t === 'numeric') return 'numeric';
      if (isFloatType(t)) return 'float64';
      if (t === 'interval') return 'interval';
      throw bad();
    case 'min':
    case 'max':
      if (t === 'unknown') return 'text';
      if (t === 'bool' || t === 'json') throw bad();
      return t;
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop':
      if (isFloatType(t)) return 'float64';
      if (isIntegerType(t) || t === 'numeric') return 'numeric';
      throw bad();
    case 'bool_and':
    case 'bool_or':
    case 'every':
      if (t !== 'bool') throw bad();
      return 'bool';
    case 'string_agg':
      return t === 'bytea' ? 'bytea' : 'text';
    case 'array_agg':
      if (isArrayType(t))
        throw new SqlError(
          SqlState.featureNotSupported,
          'array_agg over arrays (multidimensional) is not supported',
        );
      return arrayOf(t);
  }
  throw bad();
}

/** Builds an aggregate call with its result type; text arguments of string_agg are coerced by the caller. */
export function makeAggCall(
  name: string,
  args: Expr[],
  o: { distinct: boolean; star: boolean; filter?: Expr; orderBy?: SortKey[]; pos?: number },
): AggCall {
  if (name === 'every') name = 'bool_and';
  if (name === 'count' && o.star)
    return { name, args: [], distinct: false, star: true, filter: o.filter, type: 'int64' };
  const arity = name === 'string_agg' ? 2 : 1;
  if (args.length !== arity) {
    throw new SqlError(
      SqlState.undefinedFunction,
      `function ${name} takes ${arity} argument(s)`,
      o.pos === undefined ? undefined : o.pos + 1,
    );
  }
  if (name === 'array_agg' && args[0].type === 'unknown') {
    // PostgreSQL cannot pick between array_agg(anynonarray) and array_agg(anyarray) for an unknown literal.
    throw new SqlError(
      SqlState.ambiguousFunction,
      'function array_agg(unknown) is not unique',
      o.pos === undefined ? undefined : o.pos + 1,
    );
  }
  if (name === 'string_agg') args = stringAggArgs(args, o.pos);
  else if (args[0].type === 'unknown' && args[0].kind === 'const') {
    args = [{ ...args[0], type: 'text', value: args[0].value }, ...args.slice(1)];
  }
  // DISTINCT dedupes argument tuples; a sort key outside them would have no one value per tuple.
  if (o.distinct && o.orderBy?.length) {
    const argFps = args.map(fingerprint);
    if (o.orderBy.some((k) => !argFps.includes(fingerprint(k.expr))))
      throw new SqlError(
        SqlState.invalidColumnReference,
        'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list',
        o.pos === undefined ? undefined : o.pos + 1,
      );
  }
  const type = resultType(name, args, o.pos);
  return { name, args, distinct: o.distinct, star: false, filter: o.filter, orderBy: o.orderBy, type };
}

/**
 * string_agg has two forms, (text, text) and (bytea, bytea): both arguments of one of
 * them (untyped literals take the other's type, text when both are untyped); any other
 * pair is PostgreSQL's 42883, as no implicit cast reaches text or bytea.
 */
function stringAggArgs(args: Expr[], pos?: number): Expr[] {
  const types = args.map((a) => a.type);
  const t = types.includes('bytea') ? 'bytea' : 'text';
  if (!types.every((x) => x === t || x === 'unknown'))
    throw new SqlError(
      SqlState.undefinedFunction,
      `function string_agg(${types.map(pgTypeName).join(', ')}) does not exist`,
      pos === undefined ? undefined : pos + 1,
    );
  return args.map((a): Expr => {
    if (a.type !== 'unknown' || a.kind !== 'const') return a;
    const value = a.value === null ? null : parseText(String(a.value), t);
    return { kind: 'const', value, type: t };
  });
}
