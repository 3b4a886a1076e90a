/**
 * @module workers/data-plane/catalog-cache
 * The catalog snapshot of each database, cached per isolate so a statement
 * does not pay a CatalogDO round trip. Entries are dropped when:
 * - this isolate changes the catalog (DDL, management functions);
 * - a shard reports a catalog version newer than the cached one (every schema
 *   change is pushed to the shards of the table with its new version, and
 *   shards echo the highest version they have seen in every reply);
 * - a table is not found (CREATE TABLE elsewhere does not reach any shard);
 * - the entry is older than MAX_AGE_MS (a backstop for changes no shard saw).
 * The lifetime is documented in docs/http-api.md.
 */
import type { CatalogSnapshot } from '../../durable-objects/catalog-do.ts';

/** Upper bound on how long a cached snapshot is trusted without any newer-version report. */
export const CATALOG_MAX_AGE_MS = 60_000;

const cache = new Map<string, { snap: CatalogSnapshot; at: number }>();

/** The cached snapshot of `databaseId`, or a fresh one from `fetch` (then cached). */
export async function cachedCatalog(
  databaseId: string,
  fetch: () => Promise<CatalogSnapshot>,
): Promise<CatalogSnapshot> {
  const hit = cache.get(databaseId);
  if (hit && Date.now() - hit.at < CATALOG_MAX_AGE_MS) return hit.snap;
  const snap = await fetch();
  if (cache.size > 1000) cache.clear();
  // Two concurrent fetches: keep the newer.
  const now = cache.get(databaseId);
  if (!now || now.snap.version <= snap.version) cache.set(databaseId, { snap, at: Date.now() });
  return snap;
}

/** Drops the cached snapshot of `databaseId`. */
export function forgetCatalog(databaseId: string): void {
  cache.delete(databaseId);
}

/** Records a version reported by a shard; true when it is newer than the cache (which is then dropped). */
export function noteCatalogVersion(databaseId: string, version: number | undefined): boolean {
  const hit = cache.get(databaseId);
  if (version === undefined || !hit || version <= hit.snap.version) return false;
  cache.delete(databaseId);
  return true;
}
