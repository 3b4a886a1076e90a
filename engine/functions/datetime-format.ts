/**
 * @module engine/functions/datetime-format
 * `to_char(timestamp, fmt)` over the template patterns of datetime-template;
 * the session zone is UTC. `to_timestamp` (parsing) lives in datetime-parse
 * and is re-exported here.
 */

import { civilFromDays, daysFromCivil, MICROS_PER_DAY, MICROS_PER_SECOND } from '../types/datetime.ts';
import { offsetText } from '../types/datetime-output.ts';
import { sessionZone } from '../types/datetime-session.ts';
import { zoneOffset } from '../types/datetime-zone.ts';
import { activeSettings } from '../types/session-settings.ts';
import { zoneAbbrev } from '../types/session-zone.ts';
import { DAYS, MONTHS, tokenize } from './datetime-template.ts';

export { toTimestamp } from './datetime-parse.ts';

const casing = (pat: string, s: string) =>
  pat === pat.toUpperCase() ? s.toUpperCase() : pat === pat.toLowerCase() ? s.toLowerCase() : s;

/** Days from the epoch to Julian day 0 (4714-11-24 BC). */
const JULIAN_EPOCH = 2440588;
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** The calendar facts of one instant the patterns print. */
interface Instant {
  /** Astronomical year (0 = 1 BC), month, day, day of week (0 = Sunday). */
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly dow: number;
  readonly days: number;
  readonly secs: number;
  readonly us: number;
}

/** A year as printed: BC years count down from 1 (the era prints separately). */
const shownYear = (y: number) => (y > 0 ? y : 1 - y);

/** ISO 8601 week-numbering year (astronomical), week and day of week (Monday 1) of a day. */
function isoWeek(days: number, dow: number): { year: number; week: number; day: number } {
  const day = dow === 0 ? 7 : dow;
  const thursday = days - day + 4;
  const [year] = civilFromDays(thursday);
  return { year, week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1, day };
}

/** Numeric fields: the value and its zero-padded width (0: unpadded). */
function numeric(pat: string, t: Instant): [number, number] | undefined {
  const year = shownYear(t.y);
  const h = Math.floor(t.secs / 3600);
  switch (pat) {
    case 'YYYY':
      return [year, 4];
    case 'YYY':
      return [year % 1000, 3];
    case 'YY':
      return [year % 100, 2];
    case 'Y':
      return [year % 10, 1];
    case 'IYYY':
    case 'IYY':
    case 'IY':
    case 'I': {
      const iy = shownYear(isoWeek(t.days, t.dow).year);
      const w = pat.length;
      return [w === 4 ? iy : iy % 10 ** w, w];
    }
    case 'IW':
      return [isoWeek(t.days, t.dow).week, 2];
    case 'IDDD': {
      const iso = isoWeek(t.days, t.dow);
      return [(iso.week - 1) * 7 + iso.day, 3];
    }
    case 'ID':
      return [isoWeek(t.days, t.dow).day, 1];
    case 'CC':
      return [t.y > 0 ? Math.floor((year + 99) / 100) : -(Math.floor((year - 1) / 100) + 1), 2];
    case 'Q':
      return [Math.floor((t.mo + 2) / 3), 0];
    case 'MM':
      return [t.mo, 2];
    case 'WW':
      return [Math.floor((t.days - daysFromCivil(t.y, 1, 1)) / 7) + 1, 2];
    case 'W':
      return [Math.floor((t.d - 1) / 7) + 1, 0];
    case 'DDD':
      return [t.days - daysFromCivil(t.y, 1, 1) + 1, 3];
    case 'DD':
      return [t.d, 2];
    case 'D':
      return [t.dow + 1, 0];
    case 'J':
      return [t.days + JULIAN_EPOCH, 0];
    case 'HH24':
      return [h, 2];
    case 'HH12':
    case 'HH':
      return [h % 12 === 0 ? 12 : h % 12, 2];
    case 'MI':
      return [Math.floor(t.secs / 60) % 60, 2];
    case 'SS':
      return [t.secs % 60, 2];
    case 'SSSS':
    case 'SSSSS':
      return [t.secs, 0];
    case 'MS':
      return [Math.floor(t.us / 1000), 3];
    case 'US':
      return [t.us, 6];
  }
  return undefined;
}

/** `n` zero-padded to `width` digits after its sign (PostgreSQL's `%0*d` with room for the sign). */
export function padded(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${digits}` : digits;
}

/** The English ordinal suffix of `n` (1st, 2nd, 3rd, 11th …), in the suffix pattern's case. */
export function ordinal(n: number, th: 'TH' | 'th'): string {
  const last2 = Math.abs(n) % 100;
  const last = last2 % 10;
  const s =
    last2 >= 11 && last2 <= 13 ? 'th' : last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th';
  return th === 'TH' ? s.toUpperCase() : s;
}

/** to_char over µs since the epoch; `withZone` is false for timestamp without time zone (TZ prints empty). */
export function toChar(utcOrLocal: number, fmt: string, withZone: boolean): string {
  if (!Number.isFinite(utcOrLocal)) return '';
  // A timestamptz prints on the session zone's wall clock, with that zone's offset.
  const offset = withZone ? zoneOffset(sessionZone(), utcOrLocal) : 0;
  const micros = utcOrLocal + offset;
  const offSecs = Math.round(Math.abs(offset) / MICROS_PER_SECOND);
  const offSign = offset < 0 ? '-' : '+';
  const days = Math.floor(micros / MICROS_PER_DAY);
  const tod = micros - days * MICROS_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  const secs = Math.floor(tod / MICROS_PER_SECOND);
  const t: Instant = {
    y,
    mo,
    d,
    days,
    secs,
    us: tod - secs * MICROS_PER_SECOND,
    dow: (((days + 4) % 7) + 7) % 7,
  };
  let out = '';
  for (const it of tokenize(fmt)) {
    if (it.kind === 'lit') {
      out += it.text;
      continue;
    }
    const num = numeric(it.pat, t);
    if (num) {
      out += (it.fm ? String(num[0]) : padded(num[0], num[1])) + (it.th ? ordinal(num[0], it.th) : '');
      continue;
    }
    // Names pad to 9 characters (RM to 4) unless FM or TM is given.
    const word = (s: string, width = 9) => casing(it.pat, it.fm || it.tm ? s : s.padEnd(width, ' '));
    switch (it.pat) {
      case 'Y,YYY': {
        const year = shownYear(y);
        out += `${Math.floor(year / 1000)},${padded(year % 1000, 3)}`;
        break;
      }
      case 'FF1':
      case 'FF2':
      case 'FF3':
      case 'FF4':
      case 'FF5':
      case 'FF6': {
        const n = Number(it.pat[2]);
        out += padded(Math.floor(t.us / 10 ** (6 - n)), n);
        break;
      }
      // A timestamp without time zone has offset 0 and no zone name.
      case 'TZH':
        out += `${offSign}${padded(Math.floor(offSecs / 3600), 2)}`;
        break;
      case 'OF':
        out += `${offSign}${it.fm ? String(Math.floor(offSecs / 3600)) : padded(Math.floor(offSecs / 3600), 2)}`;
        if (offSecs % 3600 !== 0) out += `:${padded(Math.floor((offSecs % 3600) / 60), 2)}`;
        break;
      case 'TZM':
        out += padded(Math.floor((offSecs % 3600) / 60), 2);
        break;
      case 'TZ':
      case 'tz':
        if (withZone) {
          const zone = activeSettings().zone;
          out += casing(it.pat, zoneAbbrev(zone, utcOrLocal) ?? offsetText(offset));
        }
        break;
      case 'MONTH':
      case 'Month':
      case 'month':
        out += word(MONTHS[mo - 1]);
        break;
      case 'MON':
      case 'Mon':
      case 'mon':
        out += casing(it.pat, MONTHS[mo - 1].slice(0, 3));
        break;
      case 'DAY':
      case 'Day':
      case 'day':
        out += word(DAYS[t.dow]);
        break;
      case 'DY':
      case 'Dy':
      case 'dy':
        out += casing(it.pat, DAYS[t.dow].slice(0, 3));
        break;
      case 'RM':
      case 'rm':
        out += word(ROMAN[mo - 1], 4);
        break;
      default: {
        // AM/PM and AD/BC forms: keep the pattern's case and dots.
        const era = /^[ABab]\.?[CDcd]/.test(it.pat);
        const dotted = it.pat.includes('.');
        const ab = era ? (y > 0 ? 'AD' : 'BC') : secs >= 43_200 ? 'PM' : 'AM';
        const s = dotted ? `${ab[0]}.${ab[1]}.` : ab;
        out += it.pat[0] === it.pat[0].toLowerCase() ? s.toLowerCase() : s;
      }
    }
  }
  return out;
}
