/**
 * @module engine/types/datetime-zone
 * Time zones in date/time input: the fixed-offset abbreviations of PostgreSQL's
 * default set that the engine knows (others are refused as bad input, never
 * guessed), POSIX-style 'PST+8', and IANA names ('America/New_York') through the
 * platform's Intl data. Offsets are µs east of UTC.
 */
import { SqlError, SqlState } from '../errors.ts';

const H = 3_600_000_000;
const M = 60_000_000;

/** Fixed-offset abbreviations (PostgreSQL's Default set); `dst` marks daylight-time ones. */
export const ZONE_ABBREVS: Record<string, number> = {
  utc: 0,
  ut: 0,
  gmt: 0,
  z: 0,
  zulu: 0,
  est: -5 * H,
  edt: -4 * H,
  cst: -6 * H,
  cdt: -5 * H,
  mst: -7 * H,
  mdt: -6 * H,
  pst: -8 * H,
  pdt: -7 * H,
  akst: -9 * H,
  akdt: -8 * H,
  hst: -10 * H,
  cet: H,
  cest: 2 * H,
  met: H,
  mest: 2 * H,
  eet: 2 * H,
  eest: 3 * H,
  wet: 0,
  west: H,
  bst: H,
  ist: 2 * H,
  jst: 9 * H,
  kst: 9 * H,
  nzst: 12 * H,
  nzdt: 13 * H,
  aest: 10 * H,
  aedt: 11 * H,
  acst: 9 * H + 30 * M,
  acdt: 10 * H + 30 * M,
  awst: 8 * H,
};

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(name: string): Intl.DateTimeFormat | null {
  let f = formatters.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(name, f);
  }
  return f;
}

/** A POSIX zone spec such as 'pst+8' or 'mst+7:00' (offset west positive, as POSIX has it). */
const POSIX_RE = /^[a-z]{3,}([+-])(\d{1,2})(?::(\d{2}))?$/;

/** Whether `name` is a zone this module resolves (an IANA name or a POSIX spec). */
export function resolveZone(name: string): ZoneRef {
  const p = POSIX_RE.exec(name);
  if (p) {
    const off = (+p[2] * H + +(p[3] ?? 0) * M) * (p[1] === '-' ? 1 : -1);
    return { fixed: off };
  }
  if (!name.includes('/') || !formatter(name))
    throw new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
  return { name };
}

export type ZoneRef = { fixed: number } | { name: string };

const DAY_MS = 86_400_000;
const CYCLE_MS = 146_097 * DAY_MS; // 400 Gregorian years: the calendar repeats

/** The offset (µs east) of an IANA zone at a UTC instant (µs). */
function offsetAt(name: string, utcMicros: number): number {
  let ms = Math.floor(utcMicros / 1000 / 1000) * 1000;
  // Past the platform's date range (or far in the future) the zone's current rules repeat.
  const limit = Date.UTC(2400, 0, 1);
  if (ms >= limit) ms -= Math.ceil((ms - limit + 1) / CYCLE_MS) * CYCLE_MS;
  const parts = formatter(name)!.formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  let y = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') y = 1 - y;
  const localMs =
    civilDays(y, get('month'), get('day')) * DAY_MS +
    ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000;
  return (localMs - ms) * 1000;
}

/** Days since 1970-01-01 (datetime.ts has the same; kept here to avoid an import cycle). */
function civilDays(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * UTC µs of a local wall-clock time in a zone. Near a transition PostgreSQL's rule
 * (DetermineTimeZoneOffset): a time skipped by a spring-forward change takes the
 * offset from before it, a time repeated by a fall-back change the one from after it.
 */
export function localToUtc(zone: ZoneRef, localMicros: number): number {
  if ('fixed' in zone) return localMicros - zone.fixed;
  const before = offsetAt(zone.name, localMicros - 12 * H);
  const after = offsetAt(zone.name, localMicros + 12 * H);
  if (before === after) {
    const o = offsetAt(zone.name, localMicros - before);
    if (o === before) return localMicros - before;
  }
  const t1 = localMicros - before;
  const t2 = localMicros - after;
  const ok1 = offsetAt(zone.name, t1) === before;
  const ok2 = offsetAt(zone.name, t2) === after;
  if (ok2) return t2;
  if (ok1) return t1;
  // Neither: a skipped time (or a far transition the window missed): the earlier offset.
  const first = offsetAt(zone.name, localMicros);
  const second = offsetAt(zone.name, localMicros - first);
  return before !== after ? t1 : localMicros - second;
}

/** Offset (µs east) of a zone at a UTC instant. */
export function zoneOffset(zone: ZoneRef, utcMicros: number): number {
  return 'fixed' in zone ? zone.fixed : offsetAt(zone.name, utcMicros);
}

/**
 * A zone given as a function argument (date_trunc's third): an abbreviation, a
 * POSIX offset ('+05' is five hours west, as POSIX counts), or an IANA name.
 */
export function zoneFromText(text: string): ZoneRef {
  const lower = text.trim().toLowerCase();
  if (lower in ZONE_ABBREVS) return { fixed: ZONE_ABBREVS[lower] };
  const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(lower);
  if (m) return { fixed: (+m[2] * H + +(m[3] ?? 0) * M) * (m[1] === '-' ? 1 : -1) };
  if (POSIX_RE.test(lower)) return resolveZone(lower);
  if (!text.includes('/') || !formatter(text))
    throw new SqlError(SqlState.invalidParameterValue, `time zone "${text}" not recognized`);
  return { name: text };
}
