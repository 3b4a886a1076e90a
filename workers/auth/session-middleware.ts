/**
 * @module workers/auth/session-middleware
 * Authenticates control-plane requests by a user session: `Authorization:
 * Bearer <access JWT>` (API clients) or the `__Host-orochi_at` cookie
 * (browsers, plus the CSRF check). The session row is checked on every
 * request, so logout and refresh-token reuse take effect immediately rather
 * than when the access token expires.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { withControlPlane } from '../db/client.ts';
import { sessions } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { looksLikeJwt, verifyAccessToken } from './access-tokens.ts';
import type { AuthEnv, SessionUser } from './auth-context.ts';
import { ACCESS_COOKIE, readCookie, requireCsrf } from './cookies.ts';

/** The session credential on a request, if any (a bearer that is not a JWT is an API key, not ours). */
export function sessionCredential(c: Context): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = c.req.header('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m && looksLikeJwt(m[1]) ? { token: m[1], via: 'bearer' } : null;
  }
  const cookie = readCookie(c, ACCESS_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/** Verifies a session credential (JWT + live session + CSRF for cookies). */
export async function authenticateSession(
  c: Context,
  cred: { token: string; via: 'bearer' | 'cookie' },
): Promise<SessionUser> {
  const claims = await verifyAccessToken(c.env as Env, cred.token);
  if (cred.via === 'cookie') await requireCsrf(c);
  const live = await withControlPlane(c.env as Env, (db) =>
    db
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          eq(sessions.id, claims.sessionId),
          eq(sessions.userId, claims.userId),
          isNull(sessions.revokedAt),
        ),
      ),
  );
  if (live.length === 0) throw new ApiError(401, 'session_revoked', 'session has ended; sign in again');
  return { ...claims, via: cred.via };
}

/** Requires a signed-in user; sets `user`. */
export function requireUser() {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const cred = sessionCredential(c);
    if (!cred)
      throw new ApiError(401, 'unauthenticated', 'sign in required (Authorization: Bearer <access token>)');
    c.set('user', await authenticateSession(c, cred));
    await next();
  });
}
