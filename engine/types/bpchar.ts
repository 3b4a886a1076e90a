/**
 * @module engine/types/bpchar
 * `character(n)` / `char(n)` / `bpchar`: PostgreSQL's blank-padded strings. A value is kept
 * as PostgreSQL stores it, padded with spaces to n characters (bpchar without n keeps what it
 * was given); trailing spaces are insignificant wherever values are compared, grouped or
 * hashed, and are removed when the value becomes text (so `length`, `||` and every text
 * function see the value without them), while `octet_length` counts them.
 */
import { SqlError, SqlState } from '../errors.ts';

/** PostgreSQL's limit on n in char(n) / varchar(n) (MaxAttrSize). */
export const MAX_CHAR_LENGTH = 10485760;

/** The value without its trailing spaces (bpchar → text, and what comparisons see). */
export function stripPadding(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Comparator of two bpchar values: C collation over the values without trailing spaces. */
export function compareBpchar(a: unknown, b: unknown): number {
  const x = stripPadding(a as string);
  const y = stripPadding(b as string);
  if (x === y) return 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(i)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
    if (cx > 0xffff) i++;
  }
  return x.length < y.length ? -1 : 1;
}

/**
 * char(n) applied to a value (bpchar's typmod input): padded with spaces to n characters;
 * a longer value is cut to n on an explicit cast, and on assignment only when what is cut
 * is spaces, else 22001.
 */
export function fitBpchar(s: string, n: number, explicit: boolean): string {
  // Characters, not UTF-16 units: an astral character counts once, as in PostgreSQL.
  const chars = [...s];
  if (chars.length <= n) return chars.length === n ? s : s + ' '.repeat(n - chars.length);
  if (!explicit && chars.slice(n).some((c) => c !== ' '))
    throw new SqlError(SqlState.stringDataRightTruncation, `value too long for type character(${n})`);
  return chars.slice(0, n).join('');
}

/** Checks n of char(n) as PostgreSQL's bpchartypmodin does. */
export function checkCharLength(n: number): number {
  if (n < 1) throw new SqlError(SqlState.invalidParameterValue, 'length for type char must be at least 1');
  if (n > MAX_CHAR_LENGTH)
    throw new SqlError(
      SqlState.invalidParameterValue,
      `length for type char cannot exceed ${MAX_CHAR_LENGTH}`,
    );
  return n;
}
