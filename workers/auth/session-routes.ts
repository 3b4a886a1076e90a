/**
 * @module workers/auth/session-routes
 * `GET /v1/auth/sessions` (the caller's live sessions, one per signed-in
 * device) and `DELETE /v1/auth/sessions/{id}` (sign that device out).
 * `lastUsedAt` is the last refresh, i.e. accurate to the access-token lifetime.
 */
import { and, desc, eq, isNull, max } from 'drizzle-orm';
import { Hono } from 'hono';
import { withControlPlane } from '../db/client.ts';
import { refreshTokens, sessions } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { audit } from './audit.ts';
import { type AuthEnv, sessionUser } from './auth-context.ts';
import { revokeSession } from './refresh-tokens.ts';
import { requireUser } from './session-middleware.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sessionRoutes = new Hono<AuthEnv>()
  .get('/v1/auth/sessions', requireUser(), async (c) => {
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
    return c.json({ sessions: rows.map((r) => ({ ...r, current: r.id === user.sessionId })) });
  })
  .delete('/v1/auth/sessions/:id', requireUser(), async (c) => {
    const user = sessionUser(c);
    const id = c.req.param('id');
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
