/**
 * @module engine/types/interval-input
 * Interval input as PostgreSQL reads it (interval_in): the fields of ParseDateTime read
 * right to left by DecodeInterval (units before their values, a bare number taking the
 * field the type modifier's range names), else ISO 8601 (DecodeISO8601Interval: `P1Y2M`,
 * `P0001-02-03T04:05:06`). Fields accumulate as PostgreSQL's pg_itm_in does — int32 years,
 * months and days, int64 µs (a bigint here) — so a field past its range is PostgreSQL's
 * 22015 and a repeated unit ('1 day 1 day') its 22007. Fractions carry down as
 * AdjustFract* do (a month is 30 days, a day 24 hours; fractions of years become months).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import { BadFormat, FieldOverflow, type FieldType, splitFields } from './datetime-input.ts';

/** PostgreSQL's INTERVAL_MASK bits of a typmod's range (datetime.h field numbers). */
export const INTERVAL_RANGE = {
  month: 1 << 1,
  year: 1 << 2,
  day: 1 << 3,
  hour: 1 << 10,
  minute: 1 << 11,
  second: 1 << 12,
  full: 0x7fff,
} as const;

const R = INTERVAL_RANGE;

/** DTK_M bits of the fields an input has set (datetime.h numbering, as PostgreSQL masks them). */
const M = {
  month: 1 << 1,
  year: 1 << 2,
  day: 1 << 3,
  hour: 1 << 10,
  minute: 1 << 11,
  second: 1 << 12,
  millisecond: 1 << 13,
  microsecond: 1 << 14,
  week: 1 << 24,
  decade: 1 << 25,
  century: 1 << 26,
  millennium: 1 << 27,
} as const;
const ALL_SECS_M = M.second | M.millisecond | M.microsecond;
const TIME_M = M.hour | M.minute | ALL_SECS_M;
const DATE_M = M.year | M.month | M.day;

type Unit =
  | 'microsecond'
  | 'millisecond'
  | 'second'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'decade'
  | 'century'
  | 'millennium'
  | 'quarter'
  | 'other';

/** deltatktbl: PostgreSQL's interval unit words, matched on their first 10 characters (TOKMAXLEN). */
const UNIT_WORDS: Record<string, Unit> = {};
for (const [unit, words] of [
  ['century', 'c cent centuries century'],
  ['day', 'd day days'],
  ['decade', 'dec decade decades decs'],
  ['hour', 'h hour hours hr hrs'],
  ['minute', 'm min mins minute minutes mm'],
  ['microsecond', 'microsecon us usec usecs useconds'],
  ['millisecond', 'millisecon ms msec msecs mseconds'],
  ['millennium', 'mil millennia millennium mils'],
  ['month', 'mon mons month months'],
  ['second', 's sec second seconds secs'],
  ['week', 'w week weeks'],
  ['year', 'y year years yr yrs'],
  ['quarter', 'qtr quarter'],
  // Known to PostgreSQL but not interval fields: a bad format when they carry a value.
  ['other', 'timezone timezone_h timezone_m j jd julian isoyear dow doy isodow'],
] as const) {
  for (const w of words.split(' ')) UNIT_WORDS[w] = unit;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const USECS_PER_SEC = 1_000_000;
const USECS_PER_MINUTE = 60 * USECS_PER_SEC;
const USECS_PER_HOUR = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY = 24 * USECS_PER_HOUR;

/** pg_itm_in: the fields being accumulated. */
class ItmIn {
  year = 0;
  mon = 0;
  mday = 0;
  usec = 0n;

  private static int32(v: number): number {
    if (!(v >= INT32_MIN && v <= INT32_MAX)) throw new FieldOverflow();
    return v;
  }
  private setUsec(v: bigint): void {
    if (v < INT64_MIN || v > INT64_MAX) throw new FieldOverflow();
    this.usec = v;
  }
  /** AdjustFractMicroseconds: frac × scale µs, its sub-µs part rounded (half toward zero). */
  fractMicros(frac: number, scale: number): void {
    if (frac === 0) return;
    let f = frac * scale;
    let usec = Math.trunc(f);
    f -= usec;
    if (f > 0.5) usec++;
    else if (f < -0.5) usec--;
    this.setUsec(this.usec + BigInt(usec));
  }
  /** AdjustFractDays: whole days of frac × scale, the rest as µs. */
  fractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    let f = frac * scale;
    const extra = Math.trunc(f);
    this.mday = ItmIn.int32(this.mday + extra);
    f -= extra;
    this.fractMicros(f, USECS_PER_DAY);
  }
  /** AdjustFractYears: months of frac × scale years, rounded half to even (rint). */
  fractYears(frac: number, scale: number): void {
    this.mon = ItmIn.int32(this.mon + rint(frac * scale * 12));
  }
  /** AdjustMicroseconds: (val + fval) × scale µs. */
  micros(val: bigint, fval: number, scale: number): void {
    this.setUsec(this.usec + val * BigInt(scale));
    this.fractMicros(fval, scale);
  }
  days(val: bigint, scale: number): void {
    this.mday = ItmIn.int32(this.mday + ItmIn.int32(Number(ItmIn.int32b(val)) * scale));
  }
  months(val: bigint): void {
    this.mon = ItmIn.int32(this.mon + Number(ItmIn.int32b(val)));
  }
  years(val: bigint, scale: number): void {
    this.year = ItmIn.int32(this.year + ItmIn.int32(Number(ItmIn.int32b(val)) * scale));
  }
  private static int32b(v: bigint): bigint {
    if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) throw new FieldOverflow();
    return v;
  }
  /** DecodeTimeForInterval: the time replaces the µs so far (a repeated µs field is refused first). */
  time(hour: bigint, min: number, sec: number, fsec: number): void {
    this.usec = 0n;
    this.setUsec(BigInt(fsec) + hour * BigInt(USECS_PER_HOUR));
    this.setUsec(this.usec + BigInt(min * USECS_PER_MINUTE));
    this.setUsec(this.usec + BigInt(sec * USECS_PER_SEC));
  }
  negate(): void {
    if (
      this.usec === INT64_MIN ||
      this.mday === INT32_MIN ||
      this.mon === INT32_MIN ||
      this.year === INT32_MIN
    )
      throw new FieldOverflow();
    this.usec = -this.usec;
    this.mday = -this.mday;
    this.mon = -this.mon;
    this.year = -this.year;
  }
}

/** C's rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** strtoi64's prefix: optional sign and digits; `rest` is what follows. */
function strtoi64(s: string): { val: bigint; rest: string } {
  const m = /^[+-]?\d*/.exec(s) as RegExpExecArray;
  const digits = m[0].replace(/^[+-]/, '');
  const val = digits === '' ? 0n : BigInt(m[0]);
  if (val < INT64_MIN || val > INT64_MAX) throw new FieldOverflow();
  return { val, rest: digits === '' ? s : s.slice(m[0].length) };
}

/** ParseFraction: '.' then digits only (a lone '.' is 0). */
function parseFraction(s: string): number {
  if (s === '.') return 0;
  if (!/^\.\d+$/.test(s)) throw new BadFormat();
  return Number(s);
}

/** DecodeTimeCommon + DecodeTimeForInterval: 'h:mm', 'h:mm:ss[.f]', 'mm:ss.f' (and 'mm:ss' in MINUTE TO SECOND). */
function decodeTime(str: string, range: number, itm: ItmIn): void {
  const h = strtoi64(str);
  let hour = h.val;
  let cp = h.rest;
  if (cp[0] !== ':') throw new BadFormat();
  const mm = /^\d*/.exec(cp.slice(1)) as RegExpExecArray;
  let min = mm[0] === '' ? 0 : Number(mm[0]);
  if (min > INT32_MAX) throw new FieldOverflow();
  cp = cp.slice(1 + mm[0].length);
  let sec = 0;
  let fsec = 0;
  const swap = () => {
    if (hour > BigInt(INT32_MAX) || hour < BigInt(INT32_MIN)) throw new FieldOverflow();
    sec = min;
    min = Number(hour);
    hour = 0n;
  };
  if (cp === '') {
    if (range === (R.minute | R.second)) swap();
  } else if (cp[0] === '.') {
    fsec = Math.round(parseFraction(cp) * 1e6);
    swap();
  } else if (cp[0] === ':') {
    const sm = /^\d*/.exec(cp.slice(1)) as RegExpExecArray;
    sec = sm[0] === '' ? 0 : Number(sm[0]);
    if (sec > INT32_MAX) throw new FieldOverflow();
    cp = cp.slice(1 + sm[0].length);
    if (cp[0] === '.') fsec = Math.round(parseFraction(cp) * 1e6);
    else if (cp !== '') throw new BadFormat();
  } else throw new BadFormat();
  if (hour < 0n || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > USECS_PER_SEC)
    throw new FieldOverflow();
  itm.time(hour, min, sec, fsec);
}

/** The field a bare number takes when no unit names it: the typmod range's smallest field. */
function defaultUnit(range: number): Unit {
  switch (range) {
    case R.year:
      return 'year';
    case R.month:
    case R.year | R.month:
      return 'month';
    case R.day:
      return 'day';
    case R.hour:
    case R.day | R.hour:
      return 'hour';
    case R.minute:
    case R.hour | R.minute:
    case R.day | R.hour | R.minute:
      return 'minute';
    default:
      return 'second';
  }
}

/** DecodeInterval over ParseDateTime's fields; 'infinity' / '-infinity' come back as such. */
function decodeInterval(
  f: string[],
  t: FieldType[],
  range: number,
  itm: ItmIn,
  sqlStandard: boolean,
): 'finite' | 'late' | 'early' {
  // SQL_STANDARD style: a leading '-' with no other sign negates every field ('-1 2:03' is -1 day -2:03).
  const forceNegative =
    sqlStandard && f.length > 0 && f[0][0] === '-' && !f.slice(1).some((x) => x[0] === '-' || x[0] === '+');
  let fmask = 0;
  let type: Unit | 'ignore' = 'ignore';
  let parsingUnit = false;
  let isBefore = false;
  let special: 'finite' | 'late' | 'early' = 'finite';
  const nf = f.length;
  if (nf > 25) throw new BadFormat(); // MAXDATEFIELDS
  for (let i = nf - 1; i >= 0; i--) {
    let tmask = 0;
    let ft = t[i];
    let field = f[i];
    if (ft === 'tz' && field.slice(1).includes(':')) {
      // A signed h:mm[:ss]: the time, its sign flipping it.
      let ok = true;
      try {
        decodeTime(field.slice(1), range, itm);
      } catch {
        ok = false;
      }
      if (ok) {
        if (field[0] === '-') {
          if (itm.usec === INT64_MIN) throw new FieldOverflow();
          itm.usec = -itm.usec;
        }
        if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
        tmask = TIME_M;
        type = 'day';
        parsingUnit = false;
        if (tmask & fmask) throw new BadFormat();
        fmask |= tmask;
        continue;
      }
      ft = 'number';
    }
    if (ft === 'time') {
      decodeTime(field, range, itm);
      if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
      tmask = TIME_M;
      type = 'day';
      parsingUnit = false;
    } else if (ft === 'tz' || ft === 'date' || ft === 'number') {
      if (type === 'ignore') type = defaultUnit(range);
      const { val: v0, rest } = strtoi64(field);
      let val = v0;
      let fval = 0;
      if (rest[0] === '-') {
        // SQL "years-months".
        const m2 = /^\d*/.exec(rest.slice(1)) as RegExpExecArray;
        let val2 = m2[0] === '' ? 0 : Number(m2[0]);
        if (val2 >= 12) throw new FieldOverflow();
        if (rest.slice(1 + m2[0].length) !== '') throw new BadFormat();
        type = 'month';
        if (field[0] === '-') val2 = -val2;
        val = val * 12n + BigInt(val2);
        if (val < INT64_MIN || val > INT64_MAX) throw new FieldOverflow();
      } else if (rest[0] === '.') {
        fval = parseFraction(rest);
        if (field[0] === '-') fval = -fval;
      } else if (rest !== '') throw new BadFormat();
      if (forceNegative) {
        if (val > 0n) val = -val;
        if (fval > 0) fval = -fval;
      }
      switch (type) {
        case 'microsecond':
          itm.micros(val, fval, 1);
          tmask = M.microsecond;
          break;
        case 'millisecond':
          itm.micros(val, fval, 1000);
          tmask = M.millisecond;
          break;
        case 'second':
          itm.micros(val, fval, USECS_PER_SEC);
          // With a fraction the value also sets the millisecond and microsecond fields.
          tmask = fval === 0 ? M.second : ALL_SECS_M;
          break;
        case 'minute':
          itm.micros(val, fval, USECS_PER_MINUTE);
          tmask = M.minute;
          break;
        case 'hour':
          itm.micros(val, fval, USECS_PER_HOUR);
          tmask = M.hour;
          type = 'day';
          break;
        case 'day':
          itm.days(val, 1);
          itm.fractMicros(fval, USECS_PER_DAY);
          tmask = M.day;
          break;
        case 'week':
          itm.days(val, 7);
          itm.fractDays(fval, 7);
          tmask = M.week;
          break;
        case 'month':
          itm.months(val);
          itm.fractDays(fval, 30);
          tmask = M.month;
          break;
        case 'year':
          itm.years(val, 1);
          itm.fractYears(fval, 1);
          tmask = M.year;
          break;
        case 'decade':
          itm.years(val, 10);
          itm.fractYears(fval, 10);
          tmask = M.decade;
          break;
        case 'century':
          itm.years(val, 100);
          itm.fractYears(fval, 100);
          tmask = M.century;
          break;
        case 'millennium':
          itm.years(val, 1000);
          itm.fractYears(fval, 1000);
          tmask = M.millennium;
          break;
        default:
          throw new BadFormat();
      }
      parsingUnit = false;
    } else if (ft === 'string' || ft === 'special') {
      if (parsingUnit) throw new BadFormat();
      field = field.slice(0, 10);
      const unit = UNIT_WORDS[field];
      if (unit !== undefined) {
        type = unit;
        parsingUnit = true;
      } else if (field === 'ago') {
        if (i !== nf - 1) throw new BadFormat();
        isBefore = true;
      } else if (field === 'at' || field === 'on') {
        continue;
      } else if (field === 'infinity' || field === '+infinity' || field === '-infinity') {
        if (i !== nf - 1) throw new BadFormat();
        tmask = DATE_M | TIME_M;
        special = field === '-infinity' ? 'early' : 'late';
      } else throw new BadFormat();
    } else throw new BadFormat();
    if (tmask & fmask) throw new BadFormat();
    fmask |= tmask;
  }
  if (fmask === 0 || parsingUnit) throw new BadFormat();
  if (isBefore) itm.negate();
  return special;
}

/**
 * The unit a word names (PostgreSQL's DecodeUnits, first 10 characters), as extract on an
 * interval reads its field: 'other' for units interval_part does not support.
 */
export function intervalUnit(word: string): Unit | undefined {
  return UNIT_WORDS[word.toLowerCase().slice(0, 10)];
}

/** ParseISO8601Number: strtod's prefix, |v| ≤ 1e15, split into integral and fractional parts. */
function isoNumber(s: string, pos: number): { ipart: number; fpart: number; end: number } {
  const c = s[pos];
  if (!(c !== undefined && (/\d/.test(c) || c === '-' || c === '.'))) throw new BadFormat();
  const m = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i.exec(s.slice(pos));
  if (!m) throw new BadFormat();
  const val = Number(m[0].replace(/^([+-]?)inf(?:inity)?$/i, '$1Infinity'));
  if (Number.isNaN(val) || val < -1e15 || val > 1e15) throw new FieldOverflow();
  const ipart = val >= 0 ? Math.floor(val) : -Math.floor(-val);
  return { ipart, fpart: val - ipart, end: pos + m[0].length };
}

/** DecodeISO8601Interval: designators `P…Y…M…W…DT…H…M…S`, or the alternative `Pyyyymmdd[Thhmmss]` / `Py-m-d[Th:m:s]`. */
function decodeIso(str: string, itm: ItmIn): void {
  if (str.length < 2 || str[0] !== 'P') throw new BadFormat();
  let p = 1;
  let datepart = true;
  let havefield = false;
  const intWidth = (at: number) => /^-?(\d*)/.exec(str.slice(at))?.[1].length ?? 0;
  while (p < str.length) {
    if (str[p] === 'T') {
      datepart = false;
      havefield = false;
      p++;
      continue;
    }
    const start = p;
    let n = isoNumber(str, p);
    p = n.end;
    const unit = str[p++] ?? '';
    const v = BigInt(n.ipart);
    if (datepart) {
      if (unit === 'Y') {
        itm.years(v, 1);
        itm.fractYears(n.fpart, 1);
      } else if (unit === 'M') {
        itm.months(v);
        itm.fractDays(n.fpart, 30);
      } else if (unit === 'W') {
        itm.days(v, 7);
        itm.fractDays(n.fpart, 7);
      } else if (unit === 'D') {
        itm.days(v, 1);
        itm.fractMicros(n.fpart, USECS_PER_DAY);
      } else if (unit === 'T' || unit === '' || unit === '-') {
        if (unit !== '-' && intWidth(start) === 8 && !havefield) {
          const val = n.ipart;
          itm.years(BigInt(Math.trunc(val / 10000)), 1);
          itm.months(BigInt(Math.trunc(val / 100) % 100));
          itm.days(BigInt(val % 100), 1);
          itm.fractMicros(n.fpart, USECS_PER_DAY);
          if (unit === '') return;
          datepart = false;
          havefield = false;
          continue;
        }
        if (havefield) throw new BadFormat();
        itm.years(v, 1);
        itm.fractYears(n.fpart, 1);
        if (unit === '') return;
        if (unit === 'T') {
          datepart = false;
          havefield = false;
          continue;
        }
        n = isoNumber(str, p);
        p = n.end;
        itm.months(BigInt(n.ipart));
        itm.fractDays(n.fpart, 30);
        if (p >= str.length) return;
        if (str[p] === 'T') {
          datepart = false;
          havefield = false;
          p++;
          continue;
        }
        if (str[p] !== '-') throw new BadFormat();
        n = isoNumber(str, p + 1);
        p = n.end;
        itm.days(BigInt(n.ipart), 1);
        itm.fractMicros(n.fpart, USECS_PER_DAY);
        if (p >= str.length) return;
        if (str[p] === 'T') {
          datepart = false;
          havefield = false;
          p++;
          continue;
        }
        throw new BadFormat();
      } else throw new BadFormat();
    } else {
      if (unit === 'H') itm.micros(v, n.fpart, USECS_PER_HOUR);
      else if (unit === 'M') itm.micros(v, n.fpart, USECS_PER_MINUTE);
      else if (unit === 'S') itm.micros(v, n.fpart, USECS_PER_SEC);
      else if (unit === '' || unit === ':') {
        if (unit === '' && intWidth(start) === 6 && !havefield) {
          const val = n.ipart;
          itm.micros(BigInt(Math.trunc(val / 10000)), 0, USECS_PER_HOUR);
          itm.micros(BigInt(Math.trunc(val / 100) % 100), 0, USECS_PER_MINUTE);
          itm.micros(BigInt(val % 100), 0, USECS_PER_SEC);
          itm.fractMicros(n.fpart, 1);
          return;
        }
        if (havefield) throw new BadFormat();
        itm.micros(v, n.fpart, USECS_PER_HOUR);
        if (unit === '') return;
        n = isoNumber(str, p);
        p = n.end;
        itm.micros(BigInt(n.ipart), n.fpart, USECS_PER_MINUTE);
        if (p >= str.length) return;
        if (str[p] !== ':') throw new BadFormat();
        n = isoNumber(str, p + 1);
        p = n.end;
        itm.micros(BigInt(n.ipart), n.fpart, USECS_PER_SEC);
        if (p >= str.length) return;
        throw new BadFormat();
      } else throw new BadFormat();
    }
    havefield = true;
  }
}

/** µs beyond ±2^53 cannot be held exactly by the engine's interval (a double): refused, never rounded. */
const MAX_EXACT_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads interval text as PostgreSQL's interval_in does for a typmod `range` (INTERVAL_RANGE
 * bits; `full` when unrestricted) in the session's IntervalStyle (sql_standard signs every
 * field by a lone leading '-'). The typmod's rounding is applied by the caller
 * (adjustIntervalForTypmod), as PostgreSQL applies it after reading.
 */
export function readInterval(
  text: string,
  range: number = R.full,
  style: 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601' = 'postgres',
): Interval {
  const itm = new ItmIn();
  const fail = (e: unknown): never => {
    if (e instanceof FieldOverflow)
      throw new SqlError('22015', `interval field value out of range: "${text}"`);
    if (e instanceof BadFormat)
      throw new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
    throw e;
  };
  let special: 'finite' | 'late' | 'early' = 'finite';
  try {
    const { f, t } = splitFields(text);
    special = decodeInterval(f, t, range, itm, style === 'sql_standard');
  } catch (e) {
    if (e instanceof FieldOverflow) fail(e);
    if (!(e instanceof BadFormat)) throw e;
    const iso = new ItmIn();
    try {
      decodeIso(text, iso);
    } catch (e2) {
      fail(e2);
    }
    Object.assign(itm, iso);
  }
  if (special === 'late') return { months: Infinity, days: Infinity, micros: Infinity };
  if (special === 'early') return { months: -Infinity, days: -Infinity, micros: -Infinity };
  const months = itm.year * 12 + itm.mon;
  if (months > INT32_MAX || months < INT32_MIN)
    throw new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
  if (itm.usec > MAX_EXACT_MICROS || itm.usec < -MAX_EXACT_MICROS)
    throw new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
  return { months, days: itm.mday, micros: Number(itm.usec) };
}
