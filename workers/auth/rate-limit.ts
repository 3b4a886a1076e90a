/**
 * @module workers/auth/rate-limit
 * Fixed-window counters in Postgres (`rate_limit_counters`), shared by every
 * isolate. One upsert per check: the window restarts when it has elapsed,
 * otherwise the count goes up; the caller compares against its limit.
 */
import { sql } from 'drizzle-orm';
import type { ControlPlaneDb } from '../db/client.ts';
import { rateLimitCounters } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

export interface RateLimit {
  /** Counter name, e.g. `magic:email:<hash>`; never a raw secret. */
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Counts one hit; returns false once the window's count exceeds the limit. */
export async function hit(db: ControlPlaneDb, rl: RateLimit): Promise<boolean> {
  const interval = sql.raw(`interval '${Math.floor(rl.windowSeconds)} seconds'`);
  const expired = sql`${rateLimitCounters.windowStart} < now() - ${interval}`;
  const rows = await db
    .insert(rateLimitCounters)
    .values({ key: rl.key, windowStart: sql`now()`, count: 1 })
    .onConflictDoUpdate({
      target: rateLimitCounters.key,
      set: {
        count: sql`CASE WHEN ${expired} THEN 1 ELSE ${rateLimitCounters.count} + 1 END`,
        windowStart: sql`CASE WHEN ${expired} THEN now() ELSE ${rateLimitCounters.windowStart} END`,
      },
    })
    .returning({ count: rateLimitCounters.count });
  return rows[0].count <= rl.limit;
}

/** Counts a hit on every limit (so each is charged) and throws 429 if any is exceeded. */
export async function enforce(db: ControlPlaneDb, limits: RateLimit[]): Promise<void> {
  const results = [];
  for (const rl of limits) results.push(await hit(db, rl));
  if (results.includes(false)) throw new ApiError(429, 'rate_limited', 'too many requests; try again later');
}
