/**
 * @module workers/control-plane/orgs-routes
 * `/v1/orgs` and `/v1/orgs/{org}`: organizations the caller belongs to.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { memberships, organizations, projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import {
  AUTHENTICATED,
  errors,
  json,
  jsonBody,
  nameString,
  noContent,
  plainTextString,
} from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { destroyProjectsData } from './project-teardown.ts';
import { Org, OrgParam } from './resources.ts';
import { requireOrgRole } from './roles.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const slug = plainTextString('slug', 40).refine((s) => SLUG.test(s), {
  error: '"slug" must be lower-case letters, digits and dashes',
});

const tags = ['Organizations'];

const list = createRoute({
  method: 'get',
  path: '/v1/orgs',
  tags,
  security: AUTHENTICATED,
  summary: "The caller's organizations, with the caller's role",
  responses: { 200: json(z.object({ orgs: z.array(Org) }), 'Organizations'), ...errors(401) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/orgs',
  tags,
  security: AUTHENTICATED,
  summary: 'Create an organization (the caller becomes its owner)',
  middleware: [readJsonBody()] as const,
  request: { body: jsonBody(z.object({ name: nameString('organization'), slug })) },
  responses: { 201: json(Org, 'Created'), ...errors(400, 401, 409, 413, 415) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/orgs/{org}',
  tags,
  security: AUTHENTICATED,
  summary: 'One organization (viewer)',
  request: { params: OrgParam },
  responses: { 200: json(Org, 'The organization'), ...errors(401, 403, 404) },
});

const rename = createRoute({
  method: 'patch',
  path: '/v1/orgs/{org}',
  tags,
  security: AUTHENTICATED,
  summary: 'Rename an organization (admin)',
  middleware: [readJsonBody()] as const,
  request: { params: OrgParam, body: jsonBody(z.object({ name: nameString('organization') })) },
  responses: { 200: json(Org.omit({ role: true }), 'Renamed'), ...errors(400, 401, 403, 404, 413, 415) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/orgs/{org}',
  tags,
  security: AUTHENTICATED,
  summary: "Delete an organization and all its projects' data (owner)",
  request: { params: OrgParam },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

export const orgsRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select({ org: organizations, role: memberships.role })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.orgId))
        .where(eq(memberships.userId, user.userId))
        .orderBy(organizations.createdAt),
    );
    return c.json({ orgs: rows.map((r) => ({ ...r.org, role: r.role })) }, 200);
  })
  .openapi(create, async (c) => {
    const user = sessionUser(c);
    const { name, slug } = c.req.valid('json');
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
    return c.json({ ...org, role: 'owner' as const }, 201);
  })
  .openapi(get, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const result = await withControlPlane(c.env, async (db) => {
      const role = await requireOrgRole(db, user.userId, orgId, 'viewer');
      const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
      return { ...org, role };
    });
    return c.json(result, 200);
  })
  .openapi(rename, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const { name } = c.req.valid('json');
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
    return c.json(org, 200);
  })
  .openapi(remove, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
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
