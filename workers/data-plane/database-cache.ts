/**
 * @module workers/data-plane/database-cache
 * Resolves `{database}` for a principal without a Postgres round trip per
 * query: hits are cached in the isolate for DATABASE_CACHE_TTL_MS (30 s).
 * Deleting or renaming a database evicts it here at once ({@link forgetDatabase});
 * other isolates may resolve the old name or id for up to 30 s, and then
 * reach torn-down Durable Objects, which answer 3D000 (404) — documented in
 * docs/http-api.md.
 */
import type { ApiPrincipal } from '../app-context.ts';
import { DATABASE_NAME } from '../auth/plain-text.ts';
import { isUuid } from '../control-plane/roles.ts';
import { resolveDatabase } from '../databases-routes.ts';
import { ApiError } from '../errors.ts';

/** The parts of a database row the data plane needs. */
export interface DataPlaneDatabase {
  readonly id: string;
  readonly defaultShardCount: number;
  /** Where its Durable Objects are created (the row's validated `locationHint`), if chosen. */
  readonly location?: DurableObjectLocationHint;
}

/** How long this isolate trusts a name or id it resolved. */
export const DATABASE_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 1000;
const cache = new Map<string, { db: DataPlaneDatabase; until: number }>();

function notFound(ref: string): ApiError {
  // A ref that cannot name a database is not echoed back (it may be anything a client sent).
  const shown = isUuid(ref) || DATABASE_NAME.test(ref) ? ` "${ref}"` : '';
  return new ApiError(404, '3D000', `database${shown} does not exist`);
}

/** Resolves and authorizes `ref` for `principal` (404 when outside the key's scope). */
export async function databaseFor(
  env: Env,
  principal: ApiPrincipal,
  ref: string,
): Promise<DataPlaneDatabase> {
  if (!isUuid(ref) && !DATABASE_NAME.test(ref)) throw notFound(ref);
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
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, { db, until: Date.now() + DATABASE_CACHE_TTL_MS });
  }
  if (principal.databaseId && principal.databaseId !== db.id) throw notFound(ref);
  return db;
}

/** Drops every cached resolution (by name or by id) of database `id`: it was deleted or renamed. */
export function forgetDatabase(id: string): void {
  for (const [key, e] of cache) if (e.db.id === id) cache.delete(key);
}
