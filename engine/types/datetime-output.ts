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
  intervalInfinity,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
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

/** The fields EncodeInterval prints, each carrying the sign of its part. */
function fields(iv: Interval) {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months - year * 12;
  const hour = Math.trunc(iv.micros / MICROS_PER_HOUR);
  let rest = iv.micros - hour * MICROS_PER_HOUR;
  const min = Math.trunc(rest / MICROS_PER_MINUTE);
  rest -= min * MICROS_PER_MINUTE;
  const sec = Math.trunc(rest / MICROS_PER_SECOND);
  const fsec = rest - sec * MICROS_PER_SECOND;
  return { year, mon, mday: iv.days, hour, min, sec, fsec };
}

/** AppendSeconds: |sec|[.ffffff], zero-filled to two digits when asked. */
function seconds(sec: number, fsec: number, fill: boolean): string {
  const s = fill ? pad(Math.abs(sec)) : String(Math.abs(sec));
  if (fsec === 0) return s;
  return `${s}.${String(Math.abs(fsec)).padStart(6, '0').replace(/0+$/, '')}`;
}

/** An interval in the session's IntervalStyle. */
export function formatIntervalOut(iv: Interval): string {
  const style = activeSettings().intervalStyle;
  if (style === 'postgres' || intervalInfinity(iv) !== 0) return formatInterval(iv);
  const f = fields(iv);
  if (style === 'iso_8601') return iso8601(f);
  if (style === 'sql_standard') return sqlStandard(f);
  return verbose(f);
}

type Fields = ReturnType<typeof fields>;

function iso8601(f: Fields): string {
  const { year, mon, mday, hour, min, sec, fsec } = f;
  if (!year && !mon && !mday && !hour && !min && !sec && !fsec) return 'PT0S';
  const part = (v: number, u: string) => (v ? `${v}${u}` : '');
  let out = `P${part(year, 'Y')}${part(mon, 'M')}${part(mday, 'D')}`;
  if (hour || min || sec || fsec) out += 'T';
  out += part(hour, 'H') + part(min, 'M');
  if (sec || fsec) out += `${sec < 0 || fsec < 0 ? '-' : ''}${seconds(sec, fsec, false)}S`;
  return out;
}

function sqlStandard(f: Fields): string {
  let { year, mon, mday, hour, min, sec, fsec } = f;
  const neg = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
  const pos = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
  const hasYm = year !== 0 || mon !== 0;
  const hasDt = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
  const standard = !(neg && pos) && !(hasYm && hasDt);
  let out = '';
  if (neg && standard) {
    out = '-';
    [year, mon, mday, hour, min, sec, fsec] = [-year, -mon, -mday, -hour, -min, -sec, -fsec];
  }
  if (!neg && !pos) return '0';
  if (!standard) {
    const ys = year < 0 || mon < 0 ? '-' : '+';
    const ds = mday < 0 ? '-' : '+';
    const ss = hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+';
    return `${ys}${Math.abs(year)}-${Math.abs(mon)} ${ds}${Math.abs(mday)} ${ss}${Math.abs(hour)}:${pad(Math.abs(min))}:${seconds(sec, fsec, true)}`;
  }
  if (hasYm) return `${out}${year}-${mon}`;
  const time = `${hour}:${pad(min)}:${seconds(sec, fsec, true)}`;
  return mday !== 0 ? `${out}${mday} ${time}` : `${out}${time}`;
}

function verbose(f: Fields): string {
  let out = '@';
  let zero = true;
  let before = false;
  const part = (value: number, unit: string) => {
    if (value === 0) return;
    let v = value;
    // The first nonzero field decides 'ago'; later ones print relative to it.
    if (zero) {
      before = v < 0;
      v = Math.abs(v);
    } else if (before) v = -v;
    out += ` ${v} ${unit}${v === 1 ? '' : 's'}`;
    zero = false;
  };
  part(f.year, 'year');
  part(f.mon, 'mon');
  part(f.mday, 'day');
  part(f.hour, 'hour');
  part(f.min, 'min');
  if (f.sec !== 0 || f.fsec !== 0) {
    out += ' ';
    if (f.sec < 0 || (f.sec === 0 && f.fsec < 0)) {
      if (zero) before = true;
      else if (!before) out += '-';
    } else if (before) out += '-';
    out += `${seconds(f.sec, f.fsec, false)} sec${Math.abs(f.sec) !== 1 || f.fsec !== 0 ? 's' : ''}`;
    zero = false;
  }
  if (zero) out += ' 0';
  if (before) out += ' ago';
  return out;
}
