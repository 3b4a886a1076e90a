/**
 * @module workers/auth/postgres-key-verifier
 * The production API-key verifier: `api_keys` in the control plane behind an
 * in-isolate cache so the data-plane hot path does not query Postgres per
 * request.
 *
 * Cache bound (documented contract): a verification result, positive or
 * negative, is reused for at most API_KEY_CACHE_TTL_MS (30 s) per isolate.
 * Revoking or expiring a key therefore takes effect everywhere within 30 s
 * (immediately in the isolate that handled the revocation, which evicts it).
 */
import { eq, sql } from 'drizzle-orm';
import type { ApiPrincipal } from '../app-context.ts';
import { withControlPlane } from '../db/client.ts';
import { apiKeys } from '../db/schema.ts';
import type { ApiKeyVerifier } from './api-key-verifier.ts';
import { parseApiKey } from './api-keys.ts';
import { secretsEqual } from './constant-time.ts';
import { hashSecret } from './token-hash.ts';

export const API_KEY_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/** A TTL map keyed by the key's hash (the plaintext key is never a map key). */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, { principal: ApiPrincipal | null; expiresAt: number }>();

  constructor(
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): ApiPrincipal | null | undefined {
    const hit = this.entries.get(hash);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return hit.principal;
  }

  /** Caches a result; `notAfter` (ms) caps the entry at the key's own expiry. */
  set(hash: string, principal: ApiPrincipal | null, notAfter = Number.POSITIVE_INFINITY): void {
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { principal, expiresAt: Math.min(this.now() + this.ttlMs, notAfter) });
  }

  /** Drops every cached result for a key id (called on revocation). */
  evictKey(keyId: string): void {
    for (const [hash, e] of this.entries) if (e.principal?.keyId === keyId) this.entries.delete(hash);
  }
}

/** One cache per isolate, shared by every request it serves. */
export const verifiedKeys = new VerifiedKeyCache();

/** Verifies `oro_…` keys against Postgres, through `verifiedKeys`. */
export class PostgresKeyVerifier implements ApiKeyVerifier {
  constructor(
    private readonly env: Env,
    private readonly cache: VerifiedKeyCache = verifiedKeys,
  ) {}

  async verify(secret: string): Promise<ApiPrincipal | null> {
    const parsed = parseApiKey(secret);
    if (!parsed) return null;
    const hash = await hashSecret(secret);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return cached;
    let notAfter: number | undefined;
    const principal = await withControlPlane(this.env, async (db) => {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, parsed.prefix));
      if (!row || !(await secretsEqual(hash, row.secretHash))) return null;
      if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
      notAfter = row.expiresAt?.getTime();
      // At most one write per key per cache period, not per request.
      await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id));
      const p: ApiPrincipal = {
        keyId: row.id,
        projectId: row.projectId,
        role: row.role,
        ...(row.databaseId ? { databaseId: row.databaseId } : {}),
      };
      return p;
    });
    this.cache.set(hash, principal, notAfter);
    return principal;
  }
}
