/**
 * @module engine/sql/bind-window
 * Binds `f(...) OVER (PARTITION BY ... ORDER BY ... ROWS ...)` into a WindowCall.
 * Frames: ROWS with offsets, RANGE only with UNBOUNDED/CURRENT ROW bounds
 * (peer rows), as PostgreSQL's defaults need.
 */
import { SqlError, SqlState } from '../errors.ts';
import { isAggregateName, makeAggCall } from '../functions/aggregate-types.ts';
import type { Expr, WindowCall, WindowFrame } from '../plan/nodes.ts';
import { commonType, pgTypeName, type SqlType } from '../types/values.ts';
import { bindExpr, bindSortKeys, coerce, type ExprBinder, WIN_BASE } from './bind-expr.ts';
import type { PgNode } from './parser.ts';

const RANKING = new Set([
  'row_number',
  'rank',
  'dense_rank',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'ntile',
  'percent_rank',
  'cume_dist',
]);

const F = {
  RANGE: 0x2,
  ROWS: 0x4,
  GROUPS: 0x8,
  START_UNBOUNDED_PRECEDING: 0x20,
  END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200,
  END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800,
  END_OFFSET_PRECEDING: 0x1000,
  START_OFFSET_FOLLOWING: 0x2000,
  END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE: 0x8000 | 0x10000 | 0x20000,
};

function offsetOf(node: PgNode | undefined, pos: number): number {
  const v = node?.A_Const?.ival?.ival ?? (node?.A_Const?.ival ? 0 : undefined);
  if (typeof v !== 'number' || v < 0)
    throw new SqlError(
      SqlState.featureNotSupported,
      'window frame offsets must be non-negative integer literals',
      pos + 1,
    );
  return v;
}

function frameOf(over: PgNode, hasOrder: boolean): WindowFrame {
  const o: number = over.frameOptions ?? 0;
  const pos: number = over.location ?? 0;
  if (!(o & 0x1)) {
    return hasOrder
      ? { mode: 'range', start: -Infinity, end: 0 }
      : { mode: 'rows', start: -Infinity, end: Infinity };
  }
  if (o & F.GROUPS || o & F.EXCLUDE)
    throw new SqlError(SqlState.featureNotSupported, 'GROUPS frames and EXCLUDE are not supported', pos + 1);
  const mode = o & F.ROWS ? 'rows' : 'range';
  let start = -Infinity;
  let end = 0;
  if (o & F.START_CURRENT_ROW) start = 0;
  else if (o & F.START_OFFSET_PRECEDING) start = -offsetOf(over.startOffset, pos);
  else if (o & F.START_OFFSET_FOLLOWING) start = offsetOf(over.startOffset, pos);
  if (o & F.END_UNBOUNDED_FOLLOWING) end = Infinity;
  else if (o & F.END_CURRENT_ROW) end = 0;
  else if (o & F.END_OFFSET_PRECEDING) end = -offsetOf(over.endOffset, pos);
  else if (o & F.END_OFFSET_FOLLOWING) end = offsetOf(over.endOffset, pos);
  if (mode === 'range' && ((Number.isFinite(start) && start !== 0) || (Number.isFinite(end) && end !== 0))) {
    throw new SqlError(SqlState.featureNotSupported, 'RANGE frames with offsets are not supported', pos + 1);
  }
  return { mode, start, end };
}

/** Binds a window function call; it stands in as a column at WIN_BASE + k. */
export function bindWindowCall(b: ExprBinder, n: PgNode, name: string): Expr {
  if (!b.windows) throw new SqlError('42P20', 'window functions are not allowed here', n.location + 1);
  const over = n.over;
  if (n.agg_filter || n.agg_order || n.agg_within_group) {
    throw new SqlError(
      SqlState.featureNotSupported,
      'FILTER, ORDER BY and WITHIN GROUP are not supported in window calls',
      n.location + 1,
    );
  }
  if (over.refname || over.name)
    throw new SqlError(SqlState.featureNotSupported, 'named windows are not supported', n.location + 1);
  const inner: ExprBinder = { ...b, windows: undefined };
  const args: Expr[] = (n.args ?? []).map((a: PgNode) => bindExpr(inner, a));
  const partition = (over.partitionClause ?? []).map((p: PgNode) => bindExpr(inner, p));
  const order = bindSortKeys(inner, over.orderClause);
  let type: SqlType;
  if (RANKING.has(name)) {
    if (name === 'percent_rank' || name === 'cume_dist') type = 'float64';
    else if (name === 'row_number' || name === 'rank' || name === 'dense_rank') type = 'int64';
    else if (name === 'ntile') type = 'int32';
    else if (name === 'lag' || name === 'lead') type = bindShift(name, args, n.location);
    else type = args[0]?.type === 'unknown' ? 'text' : args[0]?.type;
    if (type === undefined)
      throw new SqlError(SqlState.undefinedFunction, `function ${name}() does not exist`, n.location + 1);
  } else if (isAggregateName(name) || n.agg_star) {
    if (n.agg_distinct)
      throw new SqlError(
        SqlState.featureNotSupported,
        'DISTINCT is not implemented for window functions',
        n.location + 1,
      );
    type = makeAggCall(name, args, { distinct: false, star: n.agg_star === true, pos: n.location }).type;
  } else {
    throw new SqlError(
      SqlState.undefinedFunction,
      `function ${name} is not a window function`,
      n.location + 1,
    );
  }
  const call: WindowCall = {
    name: n.agg_star ? 'count_star' : name,
    args,
    partition,
    order,
    frame: frameOf(over, order.length > 0),
    type,
  };
  b.windows.push(call);
  return { kind: 'col', index: WIN_BASE + b.windows.length - 1, type };
}

/**
 * lag/lead(value anycompatible [, offset integer [, default anycompatible]]), as PostgreSQL
 * resolves them: value and default take their common type (lag(int, 1, 2.5) is numeric,
 * lag(float8, 1, -1.25) float8), the offset converts to integer implicitly; otherwise no
 * such function (42883). Coerces `args` in place; returns the result type.
 */
function bindShift(name: string, args: Expr[], location: number): SqlType {
  const missing = () =>
    new SqlError(
      SqlState.undefinedFunction,
      `function ${name}(${args.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      location + 1,
    );
  const offset = args[1]?.type;
  if (
    args.length === 0 ||
    args.length > 3 ||
    (offset !== undefined && commonType(offset, 'int32') !== 'int32')
  )
    throw missing();
  const type = commonType(args[0].type, args[2]?.type ?? 'unknown');
  if (type === undefined) throw missing();
  const result = type === 'unknown' ? 'text' : type;
  args[0] = coerce(args[0], result, false, location);
  if (args.length > 1) args[1] = coerce(args[1], 'int32', false, location);
  if (args.length > 2) args[2] = coerce(args[2], result, false, location);
  return result;
}
