/**
 * @module engine/functions/datetime-template
 * The template patterns shared by `to_char` and `to_timestamp`: PostgreSQL's
 * common fields YYYY YY MM DD DDD HH24 HH12 HH MI SS MS US AM/PM (a.m. forms
 * too) Mon/MON/mon Month Dy Day D TZ, the FM fill-mode prefix, "quoted"
 * literal text and backslash escapes, tokenized into fields and literals.
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
 * PostgreSQL patterns the engine does not format or parse yet: recognised so they are
 * refused (0A000) rather than printed as literal text or split into shorter patterns.
 */
export const UNSUPPORTED = new Set([
  'Y,YYY',
  'YYY',
  'Y',
  'IYYY',
  'IYY',
  'IY',
  'IW',
  'IDDD',
  'ID',
  'I',
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
  'AD',
  'BC',
  'A.D.',
  'B.C.',
  'ad',
  'bc',
  'a.d.',
  'b.c.',
  'TH',
]);

/** Longest first, so HH24 wins over HH and Month over Mon. */
const PATTERNS = [
  'Y,YYY',
  'IYYY',
  'IYY',
  'IY',
  'IW',
  'IDDD',
  'ID',
  'I',
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

/** A template item: a field pattern (with its FM flag) or literal text. */
export type Item = { kind: 'pat'; pat: string; fm: boolean } | { kind: 'lit'; text: string };

/** Splits a template into fields and literal text. */
export function tokenize(fmt: string): Item[] {
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
      // The ordinal suffix (DDTH) is not supported yet.
      if (fmt.startsWith('TH', i) || fmt.startsWith('th', i)) {
        out.push({ kind: 'pat', pat: 'TH', fm: false });
        i += 2;
      }
      continue;
    }
    if (fm) continue;
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
