/**
 * @module workers/auth/cookies
 * Browser sessions. Cookie names and the CSRF scheme are a contract with the
 * dashboard:
 * - `__Host-orochi_at`: access token (HttpOnly, Secure, SameSite=Lax, Path=/).
 * - `__Secure-orochi_rt`: refresh token (HttpOnly, Secure, SameSite=Strict,
 *   Path=/v1/auth, so it only travels to refresh/logout).
 * - `__Host-orochi_csrf`: readable by script; its value must be echoed in the
 *   `X-CSRF-Token` header on every state-changing request authenticated by
 *   cookie (double-submit). Bearer requests carry no ambient credential and
 *   need no CSRF token.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../errors.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from './access-tokens.ts';
import { secretsEqual } from './constant-time.ts';
import { randomToken } from './token-hash.ts';

export const ACCESS_COOKIE = '__Host-orochi_at';
export const REFRESH_COOKIE = '__Secure-orochi_rt';
export const CSRF_COOKIE = '__Host-orochi_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
const REFRESH_PATH = '/v1/auth';

/** Sets all three session cookies; returns the CSRF token for the response body. */
export function setSessionCookies(c: Context, tokens: { accessToken: string; refreshToken: string }): string {
  const csrf = randomToken(24);
  setCookie(c, ACCESS_COOKIE, tokens.accessToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: ACCESS_TOKEN_TTL_SECONDS,
  });
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: REFRESH_PATH,
    maxAge: REFRESH_TOKEN_TTL_SECONDS,
  });
  setCookie(c, CSRF_COOKIE, csrf, {
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: REFRESH_TOKEN_TTL_SECONDS,
  });
  return csrf;
}

export function clearSessionCookies(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, { path: '/', secure: true });
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_PATH, secure: true });
  deleteCookie(c, CSRF_COOKIE, { path: '/', secure: true });
}

export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name) || undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Double-submit check for cookie-authenticated, state-changing requests. */
export async function requireCsrf(c: Context): Promise<void> {
  if (SAFE_METHODS.has(c.req.method)) return;
  const cookie = readCookie(c, CSRF_COOKIE);
  const header = c.req.header(CSRF_HEADER);
  if (!cookie || !header || !(await secretsEqual(cookie, header))) {
    throw new ApiError(403, 'csrf_failed', `missing or wrong ${CSRF_HEADER} header`);
  }
}
