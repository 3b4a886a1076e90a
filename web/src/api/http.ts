/**
 * @module web/api/http
 * The one place the dashboard talks HTTP: same-origin `fetch` with the cookie
 * session (plus its CSRF header on state-changing requests), or — in local mode
 * before identity exists — a dev API key kept in sessionStorage as a bearer token.
 * Every non-2xx answer becomes an {@link ApiError} carrying the API's `{error:{code,message,position?}}`.
 */

/** An error answered by the API (or a network failure, with status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Internal: set on the retry after a refresh, so a 401 loop cannot happen. */
  retried?: boolean;
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; position?: number } };
    if (body.error) {
      return new ApiError(
        res.status,
        body.error.code ?? 'error',
        body.error.message ?? res.statusText,
        body.error.position,
      );
    }
  } catch {
    /* not JSON: fall through to the status line */
  }
  return new ApiError(res.status, `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim());
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

/** Calls the API and parses JSON; throws {@link ApiError} on failure. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const devKey = getDevKey();
  if (devKey) headers.authorization = `Bearer ${devKey}`;
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', `Could not reach the API: ${(e as Error).message}`);
  }
  // Access tokens are short-lived: refresh once, then replay the request.
  if (res.status === 401 && !devKey && !opts.retried && !NO_REFRESH.test(path)) {
    if (await refreshSession()) return api<T>(path, { ...opts, retried: true });
  }
  if (res.status === 401 && !devKey && !NO_REFRESH.test(path)) {
    // The session is gone (expired family, revoked elsewhere): let the shell show sign-in.
    window.dispatchEvent(new Event(SESSION_LOST_EVENT));
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
