/**
 * @module engine/types/time-of-day
 * `time [without time zone]`: µs since midnight, 0 … 24:00:00 inclusive (PostgreSQL
 * allows '24:00:00'). Input follows PostgreSQL's time_in (DecodeTimeOnly: a date or a
 * zone may be written and are ignored, a zone whose offset depends on the date needs
 * one), output is `hh:mm:ss[.ffffff]`, arithmetic with intervals wraps around midnight,
 * and `extract` knows the time-of-day fields only.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import {
  civilFromDays,
  clock,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  normalizeUnit,
} from './datetime.ts';
import { decodeDateTime } from './datetime-input.ts';

const TIME_RE = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$/;

/** Reads a time literal (time_in): 22007 for bad syntax, 22008 for a field out of range. */
export function parseTime(text: string): number {
  const m = TIME_RE.exec(text);
  if (m) {
    // Fast path: plain hh:mm[:ss[.ffffff]] within range.
    const us =
      +m[1] * MICROS_PER_HOUR +
      +m[2] * MICROS_PER_MINUTE +
      (m[3] ? +m[3] : 0) * MICROS_PER_SECOND +
      (m[4] ? +m[4].padEnd(6, '0') : 0);
    if (+m[2] < 60 && (m[3] ? +m[3] : 0) <= 60 && us <= MICROS_PER_DAY) return us;
  }
  const today = () => civilFromDays(Math.floor(clock.nowMicros() / MICROS_PER_DAY));
  // PostgreSQL's time_in names the type `time` in its syntax errors.
  const r = decodeDateTime(text, 'time', today, true);
  if (r.kind === 'now')
    return clock.nowMicros() - Math.floor(clock.nowMicros() / MICROS_PER_DAY) * MICROS_PER_DAY;
  if (r.kind !== 'value')
    throw new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type time: "${text}"`);
  return r.timeMicros;
}

/** time_out: `hh:mm:ss` with the fractional digits that are not zero. */
export function formatTimeOfDay(us: number): string {
  const s = Math.floor(us / MICROS_PER_SECOND);
  const frac = us - s * MICROS_PER_SECOND;
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  const out = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  return frac === 0 ? out : `${out}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

/** time(p): fractional seconds rounded half away from zero to p digits (24:00:00 may result). */
export function roundTime(us: number, precision: number): number {
  const unit = 10 ** (6 - precision);
  return Math.round(us / unit) * unit;
}

/** The time of day of a timestamp in µs (timestamp → time); NULL for ±infinity, as PostgreSQL answers. */
export function timeOfTimestamp(us: number): number | null {
  if (!Number.isFinite(us)) return null;
  return us - Math.floor(us / MICROS_PER_DAY) * MICROS_PER_DAY;
}

/** interval → time: the interval's time part modulo a day (months and days are dropped). */
export function timeOfInterval(iv: Interval): number {
  const r = iv.micros % MICROS_PER_DAY;
  return r < 0 ? r + MICROS_PER_DAY : r;
}

/** time ± interval: only the interval's time part counts, and the result wraps around midnight. */
export function addTimeInterval(t: number, iv: Interval, sign: number): number {
  const r = (t + sign * (iv.micros % MICROS_PER_DAY)) % MICROS_PER_DAY;
  return r < 0 ? r + MICROS_PER_DAY : r;
}

const TIME_UNITS = new Set(['epoch', 'hour', 'minute', 'second', 'millisecond', 'microsecond']);
/** Units PostgreSQL knows but time has no value for (0A000 rather than 22023). */
const DATE_UNITS = new Set([
  'day',
  'month',
  'year',
  'quarter',
  'decade',
  'century',
  'millennium',
  'week',
  'dow',
  'isodow',
  'doy',
  'isoyear',
  'julian',
  'timezone',
  'timezone_hour',
  'timezone_minute',
]);

/** extract(field FROM time) as a JS number (time_part). */
export function extractTime(fieldText: string, us: number): number {
  const f = fieldText.toLowerCase();
  const unit = normalizeUnit(f) ?? f;
  if (!TIME_UNITS.has(unit)) {
    if (DATE_UNITS.has(unit))
      throw new SqlError(
        SqlState.featureNotSupported,
        `unit "${f}" not supported for type time without time zone`,
      );
    throw new SqlError(
      SqlState.invalidParameterValue,
      `unit "${f}" not recognized for type time without time zone`,
    );
  }
  switch (unit) {
    case 'epoch':
      return us / MICROS_PER_SECOND;
    case 'hour':
      return Math.floor(us / MICROS_PER_HOUR);
    case 'minute':
      return Math.floor(us / MICROS_PER_MINUTE) % 60;
    case 'second':
      return (us % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case 'millisecond':
      return (us % MICROS_PER_MINUTE) / 1000;
    default:
      return us % MICROS_PER_MINUTE;
  }
}
