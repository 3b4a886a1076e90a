/**
 * @module engine/functions/datetime-format
 * `to_char(timestamp, fmt)` over the template patterns of datetime-template;
 * the session zone is UTC. `to_timestamp` (parsing) lives in datetime-parse
 * and is re-exported here.
 */
import { SqlError, SqlState } from '../errors.ts';
import { civilFromDays, daysFromCivil, MICROS_PER_DAY, MICROS_PER_SECOND } from '../types/datetime.ts';
import { DAYS, MONTHS, tokenize, UNSUPPORTED } from './datetime-template.ts';

export { toTimestamp } from './datetime-parse.ts';

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
    if (UNSUPPORTED.has(it.pat))
      throw new SqlError(SqlState.featureNotSupported, `formatting field "${it.pat}" is not supported`);
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
