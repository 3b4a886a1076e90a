/**
 * @module workers/auth/webauthn-challenges
 * Single-use WebAuthn challenges with a 5-minute expiry. The challenge a
 * client answers is read from its clientDataJSON and consumed in one
 * conditional UPDATE before any signature check, so a challenge can be
 * answered at most once, only for its ceremony kind (and user, for
 * registration).
 */
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { ControlPlaneDb } from '../db/client.ts';
import { webauthnChallenges } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

export const CHALLENGE_TTL_SECONDS = 300;

/** Stores a freshly generated challenge. */
export async function storeChallenge(
  db: ControlPlaneDb,
  challenge: string,
  kind: 'register' | 'login',
  userId: string | null,
): Promise<void> {
  await db.insert(webauthnChallenges).values({
    challenge,
    kind,
    userId,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
  });
}

/** The challenge inside a base64url clientDataJSON (400 if unreadable). */
export function challengeOf(clientDataJSON: unknown): string {
  try {
    const parsed = JSON.parse(isoBase64URL.toUTF8String(String(clientDataJSON))) as { challenge?: unknown };
    // Ours are base64url (32 random bytes); anything else cannot match, and must not reach Postgres.
    if (typeof parsed.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(parsed.challenge))
      return parsed.challenge;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'invalid_webauthn_response', 'clientDataJSON is malformed');
}

/** Consumes a challenge; 400 when unknown, expired, already used, or for another ceremony/user. */
export async function consumeChallenge(
  db: ControlPlaneDb,
  challenge: string,
  kind: 'register' | 'login',
  userId: string | null,
): Promise<void> {
  const [row] = await db
    .update(webauthnChallenges)
    .set({ consumedAt: new Date() })
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        eq(webauthnChallenges.kind, kind),
        userId ? eq(webauthnChallenges.userId, userId) : isNull(webauthnChallenges.userId),
        isNull(webauthnChallenges.consumedAt),
        gt(webauthnChallenges.expiresAt, new Date()),
      ),
    )
    .returning({ id: webauthnChallenges.id });
  if (!row) throw new ApiError(400, 'invalid_challenge', 'challenge is unknown, expired or already used');
}
