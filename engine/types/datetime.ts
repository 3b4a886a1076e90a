/**
 * @module engine/types/datetime
 * PostgreSQL date/time values: parsing of input literals and PostgreSQL's
 * default text output (DateStyle ISO, session TimeZone UTC).
 *
 * Representations (see engine/vector): date = days since 1970-01-01,
 * timestamp/timestamptz = integral microseconds since 1970-01-01 00:00 UTC,
 * interval = { months, days, micros } kept apart as PostgreSQL does.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import { decodeDateTime } from './datetime-input.ts';
import { localToUtc, type ZoneRef, zoneOffset } from './datetime-zone.ts';
import { readInterval } from './interval-input.ts';
import { activeSettings } from './session-settings.ts';

/** The statement timestamp (now(), 'now'); the engine pins it for the duration of a statement. */
export const clock = { nowMicros: (): number => Date.now() * 1000 };

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

/** Days since 1970-01-01 of a proleptic Gregorian civil date (Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function daysInMonth(y: number, m: number): number {
  return m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** First µs past PostgreSQL's timestamp range (294277-01-01 00:00). */
export const TIMESTAMP_END = daysFromCivil(294277, 1, 1) * MICROS_PER_DAY;
/** First µs of PostgreSQL's timestamp range (4714-11-24 BC 00:00; year -4713 proleptic). */
export const TIMESTAMP_MIN = daysFromCivil(-4713, 11, 24) * MICROS_PER_DAY;

/** The 22008 error of a timestamp outside PostgreSQL's range (with the input text when parsing). */
export function timestampOutOfRange(text?: string): SqlError {
  return new SqlError(
    SqlState.datetimeFieldOverflow,
    text === undefined ? 'timestamp out of range' : `timestamp out of range: "${text}"`,
  );
}

/** `t` itself when it is ±infinity or inside PostgreSQL's timestamp range; 22008 otherwise. */
export function checkTimestamp(t: number, text?: string): number {
  if (Number.isFinite(t) ? t < TIMESTAMP_MIN || t >= TIMESTAMP_END : Number.isNaN(t))
    throw timestampOutOfRange(text);
  return t;
}

/** The 22008 error of an interval field past int32 months/days or int64 µs. */
export function intervalOutOfRange(): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
}

/** PostgreSQL 17's infinite intervals: every field ±∞. */
export const INTERVAL_INFINITY: Interval = Object.freeze({
  months: Infinity,
  days: Infinity,
  micros: Infinity,
});
export const INTERVAL_NEG_INFINITY: Interval = Object.freeze({
  months: -Infinity,
  days: -Infinity,
  micros: -Infinity,
});

/** +1 / -1 for an infinite interval, 0 for a finite one. */
export function intervalInfinity(iv: Interval): number {
  return iv.months === Infinity ? 1 : iv.months === -Infinity ? -1 : 0;
}

const INT32_MAX = 2147483647;
const INT64_MAX_MICROS = 2 ** 63; // µs are doubles here: the nearest one

/**
 * An interval checked against PostgreSQL's field ranges (int32 months and days,
 * int64 µs, minimums included): infinite intervals pass, a mix of infinities or an overflow is 22008.
 */
export function checkInterval(iv: Interval): Interval {
  const inf = intervalInfinity(iv);
  if (inf !== 0) {
    if (iv.days !== iv.months || iv.micros !== iv.months) throw intervalOutOfRange();
    return iv;
  }
  if (
    !(iv.months >= -INT32_MAX - 1 && iv.months <= INT32_MAX) ||
    !(iv.days >= -INT32_MAX - 1 && iv.days <= INT32_MAX) ||
    !(iv.micros >= -INT64_MAX_MICROS && iv.micros < INT64_MAX_MICROS)
  )
    throw intervalOutOfRange();
  return iv;
}

/** timestamp − timestamp: PostgreSQL's interval (days and µs, no months); infinities give infinite intervals. */
export function timestampDiff(x: number, y: number): Interval {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    // infinity − infinity (same sign) has no answer; otherwise the sign of the infinite side wins.
    if (x === y) throw intervalOutOfRange();
    return x - y > 0 ? INTERVAL_INFINITY : INTERVAL_NEG_INFINITY;
  }
  const d = x - y;
  const days = Math.trunc(d / MICROS_PER_DAY);
  return { months: 0, days, micros: d - days * MICROS_PER_DAY };
}

const TS_RE =
  /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?))?\s*$/i;

interface ParsedTs {
  micros: number; // local wall-clock µs
  zone: ZoneRef | undefined; // the zone written in the input
  days: number; // the date part alone (24:00:00 rolls micros, not this)
}

function parseTs(text: string, type: string): ParsedTs {
  const m = TS_RE.exec(text);
  // Fast path: plain ISO input; anything unusual goes through PostgreSQL's full decoder.
  if (m && +m[1] > 0 && (m[8] === undefined || /^(z|utc|gmt)$/i.test(m[8]) || +m[8].slice(1, 3) <= 15)) {
    const y = +m[1];
    const mo = +m[2];
    const d = +m[3];
    const hh = m[4] ? +m[4] : 0;
    const mi = m[5] ? +m[5] : 0;
    const ss = m[6] ? +m[6] : 0;
    // PostgreSQL rounds fractional seconds to microseconds.
    const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1e6) : 0;
    const inRange =
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= daysInMonth(y, mo) &&
      mi <= 59 &&
      ss <= 60 &&
      hh <= 24 &&
      hh * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + ss * MICROS_PER_SECOND + frac <= MICROS_PER_DAY;
    if (inRange) {
      const days = daysFromCivil(y, mo, d);
      const micros =
        days * MICROS_PER_DAY + hh * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + ss * MICROS_PER_SECOND + frac;
      let zone: ZoneRef | undefined;
      const z = m[8];
      if (z) {
        if (/^(z|utc|gmt)$/i.test(z)) zone = { fixed: 0 };
        else {
          const sign = z[0] === '-' ? -1 : 1;
          const digits = z.slice(1).replace(':', '');
          const oh = digits.length <= 2 ? +digits : +digits.slice(0, digits.length - 2);
          const om = digits.length <= 2 ? 0 : +digits.slice(-2);
          zone = { fixed: sign * (oh * MICROS_PER_HOUR + om * MICROS_PER_MINUTE) };
        }
      }
      return { micros, zone, days };
    }
  }
  const zone = activeSettings().zone.ref;
  const localNow = () => {
    const now = clock.nowMicros();
    return now + zoneOffset(zone, now);
  };
  const r = decodeDateTime(text, type, () => civilFromDays(Math.floor(localNow() / MICROS_PER_DAY)));
  switch (r.kind) {
    case 'epoch':
      return { micros: 0, zone: { fixed: 0 }, days: 0 };
    case 'infinity':
      return { micros: Number.POSITIVE_INFINITY, zone: { fixed: 0 }, days: Number.POSITIVE_INFINITY };
    case '-infinity':
      return { micros: Number.NEGATIVE_INFINITY, zone: { fixed: 0 }, days: Number.NEGATIVE_INFINITY };
    case 'now': {
      // The statement timestamp on the session zone's wall clock.
      const now = clock.nowMicros();
      const off = zoneOffset(zone, now);
      return { micros: now + off, zone: { fixed: off }, days: Math.floor((now + off) / MICROS_PER_DAY) };
    }
  }
  const days = daysFromCivil(r.year, r.month, r.day);
  return { micros: days * MICROS_PER_DAY + r.timeMicros, zone: r.zone, days };
}

/** First day past PostgreSQL's date range (5874898-01-01) and its first day (4714-11-24 BC). */
const DATE_END = daysFromCivil(5874898, 1, 1);
const DATE_MIN = daysFromCivil(-4713, 11, 24);

/** Parses a date literal ('2016-01-01', or a timestamp whose date part is taken). */
export function parseDate(text: string): number {
  const p = parseTs(text, 'date');
  if (!Number.isFinite(p.days)) throw infiniteDate();
  if (p.days < DATE_MIN || p.days >= DATE_END)
    throw new SqlError(SqlState.datetimeFieldOverflow, `date out of range: "${text}"`);
  return p.days;
}

/** The engine keeps dates in int32 columns, which have no infinity. */
export function infiniteDate(): SqlError {
  return new SqlError(SqlState.featureNotSupported, 'infinite dates are not supported');
}

/** timestamp without time zone: an explicit offset in the input is ignored, as in PostgreSQL. */
export function parseTimestamp(text: string): number {
  return checkTimestamp(parseTs(text, 'timestamp').micros, text);
}

/** timestamptz: an input without an offset is read in the session's TimeZone. */
export function parseTimestamptz(text: string): number {
  const p = parseTs(text, 'timestamp with time zone');
  if (!Number.isFinite(p.micros)) return checkTimestamp(p.micros, text);
  if (p.zone === undefined) {
    const session = activeSettings().zone.ref;
    if ('fixed' in session && session.fixed === 0) return checkTimestamp(p.micros, text);
    p.zone = session;
  }
  // Far outside the range the zone arithmetic is pointless (and the platform's calendar ends).
  if (p.micros < TIMESTAMP_MIN - MICROS_PER_DAY || p.micros >= TIMESTAMP_END + MICROS_PER_DAY)
    throw timestampOutOfRange(text);
  return checkTimestamp(localToUtc(p.zone, p.micros), text);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return y > 0 ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : `${pad(1 - y, 4)}-${pad(m)}-${pad(d)} BC`;
}

/** '00'..'99': result formatting is hot for time-series output. */
const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

function formatTime(micros: number): string {
  const s = Math.floor(micros / MICROS_PER_SECOND);
  const frac = micros - s * MICROS_PER_SECOND;
  const h = Math.floor(s / 3600);
  const out = `${h < 100 ? TWO[h] : String(h)}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}`;
  if (frac === 0) return out;
  return `${out}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

let lastDays = Number.NaN;
let lastDate = '';

export function formatTimestamp(micros: number): string {
  if (micros === Number.POSITIVE_INFINITY) return 'infinity';
  if (micros === Number.NEGATIVE_INFINITY) return '-infinity';
  const days = Math.floor(micros / MICROS_PER_DAY);
  // Result sets are often time-ordered: reuse the date text of the previous value.
  if (days !== lastDays) {
    lastDays = days;
    lastDate = formatDate(days);
  }
  const time = formatTime(micros - days * MICROS_PER_DAY);
  // PostgreSQL puts the era after the time (and the zone): '0001-01-01 10:30:00 BC'.
  if (lastDate.endsWith(' BC')) return `${lastDate.slice(0, -3)} ${time} BC`;
  return `${lastDate} ${time}`;
}

/** A timestamptz in ISO style in UTC (offset +00); `datetime-output` applies the session's zone and DateStyle. */
export function formatTimestamptz(micros: number): string {
  if (!Number.isFinite(micros)) return formatTimestamp(micros);
  const s = formatTimestamp(micros);
  return s.endsWith(' BC') ? `${s.slice(0, -3)}+00 BC` : `${s}+00`;
}

/** Interval output (every IntervalStyle; 'postgres' by default) lives in interval-output. */
export { formatInterval, type IntervalStyle } from './interval-output.ts';

/** Normalizes a unit name ('secs', 'mins', 'hours', 'mon', 'y', ...) to a key of the unit table. */
export function normalizeUnit(u: string): string | undefined {
  const s = u.toLowerCase();
  const table: Record<string, string> = {
    us: 'microsecond',
    usec: 'microsecond',
    usecs: 'microsecond',
    microseconds: 'microsecond',
    microsecond: 'microsecond',
    ms: 'millisecond',
    msec: 'millisecond',
    msecs: 'millisecond',
    milliseconds: 'millisecond',
    millisecond: 'millisecond',
    s: 'second',
    sec: 'second',
    secs: 'second',
    second: 'second',
    seconds: 'second',
    m: 'minute',
    min: 'minute',
    mins: 'minute',
    minute: 'minute',
    minutes: 'minute',
    h: 'hour',
    hr: 'hour',
    hrs: 'hour',
    hour: 'hour',
    hours: 'hour',
    d: 'day',
    day: 'day',
    days: 'day',
    w: 'week',
    week: 'week',
    weeks: 'week',
    mon: 'month',
    mons: 'month',
    month: 'month',
    months: 'month',
    y: 'year',
    yr: 'year',
    yrs: 'year',
    year: 'year',
    years: 'year',
    decade: 'decade',
    decades: 'decade',
    century: 'century',
    centuries: 'century',
    millennium: 'millennium',
    millennia: 'millennium',
  };
  return table[s];
}

/**
 * Parses interval input as PostgreSQL's interval_in does (engine/types/interval-input):
 * '60 seconds', '1 day 02:00:00', '@ 2 mins ago', '1 2:03', SQL year-month '1-2',
 * ISO 8601 'P1Y2M3DT4H' and 'P0001-02-03T04:05:06', 'infinity'.
 */
export function parseInterval(text: string): Interval {
  return readInterval(text, undefined, activeSettings().intervalStyle);
}

/**
 * Adds an interval to a timestamp (µs), month arithmetic clamping the day as PostgreSQL
 * does. ±infinity stays as it is; an infinite interval makes a finite timestamp infinite
 * (opposite infinities: 22008); results past PostgreSQL's range are 22008.
 */
export function addInterval(micros: number, iv: Interval, sign = 1): number {
  const inf = intervalInfinity(iv) * sign;
  if (inf !== 0) {
    if (micros === -inf * Number.POSITIVE_INFINITY) throw timestampOutOfRange();
    return inf * Number.POSITIVE_INFINITY;
  }
  if (!Number.isFinite(micros)) return micros;
  let t = micros;
  if (iv.months !== 0) {
    const days = Math.floor(t / MICROS_PER_DAY);
    const tod = t - days * MICROS_PER_DAY;
    const [y, m, d] = civilFromDays(days);
    const total = y * 12 + (m - 1) + sign * iv.months;
    const ny = Math.floor(total / 12);
    const nm = total - ny * 12 + 1;
    const nd = Math.min(d, daysInMonth(ny, nm));
    t = daysFromCivil(ny, nm, nd) * MICROS_PER_DAY + tod;
  }
  return checkTimestamp(t + sign * (iv.days * MICROS_PER_DAY + iv.micros));
}

/** Approximate interval length in µs (month = 30 days), used for time_bucket widths. */
export function intervalMicros(iv: Interval): number {
  return (iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;
}

/**
 * PostgreSQL's interval_cmp_value, exactly: whole days (a month is 30) and the µs within a
 * day, so '1 mon' = '30 days' = '720:00:00' and large spans never round together.
 */
function intervalSpan(iv: Interval): [number, number] {
  const inf = intervalInfinity(iv);
  if (inf !== 0) return [inf * Infinity, 0];
  let q = Math.floor(iv.micros / MICROS_PER_DAY);
  let r = iv.micros - q * MICROS_PER_DAY;
  // The float quotient can land one off for µs near 2^53; the remainder (exact) says which way.
  if (r < 0) {
    q--;
    r += MICROS_PER_DAY;
  } else if (r >= MICROS_PER_DAY) {
    q++;
    r -= MICROS_PER_DAY;
  }
  return [iv.months * 30 + iv.days + q, r];
}

/** Compares intervals the way PostgreSQL does (by their span with 30-day months and 24-hour days). */
export function compareInterval(a: Interval, b: Interval): number {
  const [da, ra] = intervalSpan(a);
  const [db, rb] = intervalSpan(b);
  if (da !== db) return da < db ? -1 : 1;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** A key equal for exactly the intervals compareInterval calls equal (GROUP BY, DISTINCT, hash joins). */
export function intervalKey(iv: Interval): string {
  const [d, r] = intervalSpan(iv);
  return `${d}/${r}`;
}
