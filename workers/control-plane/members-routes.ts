/**
 * @module workers/control-plane/members-routes
 * `/v1/orgs/{org}/members`: list (viewer), change role (admin; only an owner
 * grants or takes away `owner`), remove (admin, or yourself to leave). An org
 * always keeps at least one owner.
 */
import { and, count, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { enumField, jsonBody } from '../auth/request-body.ts';
import type { ControlPlaneDb } from '../db/client.ts';
import { withControlPlane } from '../db/client.ts';
import { memberships, ORG_ROLES, type OrgRole, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { auditSuccess } from './audit-actor.ts';
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

export const membersRoutes = new Hono<AuthEnv>()
  .get('/v1/orgs/:org/members', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
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
    return c.json({ members: rows });
  })
  .patch('/v1/orgs/:org/members/:user', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const targetId = c.req.param('user');
    const role = enumField(await jsonBody(c), 'role', ORG_ROLES);
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
    return c.json({ userId: targetId, role });
  })
  .delete('/v1/orgs/:org/members/:user', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const targetId = c.req.param('user');
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
