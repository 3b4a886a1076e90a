/**
 * @module engine/types/typmod
 * Type modifiers: numeric(p, s) rounds to s digits and rejects values with more
 * than p - s integer digits (22003); varchar(n) truncates on explicit casts and
 * rejects longer values on assignment (22001); timestamp(p) rounds fractional
 * seconds to p digits; interval fields and precision (`interval day to second(2)`) drop the
 * fields below the range and round µs (engine/types/interval-fields); char(n) pads to n (see `bpchar`); time(p) rounds as timestamp(p). `name` (PostgreSQL's identifier type: text of at most 63 bytes)
 * is text whose input is clipped silently to 63 bytes at a character boundary, on casts
 * and assignments alike; it compares as text does here (C collation).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import { checkCharLength, fitBpchar } from './bpchar.ts';
import { adjustInterval, intervalTypmod } from './interval-fields.ts';
import { decimalToString, decRound, isNumericSpecial, NUMERIC_NAN, parseDecimal } from './numeric.ts';
import { roundTime } from './time-of-day.ts';
import type { SqlType } from './values.ts';

export type TypMod =
  | { readonly kind: 'numeric'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'bpchar'; readonly length: number }
  | { readonly kind: 'time'; readonly precision: number }
  | { readonly kind: 'timestamp'; readonly precision: number }
  | { readonly kind: 'interval'; readonly range: number; readonly precision: number }
  | { readonly kind: 'name' };

/** NAMEDATALEN − 1: the bytes a `name` keeps. */
const NAME_MAX_BYTES = 63;
const utf8 = new TextEncoder();

/** `s` clipped to 63 UTF-8 bytes without splitting a character (PostgreSQL's namein). */
function clipName(s: string): string {
  if (s.length <= NAME_MAX_BYTES / 3 || utf8.encode(s).length <= NAME_MAX_BYTES) return s;
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = utf8.encode(ch).length;
    if (bytes + n > NAME_MAX_BYTES) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** Builds a typmod from a type and its integer modifiers; undefined when they change nothing. */
export function makeTypMod(type: SqlType, typeName: string, mods: readonly number[]): TypMod | undefined {
  if (type === 'text' && typeName === 'name') {
    if (mods.length > 0)
      throw new SqlError(SqlState.syntaxError, 'type modifier is not allowed for type "name"');
    return { kind: 'name' };
  }
  if (mods.length === 0) return undefined;
  if (type === 'interval') {
    const m = intervalTypmod(mods);
    return m && { kind: 'interval', ...m };
  }
  if (type === 'numeric') {
    const precision = mods[0];
    const scale = mods[1] ?? 0;
    if (precision < 1 || precision > 1000)
      throw new SqlError(
        SqlState.invalidParameterValue,
        `NUMERIC precision ${precision} must be between 1 and 1000`,
      );
    return { kind: 'numeric', precision, scale };
  }
  if (type === 'text' && (typeName === 'varchar' || typeName === 'character varying'))
    return { kind: 'varchar', length: mods[0] };
  if (type === 'bpchar') return { kind: 'bpchar', length: checkCharLength(mods[0]) };
  if (type === 'time') {
    if (mods[0] < 0)
      throw new SqlError(SqlState.invalidParameterValue, `TIME(${mods[0]}) precision must not be negative`);
    return mods[0] < 6 ? { kind: 'time', precision: mods[0] } : undefined;
  }
  if ((type === 'timestamp' || type === 'timestamptz') && mods[0] < 6)
    return { kind: 'timestamp', precision: Math.max(0, mods[0]) };
  return undefined;
}

/** A function enforcing the typmod on a non-null value; `explicit` is a cast (truncate) vs. an assignment (error). */
export function typmodEnforcer(tm: TypMod, explicit: boolean): (v: unknown) => unknown {
  switch (tm.kind) {
    case 'numeric': {
      const maxInt = tm.precision - tm.scale;
      return (v) => {
        if (v === NUMERIC_NAN) return v;
        // PostgreSQL's message; its DETAIL says a field of this precision cannot hold an infinite value.
        if (isNumericSpecial(v as string))
          throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow');
        const d = decRound(parseDecimal(v as string), tm.scale);
        const abs = (d.int < 0n ? -d.int : d.int).toString();
        const intDigits = abs.length - tm.scale;
        if (d.int !== 0n && intDigits > maxInt) {
          throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow');
        }
        return decimalToString(d);
      };
    }
    case 'varchar':
      return (v) => {
        const chars = [...(v as string)];
        if (chars.length <= tm.length) return v;
        if (explicit) return chars.slice(0, tm.length).join('');
        // Trailing spaces beyond the limit are silently dropped, as in PostgreSQL.
        if (chars.slice(tm.length).every((c) => c === ' ')) return chars.slice(0, tm.length).join('');
        throw new SqlError(
          SqlState.stringDataRightTruncation,
          `value too long for type character varying(${tm.length})`,
        );
      };
    case 'bpchar':
      return (v) => fitBpchar(v as string, tm.length, explicit);
    case 'time':
      return (v) => roundTime(v as number, tm.precision);
    case 'name':
      return (v) => clipName(v as string);
    case 'interval':
      return (v) => adjustInterval(v as Interval, tm.range, tm.precision);
    case 'timestamp': {
      const unit = 10 ** (6 - tm.precision);
      // Half away from zero on the µs value, as PostgreSQL rounds timestamps.
      return (v) => Math.sign(v as number) * Math.round(Math.abs(v as number) / unit) * unit;
    }
  }
}
