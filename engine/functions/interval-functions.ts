/**
 * @module engine/functions/interval-functions
 * Functions of the interval type as PostgreSQL 17 has them: justify_hours / justify_days /
 * justify_interval, make_interval (named arguments are placed by the binder), isfinite,
 * age, interval_hash (hashint8 of the normalized span, so '30 days' and '1 mon' hash alike), and
 * extract / date_part of an interval (interval_part: fields of the broken-down value,
 * `epoch` with 365.25-day years, ±Infinity or NULL for infinite intervals).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import {
  checkInterval,
  civilFromDays,
  clock,
  daysInMonth,
  INTERVAL_INFINITY,
  INTERVAL_NEG_INFINITY,
  intervalInfinity,
  intervalOutOfRange,
  MICROS_PER_DAY,
} from '../types/datetime.ts';
import { intervalUnit } from '../types/interval-input.ts';
import { decimalToString } from '../types/numeric.ts';
import type { SqlType } from '../types/values.ts';
import type { Interval } from '../vector.ts';
import { justifyDays, justifyHours, justifyInterval } from './interval-arith.ts';
import type { Resolved } from './operators.ts';

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

const INT32_MIN = -2147483648;
const fitsInt32 = (x: number) => x >= INT32_MIN && x <= 2147483647;

/** make_interval(years, months, weeks, days, hours, mins, secs). */
function makeInterval(
  years: number,
  months: number,
  weeks: number,
  days: number,
  hours: number,
  mins: number,
  secs: number,
): Interval {
  if (!Number.isFinite(secs)) throw intervalOutOfRange();
  const m = years * 12 + months;
  const d = weeks * 7 + days;
  if (!fitsInt32(years * 12) || !fitsInt32(m) || !fitsInt32(weeks * 7) || !fitsInt32(d))
    throw intervalOutOfRange();
  const s = rint(secs * 1e6);
  const micros = hours * 3_600_000_000 + mins * 60_000_000 + s;
  if (!(s >= -(2 ** 63) && s < 2 ** 63) || !(micros >= -(2 ** 63) && micros < 2 ** 63))
    throw intervalOutOfRange();
  return { months: m + 0, days: d + 0, micros: micros + 0 };
}

function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Jenkins' lookup3 final mix of one 32-bit word (PostgreSQL's hash_bytes_uint32). */
function hashUint32(k: number): number {
  const rot = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
  let a = (0x9e3779b9 + 4 + 3923095 + k) >>> 0;
  let b = (0x9e3779b9 + 4 + 3923095) >>> 0;
  let c = b;
  c = ((c ^ b) - rot(b, 14)) >>> 0;
  a = ((a ^ c) - rot(c, 11)) >>> 0;
  b = ((b ^ a) - rot(a, 25)) >>> 0;
  c = ((c ^ b) - rot(b, 16)) >>> 0;
  a = ((a ^ c) - rot(c, 4)) >>> 0;
  b = ((b ^ a) - rot(a, 14)) >>> 0;
  c = ((c ^ b) - rot(b, 24)) >>> 0;
  return c | 0;
}

/** interval_hash: hashint8 of the low 64 bits of the span in µs (30-day months). */
function intervalHash(iv: Interval): number {
  const inf = intervalInfinity(iv);
  // PostgreSQL's infinities are the int32/int64 extremes in every field.
  const span =
    inf > 0
      ? (2147483647n * 30n + 2147483647n) * 86400000000n + (2n ** 63n - 1n)
      : inf < 0
        ? (-2147483648n * 30n - 2147483648n) * 86400000000n - 2n ** 63n
        : (BigInt(iv.months) * 30n + BigInt(iv.days)) * 86400000000n + BigInt(iv.micros);
  const v = BigInt.asIntN(64, span);
  const lo = Number(BigInt.asUintN(32, v));
  const hi = Number(BigInt.asUintN(32, v >> 32n));
  return hashUint32((v >= 0n ? lo ^ hi : lo ^ ~hi) >>> 0);
}

/**
 * interval_part as a decimal string at PostgreSQL's scale (extract), or null for a field an
 * infinite interval has no value for. date_part is its float8.
 */
export function intervalPart(field: string, iv: Interval): string | null {
  const low = field.toLowerCase();
  const unit = low === 'epoch' ? 'epoch' : intervalUnit(low);
  const inf = intervalInfinity(iv);
  if (unit === undefined)
    throw new SqlError(SqlState.invalidParameterValue, `unit "${low}" not recognized for type interval`);
  if (unit === 'other')
    throw new SqlError(SqlState.featureNotSupported, `unit "${low}" not supported for type interval`);
  if (inf !== 0) {
    const monotonic = ['hour', 'day', 'year', 'decade', 'century', 'millennium', 'epoch'];
    return monotonic.includes(unit) ? (inf > 0 ? 'Infinity' : '-Infinity') : null;
  }
  const years = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  const hour = Math.trunc(iv.micros / 3_600_000_000);
  const rest = iv.micros - hour * 3_600_000_000;
  const min = Math.trunc(rest / 60_000_000);
  const secMicros = rest - min * 60_000_000;
  const dec = (int: bigint, scale: number) => decimalToString({ int, scale });
  switch (unit) {
    case 'microsecond':
      return String(secMicros);
    case 'millisecond':
      return dec(BigInt(secMicros), 3);
    case 'second':
      return dec(BigInt(secMicros), 6);
    case 'minute':
      return String(min + 0);
    case 'hour':
      return String(hour + 0);
    case 'day':
      return String(iv.days);
    case 'week':
      return String(Math.trunc(iv.days / 7) + 0);
    case 'month':
      return String(mon + 0);
    case 'quarter':
      return String(iv.months >= 0 ? Math.trunc(mon / 3) + 1 : -(Math.trunc((-iv.months % 12) / 3) + 1));
    case 'year':
      return String(years + 0);
    case 'decade':
      return String(Math.trunc(years / 10) + 0);
    case 'century':
      return String(Math.trunc(years / 100) + 0);
    case 'millennium':
      return String(Math.trunc(years / 1000) + 0);
    case 'epoch': {
      // In quarter days, so 365.25-day years stay integral (PostgreSQL's arithmetic).
      const quarterDays = 1461n * BigInt(years) + 120n * BigInt(mon) + 4n * BigInt(iv.days);
      return dec(quarterDays * 21600n * 1_000_000n + BigInt(iv.micros), 6);
    }
  }
  return null;
}

/** A timestamp's broken-down fields (timestamp2tm, UTC). */
function breakDown(t: number): number[] {
  const days = Math.floor(t / MICROS_PER_DAY);
  let tod = t - days * MICROS_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  const hour = Math.floor(tod / 3_600_000_000);
  tod -= hour * 3_600_000_000;
  const min = Math.floor(tod / 60_000_000);
  tod -= min * 60_000_000;
  const sec = Math.floor(tod / 1_000_000);
  return [y, m, d, hour, min, sec, tod - sec * 1_000_000];
}

/**
 * age(a, b): PostgreSQL's timestamp_age — the field-by-field difference of the broken-down
 * timestamps, negative fields borrowing from the next larger one (a month borrows the
 * length of the earlier timestamp's month), in years, months, days and time.
 */
export function age(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === b) throw intervalOutOfRange();
    const late = a === Infinity || b === -Infinity;
    return late ? INTERVAL_INFINITY : INTERVAL_NEG_INFINITY;
  }
  const t1 = breakDown(a);
  const t2 = breakDown(b);
  const neg = a < b;
  // [year, mon, mday, hour, min, sec, usec]
  const f = t1.map((x, i) => (neg ? t2[i] - x : x - t2[i]));
  const carry = (i: number, unit: number) => {
    while (f[i] < 0) {
      f[i] += unit;
      f[i - 1]--;
    }
  };
  carry(6, 1_000_000);
  carry(5, 60);
  carry(4, 60);
  carry(3, 24);
  const [y, m] = neg ? t1 : t2;
  while (f[2] < 0) {
    f[2] += daysInMonth(y, m);
    f[1]--;
  }
  carry(1, 12);
  const s = neg ? -1 : 1;
  const months = s * (f[0] * 12 + f[1]);
  const micros = s * (((f[3] * 60 + f[4]) * 60 + f[5]) * 1_000_000 + f[6]);
  return checkInterval({ months: months + 0, days: s * f[2] + 0, micros: micros + 0 });
}

/** Resolves the interval functions; undefined when the name is not one of them. */
export function resolveIntervalFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  const one = (fn: (iv: Interval) => unknown, type: SqlType): Resolved => ({
    impl: mk(name, fn),
    type,
    argTypes: ['interval'],
  });
  switch (name) {
    case 'justify_hours':
      return args.length === 1 ? one(justifyHours, 'interval') : undefined;
    case 'justify_days':
      return args.length === 1 ? one(justifyDays, 'interval') : undefined;
    case 'justify_interval':
      return args.length === 1 ? one(justifyInterval, 'interval') : undefined;
    case 'interval_hash':
      return args.length === 1 ? one(intervalHash, 'int32') : undefined;
    case 'isfinite':
      return args.length === 1 && args[0] === 'interval'
        ? one((iv) => intervalInfinity(iv) === 0, 'bool')
        : undefined;
    case 'age': {
      const t = args.some((x) => x === 'timestamptz' || x === 'date') ? 'timestamptz' : 'timestamp';
      if (args.length === 2) return { impl: mk(name, age), type: 'interval', argTypes: [t, t] };
      if (args.length !== 1) return undefined;
      // age(t): from midnight of the statement's date.
      const today = () => Math.floor(clock.nowMicros() / MICROS_PER_DAY) * MICROS_PER_DAY;
      return { impl: mk(name, (x: number) => age(today(), x)), type: 'interval', argTypes: [t] };
    }
    case 'make_interval':
      return args.length === 7
        ? {
            impl: mk(name, makeInterval),
            type: 'interval',
            argTypes: ['int32', 'int32', 'int32', 'int32', 'int32', 'int32', 'float64'],
          }
        : undefined;
  }
  return undefined;
}
