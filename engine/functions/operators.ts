/**
 * @module engine/functions/operators
 * Operator resolution: arithmetic (integer overflow → 22003, division by zero →
 * 22012), comparison, concatenation, LIKE/ILIKE, and date/time arithmetic. Each
 * resolver runs once at bind time and returns a closure over non-null values.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { checkInt, checkInt64, formatText } from '../types/cast.ts';
import {
  addInterval,
  checkInterval,
  checkTimestamp,
  MICROS_PER_DAY,
  timestampDiff,
} from '../types/datetime.ts';
import { addIntervalTz } from '../types/datetime-session.ts';
import {
  decAdd,
  decDiv,
  decimalToString,
  decMod,
  decMulOperator,
  decSub,
  numericSpecialArith,
  parseDecimal,
} from '../types/numeric.ts';
import { addTimeInterval } from '../types/time-of-day.ts';
import {
  commonType,
  comparatorFor,
  isArrayType,
  isFloatType,
  isIntegerType,
  isNumericType,
  type SqlType,
} from '../types/values.ts';
import type { Interval } from '../vector.ts';
import { resolveArrayOperator } from './array-functions.ts';
import { resolveByteaConcat } from './bytea-functions.ts';
import { intervalDiv, intervalMul, negateInterval } from './interval-arith.ts';
import { compileLike, type LikePattern, likeMatches } from './like-match.ts';
import { resolveNumericPowerOperator } from './numeric-functions.ts';
import { resolveRegexOperator } from './regex-functions.ts';

/** Text-like operands of the text operators (an untyped literal is text). */
const textual = (t: SqlType) => t === 'text' || t === 'unknown' || t === 'bpchar';

/** The result of resolving an operator or function for given argument types. */
export interface Resolved {
  readonly impl: ScalarImpl;
  readonly type: SqlType;
  /** Types the arguments must be cast to first (same length as the arguments). */
  readonly argTypes: readonly SqlType[];
}

const impl = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

const divZero = () => new SqlError(SqlState.divisionByZero, 'division by zero');

/**
 * PostgreSQL's float overflow / underflow checks on one result: an infinite
 * result of finite inputs is 22003; so is a zero from non-zero factors
 * (`underflow` says when that applies to the operator).
 */
function floatCheck(r: number, x: number, y: number, t: SqlType, underflow = false): number {
  const v = t === 'float32' ? Math.fround(r) : r;
  if (!Number.isFinite(v) && Number.isFinite(x) && Number.isFinite(y)) {
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  }
  if (underflow && v === 0 && x !== 0 && Number.isFinite(y) && (y !== 0 || Number.isNaN(y)))
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return v;
}

/**
 * float8 ^ float8 with PostgreSQL's dpow rules: 1 ^ anything and anything ^ 0
 * are 1 (even NaN); a negative base to a non-integer power is 2201F; zero to a
 * negative power is 2201F; overflow and underflow are 22003.
 */
export function floatPower(x: number, y: number): number {
  if (Number.isNaN(x)) return y === 0 ? 1 : x;
  if (Number.isNaN(y)) return x === 1 ? 1 : y;
  if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && Number.isFinite(y) && !Number.isInteger(y))
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  let r: number;
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) r = 1;
    else r = ax > 1 === y > 0 ? Number.POSITIVE_INFINITY : 0;
  } else r = x ** y;
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y))
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (r === 0 && x !== 0 && Number.isFinite(x) && Number.isFinite(y))
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return r;
}

/** Integer bitwise operators of PostgreSQL (&, |, #, <<, >>) on int2 / int4 / int8. */
function bitwise(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  if (!isIntegerType(a) || !isIntegerType(b)) return undefined;
  if (op === '<<' || op === '>>') {
    // The shift count is an int4; like C on the machine, only its low bits count.
    if (b === 'int64') return undefined;
    if (a === 'int64') {
      const f =
        op === '<<'
          ? (x: bigint, y: number) => BigInt.asIntN(64, x << BigInt(y & 63))
          : (x: bigint, y: number) => x >> BigInt(y & 63);
      return { impl: impl(op, f), type: a, argTypes: [a, 'int32'] };
    }
    const f =
      a === 'int16'
        ? op === '<<'
          ? (x: number, y: number) => ((x << y) << 16) >> 16
          : (x: number, y: number) => x >> (y & 31)
        : op === '<<'
          ? (x: number, y: number) => x << y
          : (x: number, y: number) => x >> y;
    return { impl: impl(op, f), type: a, argTypes: [a, 'int32'] };
  }
  const t = commonType(a, b) as SqlType;
  if (t === 'int64') {
    const f =
      op === '&'
        ? (x: bigint, y: bigint) => x & y
        : op === '|'
          ? (x: bigint, y: bigint) => x | y
          : (x: bigint, y: bigint) => x ^ y;
    return { impl: impl(op, f), type: t, argTypes: [t, t] };
  }
  const f =
    op === '&'
      ? (x: number, y: number) => x & y
      : op === '|'
        ? (x: number, y: number) => x | y
        : (x: number, y: number) => x ^ y;
  return { impl: impl(op, f), type: t, argTypes: [t, t] };
}

function arith(op: string, t: SqlType): ScalarImpl | undefined {
  if (t === 'int16' || t === 'int32') {
    switch (op) {
      case '+':
        return impl(op, (x: number, y: number) => checkInt(t, x + y));
      case '-':
        return impl(op, (x: number, y: number) => checkInt(t, x - y));
      case '*':
        return impl(op, (x: number, y: number) => checkInt(t, Number(BigInt(x) * BigInt(y))));
      case '/':
        return impl(op, (x: number, y: number) => {
          if (y === 0) throw divZero();
          return checkInt(t, Math.trunc(x / y));
        });
      case '%':
        return impl(op, (x: number, y: number) => {
          if (y === 0) throw divZero();
          return x % y === 0 ? 0 : x % y;
        });
    }
  }
  if (t === 'int64') {
    switch (op) {
      case '+':
        return impl(op, (x: bigint, y: bigint) => checkInt64(x + y));
      case '-':
        return impl(op, (x: bigint, y: bigint) => checkInt64(x - y));
      case '*':
        return impl(op, (x: bigint, y: bigint) => checkInt64(x * y));
      case '/':
        return impl(op, (x: bigint, y: bigint) => {
          if (y === 0n) throw divZero();
          return checkInt64(x / y);
        });
      case '%':
        return impl(op, (x: bigint, y: bigint) => {
          if (y === 0n) throw divZero();
          return x % y;
        });
    }
  }
  if (isFloatType(t)) {
    switch (op) {
      case '+':
        return impl(op, (x: number, y: number) => floatCheck(x + y, x, y, t));
      case '-':
        return impl(op, (x: number, y: number) => floatCheck(x - y, x, y, t));
      case '*':
        return impl(op, (x: number, y: number) => floatCheck(x * y, x, y, t, y !== 0));
      case '/':
        return impl(op, (x: number, y: number) => {
          if (y === 0 && !Number.isNaN(x)) throw divZero();
          return floatCheck(x / y, x, y, t, true);
        });
    }
  }
  if (t === 'numeric') {
    const wrap = (
      f: (
        a: ReturnType<typeof parseDecimal>,
        b: ReturnType<typeof parseDecimal>,
      ) => ReturnType<typeof parseDecimal>,
    ) =>
      impl(
        op,
        (x: string, y: string) =>
          numericSpecialArith(op, x, y) ?? decimalToString(f(parseDecimal(x), parseDecimal(y))),
      );
    switch (op) {
      case '+':
        return wrap(decAdd);
      case '-':
        return wrap(decSub);
      case '*':
        return wrap(decMulOperator);
      case '/':
        return wrap(decDiv);
      case '%':
        return wrap(decMod);
    }
  }
  return undefined;
}

/** Interval ± interval; infinity − infinity and field overflows are 22008. */
const ivAdd = (a: Interval, b: Interval, s: number): Interval =>
  checkInterval({
    months: a.months + s * b.months,
    days: a.days + s * b.days,
    micros: a.micros + s * b.micros,
  });

/** Arithmetic with `time` operands: ± interval (wrapping at midnight), time − time, date + time. */
function timeOfDayArith(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  if ((op === '+' || op === '-') && a === 'time' && b === 'interval') {
    const s = op === '+' ? 1 : -1;
    return {
      impl: impl(op, (x: number, y: Interval) => addTimeInterval(x, y, s)),
      type: 'time',
      argTypes: [a, b],
    };
  }
  if (op === '+' && a === 'interval' && b === 'time')
    return {
      impl: impl(op, (x: Interval, y: number) => addTimeInterval(y, x, 1)),
      type: 'time',
      argTypes: [a, b],
    };
  if (op === '-' && a === 'time' && b === 'time')
    return {
      impl: impl(op, (x: number, y: number) => ({ months: 0, days: 0, micros: x - y })),
      type: 'interval',
      argTypes: [a, b],
    };
  if (op === '+' && a === 'date' && b === 'time')
    return {
      impl: impl(op, (x: number, y: number) => checkTimestamp(x * MICROS_PER_DAY + y)),
      type: 'timestamp',
      argTypes: [a, b],
    };
  if (op === '+' && a === 'time' && b === 'date')
    return {
      impl: impl(op, (x: number, y: number) => checkTimestamp(y * MICROS_PER_DAY + x)),
      type: 'timestamp',
      argTypes: [a, b],
    };
  // time + time matches both time + interval and interval + time (time casts to interval implicitly).
  if (op === '+' && a === 'time' && b === 'time')
    throw new SqlError('42725', 'operator is not unique: time without time zone + time without time zone');
  return undefined;
}

/** Approximate span for the sign of a finite interval (30-day months). */
const _intervalMicros = (a: Interval) => (a.months * 30 + a.days) * MICROS_PER_DAY + a.micros;

/** Date/time arithmetic; undefined when the types do not combine. */
function timeArith(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  const ts = (t: SqlType) => t === 'timestamp' || t === 'timestamptz';
  if (a === 'time' || b === 'time') return timeOfDayArith(op, a === 'unknown' ? 'interval' : a, b);
  if ((op === '+' || op === '-') && ts(a) && b === 'interval') {
    const s = op === '+' ? 1 : -1;
    const add = a === 'timestamptz' ? addIntervalTz : addInterval;
    return { impl: impl(op, (x: number, y: Interval) => add(x, y, s)), type: a, argTypes: [a, b] };
  }
  if (op === '+' && a === 'interval' && ts(b)) {
    const add = b === 'timestamptz' ? addIntervalTz : addInterval;
    return { impl: impl(op, (x: Interval, y: number) => add(y, x)), type: b, argTypes: [a, b] };
  }
  if ((op === '+' || op === '-') && a === 'date' && b === 'interval') {
    const s = op === '+' ? 1 : -1;
    return {
      impl: impl(op, (x: number, y: Interval) => addInterval(x * MICROS_PER_DAY, y, s)),
      type: 'timestamp',
      argTypes: [a, b],
    };
  }
  if ((op === '+' || op === '-') && a === 'date' && isIntegerType(b) && b !== 'int64') {
    const s = op === '+' ? 1 : -1;
    return { impl: impl(op, (x: number, y: number) => x + s * y), type: 'date', argTypes: [a, 'int32'] };
  }
  if (op === '-' && a === 'date' && b === 'date') {
    return { impl: impl(op, (x: number, y: number) => x - y), type: 'int32', argTypes: [a, b] };
  }
  if (op === '-' && ts(a) && ts(b)) {
    const t = a === 'timestamptz' || b === 'timestamptz' ? 'timestamptz' : 'timestamp';
    return {
      impl: impl(op, timestampDiff),
      type: 'interval',
      argTypes: [t, t],
    };
  }
  if ((op === '+' || op === '-') && a === 'interval' && b === 'interval') {
    const s = op === '+' ? 1 : -1;
    return {
      impl: impl(op, (x: Interval, y: Interval) => ivAdd(x, y, s)),
      type: 'interval',
      argTypes: [a, b],
    };
  }
  if (op === '*' && a === 'interval' && isNumericType(b)) {
    return {
      impl: impl(op, intervalMul),
      type: 'interval',
      argTypes: [a, 'float64'],
    };
  }
  if (op === '*' && isNumericType(a) && b === 'interval') {
    return {
      impl: impl(op, (x: number, y: Interval) => intervalMul(y, x)),
      type: 'interval',
      argTypes: ['float64', b],
    };
  }
  if (op === '/' && a === 'interval' && isNumericType(b)) {
    return {
      impl: impl(op, intervalDiv),
      type: 'interval',
      argTypes: [a, 'float64'],
    };
  }
  return undefined;
}

const CMP_OPS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** Resolves a comparison between two types to a comparator on the common type. */
export function resolveComparison(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  const test = CMP_OPS[op];
  if (!test) return undefined;
  let t = commonType(a, b);
  if (t === undefined) return undefined;
  if (t === 'unknown') t = 'text';
  const cmp = comparatorFor(t);
  return { impl: impl(op, (x: unknown, y: unknown) => test(cmp(x, y))), type: 'bool', argTypes: [t, t] };
}

function likeImpl(name: string, ci: boolean, negate: boolean): ScalarImpl {
  let lastPattern: string | undefined;
  let compiled: LikePattern | undefined;
  return impl(name, (s: string, p: string) => {
    if (p !== lastPattern) {
      compiled = compileLike(p, ci);
      lastPattern = p;
    }
    return likeMatches(s, compiled!) !== negate;
  });
}

/** Resolves a binary operator; undefined when no operator matches the types. */
export function resolveOperator(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  if (op in CMP_OPS) return resolveComparison(op, a, b);
  if (isArrayType(a) || isArrayType(b)) return resolveArrayOperator(op, a, b);
  if (op === '||') {
    const bytes = resolveByteaConcat(a, b);
    if (bytes) return bytes;
    // char(n) is concatenated as text: without its padding.
    const ta = a === 'unknown' || a === 'bpchar' ? 'text' : a;
    const tb = b === 'unknown' || b === 'bpchar' ? 'text' : b;
    // PostgreSQL's forms are text || text, text || anynonarray and anynonarray || text.
    if (ta === 'json' && tb === 'json')
      throw new SqlError(SqlState.featureNotSupported, 'operator jsonb || jsonb is not supported');
    if (ta !== 'text' && tb !== 'text') return undefined;
    return {
      impl: impl(op, (x: unknown, y: unknown) => formatText(x, ta) + formatText(y, tb)),
      type: 'text',
      argTypes: [ta, tb],
    };
  }
  // LIKE and regular expressions match char(n) with its padding (bpcharlike, bpcharregexeq).
  const subject = a === 'bpchar' ? 'bpchar' : 'text';
  if ((op === '~' || op === '~*' || op === '!~' || op === '!~*') && textual(a) && textual(b)) {
    const r = resolveRegexOperator(op);
    return r && { ...r, argTypes: [subject, 'text'] };
  }
  if (op === '~~' || op === '!~~' || op === '~~*' || op === '!~~*') {
    return {
      impl: likeImpl(op, op.includes('*'), op.startsWith('!')),
      type: 'bool',
      argTypes: [subject, 'text'],
    };
  }
  if (op === '^') {
    // numeric ^ numeric is exact in PostgreSQL (a numeric result, not a double's digits).
    const exact = resolveNumericPowerOperator(a, b);
    if (exact) return exact;
    return { impl: impl(op, floatPower), type: 'float64', argTypes: ['float64', 'float64'] };
  }
  if (op === '&' || op === '|' || op === '#' || op === '<<' || op === '>>') {
    const r = bitwise(op, a === 'unknown' ? 'int32' : a, b === 'unknown' ? 'int32' : b);
    if (r) return r;
  }
  // An untyped literal takes the other operand's type first (float4 * '-1' is float4 * float4);
  // beside a date it is an integer, beside a timestamp or interval an interval.
  // time − literal is time − time; time + literal is time + interval.
  const bt =
    b !== 'unknown'
      ? b
      : a === 'date'
        ? 'int32'
        : isNumericType(a)
          ? b
          : a === 'time' && op === '-'
            ? 'time'
            : 'interval';
  const t = timeArith(op, a, bt);
  if (t) return t;
  if (isNumericType(a) || isNumericType(b) || (a === 'unknown' && b === 'unknown')) {
    let c = commonType(
      a === 'unknown' ? (isNumericType(b) ? b : 'int32') : a,
      b === 'unknown' ? (isNumericType(a) ? a : 'int32') : b,
    );
    if (c === undefined || !isNumericType(c)) return undefined;
    if (op === '%' && isFloatType(c)) return undefined;
    if (c === 'float32' && (a === 'float64' || b === 'float64')) c = 'float64';
    const f = arith(op, c);
    if (f) return { impl: f, type: c, argTypes: [c, c] };
  }
  return undefined;
}

/** Unary ~ (bitwise not) on integers; undefined for other types. */
export function resolveBitNot(t: SqlType): Resolved | undefined {
  if (t === 'int64') return { impl: impl('~', (x: bigint) => ~x), type: t, argTypes: [t] };
  if (t === 'int16' || t === 'int32' || t === 'unknown') {
    const u = t === 'unknown' ? 'int32' : t;
    return { impl: impl('~', (x: number) => ~x), type: u, argTypes: [u] };
  }
  return undefined;
}

/** Unary minus. */
export function resolveNegate(t: SqlType): Resolved | undefined {
  if (t === 'int16' || t === 'int32')
    return { impl: impl('-', (x: number) => checkInt(t, -x)), type: t, argTypes: [t] };
  if (t === 'int64') return { impl: impl('-', (x: bigint) => checkInt64(-x)), type: t, argTypes: [t] };
  if (isFloatType(t)) return { impl: impl('-', (x: number) => -x), type: t, argTypes: [t] };
  if (t === 'numeric') {
    return {
      impl: impl('-', (x: string) =>
        x.startsWith('-') ? x.slice(1) : /^[0.]+$/.test(x) || x === 'NaN' ? x : `-${x}`,
      ),
      type: t,
      argTypes: [t],
    };
  }
  if (t === 'interval') {
    return {
      impl: impl('-', negateInterval),
      type: t,
      argTypes: [t],
    };
  }
  return undefined;
}
