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
import { client, unwrap } from './http.ts';

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
    return await unwrap(client.GET('/v1/auth/me', signal ? { signal } : {}));
  } catch (e) {
    if ((e as { status?: number }).status === 401) return null;
    throw e;
  }
}

/** The answer is identical whether or not the email is known (no account enumeration). */
export function requestMagicLink(email: string) {
  return unwrap(client.POST('/v1/auth/magic-link', { body: { email } }));
}

export function verifyMagicLink(token: string) {
  return unwrap(client.POST('/v1/auth/magic-link/verify', { body: { token } }));
}

/** Registers a new passkey for the signed-in user (the authenticator prompts). */
export async function registerPasskey(name?: string) {
  const options = await unwrap(client.POST('/v1/auth/passkeys/register/options'));
  const response = await startRegistration({
    optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
  });
  return unwrap(
    client.POST('/v1/auth/passkeys/register/verify', {
      body: { response: response as unknown as Record<string, unknown>, name },
    }),
  );
}

/**
 * Signs in with a discoverable passkey. With `autofill`, the request waits on the
 * browser's conditional UI (the username field's autofill list) instead of a modal.
 */
export async function signInWithPasskey(autofill = false) {
  const options = await unwrap(client.POST('/v1/auth/passkeys/login/options'));
  const response = await startAuthentication({
    optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: autofill,
  });
  return unwrap(
    client.POST('/v1/auth/passkeys/login/verify', {
      body: { response: response as unknown as Record<string, unknown> },
    }),
  );
}

export const supportsPasskeyAutofill = browserSupportsWebAuthnAutofill;

export function logout() {
  return unwrap(client.POST('/v1/auth/logout'));
}

export const listPasskeys = (signal?: AbortSignal) =>
  unwrap(client.GET('/v1/auth/passkeys', signal ? { signal } : {})).then((r) => r.passkeys);

export const renamePasskey = (id: string, name: string) =>
  unwrap(client.PATCH('/v1/auth/passkeys/{id}', { params: { path: { id } }, body: { name } }));

export const removePasskey = (id: string) =>
  unwrap(client.DELETE('/v1/auth/passkeys/{id}', { params: { path: { id } } }));

export const listSessions = (signal?: AbortSignal) =>
  unwrap(client.GET('/v1/auth/sessions', signal ? { signal } : {})).then((r) => r.sessions);

export const revokeSession = (id: string) =>
  unwrap(client.DELETE('/v1/auth/sessions/{id}', { params: { path: { id } } }));

/** A device sign-in waiting for this user's decision (`orochi login --browser`). */
export const lookupDevice = (userCode: string) =>
  unwrap(client.POST('/v1/auth/device/lookup', { body: { user_code: userCode } }));

/** Approves (the device receives a session of this user) or denies a device sign-in. */
export const decideDevice = (userCode: string, approve: boolean) =>
  unwrap(
    client.POST(approve ? '/v1/auth/device/approve' : '/v1/auth/device/deny', {
      body: { user_code: userCode },
    }),
  );

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
    return (await unwrap(client.GET('/v1/dev/outbox', signal ? { signal } : {}))).emails;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}
