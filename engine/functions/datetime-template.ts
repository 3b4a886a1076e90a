/**
 * @module engine/functions/datetime-template
 * The template patterns shared by `to_char` and `to_timestamp`: PostgreSQL's
 * keywords (numeric fields in upper or lower case; names, AM/PM, era and
 * Roman-numeral months in the case they print), the FM / TM / FX prefixes,
 * the TH ordinal suffix, "quoted" literal text and backslash escapes,
 * tokenized into fields and literals.
 */

/** English month names, January first. */
export const MONTHS = [
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
/** English day names, Sunday first (day of week 0). */
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Keywords PostgreSQL matches in upper or lower case (an item's `pat` is the
 * upper-case form); their output does not depend on the case written.
 */
const ANY_CASE = [
  'Y,YYY',
  'IYYY',
  'IYY',
  'IY',
  'I',
  'IW',
  'IDDD',
  'ID',
  'SSSSS',
  'SSSS',
  'FF1',
  'FF2',
  'FF3',
  'FF4',
  'FF5',
  'FF6',
  'TZH',
  'TZM',
  'OF',
  'J',
  'CC',
  'Q',
  'WW',
  'W',
  'HH24',
  'HH12',
  'HH',
  'MI',
  'SS',
  'MS',
  'US',
  'YYYY',
  'YYY',
  'YY',
  'Y',
  'MM',
  'DDD',
  'DD',
  'D',
];

/** Keywords matched exactly: the case written is the case printed (names, AM/PM, era, RM, TZ). */
const CASED = [
  'MONTH',
  'Month',
  'month',
  'MON',
  'Mon',
  'mon',
  'DAY',
  'Day',
  'day',
  'DY',
  'Dy',
  'dy',
  'RM',
  'rm',
  'A.D.',
  'B.C.',
  'a.d.',
  'b.c.',
  'AD',
  'BC',
  'ad',
  'bc',
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

/** Every spelling with its item pattern, longest first (HH24 before HH, Month before Mon). */
const KEYWORDS: readonly (readonly [string, string])[] = [
  ...ANY_CASE.flatMap((k) => [[k, k] as const, [k.toLowerCase(), k] as const]),
  ...CASED.map((k) => [k, k] as const),
].sort((a, b) => b[0].length - a[0].length);

/**
 * Patterns `to_timestamp` does not parse yet (to_char formats them all): refused
 * (0A000) rather than skipped or split into shorter patterns.
 */
export const NOT_PARSED = new Set([
  'Y,YYY',
  'YYY',
  'Y',
  'IYYY',
  'IYY',
  'IY',
  'I',
  'IW',
  'IDDD',
  'ID',
  'SSSSS',
  'SSSS',
  'FF1',
  'FF2',
  'FF3',
  'FF4',
  'FF5',
  'FF6',
  'TZH',
  'TZM',
  'OF',
  'J',
  'CC',
  'Q',
  'WW',
  'W',
  'RM',
  'rm',
  'A.D.',
  'B.C.',
  'a.d.',
  'b.c.',
  'AD',
  'BC',
  'ad',
  'bc',
]);

/** Numeric fields and the most digits each reads. */
export const WIDTH: Record<string, number> = {
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

/**
 * A template item: a field pattern with its prefixes (FM fill mode, TM: names
 * unpadded) and ordinal suffix (TH / th), or literal text.
 */
export type Item =
  | { kind: 'pat'; pat: string; fm: boolean; tm: boolean; th?: 'TH' | 'th' }
  | { kind: 'lit'; text: string };

/** Prefixes before a pattern: FM and TM change its output, FX (fixed format) only parsing. */
const PREFIXES = ['FM', 'fm', 'TM', 'tm', 'FX', 'fx'];

/** Splits a template into fields and literal text. */
export function tokenize(fmt: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < fmt.length) {
    let fm = false;
    let tm = false;
    let prefixed = false;
    for (
      let p = PREFIXES.find((x) => fmt.startsWith(x, i));
      p;
      p = PREFIXES.find((x) => fmt.startsWith(x, i))
    ) {
      if (p[0] === 'F' || p[0] === 'f') fm ||= p[1] === 'M' || p[1] === 'm';
      if (p[0] === 'T' || p[0] === 't') tm = true;
      prefixed = true;
      i += 2;
    }
    const kw = KEYWORDS.find(([k]) => fmt.startsWith(k, i));
    if (kw) {
      i += kw[0].length;
      const th = fmt.startsWith('TH', i) ? 'TH' : fmt.startsWith('th', i) ? 'th' : undefined;
      if (th) i += 2;
      out.push({ kind: 'pat', pat: kw[1], fm, tm, ...(th ? { th } : {}) });
      continue;
    }
    if (prefixed) continue;
    const c = fmt[i];
    if (c === '"') {
      // Quoted text; a backslash inside it escapes the next character (\" is a quote).
      let text = '';
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        text += fmt[i++];
      }
      out.push({ kind: 'lit', text });
      i++;
    } else if (c === '\\' && fmt[i + 1] === '"') {
      // Outside quotes a backslash escapes only a double quote; otherwise it is itself.
      out.push({ kind: 'lit', text: '"' });
      i += 2;
    } else {
      out.push({ kind: 'lit', text: c });
      i++;
    }
  }
  return out;
}
