/**
 * @module workers/databases-routes
 * Data-plane database lookup by API key: `{database}` is an id, or a name
 * resolved within the key's project (so `default` works with the dev key).
 */
import { and, eq, or } from 'drizzle-orm';
import type { AppEnv } from './app-context.ts';
import { DATABASE_NAME } from './auth/plain-text.ts';
import { databaseRoute } from './data-plane/route-schemas.ts';
import { withControlPlane } from './db/client.ts';
import { databases } from './db/schema.ts';
import { ApiError } from './errors.ts';
import { apiRouter } from './openapi/api-router.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resolves `{database}` for a principal's project; 404 (not 403) when outside it, to avoid leaking ids. */
export async function resolveDatabase(env: Env, projectId: string, ref: string) {
  // Anything else cannot name a database (and must not reach Postgres: a NUL byte would be a 500).
  if (!UUID.test(ref) && !DATABASE_NAME.test(ref))
    throw new ApiError(404, '3D000', 'database does not exist');
  return withControlPlane(env, async (db) => {
    const match = UUID.test(ref)
      ? or(eq(databases.id, ref), eq(databases.name, ref))
      : eq(databases.name, ref);
    const rows = await db
      .select()
      .from(databases)
      .where(and(eq(databases.projectId, projectId), match))
      .limit(1);
    if (!rows[0]) throw new ApiError(404, '3D000', `database "${ref}" does not exist`);
    return rows[0];
  });
}

export const databaseRoutes = apiRouter<AppEnv>().openapi(databaseRoute, async (c) => {
  const principal = c.get('principal')!;
  const { database } = c.req.valid('param');
  const row = await resolveDatabase(c.env, principal.projectId, database);
  if (principal.databaseId && principal.databaseId !== row.id) {
    throw new ApiError(404, '3D000', `database "${database}" does not exist`);
  }
  return c.json(
    {
      id: row.id,
      name: row.name,
      projectId: row.projectId,
      status: row.status,
      replicaCount: row.replicaCount,
      defaultShardCount: row.defaultShardCount,
      locationHint: row.locationHint,
      createdAt: row.createdAt,
    },
    200,
  );
});
