/**
 * @module engine/functions/zone-functions
 * Functions whose answer depends on a time zone: `timezone(zone, ts)` (what
 * `AT TIME ZONE` and `AT LOCAL` parse to), make_date / make_timestamp /
 * make_timestamptz, and the zone-aware truncation date_trunc uses for
 * timestamptz (the session zone, or the zone given as its third argument).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import {
  checkTimestamp,
  daysFromCivil,
  daysInMonth,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  normalizeUnit,
} from '../types/datetime.ts';
import { saneZone } from '../types/datetime-input.ts';
import { sessionZone } from '../types/datetime-session.ts';
import { localToUtc, type ZoneRef, zoneFromText, zoneOffset } from '../types/datetime-zone.ts';
import type { SqlType } from '../types/values.ts';
import type { Interval } from '../vector.ts';
import type { Resolved } from './operators.ts';

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

/** Units below a day: PostgreSQL keeps the instant's own offset instead of re-resolving it. */
const SUB_DAY = new Set(['microsecond', 'millisecond', 'second', 'minute', 'hour']);

/** date_trunc of a timestamptz on `zone`'s wall clock. */
export function truncInZone(
  unit: string,
  utc: number,
  zone: ZoneRef,
  trunc: (u: string, t: number) => number,
): number {
  if (!Number.isFinite(utc)) return trunc(unit, utc);
  const off = zoneOffset(zone, utc);
  const local = trunc(unit, utc + off);
  if (SUB_DAY.has(normalizeUnit(unit) ?? unit.toLowerCase())) return local - off;
  return localToUtc(zone, local);
}

/** An interval used as a zone (AT TIME ZONE INTERVAL '…'): hours and minutes only. */
function intervalZone(iv: Interval): ZoneRef {
  if (iv.months !== 0 || iv.days !== 0)
    throw new SqlError(SqlState.invalidParameterValue, 'interval time zone must not include months or days');
  return { fixed: iv.micros };
}

const zoneOf = (z: unknown): ZoneRef =>
  typeof z === 'string' ? zoneFromText(z) : intervalZone(z as Interval);

function checkDate(y: number, m: number, d: number): number {
  const bad = () =>
    new SqlError(
      SqlState.datetimeFieldOverflow,
      `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    );
  if (y === 0 || m < 1 || m > 12 || d < 1) throw bad();
  // Negative years are BC: -44 is 44 BC, astronomical year -43.
  const astro = y < 0 ? y + 1 : y;
  if (d > daysInMonth(astro, m)) throw bad();
  return daysFromCivil(astro, m, d);
}

function timeMicros(h: number, mi: number, sec: number): number {
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || !(sec >= 0) || sec > 60 || (h === 24 && (mi > 0 || sec > 0)))
    throw new SqlError(
      SqlState.datetimeFieldOverflow,
      `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${sec < 10 ? '0' : ''}${sec}`,
    );
  return h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + Math.round(sec * MICROS_PER_SECOND);
}

function makeTimestamp(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  return checkTimestamp(checkDate(y, mo, d) * MICROS_PER_DAY + timeMicros(h, mi, sec));
}

const INTS: SqlType[] = ['int32', 'int32', 'int32', 'int32', 'int32', 'float64'];

/** Resolves the zone-dependent functions; undefined when the name is not one of them. */
export function resolveZoneFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  switch (name) {
    case 'timezone': {
      if (args.length === 1) {
        // AT LOCAL: the session's zone.
        const t = args[0] === 'timestamp' ? 'timestamp' : 'timestamptz';
        return atZone(name, t, () => sessionZone(), []);
      }
      if (args.length !== 2) return undefined;
      const zt: SqlType = args[0] === 'interval' ? 'interval' : 'text';
      const t = args[1] === 'timestamp' ? 'timestamp' : 'timestamptz';
      return atZone(name, t, zoneOf, [zt]);
    }
    case 'make_date':
      return {
        impl: mk(name, (y: number, m: number, d: number) => checkDate(y, m, d)),
        type: 'date',
        argTypes: ['int32', 'int32', 'int32'],
      };
    case 'make_timestamp':
      return { impl: mk(name, makeTimestamp), type: 'timestamp', argTypes: INTS };
    case 'make_timestamptz': {
      const withZone = args.length === 7;
      const fn = (y: number, mo: number, d: number, h: number, mi: number, s: number, z?: string) => {
        const local = makeTimestamp(y, mo, d, h, mi, s);
        return checkTimestamp(localToUtc(z === undefined ? sessionZone() : saneZone(z, zoneFromText), local));
      };
      return { impl: mk(name, fn), type: 'timestamptz', argTypes: withZone ? [...INTS, 'text'] : INTS };
    }
  }
  return undefined;
}

/**
 * timezone(zone, timestamptz) is the zone's wall clock (a timestamp); timezone(zone,
 * timestamp) reads the wall clock in the zone (a timestamptz).
 */
function atZone(
  name: string,
  t: 'timestamp' | 'timestamptz',
  zone: (z: unknown) => ZoneRef,
  zoneArg: SqlType[],
): Resolved {
  const fn =
    t === 'timestamptz'
      ? (...a: unknown[]) => {
          const x = a[a.length - 1] as number;
          return Number.isFinite(x) ? checkTimestamp(x + zoneOffset(zone(a[0]), x)) : x;
        }
      : (...a: unknown[]) => {
          const x = a[a.length - 1] as number;
          return Number.isFinite(x) ? checkTimestamp(localToUtc(zone(a[0]), x)) : x;
        };
  return {
    impl: mk(name, fn as (...a: never[]) => unknown),
    type: t === 'timestamptz' ? 'timestamp' : 'timestamptz',
    argTypes: [...zoneArg, t],
  };
}
