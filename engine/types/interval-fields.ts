/**
 * @module engine/types/interval-fields
 * The interval type modifier — `interval year to month`, `interval day to second(2)`,
 * `interval(3)` — as PostgreSQL has it: a range of fields (INTERVAL_MASK bits) and a
 * fractional-second precision. Reading a literal uses the range to name a bare number's
 * field (interval-input); every value then passes AdjustIntervalForTypmod: the fields
 * below the range are truncated toward zero and the µs rounded to the precision.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import { INTERVAL_RANGE } from './interval-input.ts';

const R = INTERVAL_RANGE;
/** INTERVAL_FULL_PRECISION: no fractional-second rounding. */
export const INTERVAL_FULL_PRECISION = 0xffff;
const MAX_PRECISION = 6;

/** The field ranges PostgreSQL's grammar produces, with their SQL spelling. */
const RANGE_NAMES = new Map<number, string>([
  [R.year, 'year'],
  [R.month, 'month'],
  [R.day, 'day'],
  [R.hour, 'hour'],
  [R.minute, 'minute'],
  [R.second, 'second'],
  [R.year | R.month, 'year to month'],
  [R.day | R.hour, 'day to hour'],
  [R.day | R.hour | R.minute, 'day to minute'],
  [R.day | R.hour | R.minute | R.second, 'day to second'],
  [R.hour | R.minute, 'hour to minute'],
  [R.hour | R.minute | R.second, 'hour to second'],
  [R.minute | R.second, 'minute to second'],
]);

/** An interval typmod's parts; `undefined` when it restricts nothing (intervaltypmodin). */
export function intervalTypmod(mods: readonly number[]): { range: number; precision: number } | undefined {
  const range = mods[0];
  if (range !== R.full && !RANGE_NAMES.has(range))
    throw new SqlError(SqlState.invalidParameterValue, 'invalid INTERVAL type modifier');
  if (mods.length === 1) return range === R.full ? undefined : { range, precision: INTERVAL_FULL_PRECISION };
  if (mods.length !== 2) throw new SqlError(SqlState.invalidParameterValue, 'invalid INTERVAL type modifier');
  const p = mods[1];
  if (p < 0)
    throw new SqlError(SqlState.invalidParameterValue, `INTERVAL(${p}) precision must not be negative`);
  // PostgreSQL warns and clamps a precision above 6.
  return { range, precision: Math.min(p, MAX_PRECISION) };
}

/** The type as PostgreSQL's format_type spells it: `interval day to second(2)`, `interval(3)`. */
export function intervalTypmodName(range: number, precision: number): string {
  const fields = range === R.full ? '' : ` ${RANGE_NAMES.get(range)}`;
  const p = precision === INTERVAL_FULL_PRECISION ? '' : `(${precision})`;
  return `interval${fields}${p}`;
}

const MICROS_PER_HOUR = 3_600_000_000;
const MICROS_PER_MINUTE = 60_000_000;

/** `x` truncated toward zero to a multiple of `unit` (C's integer division). */
const truncTo = (x: number, unit: number) => Math.trunc(x / unit) * unit;

/** AdjustIntervalForTypmod: fields below the range dropped, µs rounded half away from zero to `precision`. */
export function adjustInterval(iv: Interval, range: number, precision: number): Interval {
  if (!Number.isFinite(iv.months)) return iv;
  let { months, days, micros } = iv;
  switch (range) {
    case R.year:
      months = truncTo(months, 12);
      days = 0;
      micros = 0;
      break;
    case R.month:
    case R.year | R.month:
      days = 0;
      micros = 0;
      break;
    case R.day:
      micros = 0;
      break;
    case R.hour:
    case R.day | R.hour:
      micros = truncTo(micros, MICROS_PER_HOUR);
      break;
    case R.minute:
    case R.day | R.hour | R.minute:
    case R.hour | R.minute:
      micros = truncTo(micros, MICROS_PER_MINUTE);
      break;
  }
  if (precision !== INTERVAL_FULL_PRECISION) {
    const scale = 10 ** (MAX_PRECISION - precision);
    const offset = precision === MAX_PRECISION ? 0 : scale / 2;
    // PostgreSQL adds half the scale (subtracts, below zero) and truncates toward zero.
    micros = micros >= 0 ? truncTo(micros + offset, scale) : truncTo(micros - offset, scale);
  }
  // -0 from truncation would print as 0 anyway; keep fields plain integers.
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}
