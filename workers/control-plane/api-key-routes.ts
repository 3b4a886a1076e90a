/**
 * @module workers/control-plane/api-key-routes
 * `/v1/projects/{project}/api-keys`: admins create (the key is returned once),
 * list (prefix only) and revoke keys. Revocation evicts this isolate's cache
 * at once; other isolates drop it within API_KEY_CACHE_TTL_MS.
 */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { createApiKey, publicApiKey } from '../auth/api-keys.ts';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { nameField } from '../auth/plain-text.ts';
import { verifiedKeys } from '../auth/postgres-key-verifier.ts';
import { enumField, jsonBody, optionalString } from '../auth/request-body.ts';
import { withControlPlane } from '../db/client.ts';
import { API_KEY_ROLES, apiKeys, databases } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { auditSuccess } from './audit-actor.ts';
import { isUuid, requireProjectRole } from './roles.ts';

/** Ten years: a longer lifetime is a mistake (and past year 9999 a Postgres error). */
const MAX_KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

export const apiKeyRoutes = new Hono<AuthEnv>()
  .get('/v1/projects/:project/api-keys', async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.param('project');
    const rows = await withControlPlane(c.env, async (db) => {
      await requireProjectRole(db, user.userId, projectId, 'admin');
      return db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.projectId, projectId))
        .orderBy(desc(apiKeys.createdAt));
    });
    return c.json({ apiKeys: rows.map(publicApiKey) });
  })
  .post('/v1/projects/:project/api-keys', async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.param('project');
    const body = await jsonBody(c);
    const name = nameField(body, 'apiKey');
    const role = enumField(body, 'role', API_KEY_ROLES);
    const databaseId = optionalString(body, 'databaseId', 36);
    const expiresIn = body.expiresInSeconds;
    if (
      expiresIn !== undefined &&
      (typeof expiresIn !== 'number' ||
        !Number.isInteger(expiresIn) ||
        expiresIn < 60 ||
        expiresIn > MAX_KEY_LIFETIME_SECONDS)
    ) {
      throw new ApiError(
        400,
        'invalid_request',
        `"expiresInSeconds" must be an integer from 60 to ${MAX_KEY_LIFETIME_SECONDS} (10 years)`,
      );
    }
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
  .delete('/v1/projects/:project/api-keys/:key', async (c) => {
    const user = sessionUser(c);
    const projectId = c.req.param('project');
    const keyId = c.req.param('key');
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
