/**
 * @module engine/testing/pg-time
 * PostgreSQL text forms of timestamps, for tests and benchmarks that compare
 * engines: format µs-since-epoch the way PostgreSQL prints `timestamptz` in UTC
 * ('2016-01-01 00:00:10+00', with fractional seconds only when non-zero) and
 * parse such text back to µs. Pure arithmetic, no Date string parsing quirks.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Formats µs since epoch as PostgreSQL `timestamp` text ('YYYY-MM-DD HH:MM:SS[.ffffff]'). */
export function formatPgTimestamp(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  let frac = micros - Math.floor(micros / 1e6) * 1e6;
  let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (frac !== 0) {
    frac = Math.round(frac);
    s += `.${pad(frac, 6).replace(/0+$/, '')}`;
  }
  return s;
}

/** Formats µs since epoch as PostgreSQL `timestamptz` text in UTC ('… +00' suffix without space). */
export function formatPgTimestamptz(micros: number): string {
  return `${formatPgTimestamp(micros)}+00`;
}

const TS_RE =
  /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?\s*(?:([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?|Z)?$/;

/**
 * Parses PostgreSQL timestamp/timestamptz/date text to µs since epoch (UTC for
 * values without an offset). Returns undefined when the text is not a timestamp.
 */
export function parsePgTimestamp(text: string): number | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', f = '', sign, oh = '0', om = '0', os = '0'] = m;
  let micros = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) * 1000;
  if (f) micros += Number(f.padEnd(6, '0'));
  if (sign) {
    const off = (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * 1e6;
    micros += sign === '+' ? -off : off;
  }
  return micros;
}
