/**
 * @module engine/types/datetime-session
 * Instants and the session's wall clock: timestamptz values are UTC µs; the
 * session's TimeZone turns them into local date/time fields (casts to
 * timestamp and date, extract, date_trunc, to_char) and back (casts from
 * timestamp and date, interval arithmetic in days and months across DST).
 */

import type { Interval } from '../vector.ts';
import { addInterval, intervalInfinity } from './datetime.ts';
import { localToUtc, type ZoneRef, zoneOffset } from './datetime-zone.ts';
import { activeSettings } from './session-settings.ts';

/** The session zone (UTC outside a session). */
export function sessionZone(): ZoneRef {
  return activeSettings().zone.ref;
}

/** UTC µs → the session zone's wall clock µs (±infinity unchanged). */
export function toSessionLocal(utc: number): number {
  if (!Number.isFinite(utc)) return utc;
  return utc + zoneOffset(sessionZone(), utc);
}

/** Wall clock µs in the session zone → UTC µs (±infinity unchanged). */
export function fromSessionLocal(local: number): number {
  if (!Number.isFinite(local)) return local;
  return localToUtc(sessionZone(), local);
}

/** Offset (µs east) of `zone` at `utc`. */
export function offsetAt(zone: ZoneRef, utc: number): number {
  return zoneOffset(zone, utc);
}

/**
 * timestamptz ± interval: months and days move the session's wall clock (so a day
 * across a DST change is 23 or 25 hours, as in PostgreSQL), the time part moves
 * the instant.
 */
export function addIntervalTz(utc: number, iv: Interval, sign = 1): number {
  if (!Number.isFinite(utc) || intervalInfinity(iv) !== 0 || (iv.months === 0 && iv.days === 0))
    return addInterval(utc, iv, sign);
  const zone = sessionZone();
  if ('fixed' in zone && zone.fixed === 0) return addInterval(utc, iv, sign);
  const local = utc + zoneOffset(zone, utc);
  const moved = addInterval(local, { months: iv.months, days: iv.days, micros: 0 }, sign);
  if (!Number.isFinite(moved)) return moved;
  return addInterval(localToUtc(zone, moved), { months: 0, days: 0, micros: iv.micros }, sign);
}
