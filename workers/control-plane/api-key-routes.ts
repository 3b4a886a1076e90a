/**
 * @module workers/control-plane/api-key-routes
 * `/v1/projects/{project}/api-keys`: admins create (the key is returned once),
 * list (prefix only) and revoke keys. Revocation evicts this isolate's cache
 * at once; other isolates drop it within API_KEY_CACHE_TTL_MS.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { createApiKey, publicApiKey } from '../auth/api-keys.ts';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { verifiedKeys } from '../auth/postgres-key-verifier.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { API_KEY_ROLES, apiKeys, databases } from '../db/schema.ts';
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
  oneOf,
  plainTextString,
} from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { ApiKey, ProjectParam } from './resources.ts';
import { isUuid, requireProjectRole } from './roles.ts';

/** Ten years: a longer lifetime is a mistake (and past year 9999 a Postgres error). */
const MAX_KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

const tags = ['API keys'];

const list = createRoute({
  method: 'get',
  path: '/v1/projects/{project}/api-keys',
  tags,
  security: AUTHENTICATED,
  summary: "A project's API keys, without their secrets (admin)",
  request: { params: ProjectParam },
  responses: { 200: json(z.object({ apiKeys: z.array(ApiKey) }), 'API keys'), ...errors(401, 403, 404) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/projects/{project}/api-keys',
  tags,
  security: AUTHENTICATED,
  summary: 'Create an API key; the secret is in this response only (admin)',
  middleware: [readJsonBody()] as const,
  request: {
    params: ProjectParam,
    body: jsonBody(
      z.object({
        name: nameString('apiKey'),
        role: oneOf('role', API_KEY_ROLES),
        databaseId: plainTextString('databaseId', 36)
          .nullish()
          .openapi({ description: 'Scope the key to one database of the project' }),
        expiresInSeconds: intInRange('expiresInSeconds', 60, MAX_KEY_LIFETIME_SECONDS)
          .optional()
          .openapi({ description: 'Lifetime, at most 10 years; no expiry when absent' }),
      }),
    ),
  },
  responses: {
    201: json(
      ApiKey.extend({ key: z.string().openapi({ description: 'The secret, shown once' }) }),
      'Created',
    ),
    ...errors(400, 401, 403, 404, 413, 415),
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/projects/{project}/api-keys/{key}',
  tags,
  security: AUTHENTICATED,
  summary: 'Revoke an API key (admin)',
  request: { params: ProjectParam.extend({ key: z.string().openapi({ description: 'API key id' }) }) },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

export const apiKeyRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.valid('param').project;
    const rows = await withControlPlane(c.env, async (db) => {
      await requireProjectRole(db, user.userId, projectId, 'admin');
      return db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.projectId, projectId))
        .orderBy(desc(apiKeys.createdAt));
    });
    return c.json({ apiKeys: rows.map(publicApiKey) }, 200);
  })
  .openapi(create, async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.valid('param').project;
    const { name, role, expiresInSeconds: expiresIn } = c.req.valid('json');
    const databaseId = c.req.valid('json').databaseId ?? undefined;
    const created = await withControlPlane(c.env, async (db) => {
      const { project } = await requireProjectRole(db, user.userId, projectId, 'admin');
      if (databaseId) {
        // A key may only be scoped to a database of the same project.
        const [d] = isUuid(databaseId)
          ? await db
              .select()
              .from(databases)
              .where(and(eq(databases.id, databaseId), eq(databases.projectId, projectId)))
          : [];
        if (!d) throw new ApiError(404, '3D000', 'database not found in this project');
      }
      const result = await createApiKey(db, {
        projectId,
        databaseId,
        name,
        role,
        createdBy: user.userId,
        expiresAt: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
      });
      await auditSuccess(db, c, {
        orgId: project.orgId,
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: result.row.id,
        detail: { name, role, databaseId: databaseId ?? null, prefix: result.row.prefix },
      });
      return result;
    });
    return c.json({ ...publicApiKey(created.row), key: created.secret }, 201);
  })
  .openapi(revoke, async (c) => {
    const user = sessionUser(c);
    const { project: projectId, key: keyId } = c.req.valid('param');
    await withControlPlane(c.env, async (db) => {
      const { project } = await requireProjectRole(db, user.userId, projectId, 'admin');
      const [revoked] = isUuid(keyId)
        ? await db
            .update(apiKeys)
            .set({ revokedAt: new Date() })
            .where(and(eq(apiKeys.id, keyId), eq(apiKeys.projectId, projectId), isNull(apiKeys.revokedAt)))
            .returning()
        : [];
      if (!revoked) throw new ApiError(404, 'not_found', 'API key not found');
      verifiedKeys.evictKey(keyId);
      await auditSuccess(db, c, {
        orgId: project.orgId,
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: keyId,
      });
    });
    return c.body(null, 204);
  });
