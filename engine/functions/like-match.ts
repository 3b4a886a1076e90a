/**
 * @module engine/functions/like-match
 * LIKE / ILIKE matching in time linear in the pattern times the string.
 *
 * A LIKE pattern translated naively to a RegExp (`^.*a.*a.*c$`) backtracks
 * in time polynomial in the string's length with the pattern's `%` count as
 * the exponent, and one RegExp test cannot be interrupted by a statement
 * budget: a 2 KB string against `%a%a%a%c` ran for minutes. The pattern is cut
 * at `%` into segments; the first must match at the start, the last at the
 * end, and every other one at its leftmost position after the previous one
 * (leftmost is always safe for `%`-separated segments of fixed width). Each
 * middle segment is an atomic step — a lookahead captures it and a
 * backreference consumes it — so nothing backtracks across segments, and the
 * match stays a native RegExp.
 *
 * `_` matches one character (a surrogate pair counts as one, as PostgreSQL's
 * UTF-8 characters do). ILIKE folds case as the `iu` RegExp flags do.
 */
import { SqlError } from '../errors.ts';

/** A compiled pattern. */
export interface LikePattern {
  readonly re: RegExp;
  /**
   * Set when the pattern ends with a lone escape: it never matches, and, as in
   * PostgreSQL, raises 22025 when the match reaches the escape with text left —
   * that is, when the pattern before it matches a proper prefix of the text
   * (which this probe, that prefix followed by `_%`, tests).
   */
  readonly danglingProbe?: LikePattern;
}

const ANY = '[\\s\\S]';
const quote = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Compiles a LIKE pattern with backslash escapes. */
export function compileLike(pattern: string, caseInsensitive: boolean): LikePattern {
  if (endsWithLoneEscape(pattern))
    return { re: /$^/, danglingProbe: compileLike(`${pattern.slice(0, -1)}_%`, caseInsensitive) };
  // Segments between `%`, each as RegExp source (`_` is one code point: the `u` flag).
  const segments: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') segments[segments.length - 1] += quote(pattern[++i]);
    else if (ch === '%') segments.push('');
    else if (ch === '_') segments[segments.length - 1] += '.';
    else segments[segments.length - 1] += quote(ch);
  }
  let src = `^${segments[0]}`;
  if (segments.length > 1) {
    // Middle segments: the leftmost match, captured by a lookahead and consumed by its
    // backreference, which JavaScript never backtracks into.
    const middle = segments.slice(1, -1).filter((x) => x !== '');
    middle.forEach((m, i) => {
      src += `(?=(${ANY}*?${m}))\\${i + 1}`;
    });
    src += `${ANY}*${segments[segments.length - 1]}`;
  }
  return { re: new RegExp(`${src}$`, caseInsensitive ? 'isu' : 'su') };
}

/** Whether the pattern's last backslash escapes nothing. */
function endsWithLoneEscape(p: string): boolean {
  let n = 0;
  while (n < p.length && p[p.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

/** Whether `text` matches the compiled pattern. */
export function likeMatches(text: string, p: LikePattern): boolean {
  if (p.danglingProbe) {
    if (likeMatches(text, p.danglingProbe))
      throw new SqlError('22025', 'LIKE pattern must not end with escape character');
    return false;
  }
  return p.re.test(text);
}

/**
 * like_escape(pattern, esc): what `LIKE pattern ESCAPE e` compiles to — the
 * pattern rewritten to backslash escapes. An empty escape turns escaping off
 * (backslashes become literal); more than one character is 22025.
 */
export function likeEscape(pattern: string, esc: string): string {
  if ([...esc].length > 1) throw new SqlError('22025', 'invalid escape string');
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    // The escape and what follows it become `\x`; a trailing escape stays a lone `\`, which
    // the match refuses only when it reaches it (see `compileLike`).
    if (esc !== '' && ch === esc) out += i + 1 < pattern.length ? `\\${pattern[++i]}` : '\\';
    else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out;
}
