/**
 * @module engine/functions/datetime-format
 * `to_char(timestamp, fmt)` and `to_timestamp(text, fmt)` for PostgreSQL's
 * common template patterns: YYYY YY MM DD DDD HH24 HH12 HH MI SS MS US AM/PM
 * (a.m. forms too) Mon/MON/mon Month Dy Day D TZ, the FM fill-mode prefix,
 * "quoted" literal text and backslash escapes. The session zone is UTC.
 * Parsing follows to_timestamp's default (non-FX) rules: whitespace and one
 * separator per format separator are skipped; numeric fields read up to their
 * width; errors are 22007 (bad input) and 22008 (field out of range).
 */
import { SqlError, SqlState } from '../errors.ts';
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
} from '../types/datetime.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Longest first, so HH24 wins over HH and Month over Mon. */
const PATTERNS = [
  'HH24',
  'HH12',
  'HH',
  'MI',
  'SS',
  'MS',
  'US',
  'YYYY',
  'YY',
  'MONTH',
  'Month',
  'month',
  'MON',
  'Mon',
  'mon',
  'MM',
  'DDD',
  'DD',
  'DAY',
  'Day',
  'day',
  'DY',
  'Dy',
  'dy',
  'D',
  'A.M.',
  'P.M.',
  'a.m.',
  'p.m.',
  'AM',
  'PM',
  'am',
  'pm',
  'TZ',
  'tz',
];

type Item = { kind: 'pat'; pat: string; fm: boolean } | { kind: 'lit'; text: string };

function tokenize(fmt: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < fmt.length) {
    let fm = false;
    if (fmt.startsWith('FM', i) || fmt.startsWith('fm', i)) {
      fm = true;
      i += 2;
    }
    // Numeric fields (and TZ) match in any case; names and AM/PM copy the pattern's case.
    const up = fmt.slice(i, i + 4).toUpperCase();
    const pat =
      PATTERNS.find((p) => fmt.startsWith(p, i)) ?? PATTERNS.find((p) => p in WIDTH && up.startsWith(p));
    if (pat) {
      out.push({ kind: 'pat', pat, fm });
      i += pat.length;
      continue;
    }
    if (fm) continue;
    const c = fmt[i];
    if (c === '"') {
      const end = fmt.indexOf('"', i + 1);
      const stop = end < 0 ? fmt.length : end;
      out.push({ kind: 'lit', text: fmt.slice(i + 1, stop).replace(/\\(.)/g, '$1') });
      i = stop + 1;
    } else if (c === '\\' && i + 1 < fmt.length) {
      out.push({ kind: 'lit', text: fmt[i + 1] });
      i += 2;
    } else {
      out.push({ kind: 'lit', text: c });
      i++;
    }
  }
  return out;
}

const casing = (pat: string, s: string) =>
  pat === pat.toUpperCase() ? s.toUpperCase() : pat === pat.toLowerCase() ? s.toLowerCase() : s;

/** to_char over µs since the epoch; `withZone` is false for timestamp without time zone (TZ prints empty). */
export function toChar(micros: number, fmt: string, withZone: boolean): string {
  if (!Number.isFinite(micros)) return '';
  const days = Math.floor(micros / MICROS_PER_DAY);
  const tod = micros - days * MICROS_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  const secs = Math.floor(tod / MICROS_PER_SECOND);
  const us = tod - secs * MICROS_PER_SECOND;
  const h = Math.floor(secs / 3600);
  const dow = (((days + 4) % 7) + 7) % 7;
  const year = y > 0 ? y : 1 - y;
  let out = '';
  for (const it of tokenize(fmt)) {
    if (it.kind === 'lit') {
      out += it.text;
      continue;
    }
    const num = (v: number, w: number) => (it.fm ? String(v) : String(v).padStart(w, '0'));
    const word = (s: string) => casing(it.pat, it.fm ? s : s.padEnd(9, ' '));
    switch (it.pat) {
      case 'YYYY':
        out += num(year, 4);
        break;
      case 'YY':
        out += num(year % 100, 2);
        break;
      case 'MM':
        out += num(mo, 2);
        break;
      case 'DD':
        out += num(d, 2);
        break;
      case 'DDD':
        out += num(days - daysFromCivil(y, 1, 1) + 1, 3);
        break;
      case 'D':
        out += String(dow + 1);
        break;
      case 'HH24':
        out += num(h, 2);
        break;
      case 'HH12':
      case 'HH':
        out += num(h % 12 === 0 ? 12 : h % 12, 2);
        break;
      case 'MI':
        out += num(Math.floor(secs / 60) % 60, 2);
        break;
      case 'SS':
        out += num(secs % 60, 2);
        break;
      case 'MS':
        out += num(Math.floor(us / 1000), 3);
        break;
      case 'US':
        out += num(us, 6);
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
        out += word(DAYS[dow]);
        break;
      case 'DY':
      case 'Dy':
      case 'dy':
        out += casing(it.pat, DAYS[dow].slice(0, 3));
        break;
      case 'TZ':
      case 'tz':
        out += withZone ? casing(it.pat, 'UTC') : '';
        break;
      default: {
        // AM/PM forms: keep the pattern's case and dots.
        const pm = h >= 12;
        const dotted = it.pat.includes('.');
        const s = dotted ? (pm ? 'P.M.' : 'A.M.') : pm ? 'PM' : 'AM';
        out += it.pat[0] === it.pat[0].toLowerCase() ? s.toLowerCase() : s;
      }
    }
  }
  return out;
}

const bad = (msg: string) => new SqlError(SqlState.invalidDatetimeFormat, msg);
const range = (msg: string) => new SqlError(SqlState.datetimeFieldOverflow, msg);

const WIDTH: Record<string, number> = {
  YYYY: 4,
  YY: 2,
  MM: 2,
  DD: 2,
  DDD: 3,
  D: 1,
  HH24: 2,
  HH12: 2,
  HH: 2,
  MI: 2,
  SS: 2,
  MS: 3,
  US: 6,
};

/** to_timestamp(text, fmt): µs since the epoch (UTC). */
export function toTimestamp(input: string, fmt: string): number {
  // A missing year is year 0 (1 BC), as PostgreSQL's to_timestamp leaves it.
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let pm: boolean | undefined;
  let twelve = false;
  let i = 0;
  const skipSpace = () => {
    while (i < input.length && input[i] === ' ') i++;
  };
  for (const it of tokenize(fmt)) {
    if (it.kind === 'lit') {
      // Non-FX mode: a format separator consumes one input separator (any non-alphanumeric), spaces skip.
      for (const c of it.text) {
        if (c === ' ') skipSpace();
        else if (i < input.length && !/[A-Za-z0-9]/.test(input[i])) i++;
        else if (i < input.length && input[i] === c) i++;
      }
      continue;
    }
    skipSpace();
    // Fields past the end of the input keep their defaults.
    if (i >= input.length) break;
    const p = it.pat;
    const w = WIDTH[p];
    if (w !== undefined) {
      const m = /^[+-]?\d+/.exec(input.slice(i, i + w + (input[i] === '-' ? 1 : 0)));
      if (!m) {
        if (i >= input.length) throw bad(`source string too short for "${p}" formatting field`);
        throw bad(`invalid value "${input.slice(i, i + w)}" for "${p}"`);
      }
      i += m[0].length;
      const v = Number(m[0]);
      switch (p) {
        case 'YYYY':
          year = v;
          break;
        case 'YY':
          year = v < 70 ? 2000 + v : 1900 + v;
          break;
        case 'MM':
          month = v;
          break;
        case 'DD':
          day = v;
          break;
        case 'HH24':
          hour = v;
          break;
        case 'HH12':
        case 'HH':
          if (v < 1 || v > 12) throw bad(`hour "${v}" is invalid for the 12-hour clock`);
          hour = v;
          twelve = true;
          break;
        case 'MI':
          minute = v;
          break;
        case 'SS':
          second = v;
          break;
        case 'MS':
          micros = v * 10 ** (3 - m[0].length) * 1000;
          break;
        case 'US':
          micros = v * 10 ** (6 - m[0].length);
          break;
      }
      continue;
    }
    const rest = input.slice(i).toLowerCase();
    const pickName = (names: string[], full: boolean) => {
      const k = names.findIndex((n) => rest.startsWith((full ? n : n.slice(0, 3)).toLowerCase()));
      if (k < 0) throw bad(`invalid value "${input.slice(i, i + (full ? 9 : 3))}" for "${p}"`);
      i += full ? names[k].length : 3;
      return k;
    };
    switch (p.toUpperCase()) {
      case 'MONTH':
        month = pickName(MONTHS, true) + 1;
        break;
      case 'MON':
        month = pickName(MONTHS, false) + 1;
        break;
      case 'DAY':
        pickName(DAYS, true);
        break;
      case 'DY':
        pickName(DAYS, false);
        break;
      case 'TZ':
        throw new SqlError(
          SqlState.featureNotSupported,
          'formatting field "TZ" is only supported in to_char',
        );
      default: {
        const m = /^([ap])\.?m\.?/.exec(rest);
        if (!m) throw bad(`invalid value "${input.slice(i, i + p.length)}" for "${p}"`);
        pm = m[1] === 'p';
        i += m[0].length;
      }
    }
  }
  if (pm !== undefined || twelve) {
    if (hour < 1 || hour > 12) throw bad(`hour "${hour}" is invalid for the 12-hour clock`);
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const text = `"${input}"`;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    throw range(`date/time field value out of range: ${text}`);
  if (hour > 24 || minute > 59 || second > 60) throw range(`date/time field value out of range: ${text}`);
  return (
    daysFromCivil(year, month, day) * MICROS_PER_DAY +
    ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND +
    micros
  );
}
