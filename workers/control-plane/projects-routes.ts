/**
 * @module workers/control-plane/projects-routes
 * `/v1/orgs/{org}/projects` and `/v1/projects/{project}`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, jsonBody, nameString, noContent } from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { destroyProjectsData } from './project-teardown.ts';
import { OrgParam, Project, ProjectParam } from './resources.ts';
import { requireOrgRole, requireProjectRole } from './roles.ts';

const tags = ['Projects'];

const list = createRoute({
  method: 'get',
  path: '/v1/orgs/{org}/projects',
  tags,
  security: AUTHENTICATED,
  summary: "An organization's projects (viewer)",
  request: { params: OrgParam },
  responses: { 200: json(z.object({ projects: z.array(Project) }), 'Projects'), ...errors(401, 403, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/orgs/{org}/projects',
  tags,
  security: AUTHENTICATED,
  summary: 'Create a project (admin)',
  middleware: [readJsonBody()] as const,
  request: { params: OrgParam, body: jsonBody(z.object({ name: nameString('project') })) },
  responses: { 201: json(Project, 'Created'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/projects/{project}',
  tags,
  security: AUTHENTICATED,
  summary: 'One project (viewer)',
  request: { params: ProjectParam },
  responses: { 200: json(Project, 'The project'), ...errors(401, 403, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/projects/{project}',
  tags,
  security: AUTHENTICATED,
  summary: 'Delete a project and all its databases (admin)',
  request: { params: ProjectParam },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

export const projectsRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const rows = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'viewer');
      return db.select().from(projects).where(eq(projects.orgId, orgId)).orderBy(projects.createdAt);
    });
    return c.json({ projects: rows }, 200);
  })
  .openapi(create, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const { name } = c.req.valid('json');
    const project = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'admin');
      const [created] = await db.insert(projects).values({ orgId, name }).onConflictDoNothing().returning();
      if (!created) throw new ApiError(409, 'conflict', `project "${name}" already exists`);
      await auditSuccess(db, c, {
        orgId,
        action: 'project.create',
        targetType: 'project',
        targetId: created.id,
        detail: { name },
      });
      return created;
    });
    return c.json(project, 201);
  })
  .openapi(get, async (c) => {
    const user = sessionUser(c);
    const row = await withControlPlane(c.env, (db) =>
      requireProjectRole(db, user.userId, c.req.valid('param').project, 'viewer'),
    );
    return c.json(row.project, 200);
  })
  .openapi(remove, async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.valid('param').project;
    await withControlPlane(c.env, async (db) => {
      const { project } = await requireProjectRole(db, user.userId, projectId, 'admin');
      await destroyProjectsData(c.env, db, [projectId]);
      await db.delete(projects).where(eq(projects.id, projectId));
      await auditSuccess(db, c, {
        orgId: project.orgId,
        action: 'project.delete',
        targetType: 'project',
        targetId: projectId,
      });
    });
    return c.body(null, 204);
  });
