/**
 * @module engine/types/session-zone
 * The TimeZone setting's values, as PostgreSQL's check_timezone reads them: a
 * number of hours (ISO sign: east positive), an `INTERVAL '…'` (what `SET TIME
 * ZONE INTERVAL '-08:00' HOUR TO MINUTE` flattens to), a POSIX spec ('+02:00',
 * 'UTC+3', 'PST8PDT': west positive, as POSIX counts) or an IANA name. Also the
 * zone abbreviation the Postgres/SQL/German DateStyles print after a timestamptz.
 */
import { SqlError, SqlState } from '../errors.ts';
import { resolveZone, type ZoneRef, zoneOffset } from './datetime-zone.ts';

const H = 3_600_000_000;
const M = 60_000_000;

/** A session time zone: how it computes offsets, how SHOW prints it, and its abbreviation rule. */
export interface SessionZone {
  readonly ref: ZoneRef;
  /** SHOW TimeZone's text. */
  readonly name: string;
  /**
   * The abbreviation printed by the non-ISO DateStyles: `''` for a POSIX offset spec
   * (PostgreSQL prints an empty one), `null` for a bare offset (the offset is printed).
   */
  readonly abbrev: '' | null | 'named';
}

export const UTC_ZONE: SessionZone = { ref: { fixed: 0 }, name: 'UTC', abbrev: 'named' };

/** '<+05:30>-05:30': PostgreSQL's name of a zone set by a number or an interval (east µs). */
function offsetName(east: number): string {
  const sign = east < 0 ? '-' : '+';
  const a = Math.abs(east);
  const h = Math.floor(a / H);
  const m = Math.floor((a % H) / M);
  const s = Math.floor((a % M) / 1e6);
  const body = `${String(h).padStart(2, '0')}${m || s ? `:${String(m).padStart(2, '0')}` : ''}${s ? `:${String(s).padStart(2, '0')}` : ''}`;
  const west = `${sign === '+' ? '-' : '+'}${body}`;
  return `<${sign}${body}>${west}`;
}

/** A zone from an east offset in µs; PostgreSQL limits it to ±15 hours (otherwise 22023). */
function offsetZone(east: number, value: string): SessionZone {
  if (Math.abs(east) > 15 * H) throw badZone(value);
  return { ref: { fixed: east }, name: offsetName(east), abbrev: null };
}

function badZone(value: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "TimeZone": "${value}"`);
}

const INTERVAL_RE = /^interval\s+'([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?'$/i;
const POSIX_OFFSET_RE = /^([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;
const POSIX_NAMED_RE = /^([a-z]{3,})([+-]?)(\d{1,2})(?::(\d{2}))?$/i;

/** Parses a TimeZone value (the text SET flattened, or set_config's argument). */
export function parseSessionZone(value: string): SessionZone {
  const v = value.trim();
  // The name SHOW prints for a zone set by a number or an interval reads back as that zone.
  const shown = /^<([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?>[+-]?[\d:]+$/.exec(v);
  if (shown) {
    const east =
      (+shown[2] * H + +(shown[3] ?? 0) * M + +(shown[4] ?? 0) * 1e6) * (shown[1] === '-' ? -1 : 1);
    return offsetZone(east, value);
  }
  const iv = INTERVAL_RE.exec(v);
  if (iv) {
    const east = (+iv[2] * H + +(iv[3] ?? 0) * M + +(iv[4] ?? 0) * 1e6) * (iv[1] === '-' ? -1 : 1);
    return offsetZone(east, value);
  }
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v) && !v.includes(':')) {
    // A bare number is hours east (SET TIME ZONE -8; PostgreSQL tries strtod first), unlike a POSIX spec.
    return offsetZone(Math.round(Number(v) * H), value);
  }
  const p = POSIX_OFFSET_RE.exec(v);
  if (p) {
    const west = (+p[2] * H + +(p[3] ?? 0) * M + +(p[4] ?? 0) * 1e6) * (p[1] === '-' ? -1 : 1);
    if (Math.abs(west) > 24 * H) throw badZone(value);
    return { ref: { fixed: -west }, name: v, abbrev: '' };
  }
  const lower = v.toLowerCase();
  if (lower === 'utc' || lower === 'etc/utc' || lower === 'gmt' || lower === 'z' || lower === 'zulu')
    return {
      ...UTC_ZONE,
      name: lower === 'etc/utc' ? 'Etc/UTC' : v.toUpperCase() === 'Z' ? 'Z' : v.toUpperCase(),
    };
  const named = POSIX_NAMED_RE.exec(v);
  if (named && !canonicalIana(v)) {
    const west = (+named[3] * H + +(named[4] ?? 0) * M) * (named[2] === '-' ? -1 : 1);
    return { ref: { fixed: -west }, name: v, abbrev: 'named' };
  }
  const iana = canonicalIana(v);
  if (!iana) throw badZone(value);
  // Zone names without a region ('EST', 'PST8PDT') are tzdata files named in capitals.
  const name = v.includes('/') ? iana : v.toUpperCase();
  return { ref: resolveIana(iana), name, abbrev: 'named' };
}

function resolveIana(name: string): ZoneRef {
  try {
    return resolveZone(name);
  } catch {
    return { name };
  }
}

/** The platform's canonical spelling of an IANA zone name, or undefined if it does not know it. */
function canonicalIana(name: string): string | undefined {
  // Offset-style names ('+02:00', 'GMT+3') mean east-positive to Intl: never let it read them.
  if (/[+-]\d/.test(name) && !name.includes('/')) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Intl maps aliases ('Asia/Kolkata' → Asia/Calcutta, 'EST' → America/Panama): keep the name
    // asked for, in the platform's spelling when only the case differs.
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return undefined;
  }
}

const abbrevFormatters = new Map<string, Intl.DateTimeFormat[]>();
const ABBREV_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/**
 * The zone abbreviation at a UTC instant (µs) for the non-ISO DateStyles: PostgreSQL
 * prints tzdata's ('EST', 'CEST'); the platform's locales know most of them. A zone
 * none of them names is refused rather than printed with an invented abbreviation.
 */
export function zoneAbbrev(zone: SessionZone, utcMicros: number): string | null {
  if (zone.abbrev === '') return '';
  if (zone.abbrev === null) return null;
  const ref = zone.ref;
  if ('fixed' in ref) {
    if (ref.fixed === 0) return zone.name === 'Z' ? 'Z' : zone.name === 'Etc/UTC' ? 'UTC' : zone.name;
    return zone.name.replace(/[+-].*$/, '').toUpperCase();
  }
  let fs = abbrevFormatters.get(ref.name);
  if (!fs) {
    fs = ABBREV_LOCALES.map((l) => new Intl.DateTimeFormat(l, { timeZone: ref.name, timeZoneName: 'short' }));
    abbrevFormatters.set(ref.name, fs);
  }
  const at = new Date(Math.floor(utcMicros / 1000));
  if (!Number.isNaN(at.getTime()))
    for (const f of fs) {
      const a = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
      if (a && /^[A-Z]{2,5}$/.test(a) && a !== 'GMT') return a;
      if (a === 'GMT' && zoneOffset(ref, utcMicros) === 0) return 'GMT';
    }
  throw new SqlError(
    SqlState.featureNotSupported,
    `DateStyle output with a time zone abbreviation is not supported for time zone "${zone.name}": use DateStyle ISO`,
  );
}
