/**
 * @module workers/data-plane/idempotency
 * Idempotent retries for the write routes (`/rows`, `/api/v2/write`, `/sql`).
 *
 * - With an `Idempotency-Key`, the key is bound (durably, in the database's
 *   CatalogDO, for `IDEMPOTENCY_WINDOW_MS`) to a SHA-256 of the request: route,
 *   its parameters and the body. A retry gets the batch id of the first
 *   attempt, so every shard applies it once; the same key with a different
 *   request is answered 422 (22023) instead of returning the earlier result.
 *   A retry that arrives while the first call still runs waits for it (see
 *   `KeyHolds`), so it answers that call's outcome instead of racing it.
 * - Without a key, an InfluxDB write whose every point carries a timestamp is
 *   idempotent by content: its batch id is the request's hash, so a client or
 *   Telegraf retry of the same body is stored once (in InfluxDB, identical
 *   points overwrite themselves). See docs/http-api.md.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-context.ts';
import { ApiError } from '../errors.ts';
import type { Cluster } from './cluster.ts';

/** Longest `Idempotency-Key` accepted (keys are stored and become part of batch ids). */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * SHA-256 (hex) of a request: `parts` (route, database, table, format,
 * parameters…) and the body's own SHA-256, so a 32 MiB body is hashed in place.
 */
export async function requestHash(parts: readonly unknown[], body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === 'string' ? enc.encode(body) : body;
  const bodyHash = hex(await crypto.subtle.digest('SHA-256', bytes));
  return hex(await crypto.subtle.digest('SHA-256', enc.encode(JSON.stringify([...parts, bodyHash]))));
}

/** The `Idempotency-Key` header, validated; undefined when absent. */
export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_CHARS)
    throw new ApiError(400, '22023', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);
  return header;
}

/**
 * The keys a request holds while it runs (see durable-objects/idempotency-keys):
 * a retry of the same request waits in the CatalogDO until they are released,
 * which `holdIdempotencyKeys` does once the response is decided.
 */
export class KeyHolds {
  private readonly holds: (() => Promise<void>)[] = [];

  add(release: () => Promise<void>): void {
    this.holds.push(release);
  }

  /** Releases every hold; a failed release only leaves a retry waiting out its bound. */
  async release(): Promise<void> {
    const all = this.holds.splice(0);
    await Promise.all(
      all.map((r) => r().catch((e: unknown) => console.error('Idempotency-Key release failed:', e))),
    );
  }
}

/** Middleware of the write routes: gives the request its `keyHolds` and releases them after the handler. */
export function holdIdempotencyKeys() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const holds = new KeyHolds();
    c.set('keyHolds', holds);
    try {
      await next();
    } finally {
      const done = holds.release();
      try {
        c.executionCtx.waitUntil(done);
      } catch {
        await done; // no execution context (a test calling the app directly)
      }
    }
  });
}

/**
 * The batch id base a keyed request writes under: the first attempt's for a
 * retry of the same request (after the first call finished, or after waiting
 * `IDEMPOTENCY_WAIT_MS` for it); 422 when the key was used for another request.
 */
export async function claimKey(
  cluster: Cluster,
  key: string,
  hash: string,
  holds: KeyHolds,
): Promise<string> {
  const catalog = cluster.catalog();
  const claim = await catalog.claimIdempotencyKey(key, hash);
  if ('mismatch' in claim)
    throw new ApiError(
      422,
      '22023',
      `Idempotency-Key reused with a different request (first used at ${new Date(claim.firstUsedAt).toISOString()}); use a new key for a new request`,
    );
  holds.add(() => catalog.releaseIdempotencyKey(key, claim.token));
  return claim.batchId;
}

/** Batch id base of an InfluxDB write without a key, every point timestamped: its content hash. */
export function contentBatchId(hash: string): string {
  return `lp:${hash}`;
}

/**
 * `/sql`: the base of the call's 2PC transaction ids. With a key, bound to the
 * statement text and parameters (so a retry commits nothing twice and another
 * call under the same key is refused); without one, fresh.
 */
export async function sqlTxnBase(
  cluster: Cluster,
  header: string | undefined,
  sql: string,
  params: readonly unknown[],
  holds: KeyHolds,
): Promise<string> {
  const key = idempotencyKey(header);
  if (key === undefined) return crypto.randomUUID();
  return claimKey(
    cluster,
    key,
    await requestHash(['sql', cluster.databaseId], JSON.stringify({ sql, params })),
    holds,
  );
}
