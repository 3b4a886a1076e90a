/**
 * @module web/api/identity
 * Auth routes from issue 5: magic links, passkey ceremonies, sessions.
 * The WebAuthn browser half is @simplewebauthn/browser; the server options
 * pass through untouched.
 */
import {
  browserSupportsWebAuthnAutofill,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { api } from './http.ts';

export interface User {
  id: string;
  email: string;
  displayName?: string | null;
  sessionId?: string;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  current?: boolean;
}

/** `GET /v1/auth/me` — resolves null when nobody is signed in. */
export async function fetchMe(signal?: AbortSignal): Promise<User | null> {
  try {
    const me = await api<{ user?: User } & Partial<User>>('/v1/auth/me', { signal });
    // Accept both `{user: {...}}` and a bare user object, whichever the route settles on.
    return me.user ?? (me.id ? (me as User) : null);
  } catch (e) {
    if ((e as { status?: number }).status === 401) return null;
    throw e;
  }
}

/** The answer is identical whether or not the email is known (no account enumeration). */
export function requestMagicLink(email: string) {
  return api<void>('/v1/auth/magic-link', { method: 'POST', body: { email } });
}

export function verifyMagicLink(token: string) {
  return api<{ user?: User }>('/v1/auth/magic-link/verify', { method: 'POST', body: { token } });
}

/** Registers a new passkey for the signed-in user (the authenticator prompts). */
export async function registerPasskey(name?: string) {
  const options = await api<PublicKeyCredentialCreationOptionsJSON>('/v1/auth/passkeys/register/options', {
    method: 'POST',
    body: {},
  });
  const response = await startRegistration({ optionsJSON: options });
  return api<{ verified?: boolean; passkey?: Passkey }>('/v1/auth/passkeys/register/verify', {
    method: 'POST',
    body: { response, name },
  });
}

/**
 * Signs in with a discoverable passkey. With `autofill`, the request waits on the
 * browser's conditional UI (the username field's autofill list) instead of a modal.
 */
export async function signInWithPasskey(autofill = false) {
  const options = await api<PublicKeyCredentialRequestOptionsJSON>('/v1/auth/passkeys/login/options', {
    method: 'POST',
    body: {},
  });
  const response = await startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  return api<{ user?: User }>('/v1/auth/passkeys/login/verify', { method: 'POST', body: { response } });
}

export const supportsPasskeyAutofill = browserSupportsWebAuthnAutofill;

export function logout() {
  return api<void>('/v1/auth/logout', { method: 'POST', body: {} });
}

export const listPasskeys = (signal?: AbortSignal) =>
  api<{ passkeys: Passkey[] }>('/v1/auth/passkeys', { signal }).then((r) => r.passkeys);

export const renamePasskey = (id: string, name: string) =>
  api<void>(`/v1/auth/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } });

export const removePasskey = (id: string) =>
  api<void>(`/v1/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const listSessions = (signal?: AbortSignal) =>
  api<{ sessions: SessionInfo[] }>('/v1/auth/sessions', { signal }).then((r) => r.sessions);

export const revokeSession = (id: string) =>
  api<void>(`/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });

/** An email local mode recorded instead of sending it. */
export interface OutboxEmail {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

/**
 * The dev outbox (`GET /v1/dev/outbox`), newest first. It exists only in local
 * mode: elsewhere the API answers 404, so this resolves to `null` there.
 */
export async function listDevOutbox(signal?: AbortSignal): Promise<OutboxEmail[] | null> {
  try {
    return (await api<{ emails: OutboxEmail[] }>('/v1/dev/outbox', { signal })).emails;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}
