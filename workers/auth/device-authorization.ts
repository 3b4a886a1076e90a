/**
 * @module workers/auth/device-authorization
 * The OAuth 2.0 device authorization grant (RFC 8628) behind `orochi login
 * --browser`. A device (the CLI) asks for a pair of codes; a signed-in user
 * types or follows the short user code in the dashboard and approves or
 * denies; the device polls with its long device code and, once approved,
 * receives a session of its own (a row in `sessions`, method `device`).
 *
 * Both codes are stored as SHA-256 hashes only, like every other secret
 * (token-hash.ts), and are found by hash, so no comparison ever runs over a
 * secret itself. Every state change is one conditional UPDATE, so a code is
 * approved, denied or exchanged at most once even under concurrent requests;
 * the poll-rate check (`slow_down`) is part of the same UPDATE.
 */
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { ControlPlaneDb } from '../db/client.ts';
import { deviceAuthorizations, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { audit } from './audit.ts';
import { requestMeta, type SessionUser } from './auth-context.ts';
import { enforce } from './rate-limit.ts';
import { type IssuedTokens, startSession } from './refresh-tokens.ts';
import { hashSecret, randomToken } from './token-hash.ts';

/** A code pair lives ten minutes. */
export const DEVICE_CODE_TTL_SECONDS = 10 * 60;
/** The minimum seconds between polls a device is told; each too-early poll adds 5 (RFC 8628 §3.5). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/**
 * RFC 8628 §6.1's alphabet: consonants only, so no word is spelled and nothing is
 * confused with a digit (no O/0, I/1). 20^8 ≈ 2.6·10^10 codes against at most
 * {@link DEVICE_LIMITS}.decidePerUser guesses per user and window.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
/** Rate limits, per 15 minutes: starts per IP, polls per IP, code lookups and decisions per user. */
export const DEVICE_LIMITS = {
  startPerIp: 20,
  pollPerIp: 600,
  decidePerUser: 20,
  windowSeconds: 900,
} as const;

/** The grant type a token request names (RFC 8628 §3.4). */
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** A fresh user code, uniform over the alphabet (rejection sampling: 240 = 12 × 20). */
export function newUserCode(): string {
  let out = '';
  while (out.length < USER_CODE_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 240 && out.length < USER_CODE_LENGTH) out += USER_CODE_ALPHABET[b % 20];
    }
  }
  return out;
}

/** `BCDF-GHJK`: how a user code is shown. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The code as typed (any case, dashes or spaces) in canonical form, or null when it cannot be one. */
export function normalizeUserCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** What `POST /v1/auth/device` answers (RFC 8628 §3.2 names). */
export interface DeviceCodes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Starts a grant; `verificationUri` is the dashboard page where the user decides. */
export async function startDeviceAuthorization(
  db: ControlPlaneDb,
  c: Context,
  verificationUri: string,
  clientName: string | undefined,
): Promise<DeviceCodes> {
  const { ip, userAgent } = requestMeta(c);
  await enforce(db, [
    {
      key: `device-start:ip:${ip ?? 'unknown'}`,
      limit: DEVICE_LIMITS.startPerIp,
      windowSeconds: DEVICE_LIMITS.windowSeconds,
    },
  ]);
  const deviceCode = `odc_${randomToken(32)}`;
  const deviceCodeHash = await hashSecret(deviceCode);
  // A user-code collision among live codes is rare (~1 in 10^7 per live code); draw again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const userCode = newUserCode();
    const [row] = await db
      .insert(deviceAuthorizations)
      .values({
        deviceCodeHash,
        userCodeHash: await hashSecret(userCode),
        status: 'pending',
        clientName: clientName ?? null,
        ip,
        userAgent,
        intervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
        expiresAt: new Date(Date.now() + DEVICE_CODE_TTL_SECONDS * 1000),
      })
      .onConflictDoNothing({ target: deviceAuthorizations.userCodeHash })
      .returning({ id: deviceAuthorizations.id });
    if (!row) continue;
    await audit(db, c, {
      actorType: 'anonymous',
      action: 'auth.device.start',
      targetType: 'device_authorization',
      targetId: row.id,
      outcome: 'success',
    });
    const shown = formatUserCode(userCode);
    return {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?code=${shown}`,
      expires_in: DEVICE_CODE_TTL_SECONDS,
      interval: DEVICE_POLL_INTERVAL_SECONDS,
    };
  }
  throw new ApiError(503, 'unavailable', 'could not allocate a user code; try again');
}

/** RFC 8628 §3.5 token errors: all 400, the error name as the code. */
function tokenError(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}

/**
 * One poll of the device: a session once approved (single use), else the RFC's
 * `authorization_pending`, `slow_down`, `access_denied`, `expired_token` or
 * `invalid_grant` (unknown or already exchanged code).
 */
export async function pollDeviceToken(
  db: ControlPlaneDb,
  env: Env,
  c: Context,
  deviceCode: string,
): Promise<IssuedTokens> {
  const { ip } = requestMeta(c);
  await enforce(db, [
    {
      key: `device-poll:ip:${ip ?? 'unknown'}`,
      limit: DEVICE_LIMITS.pollPerIp,
      windowSeconds: DEVICE_LIMITS.windowSeconds,
    },
  ]);
  const hash = await hashSecret(deviceCode);
  const t = deviceAuthorizations;
  const [row] = await db
    .select({ id: t.id, status: t.status, live: sql<boolean>`${t.expiresAt} > now()` })
    .from(t)
    .where(eq(t.deviceCodeHash, hash));
  if (!row || row.status === 'consumed')
    throw tokenError('invalid_grant', 'device code is unknown or was already used');
  if (!row.live) throw tokenError('expired_token', 'device code has expired; start `orochi login` again');
  // Record the poll only when it respects the interval; otherwise lengthen the interval.
  const [onTime] = await db
    .update(t)
    .set({ lastPolledAt: sql`now()` })
    .where(
      and(
        eq(t.id, row.id),
        or(
          isNull(t.lastPolledAt),
          lte(t.lastPolledAt, sql`now() - ${t.intervalSeconds} * interval '1 second'`),
        ),
      ),
    )
    .returning({ status: t.status });
  if (!onTime) {
    const [slowed] = await db
      .update(t)
      .set({ intervalSeconds: sql`${t.intervalSeconds} + 5`, lastPolledAt: sql`now()` })
      .where(eq(t.id, row.id))
      .returning({ interval: t.intervalSeconds });
    throw tokenError('slow_down', `polling too fast; wait ${slowed?.interval ?? 5} seconds between polls`);
  }
  if (onTime.status === 'pending')
    throw tokenError('authorization_pending', 'waiting for the user to approve');
  if (onTime.status === 'denied') throw tokenError('access_denied', 'the user denied this sign-in');
  const [consumed] = await db
    .update(t)
    .set({ status: 'consumed' })
    .where(and(eq(t.id, row.id), eq(t.status, 'approved'), gt(t.expiresAt, sql`now()`)))
    .returning({ userId: t.userId });
  if (!consumed?.userId) throw tokenError('invalid_grant', 'device code is unknown or was already used');
  const [user] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.id, consumed.userId));
  if (!user) throw tokenError('invalid_grant', 'the approving user no longer exists');
  const issued = await startSession(db, env, c, user, 'device');
  await db.update(t).set({ sessionId: issued.sessionId }).where(eq(t.id, row.id));
  await audit(db, c, {
    actorType: 'user',
    actorId: user.id,
    action: 'auth.device.token',
    targetType: 'session',
    targetId: issued.sessionId,
    outcome: 'success',
  });
  return issued;
}

/** What the approval page shows about a pending request before the user decides. */
export interface PendingDevice {
  user_code: string;
  client_name: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
}

/** Counts one lookup or decision against the user's limit (guessing codes costs requests). */
async function chargeUser(db: ControlPlaneDb, user: SessionUser): Promise<void> {
  await enforce(db, [
    {
      key: `device-decide:user:${user.userId}`,
      limit: DEVICE_LIMITS.decidePerUser,
      windowSeconds: DEVICE_LIMITS.windowSeconds,
    },
  ]);
}

function unknownCode(): ApiError {
  return new ApiError(404, 'invalid_user_code', 'this code is not valid, has expired or was already used');
}

/** The pending request a user code names (404 when there is none), for the approval page. */
export async function findPendingDevice(
  db: ControlPlaneDb,
  user: SessionUser,
  input: string,
): Promise<PendingDevice> {
  await chargeUser(db, user);
  const code = normalizeUserCode(input);
  if (!code) throw unknownCode();
  const t = deviceAuthorizations;
  const [row] = await db
    .select()
    .from(t)
    .where(
      and(eq(t.userCodeHash, await hashSecret(code)), eq(t.status, 'pending'), gt(t.expiresAt, sql`now()`)),
    );
  if (!row) throw unknownCode();
  return {
    user_code: formatUserCode(code),
    client_name: row.clientName,
    ip: row.ip,
    user_agent: row.userAgent,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
  };
}

/** Approves or denies the pending request a user code names, once; audited either way. */
export async function decideDevice(
  db: ControlPlaneDb,
  c: Context,
  user: SessionUser,
  input: string,
  decision: 'approved' | 'denied',
): Promise<void> {
  await chargeUser(db, user);
  const code = normalizeUserCode(input);
  const t = deviceAuthorizations;
  const [row] = code
    ? await db
        .update(t)
        .set({ status: decision, userId: user.userId, decidedAt: sql`now()` })
        .where(
          and(
            eq(t.userCodeHash, await hashSecret(code)),
            eq(t.status, 'pending'),
            gt(t.expiresAt, sql`now()`),
          ),
        )
        .returning({ id: t.id })
    : [];
  const action = decision === 'approved' ? 'auth.device.approve' : 'auth.device.deny';
  await audit(db, c, {
    actorType: 'user',
    actorId: user.userId,
    action,
    targetType: 'device_authorization',
    targetId: row?.id ?? null,
    outcome: row ? 'success' : 'failure',
  });
  if (!row) throw unknownCode();
}
