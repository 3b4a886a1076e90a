/**
 * @module engine/types/datetime-output
 * Date/time text output under the session's settings (PostgreSQL's
 * EncodeDateOnly / EncodeDateTime / EncodeInterval): DateStyle ISO, SQL,
 * Postgres or German with its field order, timestamptz in the session
 * TimeZone, and IntervalStyle postgres, postgres_verbose, sql_standard or
 * iso_8601. The default session (ISO, UTC, postgres) takes the fast ISO
 * formatters of `datetime.ts` unchanged.
 */
import type { Interval } from '../vector.ts';
import {
  civilFromDays,
  formatDate,
  formatInterval,
  formatTimestamp,
  formatTimestamptz,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
} from './datetime.ts';
import { zoneOffset } from './datetime-zone.ts';
import { activeSettings, type SessionSettings } from './session-settings.ts';
import { type SessionZone, zoneAbbrev } from './session-zone.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The date part in the session's DateStyle, without the era. */
function datePart(
  days: number,
  s: SessionSettings,
): { text: string; bc: boolean; y: number; m: number; d: number } {
  const [y0, m, d] = civilFromDays(days);
  const bc = y0 <= 0;
  const y = bc ? 1 - y0 : y0;
  const dmy = s.dateOrder === 'DMY';
  let text: string;
  switch (s.dateStyle) {
    case 'SQL':
      text = dmy ? `${pad(d)}/${pad(m)}/${pad(y, 4)}` : `${pad(m)}/${pad(d)}/${pad(y, 4)}`;
      break;
    case 'German':
      text = `${pad(d)}.${pad(m)}.${pad(y, 4)}`;
      break;
    case 'Postgres':
      text = dmy ? `${pad(d)}-${pad(m)}-${pad(y, 4)}` : `${pad(m)}-${pad(d)}-${pad(y, 4)}`;
      break;
    default:
      text = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  }
  return { text, bc, y, m, d };
}

/** hh:mm:ss[.ffffff] with trailing zeros of the fraction dropped. */
function timePart(micros: number): string {
  const s = Math.floor(micros / MICROS_PER_SECOND);
  const frac = micros - s * MICROS_PER_SECOND;
  const out = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return frac === 0 ? out : `${out}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

/** EncodeTimezone: '+hh', '+hh:mm' or '+hh:mm:ss' (east positive). */
export function offsetText(eastMicros: number): string {
  const sec = Math.round(eastMicros / MICROS_PER_SECOND);
  const a = Math.abs(sec);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  return `${sec < 0 ? '-' : '+'}${pad(h)}${m || s ? `:${pad(m)}` : ''}${s ? `:${pad(s)}` : ''}`;
}

/** A date in the session's DateStyle. */
export function formatDateOut(days: number): string {
  const s = activeSettings();
  if (s.dateStyle === 'ISO') return formatDate(days);
  const p = datePart(days, s);
  return p.bc ? `${p.text} BC` : p.text;
}

/** A local wall-clock timestamp (µs) with an optional zone suffix, in the session's DateStyle. */
function styled(local: number, s: SessionSettings, zone?: { east: number; abbrev: string | null }): string {
  const days = Math.floor(local / MICROS_PER_DAY);
  const time = timePart(local - days * MICROS_PER_DAY);
  const p = datePart(days, s);
  let out: string;
  if (s.dateStyle === 'ISO') {
    out = `${p.text} ${time}${zone ? offsetText(zone.east) : ''}`;
  } else {
    const tz = zone ? ` ${zone.abbrev ?? offsetText(zone.east)}` : '';
    if (s.dateStyle === 'Postgres') {
      const dow = DAYS[(((days + 4) % 7) + 7) % 7];
      const md = s.dateOrder === 'DMY' ? `${pad(p.d)} ${MONTHS[p.m - 1]}` : `${MONTHS[p.m - 1]} ${pad(p.d)}`;
      out = `${dow} ${md} ${time} ${pad(p.y, 4)}${tz}`;
    } else out = `${p.text} ${time}${tz}`;
  }
  return p.bc ? `${out} BC` : out;
}

/** A timestamp without time zone in the session's DateStyle. */
export function formatTimestampOut(micros: number): string {
  const s = activeSettings();
  if (s.dateStyle === 'ISO' || !Number.isFinite(micros)) return formatTimestamp(micros);
  return styled(micros, s);
}

/** A timestamptz shown on the session zone's wall clock with its offset (or abbreviation). */
export function formatTimestamptzOut(micros: number): string {
  if (!Number.isFinite(micros)) return formatTimestamp(micros);
  const s = activeSettings();
  const zone: SessionZone = s.zone;
  // The default session (ISO, UTC) keeps the cached fast formatter: result sets are often large.
  if (s.dateStyle === 'ISO' && 'fixed' in zone.ref && zone.ref.fixed === 0) return formatTimestamptz(micros);
  const east = zoneOffset(zone.ref, micros);
  const abbrev = s.dateStyle === 'ISO' ? null : zoneAbbrev(zone, micros);
  return styled(micros + east, s, { east, abbrev: abbrev ?? offsetText(east) });
}

/** An interval in the session's IntervalStyle. */
export function formatIntervalOut(iv: Interval): string {
  return formatInterval(iv, activeSettings().intervalStyle);
}
