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
 * int64 µs): infinite intervals pass, a mix of infinities or an overflow is 22008.
 */
export function checkInterval(iv: Interval): Interval {
  const inf = intervalInfinity(iv);
  if (inf !== 0) {
    if (iv.days !== iv.months || iv.micros !== iv.months) throw intervalOutOfRange();
    return iv;
  }
  if (
    !(Math.abs(iv.months) <= INT32_MAX) ||
    !(Math.abs(iv.days) <= INT32_MAX) ||
    !(Math.abs(iv.micros) < INT64_MAX_MICROS)
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

/** PostgreSQL's default (postgres style) interval output, e.g. '1 year 2 mons 3 days 04:05:06'. */
export function formatInterval(iv: Interval): string {
  const inf = intervalInfinity(iv);
  if (inf !== 0) return inf > 0 ? 'infinity' : '-infinity';
  const parts: string[] = [];
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months - years * 12;
  // PostgreSQL's style: a positive field right after a negative one carries an explicit '+'.
  let before = false;
  const field = (value: number, unit: string) => {
    if (value === 0) return;
    parts.push(`${before && value > 0 ? '+' : ''}${value} ${unit}${value === 1 ? '' : 's'}`);
    before = value < 0;
  };
  field(years, 'year');
  field(mons, 'mon');
  field(iv.days, 'day');
  if (iv.micros !== 0 || parts.length === 0) {
    const t = formatTime(Math.abs(iv.micros));
    parts.push(iv.micros < 0 ? `-${t}` : before ? `+${t}` : t);
  }
  return parts.join(' ');
}

const UNIT_MICROS: Record<string, [number, number, number]> = {
  // [months, days, micros] per unit
  microsecond: [0, 0, 1],
  millisecond: [0, 0, 1000],
  second: [0, 0, MICROS_PER_SECOND],
  minute: [0, 0, MICROS_PER_MINUTE],
  hour: [0, 0, MICROS_PER_HOUR],
  day: [0, 1, 0],
  week: [0, 7, 0],
  month: [1, 0, 0],
  year: [12, 0, 0],
  decade: [120, 0, 0],
  century: [1200, 0, 0],
  millennium: [12000, 0, 0],
};

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

/** ISO 8601 designators after P (date part) and after T (time part). */
const ISO_DATE_UNITS: Record<string, string> = { Y: 'year', M: 'month', W: 'week', D: 'day' };
const ISO_TIME_UNITS: Record<string, string> = { H: 'hour', M: 'minute', S: 'second' };

/** Accumulates interval fields, cascading fractions down as PostgreSQL does. */
class IntervalSum {
  months = 0;
  days = 0;
  micros = 0;

  /**
   * `n` of `unit` (a key of UNIT_MICROS): fractions of months become days at 30, of days µs;
   * fractions of years (decades, …) become whole months, rounded to even, and nothing
   * smaller (PostgreSQL's AdjustFractYears: '1.1 years' is 1 year 1 mon).
   */
  add(n: number, unit: string): void {
    const [um, ud, uu] = UNIT_MICROS[unit];
    if (um >= 12) {
      const whole = Math.trunc(n);
      const frac = (n - whole) * um;
      const r = Math.round(frac);
      this.months += whole * um + (Math.abs(frac % 1) === 0.5 && r % 2 !== 0 ? r - Math.sign(frac) : r);
      return;
    }
    const mm = n * um;
    this.months += Math.trunc(mm);
    const dd = n * ud + (mm - Math.trunc(mm)) * 30;
    this.days += Math.trunc(dd);
    this.micros += Math.round(n * uu + (dd - Math.trunc(dd)) * MICROS_PER_DAY);
  }

  /** A signed time of day `h:mm[:ss.f]`. */
  addTime(sign: number, h: string, m: string, sec: string | undefined, text: string): void {
    if (+m > 59 || Number(sec ?? 0) > 60)
      throw new SqlError('22015', `interval field value out of range: "${text}"`);
    this.micros +=
      sign *
      (+h * MICROS_PER_HOUR + +m * MICROS_PER_MINUTE + Math.round(Number(sec ?? 0) * MICROS_PER_SECOND));
  }
}

/** ISO 8601 durations: `P1Y2M3DT4H5M6.5S`, `P2W`, `PT0S`, or the alternative `P0001-02-03T04:05:06`. */
function parseIsoInterval(src: string, fail: () => never): Interval {
  const sum = new IntervalSum();
  const alt = /^P(\d+)-(\d{1,2})-(\d{1,2})(?:T(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/i.exec(src);
  if (alt) {
    sum.add(+alt[1], 'year');
    sum.add(+alt[2], 'month');
    sum.add(+alt[3], 'day');
    if (alt[4] !== undefined) sum.addTime(1, alt[4], alt[5], alt[6], src);
    return { months: sum.months, days: sum.days, micros: sum.micros };
  }
  const re = /([+-]?\d+(?:\.\d+)?)([A-Za-z])/y;
  let pos = 1;
  let time = false;
  let any = false;
  while (pos < src.length) {
    if (!time && (src[pos] === 'T' || src[pos] === 't')) {
      time = true;
      pos++;
      continue;
    }
    re.lastIndex = pos;
    const m = re.exec(src);
    const unit = m && (time ? ISO_TIME_UNITS : ISO_DATE_UNITS)[m[2].toUpperCase()];
    if (!m || !unit) return fail();
    sum.add(Number(m[1]), unit);
    pos = re.lastIndex;
    any = true;
  }
  if (!any && !time) return fail();
  return { months: sum.months, days: sum.days, micros: sum.micros };
}

/**
 * Parses interval input as PostgreSQL does: '60 seconds', '1 day 02:00:00',
 * '-1 hour', '@ 2 mins ago', '01:30', a bare number of seconds ('5', '1.5'),
 * a number of days before a time ('1 2:03'), SQL year-month ('1-2') and
 * ISO 8601 ('P1Y2M3DT4H', 'PT0S').
 */
export function parseInterval(text: string): Interval {
  const special = text.trim().toLowerCase();
  if (special === 'infinity' || special === '+infinity') return INTERVAL_INFINITY;
  if (special === '-infinity') return INTERVAL_NEG_INFINITY;
  const fail = (): never => {
    throw new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
  };
  const src = text.trim().replace(/^@\s*/, '');
  if (/^P/i.test(src)) return checkInterval(parseIsoInterval(src, fail));
  // IntervalStyle sql_standard: a leading '-' with no other signed field negates every field.
  const fields = src.split(/\s+/);
  if (
    activeSettings().intervalStyle === 'sql_standard' &&
    src.startsWith('-') &&
    !fields.slice(1).some((f) => /^[+-]/.test(f))
  ) {
    const iv = parseInterval(src.slice(1));
    return checkInterval({ months: -iv.months, days: -iv.days, micros: -iv.micros });
  }
  const sum = new IntervalSum();
  // Alternatives: number with unit | [sign]h:mm[:ss] | ago | [sign]years-months | bare number.
  const re =
    /([+-]?\d+(?:\.\d+)?)\s*([a-zA-Z]+)|([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?|(ago)\b|([+-]?)(\d+)-(\d+)(?![\d:])|([+-]?\d+(?:\.\d+)?)(?![\d.:-])/y;
  let pos = 0;
  let matched = false;
  let ago = false;
  /** A bare number: days when a time follows it, else seconds. */
  let bare: number | undefined;
  while (pos < src.length) {
    while (src[pos] === ' ' || src[pos] === ',') pos++;
    if (pos >= src.length) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) return fail();
    pos = re.lastIndex;
    matched = true;
    if (bare !== undefined && m[4] === undefined) return fail();
    if (m[1] !== undefined) {
      const unit = normalizeUnit(m[2]);
      if (!unit) return fail();
      sum.add(Number(m[1]), unit);
    } else if (m[4] !== undefined) {
      if (bare !== undefined) {
        sum.add(bare, 'day');
        bare = undefined;
      }
      sum.addTime(m[3] === '-' ? -1 : 1, m[4], m[5], m[6], text);
    } else if (m[7] !== undefined) {
      ago = true;
    } else if (m[9] !== undefined) {
      const sign = m[8] === '-' ? -1 : 1;
      if (+m[10] > 11) throw new SqlError('22015', `interval field value out of range: "${text}"`);
      sum.add(sign * +m[9], 'year');
      sum.add(sign * +m[10], 'month');
    } else {
      bare = Number(m[11]);
    }
  }
  if (bare !== undefined) sum.add(bare, 'second');
  if (!matched) return fail();
  const { months, days, micros } = sum;
  if (ago) return checkInterval({ months: -months, days: -days, micros: -micros });
  return checkInterval({ months, days, micros });
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

/** Approximate interval length in µs (month = 30 days), used for comparison and time_bucket widths. */
export function intervalMicros(iv: Interval): number {
  return (iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;
}

/** Compares intervals the way PostgreSQL does (by their 30-day-month span). */
export function compareInterval(a: Interval, b: Interval): number {
  const x = intervalMicros(a);
  const y = intervalMicros(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
