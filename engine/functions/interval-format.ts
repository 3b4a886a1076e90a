/**
 * @module engine/functions/interval-format
 * `to_char(interval, fmt)`: PostgreSQL's interval_to_char over the template
 * patterns of datetime-template. The interval's fields print as they are
 * (years = months / 12, months = months % 12, days, hours past 24, negative
 * fields with their sign), as PostgreSQL does; eras, month and day names, D
 * and time zones are 22007 as in PostgreSQL, and the week, Julian and
 * Roman-numeral patterns (which PostgreSQL computes from the fields as if
 * they were a date) are refused with 0A000.
 */
import { SqlError, SqlState } from '../errors.ts';
import { MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from '../types/datetime.ts';
import type { Interval } from '../vector.ts';
import { ordinal, padded } from './datetime-format.ts';
import { tokenize } from './datetime-template.ts';

/** Patterns PostgreSQL refuses for intervals (22007): eras, names, day of week, zones. */
const CALENDAR_ONLY =
  /^(A\.?D\.?|B\.?C\.?|a\.?d\.?|b\.?c\.?|MONTH|Month|month|MON|Mon|mon|DAY|Day|day|DY|Dy|dy|D|TZ|tz|TZH|TZM|OF)$/;

/** C's `%0*d`: zero-padded to `width` characters, the sign counted. */
const cpad = (v: number, width: number) =>
  v < 0 ? `-${String(-v).padStart(width - 1, '0')}` : padded(v, width);

/** to_char of a finite interval (PostgreSQL: NULL for ±infinity, left to the caller). */
export function intervalToChar(iv: Interval, fmt: string): string {
  const years = Math.trunc(iv.months / 12);
  const months = iv.months % 12;
  const days = iv.days;
  const hours = Math.trunc(iv.micros / MICROS_PER_HOUR);
  let rest = iv.micros - hours * MICROS_PER_HOUR;
  const mins = Math.trunc(rest / MICROS_PER_MINUTE);
  rest -= mins * MICROS_PER_MINUTE;
  const secs = Math.trunc(rest / MICROS_PER_SECOND);
  const us = rest - secs * MICROS_PER_SECOND;
  let out = '';
  for (const it of tokenize(fmt)) {
    if (it.kind === 'lit') {
      out += it.text;
      continue;
    }
    const num = (v: number, width: number): string =>
      (it.fm ? String(v) : padded(v, width)) + (it.th ? ordinal(v, it.th) : '');
    /** Fixed-width fields (`%0*d` with the sign counted). */
    const fixed = (v: number, width: number): string =>
      (it.fm ? String(v) : cpad(v, width)) + (it.th ? ordinal(v, it.th) : '');
    switch (it.pat) {
      case 'HH':
      case 'HH12': {
        // A negative hour count widens the field even though 12 prints unsigned.
        const h = hours % 12 === 0 ? 12 : hours % 12;
        out += (it.fm ? String(h) : cpad(h, hours >= 0 ? 2 : 3)) + (it.th ? ordinal(h, it.th) : '');
        break;
      }
      case 'HH24':
        out += num(hours, 2);
        break;
      case 'MI':
        out += num(mins, 2);
        break;
      case 'SS':
        out += num(secs, 2);
        break;
      // MS and US keep their width under FM, as in PostgreSQL.
      case 'MS':
        out += cpad(Math.trunc(us / 1000), 3) + (it.th ? ordinal(Math.trunc(us / 1000), it.th) : '');
        break;
      case 'US':
        out += cpad(us, 6) + (it.th ? ordinal(us, it.th) : '');
        break;
      case 'FF1':
      case 'FF2':
      case 'FF3':
      case 'FF4':
      case 'FF5':
      case 'FF6': {
        const n = Number(it.pat[2]);
        out += padded(Math.trunc(us / 10 ** (6 - n)), n);
        break;
      }
      case 'SSSS':
      case 'SSSSS':
        out += num(hours * 3600 + mins * 60 + secs, 0);
        break;
      case 'MM':
        out += num(months, 2);
        break;
      case 'DD':
        out += fixed(days, 2);
        break;
      case 'DDD':
        out += fixed((years * 12 + months) * 30 + days, 3);
        break;
      case 'Q':
        if (months !== 0) out += num(Math.trunc((months - 1) / 3) + 1, 0);
        break;
      case 'YYYY':
        out += num(years, 4);
        break;
      case 'YYY':
        out += num(years % 1000, 3);
        break;
      case 'YY':
        out += num(years % 100, 2);
        break;
      case 'Y':
        out += num(years % 10, 1);
        break;
      case 'Y,YYY': {
        const k = Math.trunc(years / 1000);
        out += `${k},${cpad(years - k * 1000, 3)}`;
        break;
      }
      case 'CC': {
        const c = Math.trunc(years / 100);
        out += c <= 99 && c >= -99 ? num(c, 2) : String(c);
        break;
      }
      default:
        if (/^[AaPp]\.?[Mm]\.?$/.test(it.pat)) {
          // A 12-hour clock's half of the day, for intervals too.
          const pm = hours % 24 >= 12;
          const dotted = it.pat.includes('.');
          const s = dotted ? (pm ? 'P.M.' : 'A.M.') : pm ? 'PM' : 'AM';
          out += it.pat[0] === it.pat[0].toLowerCase() ? s.toLowerCase() : s;
          break;
        }
        if (CALENDAR_ONLY.test(it.pat))
          throw new SqlError(
            SqlState.invalidDatetimeFormat,
            'invalid format specification for an interval value',
            undefined,
            'Intervals are not tied to specific calendar dates.',
          );
        throw new SqlError(
          SqlState.featureNotSupported,
          `to_char(interval, text) does not support the pattern "${it.pat}"`,
        );
    }
  }
  return out;
}
