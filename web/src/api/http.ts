/**
 * @module web/api/http
 * The one place the dashboard talks HTTP: the typed client (client/api-client.ts)
 * with a `fetch` that adds the credentials — the cookie session (plus its CSRF
 * header on state-changing requests) or, in local mode before identity exists, a
 * dev API key kept in sessionStorage as a bearer token — refreshes an expired
 * session once and replays the request. Every non-2xx answer becomes an
 * {@link ApiError} carrying the API's `{error:{code,message,position?}}`
 * (client/api-error.ts, the decoding the CLI shares).
 */
import { createApiClient } from '../../../client/api-client.ts';
import { ApiError, unwrap } from '../../../client/api-error.ts';

export { ApiError, unwrap };

const DEV_KEY_STORAGE = 'orochi.devApiKey';
/**
 * CSRF double-submit names. Kept in one place so they can follow the identity
 * service (docs/auth-and-control-plane.md) without touching callers.
 */
export const CSRF_COOKIE = '__Host-orochi_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The dev API key for local mode; sessionStorage so it dies with the tab. */
export function getDevKey(): string | null {
  return sessionStorage.getItem(DEV_KEY_STORAGE);
}

export function setDevKey(key: string | null): void {
  if (key) sessionStorage.setItem(DEV_KEY_STORAGE, key);
  else sessionStorage.removeItem(DEV_KEY_STORAGE);
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** Fired on `window` when a cookie-authenticated call is refused even after a refresh. */
export const SESSION_LOST_EVENT = 'orochi:session-lost';

/** Calls that are themselves sign-in steps: a 401 there means "no", not "refresh and retry". */
const NO_REFRESH = /^\/v1\/auth\/(refresh|logout|magic-link|passkeys\/login)/;

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: parallel 401s share it, since refresh tokens rotate and reuse revokes the family. */
function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/v1/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: csrfHeaders(),
  })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

function csrfHeaders(): Record<string, string> {
  const token = readCookie(CSRF_COOKIE);
  return token ? { [CSRF_HEADER]: token } : {};
}

/** The request's headers plus the current credentials (they may have changed since a refresh). */
function withCredentials(request: Request, devKey: string | null): Headers {
  const headers = new Headers(request.headers);
  headers.set('accept', 'application/json');
  if (devKey) headers.set('authorization', `Bearer ${devKey}`);
  if (request.method !== 'GET') for (const [k, v] of Object.entries(csrfHeaders())) headers.set(k, v);
  return headers;
}

/** The client's fetch: credentials, then one refresh-and-replay on an expired session. */
async function sessionFetch(request: Request): Promise<Response> {
  const devKey = getDevKey();
  const path = new URL(request.url).pathname;
  // Sent as a string, as before the typed client: a Request's body would go out as a stream.
  const body = request.method === 'GET' ? undefined : (await request.text()) || undefined;
  const send = async () => {
    try {
      return await fetch(request.url, {
        method: request.method,
        headers: withCredentials(request, devKey),
        body,
        signal: request.signal,
        credentials: 'same-origin',
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, 'network', `Could not reach the API: ${(e as Error).message}`);
    }
  };
  let res = await send();
  if (res.status !== 401 || devKey || NO_REFRESH.test(path)) return res;
  // Access tokens are short-lived: refresh once, then replay the request.
  if (await refreshSession()) res = await send();
  // The session is gone (expired family, revoked elsewhere): let the shell show sign-in.
  if (res.status === 401) window.dispatchEvent(new Event(SESSION_LOST_EVENT));
  return res;
}

/**
 * The typed API client every dashboard call goes through. Modules importing it also run in
 * Node unit tests, where there is no `location`: the origin is read only in a browser.
 */
export const client = createApiClient({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
  credentials: 'same-origin',
  fetch: sessionFetch,
});
