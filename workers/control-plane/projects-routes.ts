/**
 * @module workers/control-plane/projects-routes
 * `/v1/orgs/{org}/projects` and `/v1/projects/{project}`.
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { nameField } from '../auth/plain-text.ts';
import { jsonBody } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { auditSuccess } from './audit-actor.ts';
import { destroyProjectsData } from './project-teardown.ts';
import { requireOrgRole, requireProjectRole } from './roles.ts';

export const projectsRoutes = new Hono<AuthEnv>()
  .get('/v1/orgs/:org/projects', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const rows = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'viewer');
      return db.select().from(projects).where(eq(projects.orgId, orgId)).orderBy(projects.createdAt);
    });
    return c.json({ projects: rows });
  })
  .post('/v1/orgs/:org/projects', async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.param('org');
    const name = nameField(await jsonBody(c), 'project');
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
  .get('/v1/projects/:project', async (c) => {
    const user = sessionUser(c);
    const row = await withControlPlane(c.env, (db) =>
      requireProjectRole(db, user.userId, c.req.param('project'), 'viewer'),
    );
    return c.json(row.project);
  })
  .delete('/v1/projects/:project', async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.param('project');
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
