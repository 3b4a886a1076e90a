/**
 * @module workers/auth/auth-routes
 * `/v1/auth/*` (magic links, refresh, logout, me), the JWKS endpoint, and the
 * local-only dev outbox. Passkey ceremonies live in passkey-routes.ts.
 *
 * Sign-in responses come in two modes chosen by the body's `mode`:
 * `"cookie"` (default, browsers) sets the session cookies and returns the CSRF
 * token; `"bearer"` (API clients) returns `accessToken` and `refreshToken`.
 */
import { desc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { isLocalMode } from '../app-context.ts';
import { withControlPlane } from '../db/client.ts';
import { devOutbox, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { audit } from './audit.ts';
import { type AuthEnv, sessionUser } from './auth-context.ts';
import {
  clearSessionCookies,
  REFRESH_COOKIE,
  readCookie,
  requireCsrf,
  setSessionCookies,
} from './cookies.ts';
import { keyRing } from './jwt-keys.ts';
import { consumeMagicLink, requestMagicLink } from './magic-link.ts';
import { type IssuedTokens, revokeSession, rotateRefreshToken, startSession } from './refresh-tokens.ts';
import { emailField, jsonBody, stringField } from './request-body.ts';
import { requireUser } from './session-middleware.ts';
import { sessionRoutes } from './session-routes.ts';

/** Sign-in response in the requested mode. */
export function respondWithTokens(c: Context, tokens: IssuedTokens, mode: unknown) {
  if (mode === 'bearer') {
    return c.json({
      tokenType: 'Bearer',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
      user: tokens.user,
    });
  }
  const csrfToken = setSessionCookies(c, tokens);
  return c.json({ user: tokens.user, expiresIn: tokens.expiresIn, csrfToken });
}

export const authRoutes = new Hono<AuthEnv>()
  .route('/', sessionRoutes)
  .get('/.well-known/jwks.json', async (c) => {
    const ring = await keyRing(c.env);
    c.header('cache-control', 'public, max-age=300');
    return c.json(ring.jwks);
  })
  .post('/v1/auth/magic-link', async (c) => {
    const email = emailField(await jsonBody(c));
    await withControlPlane(c.env, (db) => requestMagicLink(db, c.env, c, email));
    return c.json(
      { ok: true, message: 'If the address can receive mail, a sign-in link is on its way.' },
      202,
    );
  })
  .post('/v1/auth/magic-link/verify', async (c) => {
    const body = await jsonBody(c);
    const token = stringField(body, 'token', 200);
    const tokens = await withControlPlane(c.env, async (db) => {
      const user = await consumeMagicLink(db, c, token);
      const issued = await startSession(db, c.env, c, user, 'magic_link');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.id,
        action: 'auth.magic_link.verify',
        targetType: 'session',
        targetId: issued.sessionId,
        outcome: 'success',
      });
      return issued;
    });
    return respondWithTokens(c, tokens, body.mode);
  })
  .post('/v1/auth/refresh', async (c) => {
    // Cookie refresh (browser) needs CSRF; body refresh (API client) carries its own secret.
    const cookie = readCookie(c, REFRESH_COOKIE);
    let token: string;
    let mode: 'cookie' | 'bearer';
    if (c.req.header('content-type')?.startsWith('application/json')) {
      const body = await jsonBody(c);
      if (typeof body.refreshToken === 'string') {
        token = stringField(body, 'refreshToken', 200);
        mode = 'bearer';
      } else if (cookie) {
        await requireCsrf(c);
        token = cookie;
        mode = 'cookie';
      } else throw new ApiError(401, 'invalid_refresh_token', 'no refresh token');
    } else if (cookie) {
      await requireCsrf(c);
      token = cookie;
      mode = 'cookie';
    } else throw new ApiError(401, 'invalid_refresh_token', 'no refresh token');
    const tokens = await withControlPlane(c.env, async (db) => {
      const issued = await rotateRefreshToken(db, c.env, c, token);
      await audit(db, c, {
        actorType: 'user',
        actorId: issued.user.id,
        action: 'auth.refresh',
        targetType: 'session',
        targetId: issued.sessionId,
        outcome: 'success',
      });
      return issued;
    });
    return respondWithTokens(c, tokens, mode);
  })
  .post('/v1/auth/logout', requireUser(), async (c) => {
    const user = sessionUser(c);
    await withControlPlane(c.env, async (db) => {
      await revokeSession(db, user.sessionId, 'logout');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.userId,
        action: 'auth.logout',
        targetType: 'session',
        targetId: user.sessionId,
        outcome: 'success',
      });
    });
    clearSessionCookies(c);
    return c.json({ ok: true });
  })
  .get('/v1/auth/me', requireUser(), async (c) => {
    const user = sessionUser(c);
    const [row] = await withControlPlane(c.env, (db) =>
      db.select().from(users).where(eq(users.id, user.userId)),
    );
    if (!row) throw new ApiError(401, 'unauthenticated', 'user no longer exists');
    return c.json({ id: row.id, email: row.email, displayName: row.displayName, sessionId: user.sessionId });
  })
  .get('/v1/dev/outbox', async (c) => {
    // Exists only in local mode: elsewhere it is indistinguishable from an unknown route.
    if (!isLocalMode(c.env)) throw new ApiError(404, 'not_found', `no route for GET ${c.req.path}`);
    const to = c.req.query('to')?.toLowerCase();
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select()
        .from(devOutbox)
        .where(to ? eq(devOutbox.to, to) : undefined)
        .orderBy(desc(devOutbox.id))
        .limit(50),
    );
    return c.json({ emails: rows });
  });
