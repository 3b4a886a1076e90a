/**
 * @module engine/types/datetime-input
 * Date/time input as PostgreSQL reads it (ParseDateTime + DecodeDateTime of
 * src/backend/utils/adt/datetime.c, in the session's DateStyle order): the text is cut into
 * fields (numbers, dates with separators, times, zone offsets, words), the words
 * resolved (month and day names, AM/PM, AD/BC, zones, special values), then the
 * numbers placed as year, month, day or run-together dates and times.
 */
import { SqlError, SqlState } from '../errors.ts';
import { daysInMonth } from './datetime.ts';
import { resolveZone, ZONE_ABBREVS, type ZoneRef } from './datetime-zone.ts';
import { activeSettings } from './session-settings.ts';

const YEAR = 1;
const MONTH = 2;
const DAY = 4;
const DOY = 8;
const HOUR = 16;
const MINUTE = 32;
const SECOND = 64;
const TZ = 128;
const AMPM = 256;
const ADBC = 512;
const DOW = 1024;
const SPECIAL = 2048;
const DATE_M = YEAR | MONTH | DAY;
const TIME_M = HOUR | MINUTE | SECOND;

/** ParseDateTime's field kinds (DTK_NUMBER, DTK_DATE, DTK_TIME, DTK_TZ, DTK_STRING, DTK_SPECIAL). */
export type FieldType = 'number' | 'date' | 'time' | 'tz' | 'string' | 'special';

/** What a literal decodes to: wall-clock fields plus an optional zone. */
export interface DecodedDateTime {
  kind: 'value' | 'epoch' | 'infinity' | '-infinity' | 'now';
  year: number;
  month: number;
  day: number;
  /** µs into the day (may be a full day for 24:00:00). */
  timeMicros: number;
  /** The zone written in the input, if any. */
  zone: ZoneRef | undefined;
  /** Which of date and time fields were present. */
  hasDate: boolean;
  hasTime: boolean;
}

const MONTH_NAMES: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const DAY_NAMES = new Set([
  'sun',
  'sunday',
  'mon',
  'monday',
  'tue',
  'tues',
  'tuesday',
  'wed',
  'wednesday',
  'thu',
  'thur',
  'thurs',
  'thursday',
  'fri',
  'friday',
  'sat',
  'saturday',
]);
const KEYWORDS = new Set([
  'am',
  'pm',
  'ad',
  'bc',
  'j',
  'jd',
  'julian',
  't',
  'epoch',
  'infinity',
  'now',
  'today',
  'tomorrow',
  'yesterday',
  'allballs',
  'on',
  'at',
]);

/** A word of PostgreSQL's core token table (zone abbreviations other than z/zulu are not in it). */
function isKnownWord(w: string): boolean {
  return w in MONTH_NAMES || DAY_NAMES.has(w) || KEYWORDS.has(w) || w === 'z' || w === 'zulu';
}

/** DTERR_BAD_FORMAT of the date/time decoders (22007 for the caller). */
export class BadFormat extends Error {}
/** DTERR_FIELD_OVERFLOW of the date/time decoders. */
export class FieldOverflow extends Error {}
class TzOverflow extends Error {}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** ParseDateTime: the fields of the input, lower-cased (BadFormat on a stray character). */
export function splitFields(text: string): { f: string[]; t: FieldType[] } {
  const f: string[] = [];
  const t: FieldType[] = [];
  const s = text;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    let buf = '';
    let type: FieldType;
    if (isDigit(c)) {
      while (isDigit(s[i])) buf += s[i++];
      if (s[i] === ':') {
        type = 'time';
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.') buf += s[i++];
      } else if (s[i] === '-' || s[i] === '/' || s[i] === '.') {
        const delim = s[i];
        buf += s[i++];
        if (isDigit(s[i])) {
          type = delim === '.' ? 'number' : 'date';
          while (isDigit(s[i])) buf += s[i++];
          if (s[i] === delim) {
            type = 'date';
            buf += s[i++];
            while (isDigit(s[i]) || s[i] === delim) buf += s[i++];
          }
        } else {
          type = 'date';
          while (isAlnum(s[i]) || s[i] === delim) buf += s[i++].toLowerCase();
        }
      } else type = 'number';
    } else if (c === '.') {
      buf += s[i++];
      while (isDigit(s[i])) buf += s[i++];
      type = 'number';
    } else if (isAlpha(c)) {
      type = 'string';
      while (isAlpha(s[i])) buf += s[i++].toLowerCase();
      let isDate = false;
      if (s[i] === '-' || s[i] === '/' || s[i] === '.') isDate = true;
      else if (s[i] === '+' || isDigit(s[i])) isDate = !isKnownWord(buf);
      if (isDate) {
        type = 'date';
        while (isAlnum(s[i]) || '+-/_.:'.includes(s[i] ?? '@')) buf += s[i++].toLowerCase();
      }
    } else if (c === '+' || c === '-') {
      buf += s[i++];
      while (s[i] === ' ') i++;
      if (isDigit(s[i])) {
        type = 'tz';
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.' || s[i] === '-') buf += s[i++];
      } else if (isAlpha(s[i])) {
        type = 'special';
        while (isAlpha(s[i])) buf += s[i++].toLowerCase();
      } else throw new BadFormat();
    } else if (/[!-/:-@[-`{-~]/.test(c)) {
      i++;
      continue;
    } else throw new BadFormat();
    f.push(buf);
    t.push(type);
  }
  return { f, t };
}

/** Working state of one decode. */
interface Tm {
  year: number;
  mon: number;
  mday: number;
  yday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
  is2digits: boolean;
}

/** DecodeNumberField: run-together dates (YYYYMMDD, YYMMDD) and times (hhmmss, hhmm), yyyy.ddd. */
function decodeNumberField(str: string, fmask: number, tm: Tm): number {
  let s = str;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    tm.fsec = Math.round(Number(s.slice(dot)) * 1e6);
    s = s.slice(0, dot);
  } else if ((fmask & DATE_M) !== DATE_M) {
    if (s.length >= 6) {
      tm.mday = +s.slice(-2);
      tm.mon = +s.slice(-4, -2);
      tm.year = +s.slice(0, -4);
      if (s.length - 4 === 2) tm.is2digits = true;
      return DATE_M;
    }
  }
  if ((fmask & TIME_M) !== TIME_M) {
    if (s.length === 6) {
      tm.sec = +s.slice(4);
      tm.min = +s.slice(2, 4);
      tm.hour = +s.slice(0, 2);
      return TIME_M;
    }
    if (s.length === 4) {
      tm.sec = 0;
      tm.min = +s.slice(2, 4);
      tm.hour = +s.slice(0, 2);
      return TIME_M;
    }
  }
  throw new BadFormat();
}

/** DecodeNumber: one numeric field placed by what is already known and the DateStyle order. */
function decodeNumber(str: string, haveTextMonth: boolean, fmask: number, tm: Tm): number {
  const m = /^(\d+)(\.\d*)?$/.exec(str);
  if (!m) throw new BadFormat();
  const flen = m[1].length;
  const val = Number(m[1]);
  if (m[2] !== undefined) {
    // More than two digits before the point: a run-together date or time (2001.360 040506.789).
    if (flen > 2) return decodeNumberField(str, fmask | DATE_M, tm);
    tm.fsec = Math.round(Number(m[2]) * 1e6);
  }
  // Day of year after a year alone.
  if (flen === 3 && (fmask & DATE_M) === YEAR && val >= 1 && val <= 366) {
    tm.yday = val;
    return DOY | MONTH | DAY;
  }
  let tmask: number;
  const order = activeSettings().dateOrder;
  switch (fmask & DATE_M) {
    case 0:
      // YYYY-MM-DD (a year of 3+ digits), or the session's DateStyle field order.
      if (flen >= 3 || order === 'YMD') {
        tmask = YEAR;
        tm.year = val;
      } else if (order === 'DMY') {
        tmask = DAY;
        tm.mday = val;
      } else {
        tmask = MONTH;
        tm.mon = val;
      }
      break;
    case YEAR:
    case DAY:
      tmask = MONTH;
      tm.mon = val;
      break;
    case MONTH:
      if (haveTextMonth && (flen >= 3 || order === 'YMD')) {
        tmask = YEAR;
        tm.year = val;
      } else {
        tmask = DAY;
        tm.mday = val;
      }
      break;
    case YEAR | MONTH:
      if (haveTextMonth && flen >= 3 && tm.is2digits) {
        // The first numeric field was the day, not the year (DD-MON-YYYY).
        tm.mday = tm.year;
        tm.year = val;
        tm.is2digits = false;
      } else tm.mday = val;
      tmask = DAY;
      break;
    case YEAR | DAY:
      tmask = MONTH;
      tm.mon = val;
      break;
    case MONTH | DAY:
      tmask = YEAR;
      tm.year = val;
      break;
    case DATE_M:
      return decodeNumberField(str, fmask, tm);
    default:
      throw new BadFormat();
  }
  if (tmask === YEAR) tm.is2digits = flen <= 2;
  return tmask;
}

/** DecodeDate: a date with separators ('1999-01-08', '08-Jan-1999', '1999.008'). */
function decodeDate(str: string, fmaskIn: number, tm: Tm): { tmask: number; textMonth: boolean } {
  // Runs of digits or of letters; the text may not end on a separator.
  const parts = str.match(/[0-9]+|[a-z]+/g);
  if (!parts || /[^a-z0-9]$/.test(str)) throw new BadFormat();
  let fmask = fmaskIn;
  let tmask = 0;
  let textMonth = false;
  const rest: string[] = [];
  for (const p of parts) {
    if (isAlpha(p[0])) {
      if (DAY_NAMES.has(p)) continue;
      const mon = MONTH_NAMES[p];
      if (mon === undefined || fmask & MONTH) throw new BadFormat();
      tm.mon = mon;
      textMonth = true;
      fmask |= MONTH;
      tmask |= MONTH;
    } else rest.push(p);
  }
  for (const p of rest) {
    const dmask = decodeNumber(p, textMonth, fmask, tm);
    if (fmask & dmask) throw new BadFormat();
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & DATE_M) !== DATE_M) throw new BadFormat();
  return { tmask, textMonth };
}

/** DecodeTime: 'hh:mm', 'hh:mm:ss', 'hh:mm:ss.ffffff'. */
function decodeTime(str: string, tm: Tm): void {
  const m = /^(\d+):(\d+)(?::(\d+)(\.\d*)?)?$/.exec(str);
  if (!m) throw new BadFormat();
  tm.hour = +m[1];
  tm.min = +m[2];
  tm.sec = m[3] !== undefined ? +m[3] : 0;
  tm.fsec = m[4] !== undefined ? Math.round(Number(m[4]) * 1e6) : 0;
  if (tm.min > 59 || tm.sec > 60 || tm.fsec > 1e6) throw new FieldOverflow();
  const total = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * 1e6 + tm.fsec;
  if (tm.hour > 24 || total > 86_400_000_000) throw new FieldOverflow();
}

/** DecodeTimezone: '+hh', '-hhmm', '+hh:mm[:ss]' → µs east of UTC. */
function decodeTimezone(str: string): number {
  const m = /^([+-])(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(str);
  if (!m) throw new BadFormat();
  let hr = +m[2];
  let min = m[3] !== undefined ? +m[3] : 0;
  const sec = m[4] !== undefined ? +m[4] : 0;
  if (m[3] === undefined && m[2].length > 2) {
    min = hr % 100;
    hr = Math.floor(hr / 100);
  }
  if (hr > 15 || min >= 60 || sec >= 60) throw new TzOverflow();
  const off = ((hr * 60 + min) * 60 + sec) * 1e6;
  return m[1] === '-' ? -off : off;
}

/**
 * A zone argument read as parse_sane_timezone does (make_timestamptz): '+2' / '-03:30' are
 * ISO offsets (east positive), anything else an abbreviation or a zone name (`byName`).
 */
export function saneZone(text: string, byName: (t: string) => ZoneRef): ZoneRef {
  if (/^\d/.test(text))
    throw new SqlError(
      SqlState.invalidParameterValue,
      `invalid input syntax for type numeric time zone: "${text}"`,
      undefined,
      'Numeric time zones must have "-" or "+" as first character.',
    );
  try {
    return { fixed: decodeTimezone(text) };
  } catch (e) {
    if (e instanceof TzOverflow)
      throw new SqlError(SqlState.invalidParameterValue, `numeric time zone "${text}" out of range`);
    if (!(e instanceof BadFormat)) throw e;
  }
  return byName(text);
}

/** Julian day number → civil date (j2date). */
function fromJulian(jd: number): [number, number, number] {
  let julian = jd + 32044;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = y !== 0 ? ((julian + 305) % 365) + 123 : ((julian + 306) % 366) + 123;
  y += quad * 4;
  const year = y - 4800;
  quad = Math.floor((julian * 2141) / 65536);
  const day = julian - Math.floor((7834 * quad) / 256);
  const month = ((quad + 10) % 12) + 1;
  return [year, month, day];
}

/** Civil date → Julian day number (date2j). */
function toJulian(y: number, m: number, d: number): number {
  let yy = y;
  let mm = m;
  if (mm > 2) {
    mm += 1;
    yy += 4800;
  } else {
    mm += 13;
    yy += 4799;
  }
  const century = Math.floor(yy / 100);
  let julian = yy * 365 - 32167;
  julian += Math.floor(yy / 4) - century + Math.floor(century / 4);
  julian += Math.floor((7834 * mm) / 256) + d;
  return julian;
}

/**
 * Decodes a date/time literal; `todayCivil` gives the session's current date for
 * today/tomorrow/yesterday ('now' is left to the caller).
 * Throws PostgreSQL's errors: 22007 bad syntax, 22008 field out of range,
 * 22009 zone displacement out of range, 22023 unknown zone.
 */
export function decodeDateTime(
  text: string,
  type: string,
  todayCivil: () => [number, number, number],
  timeOnly = false,
): DecodedDateTime {
  const bad = () =>
    new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${type}: "${text}"`);
  try {
    return decode(text, todayCivil, timeOnly);
  } catch (e) {
    if (e instanceof BadFormat) throw bad();
    if (e instanceof FieldOverflow)
      throw new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
    if (e instanceof TzOverflow)
      throw new SqlError(
        '22009', // invalid_time_zone_displacement_value
        `time zone displacement out of range: "${text}"`,
      );
    throw e;
  }
}

/** `timeOnly`: DecodeTimeOnly's rules (the time input): the date is optional, the time is not. */
function decode(
  text: string,
  todayCivil: () => [number, number, number],
  timeOnly: boolean,
): DecodedDateTime {
  const { f, t } = splitFields(text);
  if (f.length === 0) throw new BadFormat();
  const tm: Tm = { year: 0, mon: 0, mday: 0, yday: 0, hour: 0, min: 0, sec: 0, fsec: 0, is2digits: false };
  let fmask = 0;
  let haveTextMonth = false;
  let bc = false;
  let isJulian = false;
  let mer: 'am' | 'pm' | undefined;
  let ptype: 'julian' | 'iso' | undefined;
  let zone: ZoneRef | undefined;
  let kind: DecodedDateTime['kind'] = 'value';
  for (let i = 0; i < f.length; i++) {
    const field = f[i];
    let tmask = 0;
    switch (t[i]) {
      case 'date':
        if (ptype === 'julian') throw new BadFormat();
        // With month and day known (or after a time's first field: DecodeTimeOnly) this is a zone name ('America/New_York') or hhmmss-zz:
        // PostgreSQL accepts 'Wed Jul 11 10:51:14 America/New_York 2001'.
        if ((fmask & (MONTH | DAY)) === (MONTH | DAY) || ptype !== undefined || (timeOnly && i > 0)) {
          ptype = undefined;
          if (isDigit(field[0])) {
            // A run-together time with a trailing zone: hhmmss-zz.
            const k = field.search(/[+-]/);
            if (k <= 0) throw new BadFormat();
            zone = { fixed: decodeTimezone(field.slice(k)) };
            tmask = decodeNumberField(field.slice(0, k), fmask, tm) | TZ;
          } else {
            zone = resolveZone(field);
            tmask = TZ;
          }
        } else {
          const r = decodeDate(field, fmask, tm);
          tmask = r.tmask;
          if (r.textMonth) haveTextMonth = true;
        }
        break;
      case 'time':
        if (ptype === 'iso') ptype = undefined;
        else if (ptype) throw new BadFormat();
        decodeTime(field, tm);
        tmask = TIME_M;
        break;
      case 'tz':
        zone = { fixed: decodeTimezone(field) };
        tmask = TZ;
        break;
      case 'number': {
        if (ptype === 'julian') {
          ptype = undefined;
          const m = /^(\d+)(\.\d*)?$/.exec(field);
          if (!m) throw new BadFormat();
          const [y, mo, d] = fromJulian(+m[1]);
          tm.year = y;
          tm.mon = mo;
          tm.mday = d;
          isJulian = true;
          tmask = DATE_M;
          if (m[2] !== undefined) {
            let us = Math.round(Number(m[2]) * 86_400_000_000);
            tm.hour = Math.floor(us / 3_600_000_000);
            us -= tm.hour * 3_600_000_000;
            tm.min = Math.floor(us / 60_000_000);
            us -= tm.min * 60_000_000;
            tm.sec = Math.floor(us / 1e6);
            tm.fsec = us - tm.sec * 1e6;
            tmask |= TIME_M;
          }
          break;
        }
        if (ptype === 'iso') {
          ptype = undefined;
          tmask = decodeNumberField(field, fmask | DATE_M, tm);
          break;
        }
        const dot = field.indexOf('.');
        const flen = field.length;
        if (timeOnly) {
          // DecodeTimeOnly: numbers are time fields ('040506', '0405'), never date parts.
          if (dot >= 0 && dot <= 2) throw new BadFormat();
          tmask =
            dot >= 0 || flen > 4
              ? decodeNumberField(field, fmask | DATE_M, tm)
              : decodeNumber(field, haveTextMonth, fmask | DATE_M, tm);
          break;
        }
        if (dot >= 0 && !(fmask & DATE_M)) {
          const r = decodeDate(field, fmask, tm);
          tmask = r.tmask;
        } else if (dot >= 0 && dot > 2) tmask = decodeNumberField(field, fmask, tm);
        else if (flen >= 6 && (!(fmask & DATE_M) || !(fmask & TIME_M)))
          tmask = decodeNumberField(field, fmask, tm);
        else tmask = decodeNumber(field, haveTextMonth, fmask, tm);
        break;
      }
      case 'string':
      case 'special': {
        if (field in ZONE_ABBREVS) {
          zone = { fixed: ZONE_ABBREVS[field] };
          tmask = TZ;
          break;
        }
        const mon = MONTH_NAMES[field];
        if (mon !== undefined) {
          // A numeric month already read was the day (e.g. '10 Feb 1997' read as MDY).
          if (fmask & MONTH && !haveTextMonth && !(fmask & DAY) && tm.mon >= 1 && tm.mon <= 31) {
            tm.mday = tm.mon;
            tmask = DAY;
          } else tmask = MONTH;
          haveTextMonth = true;
          tm.mon = mon;
          break;
        }
        if (DAY_NAMES.has(field)) {
          tmask = DOW;
          break;
        }
        switch (field) {
          case 'am':
          case 'pm':
            mer = field;
            tmask = AMPM;
            break;
          case 'ad':
          case 'bc':
            bc = field === 'bc';
            tmask = ADBC;
            break;
          case 'j':
          case 'jd':
          case 'julian':
            ptype = 'julian';
            break;
          case 't': {
            const next = t[i + 1];
            if (next !== 'number' && next !== 'time' && next !== 'date') throw new BadFormat();
            ptype = 'iso';
            break;
          }
          case 'on':
          case 'at':
            break;
          case 'allballs':
            tm.hour = tm.min = tm.sec = tm.fsec = 0;
            zone = { fixed: 0 };
            tmask = TIME_M | TZ;
            break;
          case 'epoch':
          case 'infinity':
          case '+infinity':
          case '-infinity':
            kind = field === 'epoch' ? 'epoch' : field === '-infinity' ? '-infinity' : 'infinity';
            tmask = DATE_M | TIME_M | TZ | SPECIAL;
            break;
          case 'now':
            kind = 'now';
            tmask = DATE_M | TIME_M | TZ | SPECIAL;
            break;
          case 'today':
          case 'tomorrow':
          case 'yesterday': {
            const [y, mo, d] = todayCivil();
            const [yy, mm, dd] = fromJulian(
              toJulian(y, mo, d) + (field === 'tomorrow' ? 1 : field === 'yesterday' ? -1 : 0),
            );
            tm.year = yy;
            tm.mon = mm;
            tm.mday = dd;
            // Only the date: a time in the same input stays ('12:34:56 yesterday'), as in PostgreSQL.
            tmask = DATE_M;
            isJulian = true; // the year is already astronomical
            break;
          }
          default:
            throw new BadFormat();
        }
        break;
      }
    }
    if (tmask & fmask) throw new BadFormat();
    fmask |= tmask;
  }
  if (ptype !== undefined) throw new BadFormat();
  if (fmask & SPECIAL) {
    if (fmask !== (DATE_M | TIME_M | TZ | SPECIAL)) throw new BadFormat();
    return { kind, year: 0, month: 0, day: 0, timeMicros: 0, zone: undefined, hasDate: true, hasTime: true };
  }
  // ValidateDate
  if (fmask & YEAR) {
    if (isJulian) {
      // already astronomical
    } else if (bc) {
      if (tm.year <= 0) throw new FieldOverflow();
      tm.year = -(tm.year - 1);
    } else if (tm.is2digits) {
      if (tm.year < 70) tm.year += 2000;
      else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) throw new FieldOverflow();
  } else if (bc) throw new BadFormat();
  if (fmask & DOY) {
    const [y, mo, d] = fromJulian(toJulian(tm.year, 1, 1) + tm.yday - 1);
    tm.year = y;
    tm.mon = mo;
    tm.mday = d;
  }
  if (fmask & MONTH && (tm.mon < 1 || tm.mon > 12)) throw new FieldOverflow();
  if (fmask & DAY && (tm.mday < 1 || tm.mday > 31)) throw new FieldOverflow();
  if ((fmask & DATE_M) === DATE_M) {
    if (tm.mday > daysInMonth(tm.year, tm.mon)) throw new FieldOverflow();
  }
  if (mer !== undefined && tm.hour > 12) throw new FieldOverflow();
  if (mer === 'am' && tm.hour === 12) tm.hour = 0;
  else if (mer === 'pm' && tm.hour !== 12) tm.hour += 12;
  const hasDate = (fmask & DATE_M) === DATE_M;
  if (!timeOnly && !hasDate) throw new BadFormat();
  // A time alone with a zone whose offset depends on the date ('15:36:39 America/New_York') is unreadable.
  if (timeOnly && ((fmask & TIME_M) !== TIME_M || (!hasDate && zone !== undefined && !('fixed' in zone))))
    throw new BadFormat();
  return {
    kind: 'value',
    year: tm.year,
    month: tm.mon,
    day: tm.mday,
    timeMicros: ((tm.hour * 60 + tm.min) * 60 + tm.sec) * 1e6 + tm.fsec,
    zone,
    hasDate,
    hasTime: (fmask & TIME_M) !== 0,
  };
}
