/**
 * @module workers/control-plane/audit-log-routes
 * `GET /v1/orgs/{org}/audit-log` (admins): newest first, filtered by
 * `action`, `actorId`, `outcome`, `targetType`, `targetId`, `since`, `until`
 * (ISO 8601); `limit` (1–200, default 50) and an opaque `cursor` taken from
 * the previous page's `nextCursor`.
 */
import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { withControlPlane } from '../db/client.ts';
import { auditLogs } from '../db/schema.ts';
import { cursorParam, dateParam, encodeCursor, enumParam, intParam, textParam } from './query-params.ts';
import { requireOrgRole } from './roles.ts';

const OUTCOMES = ['success', 'failure', 'denied'] as const;

export const auditLogRoutes = new Hono<AuthEnv>().get('/v1/orgs/:org/audit-log', async (c) => {
  const user = sessionUser(c);
  const orgId = c.req.param('org');
  const q = c.req.query();
  const limit = intParam(q.limit, 'limit', 1, 200) ?? 50;
  const outcome = enumParam(q.outcome, 'outcome', OUTCOMES);
  const action = textParam(q.action, 'action');
  const actorId = textParam(q.actorId, 'actorId');
  const targetType = textParam(q.targetType, 'targetType');
  const targetId = textParam(q.targetId, 'targetId');
  const since = dateParam(q.since, 'since');
  const until = dateParam(q.until, 'until');
  const cursor = cursorParam(q.cursor);
  const filters: (SQL | undefined)[] = [
    eq(auditLogs.orgId, orgId),
    action ? eq(auditLogs.action, action) : undefined,
    actorId ? eq(auditLogs.actorId, actorId) : undefined,
    outcome ? eq(auditLogs.outcome, outcome) : undefined,
    targetType ? eq(auditLogs.targetType, targetType) : undefined,
    targetId ? eq(auditLogs.targetId, targetId) : undefined,
    since ? gte(auditLogs.createdAt, since) : undefined,
    until ? lte(auditLogs.createdAt, until) : undefined,
    cursor ? lt(auditLogs.id, cursor) : undefined,
  ];
  const rows = await withControlPlane(c.env, async (db) => {
    await requireOrgRole(db, user.userId, orgId, 'admin');
    return db
      .select()
      .from(auditLogs)
      .where(and(...filters))
      .orderBy(desc(auditLogs.id))
      .limit(limit + 1);
  });
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1].id) : null;
  return c.json({ entries: page, nextCursor });
});
