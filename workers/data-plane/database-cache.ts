/**
 * @module workers/data-plane/database-cache
 * Resolves `{database}` for a principal without a Postgres round trip per
 * query: hits are cached in the isolate for 30 s (a renamed or deleted database
 * can stay reachable by its old name that long — documented in docs/http-api.md).
 */
import type { ApiPrincipal } from '../app-context.ts';
import { resolveDatabase } from '../databases-routes.ts';
import { ApiError } from '../errors.ts';

/** The parts of a database row the data plane needs. */
export interface DataPlaneDatabase {
  readonly id: string;
  readonly defaultShardCount: number;
  /** Where its Durable Objects are created (the row's validated `locationHint`), if chosen. */
  readonly location?: DurableObjectLocationHint;
}

const TTL_MS = 30_000;
const cache = new Map<string, { db: DataPlaneDatabase; until: number }>();

/** Resolves and authorizes `ref` for `principal` (404 when outside the key's scope). */
export async function databaseFor(
  env: Env,
  principal: ApiPrincipal,
  ref: string,
): Promise<DataPlaneDatabase> {
  const key = `${principal.projectId}/${ref}`;
  const hit = cache.get(key);
  let db = hit && hit.until > Date.now() ? hit.db : undefined;
  if (!db) {
    const row = await resolveDatabase(env, principal.projectId, ref);
    db = {
      id: row.id,
      defaultShardCount: row.defaultShardCount,
      location: (row.locationHint ?? undefined) as DurableObjectLocationHint | undefined,
    };
    if (cache.size > 1000) cache.clear();
    cache.set(key, { db, until: Date.now() + TTL_MS });
  }
  if (principal.databaseId && principal.databaseId !== db.id) {
    throw new ApiError(404, '3D000', `database "${ref}" does not exist`);
  }
  return db;
}
