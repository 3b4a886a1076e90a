/**
 * @module workers/auth/refresh-tokens
 * Sessions and rotating refresh tokens. A session is one refresh-token
 * family. Each refresh consumes its token atomically and issues the next one;
 * presenting an already-consumed token is a replay (someone holds a copy), so
 * the whole family is revoked and every holder must sign in again.
 */

import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import type { ControlPlaneDb } from '../db/client.ts';
import { refreshTokens, sessions, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from './access-tokens.ts';
import { audit } from './audit.ts';
import { requestMeta } from './auth-context.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from './cookies.ts';
import { hashSecret, randomToken } from './token-hash.ts';

/** What a successful sign-in or refresh hands the client. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly sessionId: string;
  readonly user: { id: string; email: string };
}

async function mintRefreshToken(db: ControlPlaneDb, sessionId: string): Promise<string> {
  const token = `ort_${randomToken(32)}`;
  await db.insert(refreshTokens).values({
    sessionId,
    tokenHash: await hashSecret(token),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  return token;
}

/** Opens a new session (token family) for a user who just proved who they are. */
export async function startSession(
  db: ControlPlaneDb,
  env: Env,
  c: Context,
  user: { id: string; email: string },
  method: 'magic_link' | 'passkey' | 'invitation' | 'device',
): Promise<IssuedTokens> {
  const { ip, userAgent } = requestMeta(c);
  const [session] = await db.insert(sessions).values({ userId: user.id, method, ip, userAgent }).returning();
  const refreshToken = await mintRefreshToken(db, session.id);
  const accessToken = await issueAccessToken(env, {
    userId: user.id,
    sessionId: session.id,
    email: user.email,
  });
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS, sessionId: session.id, user };
}

/** Revokes a session; its refresh tokens stop working and its access tokens fail the session check. */
export async function revokeSession(db: ControlPlaneDb, sessionId: string, reason: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Consumes a refresh token and issues the next pair; a replay revokes the family (401 either way). */
export async function rotateRefreshToken(
  db: ControlPlaneDb,
  env: Env,
  c: Context,
  token: string,
): Promise<IssuedTokens> {
  const tokenHash = await hashSecret(token);
  const [consumed] = await db
    .update(refreshTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        gt(refreshTokens.expiresAt, new Date()),
      ),
    )
    .returning({ sessionId: refreshTokens.sessionId });
  if (!consumed) {
    const [known] = await db
      .select({ sessionId: refreshTokens.sessionId, usedAt: refreshTokens.usedAt, userId: sessions.userId })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, tokenHash));
    if (known?.usedAt) {
      await revokeSession(db, known.sessionId, 'refresh_token_reuse');
      await audit(db, c, {
        actorType: 'user',
        actorId: known.userId,
        action: 'auth.refresh.reuse_detected',
        targetType: 'session',
        targetId: known.sessionId,
        outcome: 'denied',
      });
    }
    throw new ApiError(401, 'invalid_refresh_token', 'refresh token is invalid, expired or already used');
  }
  const [row] = await db
    .select({ userId: users.id, email: users.email, revokedAt: sessions.revokedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, consumed.sessionId));
  if (!row || row.revokedAt) throw new ApiError(401, 'invalid_refresh_token', 'session has been revoked');
  const refreshToken = await mintRefreshToken(db, consumed.sessionId);
  const accessToken = await issueAccessToken(env, {
    userId: row.userId,
    sessionId: consumed.sessionId,
    email: row.email,
  });
  return {
    accessToken,
    refreshToken,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    sessionId: consumed.sessionId,
    user: { id: row.userId, email: row.email },
  };
}
