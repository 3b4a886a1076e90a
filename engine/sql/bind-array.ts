/**
 * @module engine/sql/bind-array
 * Binds the array forms of the grammar: `ARRAY[…]` constructors (optionally
 * under a cast, which types an empty `ARRAY[]`), subscripts `a[i]` and slices
 * `a[lo:hi]`, and `x op ANY|ALL (array)`. Everything becomes an ordinary
 * `call` expression whose implementation lives in functions/array-functions.
 */
import { SqlError, SqlState } from '../errors.ts';
import { anyAllImpl, arrayConstructor, sliceImpl, subscriptImpl } from '../functions/array-functions.ts';
import { resolveOperator } from '../functions/operators.ts';
import type { Expr } from '../plan/nodes.ts';
import {
  type ArrayType,
  arrayOf,
  elemType,
  isArrayType,
  isNumericType,
  pgTypeName,
  type SqlType,
} from '../types/values.ts';
import { coerce, names, unifyTypes } from './coerce.ts';
import type { PgNode } from './parser.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

type Bind = (node: PgNode) => Expr;

/** ARRAY[e1, …]; `target` (from an enclosing cast) types the elements, and is required for ARRAY[]. */
export function bindArrayExpr(bind: Bind, n: PgNode, target?: ArrayType): Expr {
  const nodes: PgNode[] = n.elements ?? [];
  if (nodes.some((x) => x.A_ArrayExpr))
    throw err(SqlState.featureNotSupported, 'multidimensional arrays are not supported', n.location);
  const els = nodes.map(bind);
  const nested = els.find((e) => isArrayType(e.type));
  if (nested)
    throw err(SqlState.featureNotSupported, 'multidimensional arrays are not supported', n.location);
  let et: SqlType;
  if (target) et = elemType(target);
  else if (els.length === 0) throw err('42P18', 'cannot determine type of empty array', n.location);
  else
    et = unifyTypes(
      els.map((e) => e.type),
      n.location,
    );
  const typed = els.map((e) => coerce(e, et, target !== undefined, n.location));
  const type = arrayOf(et);
  if (typed.every((e) => e.kind === 'const'))
    return { kind: 'const', value: typed.map((e) => (e as { value: unknown }).value), type };
  return { kind: 'call', name: 'array', args: typed, type, impl: arrayConstructor };
}

function subscriptIndex(bind: Bind, node: PgNode, pos: number): Expr {
  const e = bind(node);
  if (e.type !== 'unknown' && !isNumericType(e.type))
    throw err(SqlState.datatypeMismatch, `array subscript must have type integer`, pos);
  return coerce(e, 'int32', true, pos);
}

/** `arg[i]`, `arg[lo:hi]` (bounds optional). Only one subscript on a one-dimensional array. */
export function bindIndirection(bind: Bind, n: PgNode): Expr {
  let arg = bind(n.arg);
  const pos = n.arg?.ColumnRef?.location ?? n.location ?? -1;
  const ind: PgNode[] = n.indirection;
  if (ind.length !== 1 || !ind[0].A_Indices)
    throw err(
      SqlState.featureNotSupported,
      ind.some((x) => !x.A_Indices)
        ? 'field selection is not supported'
        : 'multidimensional subscripts are not supported',
      pos,
    );
  if (arg.type === 'unknown') arg = coerce(arg, 'text', false, pos);
  if (!isArrayType(arg.type))
    throw err(
      SqlState.datatypeMismatch,
      `cannot subscript type ${pgTypeName(arg.type)} because it does not support subscripting`,
      pos,
    );
  const ix = ind[0].A_Indices;
  if (!ix.is_slice) {
    const i = subscriptIndex(bind, ix.uidx, pos);
    return { kind: 'call', name: 'subscript', args: [arg, i], type: elemType(arg.type), impl: subscriptImpl };
  }
  const bounds = [ix.lidx, ix.uidx].filter(Boolean).map((b: PgNode) => subscriptIndex(bind, b, pos));
  return {
    kind: 'call',
    name: 'slice',
    args: [arg, ...bounds],
    type: arg.type,
    impl: sliceImpl(ix.lidx !== undefined, ix.uidx !== undefined),
  };
}

/** `x op ANY (array)` / `x op ALL (array)` for an array expression (not a subquery). */
export function bindAnyAll(bind: Bind, n: PgNode): Expr {
  const op = names(n.name)[0];
  const pos: number = n.location;
  const useOr = n.kind === 'AEXPR_OP_ANY';
  let x = bind(n.lexpr);
  let arr = n.rexpr.A_ArrayExpr ? bindArrayExpr(bind, n.rexpr.A_ArrayExpr) : bind(n.rexpr);
  if (arr.type === 'unknown') arr = coerce(arr, arrayOf(x.type === 'unknown' ? 'text' : x.type), false, pos);
  if (!isArrayType(arr.type)) throw err('42809', 'op ANY/ALL (array) requires array on right side', pos);
  const res = resolveOperator(op, x.type, elemType(arr.type));
  if (res?.type !== 'bool') {
    throw err(
      SqlState.undefinedFunction,
      `operator does not exist: ${pgTypeName(x.type)} ${op} ${pgTypeName(elemType(arr.type))}`,
      pos,
    );
  }
  x = coerce(x, res.argTypes[0], true, pos);
  arr = coerce(arr, arrayOf(res.argTypes[1]), true, pos);
  return {
    kind: 'call',
    name: useOr ? 'any' : 'all',
    args: [x, arr],
    type: 'bool',
    impl: anyAllImpl(res.impl, useOr),
  };
}
