/**
 * @module engine/sql/array-assign
 * `UPDATE … SET a[i] = v` on a one-dimensional array column: the new value is
 * the old array with element i replaced (past the end: padded with NULLs, as
 * PostgreSQL does). Arrays here always start at index 1, so an assignment that
 * would move the lower bound (i < 1, or i ≠ 1 into a NULL or empty array) is
 * refused with 0A000 rather than answered with a different array. Slices and
 * nested subscripts are refused too.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import type { ColumnDef } from '../storage/table-store.ts';
import { elemType, isArrayType } from '../types/values.ts';
import { bindExpr, coerce, type ExprBinder } from './bind-expr.ts';
import { assignTo, nodeLocation } from './coerce.ts';
import type { PgNode } from './parser.ts';

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

const lowerBound = () =>
  new SqlError(SqlState.featureNotSupported, 'array lower bounds other than 1 are not supported');

/** Replaces element `i` (1-based) of `arr`; pads with NULLs past the end. */
function setElement(arr: unknown, i: unknown, v: unknown): unknown[] {
  if (i === null) throw new SqlError('22004', 'array subscript in assignment must not be null');
  const k = Number(i);
  const a = (arr ?? []) as unknown[];
  if (k < 1 || (a.length === 0 && k !== 1)) throw lowerBound();
  const out = a.slice();
  while (out.length < k - 1) out.push(null);
  out[k - 1] = v;
  return out;
}

/**
 * The new value of `column` for a SET target with subscripts (`rt` is the ResTarget node);
 * `current` is the column's value before it (the column, or an earlier `a[j] = …` of the
 * same SET list: PostgreSQL applies those in order).
 */
export function bindElementAssignment(b: ExprBinder, rt: PgNode, column: ColumnDef, current: Expr): Expr {
  const ind = rt.indirection as PgNode[];
  const sub = ind[0]?.A_Indices;
  if (ind.length !== 1 || !sub || sub.is_slice || !isArrayType(column.type))
    throw err(
      SqlState.featureNotSupported,
      isArrayType(column.type)
        ? 'UPDATE of array slices is not supported'
        : 'UPDATE of subfields is not supported',
      rt.location,
    );
  const et = elemType(column.type);
  const i = coerce(bindExpr(b, sub.uidx), 'int32', false, nodeLocation(sub.uidx));
  const v = assignTo(bindExpr(b, rt.val), { name: column.name, type: et }, nodeLocation(rt.val));
  return {
    kind: 'call',
    name: 'array element assignment',
    args: [current, i, v],
    type: column.type,
    impl: { name: 'array element assignment', strict: false, fn: setElement },
  } as Expr;
}
