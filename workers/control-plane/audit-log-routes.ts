/**
 * @module workers/control-plane/audit-log-routes
 * `GET /v1/orgs/{org}/audit-log` (admins): newest first, filtered by
 * `action`, `actorId`, `outcome`, `targetType`, `targetId`, `since`, `until`
 * (ISO 8601); `limit` (1–200, default 50) and an opaque `cursor` taken from
 * the previous page's `nextCursor`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { withControlPlane } from '../db/client.ts';
import { auditLogs } from '../db/schema.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, parsedBy } from '../openapi/schemas.ts';
import { cursorParam, dateParam, encodeCursor, intParam, textParam } from './query-params.ts';
import { AuditEntry, OrgParam } from './resources.ts';
import { requireOrgRole } from './roles.ts';

const OUTCOMES = ['success', 'failure', 'denied'] as const;

const text = (name: string) =>
  parsedBy((v) => textParam(v, name))
    .optional()
    .openapi({ description: `Only entries with this ${name}` });

const query = z.object({
  action: text('action'),
  actorId: text('actorId'),
  outcome: z.enum(OUTCOMES, { error: `"outcome" must be one of ${OUTCOMES.join(', ')}` }).optional(),
  targetType: text('targetType'),
  targetId: text('targetId'),
  since: parsedBy((v) => dateParam(v, 'since'))
    .optional()
    .openapi({ description: 'ISO 8601; entries at or after it' }),
  until: parsedBy((v) => dateParam(v, 'until'))
    .optional()
    .openapi({ description: 'ISO 8601; entries at or before it' }),
  limit: parsedBy((v) => intParam(v, 'limit', 1, 200))
    .optional()
    .openapi({ description: 'Entries per page, 1–200 (default 50)' }),
  cursor: parsedBy((v) => cursorParam(v))
    .optional()
    .openapi({ description: "The previous page's nextCursor" }),
});

const route = createRoute({
  method: 'get',
  path: '/v1/orgs/{org}/audit-log',
  tags: ['Audit log'],
  security: AUTHENTICATED,
  summary: "An organization's audit log, newest first (admin)",
  request: { params: OrgParam, query },
  responses: {
    200: json(
      z.object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() }),
      'One page; pass nextCursor to continue',
    ),
    ...errors(400, 401, 403, 404),
  },
});

export const auditLogRoutes = apiRouter<AuthEnv>().openapi(route, async (c) => {
  const user = sessionUser(c);
  const orgId = c.req.valid('param').org;
  const { action, actorId, outcome, targetType, targetId, since, until, cursor, ...q } = c.req.valid('query');
  const limit = q.limit ?? 50;
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
  return c.json({ entries: page, nextCursor }, 200);
});
