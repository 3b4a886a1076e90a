/**
 * @module engine/functions/interval-arith
 * Interval arithmetic as PostgreSQL 17 computes it: interval × / ÷ float8 (interval_mul,
 * interval_div: whole months and days, their fractions cascaded down with TSROUND so
 * '1 mon' × 0.3 is '9 days', never '8 days 24:00:00'), the justify_* functions, and the
 * infinite intervals' rules (∞ × 0 and ∞ ÷ ∞ are 22008). µs are doubles holding integers.
 */
import { SqlError, SqlState } from '../errors.ts';
import {
  compareInterval,
  INTERVAL_INFINITY,
  INTERVAL_NEG_INFINITY,
  intervalInfinity,
  intervalOutOfRange,
  MICROS_PER_DAY,
} from '../types/datetime.ts';
import type { Interval } from '../vector.ts';

const INT32_MIN = -2147483648;
const INT64_LIMIT = 2 ** 63;
const SECS_PER_DAY = 86400;
const ZERO: Interval = { months: 0, days: 0, micros: 0 };

/** FLOAT8_FITS_IN_INT32. */
const fitsInt32 = (x: number) => x >= INT32_MIN && x < -INT32_MIN;
/** pg_add_s32_overflow, raising 22008. */
function addInt32(a: number, b: number): number {
  const r = a + b;
  if (!fitsInt32(r)) throw intervalOutOfRange();
  return r;
}
/** C's rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** TSROUND: to the nearest millionth, as PostgreSQL rounds cascaded fractions. */
const tsround = (x: number) => rint(x * 1e6) / 1e6;

/** interval_sign: −1, 0 or 1 by the 30-day-month span. */
export function intervalSign(iv: Interval): number {
  return compareInterval(iv, ZERO);
}

/** interval_um: the negation; int32/int64 minimum fields have none (22008). */
export function negateInterval(iv: Interval): Interval {
  const inf = intervalInfinity(iv);
  if (inf !== 0) return inf > 0 ? INTERVAL_NEG_INFINITY : INTERVAL_INFINITY;
  if (iv.months === INT32_MIN || iv.days === INT32_MIN || iv.micros <= -INT64_LIMIT)
    throw intervalOutOfRange();
  return { months: -iv.months + 0, days: -iv.days + 0, micros: -iv.micros + 0 };
}

/** interval_mul / interval_div share everything but the operation on each field. */
function scale(span: Interval, factor: number, op: (x: number) => number, isDiv: boolean): Interval {
  if (Number.isNaN(factor)) throw intervalOutOfRange();
  if (intervalInfinity(span) !== 0) {
    if (isDiv ? !Number.isFinite(factor) : factor === 0) throw intervalOutOfRange();
    return factor < 0 ? negateInterval(span) : span;
  }
  if (!Number.isFinite(factor)) {
    if (isDiv) return { ...ZERO };
    const sign = intervalSign(span);
    if (sign === 0) throw intervalOutOfRange();
    return factor * sign < 0 ? INTERVAL_NEG_INFINITY : INTERVAL_INFINITY;
  }
  let r = op(span.months);
  if (Number.isNaN(r) || !fitsInt32(r)) throw intervalOutOfRange();
  const months = Math.trunc(r);
  r = op(span.days);
  if (Number.isNaN(r) || !fitsInt32(r)) throw intervalOutOfRange();
  let days = Math.trunc(r);
  const monthRemainderDays = tsround((op(span.months) - months) * 30);
  let secRemainder = tsround(
    (op(span.days) - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY,
  );
  if (Math.abs(secRemainder) >= SECS_PER_DAY) {
    const whole = Math.trunc(secRemainder / SECS_PER_DAY);
    days = addInt32(days, whole);
    secRemainder -= whole * SECS_PER_DAY;
  }
  days = addInt32(days, Math.trunc(monthRemainderDays));
  const micros = rint(op(span.micros) + secRemainder * 1e6);
  if (Number.isNaN(micros) || !(micros >= -INT64_LIMIT && micros < INT64_LIMIT)) throw intervalOutOfRange();
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}

/** interval × float8. */
export function intervalMul(span: Interval, factor: number): Interval {
  return scale(span, factor, (x) => x * factor, false);
}

/** interval ÷ float8 (÷ 0 is 22012). */
export function intervalDiv(span: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  return scale(span, factor, (x) => x / factor, true);
}

/** TMODULO: the whole `unit`s of `t` (truncated toward zero) and what remains, exactly. */
function tmodulo(t: number, unit: number): [number, number] {
  let q = Math.trunc(t / unit);
  let r = t - q * unit;
  // The float quotient may be one off near 2^53; the exact remainder corrects it.
  if (t >= 0 ? r < 0 : r > 0) {
    q -= Math.sign(t);
    r += Math.sign(t) * unit;
  } else if (Math.abs(r) >= unit) {
    q += Math.sign(t);
    r -= Math.sign(t) * unit;
  }
  return [q, r];
}

/** justify_hours: whole 24-hour periods of the time become days; day and time get one sign. */
export function justifyHours(iv: Interval): Interval {
  if (intervalInfinity(iv) !== 0) return iv;
  const [wholeDays, time] = tmodulo(iv.micros, MICROS_PER_DAY);
  let days = addInt32(iv.days, wholeDays);
  let micros = time;
  if (days > 0 && micros < 0) {
    micros += MICROS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0) {
    micros -= MICROS_PER_DAY;
    days++;
  }
  return { months: iv.months, days: days + 0, micros: micros + 0 };
}

/** justify_days: whole 30-day periods become months; month and day get one sign. */
export function justifyDays(iv: Interval): Interval {
  if (intervalInfinity(iv) !== 0) return iv;
  const wholeMonths = Math.trunc(iv.days / 30);
  let days = iv.days - wholeMonths * 30;
  let months = addInt32(iv.months, wholeMonths);
  if (months > 0 && days < 0) {
    days += 30;
    months--;
  } else if (months < 0 && days > 0) {
    days -= 30;
    months++;
  }
  return { months: months + 0, days: days + 0, micros: iv.micros };
}

/** justify_interval: justify_hours then justify_days, with every field given one sign. */
export function justifyInterval(iv: Interval): Interval {
  if (intervalInfinity(iv) !== 0) return iv;
  let { months, days, micros } = iv;
  // Pre-justify the days when that might prevent an overflow.
  if ((days > 0 && micros > 0) || (days < 0 && micros < 0)) {
    const whole = Math.trunc(days / 30);
    days -= whole * 30;
    months = addInt32(months, whole);
  }
  const [wholeDays, time] = tmodulo(micros, MICROS_PER_DAY);
  micros = time;
  days += wholeDays;
  const wholeMonths = Math.trunc(days / 30);
  days -= wholeMonths * 30;
  months = addInt32(months, wholeMonths);
  if (months > 0 && (days < 0 || (days === 0 && micros < 0))) {
    days += 30;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) {
    days -= 30;
    months++;
  }
  if (days > 0 && micros < 0) {
    micros += MICROS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0) {
    micros -= MICROS_PER_DAY;
    days++;
  }
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}
