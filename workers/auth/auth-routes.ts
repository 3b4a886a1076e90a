/**
 * @module workers/auth/auth-routes
 * `/v1/auth/*` (magic links, refresh, logout, me), the JWKS endpoint, and the
 * local-only dev outbox. Passkey ceremonies live in passkey-routes.ts.
 *
 * Sign-in responses come in two modes chosen by the body's `mode`:
 * `"cookie"` (default, browsers) sets the session cookies and returns the CSRF
 * token; `"bearer"` (API clients) returns `accessToken` and `refreshToken`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { isLocalMode } from '../app-context.ts';
import { withControlPlane } from '../db/client.ts';
import { devOutbox, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, emailString, errors, json, jsonBody, plainTextString } from '../openapi/schemas.ts';
import { audit } from './audit.ts';
import { type AuthEnv, sessionUser } from './auth-context.ts';
import { SignedIn, SignInMode } from './auth-schemas.ts';
import {
  clearSessionCookies,
  REFRESH_COOKIE,
  readCookie,
  requireCsrf,
  setSessionCookies,
} from './cookies.ts';
import { deviceRoutes } from './device-routes.ts';
import { keyRing } from './jwt-keys.ts';
import { consumeMagicLink, requestMagicLink } from './magic-link.ts';
import { type IssuedTokens, revokeSession, rotateRefreshToken, startSession } from './refresh-tokens.ts';
import { readJsonBody } from './request-body.ts';
import { requireUser } from './session-middleware.ts';
import { sessionRoutes } from './session-routes.ts';

/** Sign-in response in the requested mode. */
export function respondWithTokens(c: Context, tokens: IssuedTokens, mode: 'cookie' | 'bearer' | undefined) {
  if (mode === 'bearer') {
    return c.json(
      {
        tokenType: 'Bearer' as const,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresIn: tokens.expiresIn,
        user: tokens.user,
      },
      200,
    );
  }
  const csrfToken = setSessionCookies(c, tokens);
  return c.json({ user: tokens.user, expiresIn: tokens.expiresIn, csrfToken }, 200);
}

const tags = ['Sign-in'];
const signedIn = json(SignedIn, 'Signed in: tokens (bearer mode) or session cookies and the CSRF token');

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags,
  summary: 'Public keys that verify access tokens',
  responses: {
    200: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'A JSON Web Key Set'),
  },
});

const magicLink = createRoute({
  method: 'post',
  path: '/v1/auth/magic-link',
  tags,
  summary: 'Mail a sign-in link (answers the same whether or not the address exists)',
  middleware: [readJsonBody()] as const,
  request: { body: jsonBody(z.object({ email: emailString() })) },
  responses: {
    202: json(z.object({ ok: z.literal(true), message: z.string() }), 'Accepted'),
    ...errors(400, 413, 415, 429),
  },
});

const magicLinkVerify = createRoute({
  method: 'post',
  path: '/v1/auth/magic-link/verify',
  tags,
  summary: "Sign in with a magic link's token",
  middleware: [readJsonBody()] as const,
  request: { body: jsonBody(z.object({ token: plainTextString('token', 200), mode: SignInMode })) },
  responses: { 200: signedIn, ...errors(400, 401, 413, 415, 429) },
});

const refresh = createRoute({
  method: 'post',
  path: '/v1/auth/refresh',
  tags,
  summary: 'Rotate the refresh token: from the body (API clients) or the cookie (browsers, with CSRF)',
  middleware: [readJsonBody({ optional: true })] as const,
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({ refreshToken: plainTextString('refreshToken', 200).optional() }),
        },
      },
    },
  },
  responses: { 200: signedIn, ...errors(400, 401, 403, 413, 415) },
});

const logout = createRoute({
  method: 'post',
  path: '/v1/auth/logout',
  tags,
  security: AUTHENTICATED,
  summary: 'End this session',
  middleware: [requireUser()] as const,
  responses: { 200: json(z.object({ ok: z.literal(true) }), 'Signed out'), ...errors(401, 403) },
});

const me = createRoute({
  method: 'get',
  path: '/v1/auth/me',
  tags,
  security: AUTHENTICATED,
  summary: 'The signed-in user',
  middleware: [requireUser()] as const,
  responses: {
    200: json(
      z.object({
        id: z.string(),
        email: z.string(),
        displayName: z.string().nullable(),
        sessionId: z.string(),
      }),
      'The user',
    ),
    ...errors(401),
  },
});

const outbox = createRoute({
  method: 'get',
  path: '/v1/dev/outbox',
  tags: ['Local development'],
  summary: 'Mail local mode recorded instead of sending it, newest first (404 outside local mode)',
  request: {
    query: z.object({ to: z.string().optional().openapi({ description: 'Only mail to this address' }) }),
  },
  responses: {
    200: json(
      z.object({
        emails: z.array(
          z.object({
            id: z.number().int(),
            to: z.string(),
            subject: z.string(),
            text: z.string(),
            createdAt: z.string().openapi({ format: 'date-time' }),
          }),
        ),
      }),
      'The latest 50 mails',
    ),
    ...errors(404),
  },
});

export const authRoutes = apiRouter<AuthEnv>()
  .route('/', sessionRoutes)
  .route('/', deviceRoutes)
  .openapi(jwks, async (c) => {
    const ring = await keyRing(c.env);
    c.header('cache-control', 'public, max-age=300');
    return c.json(ring.jwks as { keys: Record<string, unknown>[] }, 200);
  })
  .openapi(magicLink, async (c) => {
    const { email } = c.req.valid('json');
    await withControlPlane(c.env, (db) => requestMagicLink(db, c.env, c, email));
    return c.json(
      { ok: true as const, message: 'If the address can receive mail, a sign-in link is on its way.' },
      202,
    );
  })
  .openapi(magicLinkVerify, async (c) => {
    const { token, mode } = c.req.valid('json');
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
    return respondWithTokens(c, tokens, mode);
  })
  .openapi(refresh, async (c) => {
    // Cookie refresh (browser) needs CSRF; body refresh (API client) carries its own secret.
    const cookie = readCookie(c, REFRESH_COOKIE);
    const { refreshToken } = c.req.valid('json');
    let token: string;
    let mode: 'cookie' | 'bearer';
    if (refreshToken !== undefined) {
      token = refreshToken;
      mode = 'bearer';
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
  .openapi(logout, async (c) => {
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
    return c.json({ ok: true as const }, 200);
  })
  .openapi(me, async (c) => {
    const user = sessionUser(c);
    const [row] = await withControlPlane(c.env, (db) =>
      db.select().from(users).where(eq(users.id, user.userId)),
    );
    if (!row) throw new ApiError(401, 'unauthenticated', 'user no longer exists');
    return c.json(
      { id: row.id, email: row.email, displayName: row.displayName, sessionId: user.sessionId },
      200,
    );
  })
  .openapi(outbox, async (c) => {
    // Exists only in local mode: elsewhere it is indistinguishable from an unknown route.
    if (!isLocalMode(c.env)) throw new ApiError(404, 'not_found', `no route for GET ${c.req.path}`);
    const to = c.req.valid('query').to?.toLowerCase();
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select()
        .from(devOutbox)
        .where(to ? eq(devOutbox.to, to) : undefined)
        .orderBy(desc(devOutbox.id))
        .limit(50),
    );
    return c.json({ emails: rows }, 200);
  });
