/**
 * @module engine/functions/datetime-parse
 * `to_timestamp(text, fmt)` over the template patterns of datetime-template.
 * Parsing follows to_timestamp's default (non-FX) rules: whitespace and one
 * separator per format separator are skipped; numeric fields read up to their
 * width; errors are 22007 (bad input) and 22008 (field out of range). The
 * session zone is UTC.
 */
import { SqlError, SqlState } from '../errors.ts';
import { daysFromCivil, daysInMonth, MICROS_PER_DAY, MICROS_PER_SECOND } from '../types/datetime.ts';
import { DAYS, MONTHS, NOT_PARSED, tokenize, WIDTH } from './datetime-template.ts';

const bad = (msg: string) => new SqlError(SqlState.invalidDatetimeFormat, msg);
const range = (msg: string) => new SqlError(SqlState.datetimeFieldOverflow, msg);

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
    if (NOT_PARSED.has(it.pat) || it.th)
      throw new SqlError(
        SqlState.featureNotSupported,
        `formatting field "${it.th ?? it.pat}" is not supported in to_timestamp`,
      );
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
