/**
 * @module engine/exec/window-range
 * RANGE frames with `offset PRECEDING` / `offset FOLLOWING`: PostgreSQL's in_range
 * support functions (in_range_int8_int8, in_range_float8_float8, in_range_numeric_numeric,
 * in_range_timestamp_interval, in_range_interval_interval) and the frame head and tail
 * they give. Integers add exactly (a sum past the type's range is "infinitely far", as
 * PostgreSQL treats an overflowing sum); floats and numerics follow PostgreSQL's rules for
 * NaN and infinities; dates, timestamps and intervals add the interval (a sum out of range
 * is 22008, as in PostgreSQL). The current row's null sort value frames its null peers;
 * a non-null row's frame never holds nulls.
 */
import { SqlError } from '../errors.ts';
import type { Expr, WindowFrame } from '../plan/nodes.ts';
import {
  addInterval,
  compareInterval,
  INTERVAL_NEG_INFINITY,
  intervalInfinity,
  MICROS_PER_DAY,
} from '../types/datetime.ts';
import {
  compareNumeric,
  decAdd,
  decimalToString,
  decSub,
  NUMERIC_NAN,
  numericSign,
  numericSpecialArith,
  parseDecimal,
} from '../types/numeric.ts';
import { isIntegerType, type SqlType } from '../types/values.ts';
import type { Interval } from '../vector.ts';

/** in_range(val, base, offset, sub, less): whether val ≤ (less) or ≥ base ± offset. */
type InRange = (val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean) => boolean;

const badSize = () => new SqlError('22013', 'invalid preceding or following size in window function');

const cmpLess = (c: number, less: boolean) => (less ? c <= 0 : c >= 0);

function inRangeFor(type: SqlType): InRange {
  if (isIntegerType(type))
    return (val, base, offset, sub, less) => {
      const off = BigInt(offset as number | bigint);
      if (off < 0n) throw badSize();
      const sum = BigInt(base as number | bigint) + (sub ? -off : off);
      const v = BigInt(val as number | bigint);
      return less ? v <= sum : v >= sum;
    };
  if (type === 'float32' || type === 'float64')
    return (val, base, offset, sub, less) => {
      const v = val as number;
      const b = base as number;
      const off = offset as number;
      if (Number.isNaN(off) || off < 0) throw badSize();
      // NaN sorts above everything and is a peer of NaN only.
      if (Number.isNaN(v)) return Number.isNaN(b) ? true : !less;
      if (Number.isNaN(b)) return less;
      // base ± offset of opposite infinities would be NaN: every value is in range.
      if (off === Infinity && Math.abs(b) === Infinity && (sub ? b > 0 : b < 0)) return true;
      const sum = sub ? b - off : b + off;
      return less ? v <= sum : v >= sum;
    };
  if (type === 'numeric')
    return (val, base, offset, sub, less) => {
      const v = val as string;
      const b = base as string;
      const off = offset as string;
      if (off === NUMERIC_NAN || numericSign(off) < 0) throw badSize();
      if (v === NUMERIC_NAN) return b === NUMERIC_NAN ? true : !less;
      if (b === NUMERIC_NAN) return less;
      if (numericSign(off) > 0 && off === 'Infinity' && (sub ? b === 'Infinity' : b === '-Infinity'))
        return true;
      const op = sub ? '-' : '+';
      const sum =
        numericSpecialArith(op, b, off) ??
        decimalToString((sub ? decSub : decAdd)(parseDecimal(b), parseDecimal(off)));
      return cmpLess(compareNumeric(v, sum), less);
    };
  if (type === 'date' || type === 'timestamp' || type === 'timestamptz') {
    // A date is read as the timestamp of its midnight (PostgreSQL casts it for in_range).
    const micros = (x: unknown) =>
      type === 'date' ? (Number.isFinite(x) ? (x as number) * MICROS_PER_DAY : (x as number)) : (x as number);
    return (val, base, offset, sub, less) => {
      const off = offset as Interval;
      if (compareInterval(off, ZERO) < 0 && intervalInfinity(off) === 0) throw badSize();
      if (intervalInfinity(off) < 0) throw badSize();
      const b = micros(base);
      if (intervalInfinity(off) > 0 && Math.abs(b) === Infinity && (sub ? b > 0 : b < 0)) return true;
      const sum = addInterval(b, off, sub ? -1 : 1);
      const v = micros(val);
      return less ? v <= sum : v >= sum;
    };
  }
  if (type === 'interval')
    return (val, base, offset, sub, less) => {
      const off = offset as Interval;
      if (compareInterval(off, ZERO) < 0 || off === INTERVAL_NEG_INFINITY) throw badSize();
      const b = base as Interval;
      const inf = intervalInfinity(off);
      if (inf > 0 && intervalInfinity(b) !== 0 && (sub ? intervalInfinity(b) > 0 : intervalInfinity(b) < 0))
        return true;
      const sum = addIntervals(b, off, sub ? -1 : 1);
      return cmpLess(compareInterval(val as Interval, sum), less);
    };
  throw new Error(`RANGE offsets over ${type}`);
}

const ZERO: Interval = { months: 0, days: 0, micros: 0 };

/** interval ± interval with infinities (opposite infinities cannot meet here: see the caller). */
function addIntervals(a: Interval, b: Interval, sign: number): Interval {
  const ia = intervalInfinity(a);
  const ib = intervalInfinity(b) * sign;
  if (ia !== 0) return a;
  if (ib !== 0)
    return ib > 0 ? { months: Infinity, days: Infinity, micros: Infinity } : INTERVAL_NEG_INFINITY;
  return {
    months: a.months + sign * b.months,
    days: a.days + sign * b.days,
    micros: a.micros + sign * b.micros,
  };
}

/** A RANGE bound's offset value (evaluated once per call) and direction. */
interface Bound {
  readonly value: unknown;
  readonly preceding: boolean;
}

/** The frame's offset bounds evaluated by `evaluate`; a NULL offset is 22004, as in PostgreSQL. */
export function rangeOffsetValues(
  frame: WindowFrame,
  evaluate: (e: Expr) => unknown,
): { start?: Bound; end?: Bound } {
  const value = (e: Expr, which: string) => {
    const v = evaluate(e);
    if (v === null) throw new SqlError('22004', `frame ${which} offset must not be null`);
    return v;
  };
  return {
    ...(frame.rangeStart && {
      start: { value: value(frame.rangeStart.offset, 'starting'), preceding: frame.rangeStart.preceding },
    }),
    ...(frame.rangeEnd && {
      end: { value: value(frame.rangeEnd.offset, 'ending'), preceding: frame.rangeEnd.preceding },
    }),
  };
}

/** The first index in [lo, hi) where `pred` (false…false true…true over the range) holds, else hi. */
function firstTrue(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Frame bounds [start, end) per row of one sorted partition of a RANGE frame with at least
 * one offset bound; `keys` are the rows' sort values (in order), `peerStart`/`peerEnd` the
 * peer groups, for the bounds that are CURRENT ROW.
 */
export function rangeOffsetBounds(
  frame: WindowFrame,
  bounds: { readonly start?: Bound; readonly end?: Bound },
  order: { readonly type: SqlType; readonly desc: boolean; readonly nullsFirst: boolean },
  keys: readonly unknown[],
  peerStart: Int32Array,
  peerEnd: Int32Array,
): (k: number) => [number, number] {
  const n = keys.length;
  const inRange = inRangeFor(order.type);
  const asc = !order.desc;
  // The non-null rows: [nnStart, nnEnd).
  let nnStart = 0;
  let nnEnd = n;
  if (order.nullsFirst) while (nnStart < n && keys[nnStart] === null) nnStart++;
  else while (nnEnd > 0 && keys[nnEnd - 1] === null) nnEnd--;
  const head = (k: number, b: Bound): number => {
    const sub = b.preceding === asc;
    // The first row not before the frame start: val ≥ base ∓ offset ascending, ≤ descending.
    return firstTrue(nnStart, nnEnd, (i) => inRange(keys[i], keys[k], b.value, sub, !asc));
  };
  const tail = (k: number, b: Bound): number => {
    const sub = b.preceding === asc;
    // The first row past the frame end: not (val ≤ base ± offset) ascending, not ≥ descending.
    return firstTrue(nnStart, nnEnd, (i) => !inRange(keys[i], keys[k], b.value, sub, asc));
  };
  return (k) => {
    if (keys[k] === null) {
      // A null sort value: the offsets do not apply; the frame is bounded by the null peers.
      const s = frame.start === -Infinity ? 0 : peerStart[k];
      const e = frame.end === Infinity ? n : peerEnd[k];
      return [s, Math.max(s, e)];
    }
    const s = bounds.start ? head(k, bounds.start) : frame.start === -Infinity ? 0 : peerStart[k];
    const e = bounds.end ? tail(k, bounds.end) : frame.end === Infinity ? n : peerEnd[k];
    return [s, Math.max(s, e)];
  };
}
