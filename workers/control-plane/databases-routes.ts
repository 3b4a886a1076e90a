/**
 * @module workers/control-plane/databases-routes
 * `/v1/projects/{project}/databases` (session users) and PATCH/DELETE
 * `/v1/databases/{database}` (behind the data-plane auth middleware, so a
 * session user or an admin API key). Creating a database records the row and
 * touches its CatalogDO so it exists; deleting marks the row and removes it.
 * Tearing down shards and R2 objects belongs to the data plane (see the
 * report in docs/auth-and-control-plane.md).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { DATABASE_NAME } from '../auth/plain-text.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { authorizeRequest } from '../data-plane/authorize.ts';
import { Cluster } from '../data-plane/cluster.ts';
import { forgetDatabase } from '../data-plane/database-cache.ts';
import { DatabaseParam } from '../data-plane/route-schemas.ts';
import { destroyDatabaseData } from '../data-plane/teardown.ts';
import { withControlPlane } from '../db/client.ts';
import { databases, projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import {
  AUTHENTICATED,
  errors,
  intInRange,
  json,
  jsonBody,
  nameString,
  noContent,
} from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { Database, ProjectParam } from './resources.ts';
import { isUuid, requireProjectRole } from './roles.ts';

/** Durable Object location hints Cloudflare accepts. */
export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;

const locationHint = z
  .enum([...LOCATION_HINTS, ''], { error: `"locationHint" must be one of ${LOCATION_HINTS.join(', ')}` })
  .nullish()
  .openapi({ description: 'A Durable Object location hint; empty or null for automatic placement' });

/**
 * Replication is not built yet: every database has exactly one copy. The field
 * stays accepted as 1 (older clients send it) and anything else is refused
 * rather than silently ignored.
 */
const replicaCount = z
  .literal(1, {
    error: '"replicaCount" must be 1: replication is not available yet, every database has one copy',
  })
  .optional();

const defaultShardCount = intInRange('defaultShardCount', 1, 1024).optional();

const tags = ['Databases'];

const list = createRoute({
  method: 'get',
  path: '/v1/projects/{project}/databases',
  tags,
  security: AUTHENTICATED,
  summary: "A project's databases (viewer)",
  request: { params: ProjectParam },
  responses: { 200: json(z.object({ databases: z.array(Database) }), 'Databases'), ...errors(401, 403, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/projects/{project}/databases',
  tags,
  security: AUTHENTICATED,
  summary: 'Create a database (member)',
  middleware: [readJsonBody()] as const,
  request: {
    params: ProjectParam,
    body: jsonBody(z.object({ name: nameString('database'), locationHint, replicaCount, defaultShardCount })),
  },
  responses: { 201: json(Database, 'Created'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/databases/{database}',
  tags,
  security: AUTHENTICATED,
  summary: 'Rename or reconfigure a database (write key, or a project member)',
  middleware: [readJsonBody()] as const,
  request: {
    params: DatabaseParam,
    body: jsonBody(
      z.object({ name: nameString('database').optional(), locationHint, replicaCount, defaultShardCount }),
    ),
  },
  responses: { 200: json(Database, 'Updated'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/databases/{database}',
  tags,
  security: AUTHENTICATED,
  summary: 'Delete a database and all its data (admin key, or a project admin)',
  request: { params: DatabaseParam },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

export const projectDatabasesRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.valid('param').project;
    const rows = await withControlPlane(c.env, async (db) => {
      await requireProjectRole(db, user.userId, projectId, 'viewer');
      return db
        .select()
        .from(databases)
        .where(eq(databases.projectId, projectId))
        .orderBy(databases.createdAt);
    });
    return c.json({ databases: rows }, 200);
  })
  .openapi(create, async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.valid('param').project;
    const body = c.req.valid('json');
    const name = body.name;
    const values = {
      projectId,
      name,
      locationHint: body.locationHint || null,
      replicaCount: body.replicaCount ?? 1,
      defaultShardCount: body.defaultShardCount ?? 8,
    };
    const row = await withControlPlane(c.env, async (db) => {
      const { project } = await requireProjectRole(db, user.userId, projectId, 'member');
      const [created] = await db.insert(databases).values(values).onConflictDoNothing().returning();
      if (!created) throw new ApiError(409, '42P04', `database "${name}" already exists`);
      await auditSuccess(db, c, {
        orgId: project.orgId,
        action: 'database.create',
        targetType: 'database',
        targetId: created.id,
        detail: { name },
      });
      return created;
    });
    // Instantiate the database's catalog (one CatalogDO per database id), placed near its location.
    await new Cluster(c.env, row.id, (row.locationHint ?? undefined) as DurableObjectLocationHint | undefined)
      .catalog()
      .version();
    return c.json(row, 201);
  });

/** Mounted after the data-plane auth middleware: `principal` is set, its role already mapped. */
export const databaseAdminRoutes = apiRouter<AuthEnv>()
  .openapi(update, async (c) => {
    const principal = c.get('principal')!;
    await authorizeRequest(c, c.req.valid('param').database, 'alter database', 'write');
    const body = c.req.valid('json');
    const patch = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.locationHint !== undefined ? { locationHint: body.locationHint || null } : {}),
      ...(body.replicaCount !== undefined ? { replicaCount: body.replicaCount } : {}),
      ...(body.defaultShardCount !== undefined ? { defaultShardCount: body.defaultShardCount } : {}),
    };
    if (Object.keys(patch).length === 0) throw new ApiError(400, 'invalid_request', 'nothing to update');
    const row = await withControlPlane(c.env, async (db) => {
      const target = await lookup(
        db,
        principal.projectId,
        principal.databaseId,
        c.req.valid('param').database,
      );
      const [updated] = await db
        .update(databases)
        .set(patch)
        .where(eq(databases.id, target.id))
        .returning()
        .catch((e: unknown) => {
          if (patch.name && isUniqueViolation(e))
            throw new ApiError(409, '42P04', `database "${patch.name}" already exists`);
          throw e;
        });
      // A new name (or shard count) must not be shadowed by this isolate's cached resolution.
      forgetDatabase(target.id);
      await auditSuccess(db, c, {
        orgId: target.orgId,
        action: 'database.update',
        targetType: 'database',
        targetId: target.id,
        detail: patch,
      });
      return updated;
    });
    return c.json(row, 200);
  })
  .openapi(remove, async (c) => {
    const principal = c.get('principal')!;
    await authorizeRequest(c, c.req.valid('param').database, 'drop database', 'admin');
    await withControlPlane(c.env, async (db) => {
      const target = await lookup(
        db,
        principal.projectId,
        principal.databaseId,
        c.req.valid('param').database,
      );
      // Data first: if teardown fails the row stays, so the delete can be retried.
      const removed = await destroyDatabaseData(c.env, target.id);
      await db.delete(databases).where(eq(databases.id, target.id));
      forgetDatabase(target.id);
      await auditSuccess(db, c, {
        orgId: target.orgId,
        action: 'database.delete',
        targetType: 'database',
        targetId: target.id,
        detail: { shardsDestroyed: removed.shards, objectsDeleted: removed.objects },
      });
    });
    return c.body(null, 204);
  });

/** Resolves `{database}` within the principal's project (by id or name); 404 outside it. */
async function lookup(
  db: Parameters<Parameters<typeof withControlPlane>[1]>[0],
  projectId: string,
  scopedTo: string | undefined,
  ref: string,
) {
  const byId = isUuid(ref);
  if (!byId && !DATABASE_NAME.test(ref)) throw new ApiError(404, '3D000', 'database does not exist');
  const [row] = await db
    .select({ id: databases.id, orgId: projects.orgId })
    .from(databases)
    .innerJoin(projects, eq(projects.id, databases.projectId))
    .where(and(eq(databases.projectId, projectId), byId ? eq(databases.id, ref) : eq(databases.name, ref)));
  if (!row || (scopedTo && scopedTo !== row.id))
    throw new ApiError(404, '3D000', `database "${ref}" does not exist`);
  return row;
}

/** Postgres `unique_violation`, however the driver wraps it. */
function isUniqueViolation(e: unknown): boolean {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) {
    if (cur.code === '23505') return true;
  }
  return false;
}
