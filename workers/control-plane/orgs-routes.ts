/**
 * @module workers/control-plane/orgs-routes
 * `/v1/orgs` and `/v1/orgs/{org}`: organizations the caller belongs to.
 */
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { nameField } from '../auth/plain-text.ts';
import { jsonBody, stringField } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { memberships, organizations, projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { auditSuccess } from './audit-actor.ts';
import { destroyProjectsData } from './project-teardown.ts';
import { requireOrgRole } from './roles.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

function slugField(body: Record<string, unknown>): string {
  const slug = stringField(body, 'slug', 40);
  if (!SLUG.test(slug))
    throw new ApiError(400, 'invalid_request', '"slug" must be lower-case letters, digits and dashes');
  return slug;
}

export const orgsRoutes = new Hono<AuthEnv>()
  .get('/v1/orgs', async (c) => {
    const user = sessionUser(c);
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select({ org: organizations, role: memberships.role })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.orgId))
        .where(eq(memberships.userId, user.userId))
        .orderBy(organizations.createdAt),
    );
    return c.json({ orgs: rows.map((r) => ({ ...r.org, role: r.role })) });
  })
  .post('/v1/orgs', async (c) => {
    const user = sessionUser(c);
    const body = await jsonBody(c);
    const name = nameField(body, 'organization');
    const slug = slugField(body);
    const org = await withControlPlane(c.env, async (db) => {
      const [created] = await db
        .insert(organizations)
        .values({ name, slug })
        .onConflictDoNothing()
        .returning();
      if (!created) throw new ApiError(409, 'conflict', `slug "${slug}" is taken`);
      await db.insert(memberships).values({ orgId: created.id, userId: user.userId, role: 'owner' });
      await auditSuccess(db, c, {
        orgId: created.id,
        action: 'org.create',
        targetType: 'org',
        targetId: created.id,
      });
      return created;
    });
    return c.json({ ...org, role: 'owner' }, 201);
  })
  .get('/v1/orgs/:org', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const result = await withControlPlane(c.env, async (db) => {
      const role = await requireOrgRole(db, user.userId, orgId, 'viewer');
      const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
      return { ...org, role };
    });
    return c.json(result);
  })
  .patch('/v1/orgs/:org', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const name = nameField(await jsonBody(c), 'organization');
    const org = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'admin');
      const [updated] = await db
        .update(organizations)
        .set({ name })
        .where(eq(organizations.id, orgId))
        .returning();
      await auditSuccess(db, c, {
        orgId,
        action: 'org.update',
        targetType: 'org',
        targetId: orgId,
        detail: { name },
      });
      return updated;
    });
    return c.json(org);
  })
  .delete('/v1/orgs/:org', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'owner');
      const owned = await db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, orgId));
      await destroyProjectsData(
        c.env,
        db,
        owned.map((p) => p.id),
      );
      // The audit entry outlives the org (audit_logs.org_id has no foreign key on purpose).
      await auditSuccess(db, c, { orgId, action: 'org.delete', targetType: 'org', targetId: orgId });
      await db.delete(organizations).where(and(eq(organizations.id, orgId)));
    });
    return c.body(null, 204);
  });
