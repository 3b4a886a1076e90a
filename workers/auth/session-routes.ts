/**
 * @module workers/auth/session-routes
 * `GET /v1/auth/sessions` (the caller's live sessions, one per signed-in
 * device) and `DELETE /v1/auth/sessions/{id}` (sign that device out).
 * `lastUsedAt` is the last refresh, i.e. accurate to the access-token lifetime.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, isNull, max } from 'drizzle-orm';
import { withControlPlane } from '../db/client.ts';
import { refreshTokens, sessions } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, noContent } from '../openapi/schemas.ts';
import { audit } from './audit.ts';
import { type AuthEnv, sessionUser } from './auth-context.ts';
import { revokeSession } from './refresh-tokens.ts';
import { requireUser } from './session-middleware.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const Session = z
  .object({
    id: z.string(),
    method: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
    current: z.boolean(),
  })
  .openapi('Session');

const list = createRoute({
  method: 'get',
  path: '/v1/auth/sessions',
  tags: ['Sessions'],
  security: AUTHENTICATED,
  summary: "The caller's live sessions, one per signed-in device",
  middleware: [requireUser()] as const,
  responses: { 200: json(z.object({ sessions: z.array(Session) }), 'Sessions'), ...errors(401) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/auth/sessions/{id}',
  tags: ['Sessions'],
  security: AUTHENTICATED,
  summary: 'Sign that device out',
  middleware: [requireUser()] as const,
  request: { params: z.object({ id: z.string().openapi({ description: 'Session id' }) }) },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

export const sessionRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select({
          id: sessions.id,
          method: sessions.method,
          ip: sessions.ip,
          userAgent: sessions.userAgent,
          createdAt: sessions.createdAt,
          lastUsedAt: max(refreshTokens.createdAt),
        })
        .from(sessions)
        .leftJoin(refreshTokens, eq(refreshTokens.sessionId, sessions.id))
        .where(and(eq(sessions.userId, user.userId), isNull(sessions.revokedAt)))
        .groupBy(sessions.id)
        .orderBy(desc(sessions.createdAt)),
    );
    return c.json({ sessions: rows.map((r) => ({ ...r, current: r.id === user.sessionId })) }, 200);
  })
  .openapi(revoke, async (c) => {
    const user = sessionUser(c);
    const { id } = c.req.valid('param');
    await withControlPlane(c.env, async (db) => {
      const [row] = UUID.test(id)
        ? await db
            .select({ id: sessions.id })
            .from(sessions)
            .where(and(eq(sessions.id, id), eq(sessions.userId, user.userId), isNull(sessions.revokedAt)))
        : [];
      if (!row) throw new ApiError(404, 'not_found', 'session not found');
      await revokeSession(db, id, 'revoked_by_user');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.userId,
        action: 'auth.session.revoke',
        targetType: 'session',
        targetId: id,
        outcome: 'success',
      });
    });
    return c.body(null, 204);
  });
