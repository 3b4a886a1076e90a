/**
 * @module workers/control-plane/members-routes
 * `/v1/orgs/{org}/members`: list (viewer), change role (admin; only an owner
 * grants or takes away `owner`), remove (admin, or yourself to leave). An org
 * always keeps at least one owner.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, count, eq } from 'drizzle-orm';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { readJsonBody } from '../auth/request-body.ts';
import type { ControlPlaneDb } from '../db/client.ts';
import { withControlPlane } from '../db/client.ts';
import { memberships, ORG_ROLES, type OrgRole, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, jsonBody, noContent, oneOf } from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { Member, OrgParam, OrgRole as OrgRoleSchema } from './resources.ts';
import { isUuid, requireOrgRole } from './roles.ts';

async function memberRole(db: ControlPlaneDb, orgId: string, userId: string): Promise<OrgRole> {
  const [m] = isUuid(userId)
    ? await db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    : [];
  if (!m) throw new ApiError(404, 'not_found', 'member not found');
  return m.role;
}

async function assertNotLastOwner(db: ControlPlaneDb, orgId: string): Promise<void> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')));
  if (n <= 1) throw new ApiError(409, 'last_owner', 'an organization must keep at least one owner');
}

const tags = ['Members'];
const MemberParams = OrgParam.extend({ user: z.string().openapi({ description: 'User id' }) });

const list = createRoute({
  method: 'get',
  path: '/v1/orgs/{org}/members',
  tags,
  security: AUTHENTICATED,
  summary: "An organization's members (viewer)",
  request: { params: OrgParam },
  responses: { 200: json(z.object({ members: z.array(Member) }), 'Members'), ...errors(401, 403, 404) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/orgs/{org}/members/{user}',
  tags,
  security: AUTHENTICATED,
  summary: "Change a member's role (admin; only an owner grants or takes away owner)",
  middleware: [readJsonBody()] as const,
  request: { params: MemberParams, body: jsonBody(z.object({ role: oneOf('role', ORG_ROLES) })) },
  responses: {
    200: json(z.object({ userId: z.string(), role: OrgRoleSchema }), 'Updated'),
    ...errors(400, 401, 403, 404, 409, 413, 415),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/orgs/{org}/members/{user}',
  tags,
  security: AUTHENTICATED,
  summary: 'Remove a member (admin), or leave (yourself); an org keeps one owner',
  request: { params: MemberParams },
  responses: { 204: noContent, ...errors(401, 403, 404, 409) },
});

export const membersRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const rows = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'viewer');
      return db
        .select({
          userId: users.id,
          email: users.email,
          displayName: users.displayName,
          role: memberships.role,
          createdAt: memberships.createdAt,
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.orgId, orgId))
        .orderBy(memberships.createdAt);
    });
    return c.json({ members: rows }, 200);
  })
  .openapi(update, async (c) => {
    const user = sessionUser(c);
    const { org: orgId, user: targetId } = c.req.valid('param');
    const { role } = c.req.valid('json');
    await withControlPlane(c.env, async (db) => {
      const mine = await requireOrgRole(db, user.userId, orgId, 'admin');
      const current = await memberRole(db, orgId, targetId);
      if ((current === 'owner' || role === 'owner') && mine !== 'owner') {
        throw new ApiError(403, 'forbidden', 'only an owner can grant or change the owner role');
      }
      if (current === 'owner' && role !== 'owner') await assertNotLastOwner(db, orgId);
      await db
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, targetId)));
      await auditSuccess(db, c, {
        orgId,
        action: 'member.update',
        targetType: 'user',
        targetId,
        detail: { from: current, to: role },
      });
    });
    return c.json({ userId: targetId, role }, 200);
  })
  .openapi(remove, async (c) => {
    const user = sessionUser(c);
    const { org: orgId, user: targetId } = c.req.valid('param');
    await withControlPlane(c.env, async (db) => {
      const leaving = targetId === user.userId;
      const mine = await requireOrgRole(db, user.userId, orgId, leaving ? 'viewer' : 'admin');
      const current = await memberRole(db, orgId, targetId);
      if (current === 'owner' && !leaving && mine !== 'owner') {
        throw new ApiError(403, 'forbidden', 'only an owner can remove an owner');
      }
      if (current === 'owner') await assertNotLastOwner(db, orgId);
      await db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, targetId)));
      await auditSuccess(db, c, {
        orgId,
        action: leaving ? 'member.leave' : 'member.remove',
        targetType: 'user',
        targetId,
      });
    });
    return c.body(null, 204);
  });
