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
import { ApiError } from '../errors.ts';
import { requireOrgRole } from './roles.ts';

function dateParam(v: string | undefined, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new ApiError(400, 'invalid_request', `"${name}" must be an ISO 8601 timestamp`);
  return d;
}

/** Cursors are the last id seen, base64url-encoded so clients treat them as opaque. */
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  let n = Number.NaN;
  try {
    n = Number(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    // not base64: falls through to the 400 below
  }
  if (!Number.isSafeInteger(n) || n <= 0) throw new ApiError(400, 'invalid_request', 'invalid cursor');
  return n;
}

function encodeCursor(id: number): string {
  return btoa(String(id)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const auditLogRoutes = new Hono<AuthEnv>().get('/v1/orgs/:org/audit-log', async (c) => {
  const user = sessionUser(c);
  const orgId = c.req.param('org');
  const q = c.req.query();
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new ApiError(400, 'invalid_request', '"limit" must be an integer from 1 to 200');
  }
  const outcome = q.outcome;
  if (outcome && !['success', 'failure', 'denied'].includes(outcome)) {
    throw new ApiError(400, 'invalid_request', '"outcome" must be success, failure or denied');
  }
  const filters: (SQL | undefined)[] = [
    eq(auditLogs.orgId, orgId),
    q.action ? eq(auditLogs.action, q.action) : undefined,
    q.actorId ? eq(auditLogs.actorId, q.actorId) : undefined,
    outcome ? eq(auditLogs.outcome, outcome as 'success') : undefined,
    q.targetType ? eq(auditLogs.targetType, q.targetType) : undefined,
    q.targetId ? eq(auditLogs.targetId, q.targetId) : undefined,
  ];
  const since = dateParam(q.since, 'since');
  const until = dateParam(q.until, 'until');
  const cursor = decodeCursor(q.cursor);
  if (since) filters.push(gte(auditLogs.createdAt, since));
  if (until) filters.push(lte(auditLogs.createdAt, until));
  if (cursor) filters.push(lt(auditLogs.id, cursor));
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
