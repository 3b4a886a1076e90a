/**
 * @module workers/url-guard
 * Malformed URLs are refused once, before routing: a path or query whose
 * percent-encoding does not decode to UTF-8 (`/v1/databases/%E0%A4%A/sql`) is
 * a 400, so no handler ever meets a `URIError` from `decodeURIComponent`;
 * so is one that decodes to a control character (`%00` is never part of a
 * name, and Postgres cannot store it).
 * Route code reads path segments through {@link pathSegment}, which decodes
 * the raw segment exactly once.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-context.ts';
import { ApiError, codeForPath } from './errors.ts';

/** URLs longer than this are refused (no route needs more; it bounds every later decode). */
export const MAX_URL_LENGTH = 8192;

/** True when `part` percent-decodes to UTF-8 text free of C0 controls and DEL (no route takes those). */
function decodes(part: string): boolean {
  try {
    return !/[\u0000-\u001f\u007f]/.test(decodeURIComponent(part.replace(/\+/g, ' ')));
  } catch {
    return false;
  }
}

/** 400 for a URL that is too long or whose path or query is not valid percent-encoded UTF-8. */
export function rejectMalformedUrls() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const url = c.req.url;
    if (url.length > MAX_URL_LENGTH) {
      throw new ApiError(
        414,
        codeForPath(c, '54000', 'uri_too_long'),
        `the URL exceeds ${MAX_URL_LENGTH} characters`,
      );
    }
    const { pathname, search } = new URL(url);
    if (!decodes(pathname) || !search.slice(1).split('&').every(decodes)) {
      throw new ApiError(
        400,
        codeForPath(c, '22021', 'invalid_request'),
        'the URL has malformed percent-encoding or encodes a control character',
      );
    }
    await next();
  });
}

/** Path segment `index` (0 is the empty string before the first `/`), percent-decoded once. */
export function pathSegment(c: Context, index: number): string {
  const raw = new URL(c.req.url).pathname.split('/')[index] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(
      400,
      codeForPath(c, '22021', 'invalid_request'),
      'the URL has malformed percent-encoding',
    );
  }
}
