/**
 * @module workers/control-plane/query-params
 * Query-string parameters of control-plane routes. Each parser returns
 * undefined when the parameter is absent and throws a 400 naming the
 * parameter for anything it cannot use — so a value Postgres would refuse (a
 * year-−271821 date, a NUL byte, a non-UUID where a uuid column is compared)
 * never reaches it.
 */
import { plainText } from '../auth/plain-text.ts';
import { ApiError } from '../errors.ts';
import { isUuid } from './roles.ts';

function bad(message: string): never {
  throw new ApiError(400, 'invalid_request', message);
}

/** An integer from `min` to `max` written in plain decimal digits (no signs, exponents or fractions). */
export function intParam(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d{1,10}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    bad(`"${name}" must be an integer from ${min} to ${max}`);
  return n;
}

// ISO 8601 as the API writes it: a date, optionally a time (seconds and fraction optional), optionally a zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO 8601 timestamp between 1970 and 9999 (a wider range only ever comes from a bad client). */
export function dateParam(v: string | undefined, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const t = ISO_8601.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) bad(`"${name}" must be an ISO 8601 timestamp such as 2025-01-31T12:00:00Z`);
  if (t < EARLIEST || t > LATEST) bad(`"${name}" must be between 1970-01-01 and 9999-12-31`);
  return new Date(t);
}

/** Free text (a filter value): the plain-text rule, at most `max` characters. */
export function textParam(v: string | undefined, name: string, max = 200): string | undefined {
  // An empty filter (`?action=`) means no filter, as forms send it.
  return v === undefined || v === '' ? undefined : plainText(v, name, max);
}

/** A UUID. */
export function uuidParam(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (!isUuid(v)) bad(`"${name}" must be a UUID`);
  return v;
}

/** Cursors are a positive row id, base64url-encoded so clients treat them as opaque. */
export function cursorParam(v: string | undefined, name = 'cursor'): number | undefined {
  if (v === undefined) return undefined;
  let n = Number.NaN;
  if (/^[A-Za-z0-9_-]{1,24}$/.test(v)) {
    try {
      const text = atob(v.replace(/-/g, '+').replace(/_/g, '/'));
      if (/^[1-9]\d{0,15}$/.test(text)) n = Number(text);
    } catch {
      // not base64: the 400 below
    }
  }
  if (!Number.isSafeInteger(n) || n <= 0) bad(`"${name}" is not a cursor this API returned`);
  return n;
}

/** The opaque form of a row id (see {@link cursorParam}). */
export function encodeCursor(id: number): string {
  return btoa(String(id)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
