/**
 * @module workers/control-plane/project-teardown
 * Deleting a project or an organization cascades to its databases' rows in
 * Postgres; their data must go too, or it would outlive them unreachable (and,
 * for a cache lifetime, still reachable). Before the row delete, this destroys
 * each database's shards, R2 objects and catalog (as DELETE /v1/databases
 * does) and evicts this isolate's caches of those databases and of the
 * projects' API keys, so they stop working here at once.
 */
import { inArray } from 'drizzle-orm';
import { verifiedKeys } from '../auth/postgres-key-verifier.ts';
import { forgetDatabase } from '../data-plane/database-cache.ts';
import { destroyDatabaseData } from '../data-plane/teardown.ts';
import type { ControlPlaneDb } from '../db/client.ts';
import { apiKeys, databases } from '../db/schema.ts';

/** Destroys the data of every database of `projectIds`; returns how many databases it tore down. */
export async function destroyProjectsData(
  env: Env,
  db: ControlPlaneDb,
  projectIds: string[],
): Promise<number> {
  if (projectIds.length === 0) return 0;
  const rows = await db
    .select({ id: databases.id })
    .from(databases)
    .where(inArray(databases.projectId, projectIds));
  // One at a time: a failure leaves the rows (and this project) in place, so the delete can be retried.
  for (const { id } of rows) {
    await destroyDatabaseData(env, id);
    forgetDatabase(id);
  }
  const keys = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(inArray(apiKeys.projectId, projectIds));
  for (const { id } of keys) verifiedKeys.evictKey(id);
  return rows.length;
}
