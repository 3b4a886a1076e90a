/**
 * @module engine/sql/bind-window
 * Binds `f(...) OVER (PARTITION BY ... ORDER BY ... ROWS ...)` into a WindowCall.
 * Frames: ROWS and GROUPS with offsets, RANGE with UNBOUNDED/CURRENT ROW bounds
 * (peer rows) or with offsets over one numeric or date/time ORDER BY key (offsets
 * typed as PostgreSQL's in_range functions take them), each with EXCLUDE; named
 * windows (`WINDOW w AS (…)`) are resolved by bind-window-names before binding.
 */
import { SqlError, SqlState } from '../errors.ts';
import { isAggregateName, makeAggCall } from '../functions/aggregate-types.ts';
import { columnsUsed } from '../plan/expr-utils.ts';
import type { Expr, RangeBound, SortKey, WindowCall, WindowFrame } from '../plan/nodes.ts';
import {
  commonType,
  isFloatType,
  isIntegerType,
  isTimeType,
  pgTypeName,
  type SqlType,
} from '../types/values.ts';
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
  'nth_value',
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
  EXCLUDE_CURRENT_ROW: 0x8000,
  EXCLUDE_GROUP: 0x10000,
  EXCLUDE_TIES: 0x20000,
};

/** A ROWS/GROUPS offset: a non-negative integer literal (PostgreSQL also takes other constant expressions). */
function offsetOf(node: PgNode | undefined, pos: number, which: 'starting' | 'ending'): number {
  const c = node?.A_Const;
  const v = c?.ival ? (c.ival.ival ?? 0) : undefined;
  if (typeof v !== 'number')
    throw new SqlError(
      SqlState.featureNotSupported,
      'window frame offsets other than integer literals are not supported',
      pos + 1,
    );
  if (v < 0) throw new SqlError('22013', `frame ${which} offset must not be negative`);
  return v;
}

/**
 * The offset type of PostgreSQL's in_range for a sort key type, and the offset types it
 * takes implicitly; undefined when the type has none (0A000).
 */
function inRangeOffset(t: SqlType): { type: SqlType; accepts: (x: SqlType) => boolean } | undefined {
  if (isIntegerType(t)) return { type: 'int64', accepts: (x) => x === 'unknown' || isIntegerType(x) };
  if (isFloatType(t))
    return { type: 'float64', accepts: (x) => x === 'unknown' || commonType(x, 'float64') === 'float64' };
  if (t === 'numeric')
    return { type: 'numeric', accepts: (x) => x === 'unknown' || isIntegerType(x) || x === 'numeric' };
  if (isTimeType(t) || t === 'interval')
    return { type: 'interval', accepts: (x) => x === 'unknown' || x === 'interval' };
  return undefined;
}

/** A RANGE `offset PRECEDING|FOLLOWING` over the one ORDER BY key, bound and checked as PostgreSQL does. */
function rangeBound(
  b: ExprBinder,
  node: PgNode,
  order: readonly SortKey[],
  preceding: boolean,
  pos: number,
): RangeBound {
  if (order.length !== 1)
    throw new SqlError(
      SqlState.windowingError,
      'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column',
      pos + 1,
    );
  const keyType = order[0].expr.type;
  const e = bindExpr(b, node);
  if (columnsUsed(e).size > 0)
    throw new SqlError('42P10', 'argument of RANGE must not contain variables', pos + 1);
  const off = inRangeOffset(keyType);
  if (!off?.accepts(e.type))
    throw new SqlError(
      SqlState.featureNotSupported,
      `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${pgTypeName(keyType)}` +
        (off ? ` and offset type ${pgTypeName(e.type)}` : ''),
      pos + 1,
    );
  // Evaluated once per call (NULL is 22004 then, as in PostgreSQL's executor).
  return { offset: coerce(e, off.type, false, pos), preceding };
}

function frameOf(b: ExprBinder, over: PgNode, order: readonly SortKey[]): WindowFrame {
  const o: number = over.frameOptions ?? 0;
  const pos: number = over.location ?? 0;
  const orderKeys = order.length;
  if (!(o & 0x1)) {
    return orderKeys > 0
      ? { mode: 'range', start: -Infinity, end: 0 }
      : { mode: 'rows', start: -Infinity, end: Infinity };
  }
  const mode = o & F.ROWS ? 'rows' : o & F.GROUPS ? 'groups' : 'range';
  if (mode === 'groups' && orderKeys === 0)
    throw new SqlError(SqlState.windowingError, 'GROUPS mode requires an ORDER BY clause', pos + 1);
  // RANGE offsets are values of the sort key's in_range type (rangeBound), not row counts.
  const count = mode === 'range' ? () => 0 : offsetOf;
  let start = -Infinity;
  let end = 0;
  if (o & F.START_CURRENT_ROW) start = 0;
  else if (o & F.START_OFFSET_PRECEDING) start = -count(over.startOffset, pos, 'starting');
  else if (o & F.START_OFFSET_FOLLOWING) start = count(over.startOffset, pos, 'starting');
  if (o & F.END_UNBOUNDED_FOLLOWING) end = Infinity;
  else if (o & F.END_CURRENT_ROW) end = 0;
  else if (o & F.END_OFFSET_PRECEDING) end = -count(over.endOffset, pos, 'ending');
  else if (o & F.END_OFFSET_FOLLOWING) end = count(over.endOffset, pos, 'ending');
  const range: { rangeStart?: RangeBound; rangeEnd?: RangeBound } = {};
  if (mode === 'range' && o & (F.START_OFFSET_PRECEDING | F.START_OFFSET_FOLLOWING))
    range.rangeStart = rangeBound(b, over.startOffset, order, !!(o & F.START_OFFSET_PRECEDING), pos);
  if (mode === 'range' && o & (F.END_OFFSET_PRECEDING | F.END_OFFSET_FOLLOWING))
    range.rangeEnd = rangeBound(b, over.endOffset, order, !!(o & F.END_OFFSET_PRECEDING), pos);
  const exclude =
    o & F.EXCLUDE_CURRENT_ROW
      ? 'current'
      : o & F.EXCLUDE_GROUP
        ? 'group'
        : o & F.EXCLUDE_TIES
          ? 'ties'
          : undefined;
  return { mode, start, end, ...range, ...(exclude && { exclude }) };
}

/** Binds a window function call; it stands in as a column at WIN_BASE + k. */
export function bindWindowCall(b: ExprBinder, n: PgNode, name: string): Expr {
  if (!b.windows)
    throw new SqlError(SqlState.windowingError, 'window functions are not allowed here', n.location + 1);
  const over = n.over;
  if (n.agg_filter || n.agg_order || n.agg_within_group) {
    throw new SqlError(
      SqlState.featureNotSupported,
      'FILTER, ORDER BY and WITHIN GROUP are not supported in window calls',
      n.location + 1,
    );
  }
  const inner: ExprBinder = { ...b, windows: undefined };
  let args: Expr[] = (n.args ?? []).map((a: PgNode) => bindExpr(inner, a));
  const partition = (over.partitionClause ?? []).map((p: PgNode) => bindExpr(inner, p));
  const order = bindSortKeys(inner, over.orderClause);
  let type: SqlType;
  if (RANKING.has(name)) {
    if (name === 'percent_rank' || name === 'cume_dist') type = 'float64';
    else if (name === 'row_number' || name === 'rank' || name === 'dense_rank') type = 'int64';
    else if (name === 'ntile') type = 'int32';
    else if (name === 'lag' || name === 'lead') type = bindShift(name, args, n.location);
    else if (name === 'nth_value') type = bindNth(args, n.location);
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
    const agg = makeAggCall(name, args, { distinct: false, star: n.agg_star === true, pos: n.location });
    type = agg.type;
    args = [...agg.args];
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
    frame: frameOf(inner, over, order),
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

/** nth_value(value anyelement, n integer): the value's type; `n` converts to integer implicitly. */
function bindNth(args: Expr[], location: number): SqlType {
  if (args.length !== 2 || commonType(args[1].type, 'int32') !== 'int32')
    throw new SqlError(
      SqlState.undefinedFunction,
      `function nth_value(${args.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      location + 1,
    );
  args[1] = coerce(args[1], 'int32', false, location);
  return args[0].type === 'unknown' ? 'text' : args[0].type;
}
