/**
 * @module engine/functions/datetime-functions
 * now, date_trunc, date_bin, time_bucket (TimescaleDB), extract/date_part,
 * to_timestamp. All timestamps are µs since the epoch; a timestamptz's fields are
 * read on the session zone's wall clock.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import {
  checkTimestamp,
  civilFromDays,
  clock,
  daysFromCivil,
  intervalInfinity,
  intervalMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  normalizeUnit,
} from '../types/datetime.ts';
import { sessionZone } from '../types/datetime-session.ts';
import { zoneFromText, zoneOffset } from '../types/datetime-zone.ts';
import { decimalToString } from '../types/numeric.ts';
import { extractTime } from '../types/time-of-day.ts';
import { pgTypeName, type SqlType } from '../types/values.ts';
import type { Interval } from '../vector.ts';
import { toChar, toTimestamp } from './datetime-format.ts';
import { intervalToChar } from './interval-format.ts';
import { intervalPart } from './interval-functions.ts';
import { resolveNumberToChar } from './number-format.ts';
import type { Resolved } from './operators.ts';
import { truncInZone } from './zone-functions.ts';

const mk = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

/** Statement timestamp used by now(); set by the executor at statement start. */
export { clock };

const TRUNC_UNITS = new Set([
  'microsecond',
  'millisecond',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
  'decade',
  'century',
  'millennium',
]);

/** Truncates µs to the start of `unit` (PostgreSQL date_trunc). */
export function truncMicros(unitText: string, t: number): number {
  const unit = normalizeUnit(unitText) ?? unitText.toLowerCase();
  // PostgreSQL: date_trunc of ±infinity is ±infinity (after checking the unit).
  if (!Number.isFinite(t)) return TRUNC_UNITS.has(unit) ? t : truncMicros(unitText, 0);
  const days = Math.floor(t / MICROS_PER_DAY);
  const floorTo = (step: number) => Math.floor(t / step) * step;
  switch (unit) {
    case 'microsecond':
      return t;
    case 'millisecond':
      return floorTo(1000);
    case 'second':
      return floorTo(MICROS_PER_SECOND);
    case 'minute':
      return floorTo(MICROS_PER_MINUTE);
    case 'hour':
      return floorTo(MICROS_PER_HOUR);
    case 'day':
      return days * MICROS_PER_DAY;
    case 'week': {
      // ISO weeks start on Monday; 1970-01-01 was a Thursday.
      const dow = (((days + 3) % 7) + 7) % 7;
      return (days - dow) * MICROS_PER_DAY;
    }
  }
  const [y, m] = civilFromDays(days);
  switch (unit) {
    case 'month':
      return daysFromCivil(y, m, 1) * MICROS_PER_DAY;
    case 'quarter':
      return daysFromCivil(y, m - ((m - 1) % 3), 1) * MICROS_PER_DAY;
    case 'year':
      return daysFromCivil(y, 1, 1) * MICROS_PER_DAY;
    case 'decade':
      return daysFromCivil(Math.floor(y / 10) * 10, 1, 1) * MICROS_PER_DAY;
    case 'century':
      return daysFromCivil(Math.floor((y - 1) / 100) * 100 + 1, 1, 1) * MICROS_PER_DAY;
    case 'millennium':
      return daysFromCivil(Math.floor((y - 1) / 1000) * 1000 + 1, 1, 1) * MICROS_PER_DAY;
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${unitText}" not recognized for date_trunc`);
}

/** date_bin(stride, source, origin): floor to stride-wide bins aligned at origin. */
export function binMicros(stride: Interval, t: number, origin: number): number {
  if (stride.months !== 0)
    throw new SqlError(
      SqlState.featureNotSupported,
      'timestamps cannot be binned into intervals containing months or years',
    );
  const w = intervalMicros(stride);
  if (!Number.isFinite(w))
    throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamps cannot be binned into infinite intervals');
  if (w <= 0) throw new SqlError(SqlState.datetimeFieldOverflow, 'stride must be greater than zero');
  if (!Number.isFinite(origin)) throw new SqlError(SqlState.datetimeFieldOverflow, 'origin out of range');
  if (!Number.isFinite(t)) return t;
  return origin + Math.floor((t - origin) / w) * w;
}

/** TimescaleDB's default time_bucket origin: Monday 2000-01-03 00:00 UTC. */
export const TIMESCALE_ORIGIN = daysFromCivil(2000, 1, 3) * MICROS_PER_DAY;

/** time_bucket(width, ts [, origin]); month widths bucket by calendar months from 2000-01-01. */
export function timeBucket(width: Interval, t: number, origin?: number): number {
  if (width.months !== 0) {
    if (width.days !== 0 || width.micros !== 0)
      throw new SqlError(SqlState.featureNotSupported, 'month intervals cannot have day or time component');
    const [y, m] = civilFromDays(Math.floor(t / MICROS_PER_DAY));
    const months = (y - 2000) * 12 + (m - 1);
    const b = Math.floor(months / width.months) * width.months;
    const by = 2000 + Math.floor(b / 12);
    return daysFromCivil(by, b - (by - 2000) * 12 + 1, 1) * MICROS_PER_DAY;
  }
  return binMicros(width, t, origin ?? TIMESCALE_ORIGIN);
}

const EXTRACT_SCALE: Record<string, number> = { second: 6, millisecond: 3, epoch: 6 };

/** Dispatches extract/date_part on the argument's type. */
function extractAny(f: string, x: unknown, t: SqlType): number {
  if (t === 'time') return extractTime(f, x as number);
  if (t === 'interval') {
    const v = intervalPart(f, x as Interval);
    return v === null ? Number.NaN : Number(v);
  }
  return extractField(f, x as number, t);
}

/** Fields that grow with time: extract/date_part of ±infinity is ±Infinity for them, NULL for the rest. */
const MONOTONIC_FIELDS = new Set(['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch']);

/** Time-of-day units PostgreSQL refuses (0A000) for extract from a date. */
const DATE_LESS_UNITS = new Set(['hour', 'minute', 'second', 'millisecond', 'microsecond']);

export function extractField(fieldText: string, t: number, type: SqlType): number {
  const f = fieldText.toLowerCase();
  if (!Number.isFinite(t)) {
    const u = normalizeUnit(f) ?? f;
    extractField(fieldText, 0, type); // the same unit errors as for finite values
    return MONOTONIC_FIELDS.has(u) ? t : Number.NaN;
  }
  if (type === 'timestamptz') {
    const off = zoneOffset(sessionZone(), t) / MICROS_PER_SECOND;
    if (f === 'timezone') return off;
    if (f === 'timezone_h' || f === 'timezone_hour') return Math.trunc(off / 3600);
    if (f === 'timezone_m' || f === 'timezone_minute') return Math.trunc(off / 60) % 60;
    const unit = normalizeUnit(f) ?? f;
    // Fields of a timestamptz are read on the session zone's wall clock; the epoch is absolute.
    if (unit !== 'epoch') return extractField(fieldText, t + off * MICROS_PER_SECOND, 'timestamp');
  } else if (f.startsWith('timezone'))
    throw new SqlError(
      SqlState.featureNotSupported,
      `unit "${f}" not supported for type ${type === 'date' ? 'date' : 'timestamp without time zone'}`,
    );
  const micros = type === 'date' ? t * MICROS_PER_DAY : t;
  const days = Math.floor(micros / MICROS_PER_DAY);
  const tod = micros - days * MICROS_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  const unit = normalizeUnit(f) ?? f;
  if (type === 'date' && DATE_LESS_UNITS.has(unit))
    throw new SqlError(SqlState.featureNotSupported, `unit "${f}" not supported for type date`);
  switch (unit) {
    case 'epoch':
      return micros / MICROS_PER_SECOND;
    case 'year':
      // There is no year 0: astronomical year 0 is 1 BC (-1).
      return y > 0 ? y : y - 1;
    case 'month':
      return m;
    case 'day':
      return d;
    case 'hour':
      return Math.floor(tod / MICROS_PER_HOUR);
    case 'minute':
      return Math.floor(tod / MICROS_PER_MINUTE) % 60;
    case 'second':
      return (tod % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case 'millisecond':
      return (tod % MICROS_PER_MINUTE) / 1000;
    case 'microsecond':
      return tod % MICROS_PER_MINUTE;
    case 'quarter':
      return Math.floor((m - 1) / 3) + 1;
    case 'decade':
      return y >= 0 ? Math.floor(y / 10) : -Math.trunc((8 - (y - 1)) / 10);
    case 'century':
      return y > 0 ? Math.floor((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100);
    case 'millennium':
      return y > 0 ? Math.floor((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000);
    case 'dow':
      return (((days + 4) % 7) + 7) % 7;
    case 'isodow': {
      const dow = (((days + 4) % 7) + 7) % 7;
      return dow === 0 ? 7 : dow;
    }
    case 'doy':
      return days - daysFromCivil(y, 1, 1) + 1;
    case 'week': {
      // ISO week number: the week with the year's first Thursday is week 1.
      const dow = ((((days + 3) % 7) + 7) % 7) + 1; // 1 = Monday
      const thursday = days - dow + 4;
      const [ty] = civilFromDays(thursday);
      return Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1;
    }
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${fieldText}" not supported for extract`);
}

function toNumericText(v: number, field: string): string {
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  const unit = normalizeUnit(field) ?? field.toLowerCase();
  const scale = EXTRACT_SCALE[unit] ?? 0;
  const scaled = BigInt(Math.round(v * 10 ** scale));
  return decimalToString({ int: scaled, scale });
}

/** date_part/extract of a field ±infinity has no value for (NaN inside) is NULL. */
const nanToNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

const isTs = (t: SqlType) => t === 'timestamp' || t === 'timestamptz' || t === 'unknown';

/** Resolves date/time functions; undefined when the name is not one of them. */
export function resolveDatetimeFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  switch (name) {
    case 'now':
    case 'current_timestamp':
    case 'transaction_timestamp':
    case 'statement_timestamp':
      return { impl: mk(name, () => clock.nowMicros()), type: 'timestamptz', argTypes: [] };
    case 'date_trunc': {
      const t: SqlType = args[1] === 'date' || args[1] === 'unknown' ? 'timestamptz' : args[1];
      if (t === 'interval')
        throw new SqlError(SqlState.featureNotSupported, 'date_trunc on interval is not supported');
      if (args.length === 3) {
        // date_trunc(unit, timestamptz, zone): truncated on the zone's wall clock.
        const inZone = (u: string, x: number, z: string) => truncInZone(u, x, zoneFromText(z), truncMicros);
        return { impl: mk(name, inZone), type: 'timestamptz', argTypes: ['text', 'timestamptz', 'text'] };
      }
      if (t === 'timestamptz') {
        // A timestamptz truncates on the session zone's wall clock.
        const inSession = (u: string, x: number) => truncInZone(u, x, sessionZone(), truncMicros);
        return { impl: mk(name, inSession), type: t, argTypes: ['text', t] };
      }
      return { impl: mk(name, (u: string, x: number) => truncMicros(u, x)), type: t, argTypes: ['text', t] };
    }
    case 'date_bin': {
      const t: SqlType = isTs(args[1]) && args[1] !== 'unknown' ? args[1] : 'timestamp';
      return {
        impl: mk(name, (s: Interval, x: number, o: number) => binMicros(s, x, o)),
        type: t,
        argTypes: ['interval', t, t],
      };
    }
    case 'time_bucket': {
      const t: SqlType =
        args[1] === 'date' ? 'date' : isTs(args[1]) && args[1] !== 'unknown' ? args[1] : 'timestamptz';
      if (t === 'date') {
        return {
          impl: mk(name, (w: Interval, x: number) =>
            Math.floor(timeBucket(w, x * MICROS_PER_DAY) / MICROS_PER_DAY),
          ),
          type: 'date',
          argTypes: ['interval', 'date'],
        };
      }
      return {
        impl: mk(name, (w: Interval, x: number, o?: number) => timeBucket(w, x, o)),
        type: t,
        argTypes: args.length === 3 ? ['interval', t, t] : ['interval', t],
      };
    }
    case 'date_part': {
      // date_part(text, date) is date_part over the date cast to timestamp (time fields are 0).
      const t: SqlType = args[1] === 'unknown' ? 'timestamptz' : args[1] === 'date' ? 'timestamp' : args[1];
      return {
        impl: mk(name, (f: string, x: unknown) => nanToNull(extractAny(f, x, t))),
        type: 'float64',
        argTypes: ['text', t],
      };
    }
    case 'extract': {
      const t: SqlType = args[1] === 'unknown' ? 'timestamptz' : args[1];
      return {
        impl: mk(name, (f: string, x: unknown) => {
          if (t === 'interval') return intervalPart(f, x as Interval);
          const v = extractAny(f, x, t);
          return Number.isNaN(v) ? null : toNumericText(v, f);
        }),
        type: 'numeric',
        argTypes: ['text', t],
      };
    }
    case 'to_timestamp':
      if (args.length === 2)
        return { impl: mk(name, toTimestamp), type: 'timestamptz', argTypes: ['text', 'text'] };
      return {
        impl: mk(name, (x: number) => {
          if (Number.isNaN(x)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp cannot be NaN');
          return checkTimestamp(Number.isFinite(x) ? Math.round(x * MICROS_PER_SECOND) : x, String(x));
        }),
        type: 'timestamptz',
        argTypes: ['float64'],
      };
    case 'to_char': {
      if (args.length !== 2) return undefined;
      const t = args[0];
      if (t === 'timestamp' || t === 'timestamptz' || t === 'date')
        return {
          // PostgreSQL: to_char of ±infinity is NULL.
          impl: mk(name, (x: number, f: string) =>
            Number.isFinite(x) ? toChar(x, f, t !== 'timestamp') : null,
          ),
          type: 'text',
          argTypes: [t === 'date' ? 'timestamptz' : t, 'text'],
        };
      if (t === 'interval')
        return {
          impl: mk(name, (iv: Interval, f: string) => (intervalInfinity(iv) ? null : intervalToChar(iv, f))),
          type: 'text',
          argTypes: ['interval', 'text'],
        };
      const num = resolveNumberToChar(args);
      if (num) return num;
      if (t !== 'unknown' && t !== 'text')
        throw new SqlError(SqlState.featureNotSupported, `to_char(${pgTypeName(t)}, text) is not supported`);
      return undefined;
    }
  }
  return undefined;
}
