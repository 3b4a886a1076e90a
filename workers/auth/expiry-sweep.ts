/**
 * @module workers/auth/expiry-sweep
 * Deletes identity rows that can no longer matter, so the hot lookup tables
 * stay small. Meant for the `maintenance-sweep` queue event. Used refresh
 * tokens are kept until they expire: reuse detection needs them.
 */
import { lt, sql } from 'drizzle-orm';
import type { ControlPlaneDb } from '../db/client.ts';
import {
  deviceAuthorizations,
  magicLinkTokens,
  rateLimitCounters,
  refreshTokens,
  sessions,
  webauthnChallenges,
} from '../db/schema.ts';

/** Rows removed per table. */
export interface SweepResult {
  rateLimits: number;
  magicLinks: number;
  deviceAuthorizations: number;
  challenges: number;
  refreshTokens: number;
  sessions: number;
}

/** One pass; safe to run concurrently and repeatedly. */
export async function sweepExpiredIdentityRows(db: ControlPlaneDb): Promise<SweepResult> {
  const dayAgo = sql`now() - interval '1 day'`;
  const monthAgo = sql`now() - interval '30 days'`;
  const rateLimits = await db
    .delete(rateLimitCounters)
    .where(lt(rateLimitCounters.windowStart, dayAgo))
    .returning({ k: rateLimitCounters.key });
  const magicLinks = await db
    .delete(magicLinkTokens)
    .where(lt(magicLinkTokens.expiresAt, dayAgo))
    .returning({ id: magicLinkTokens.id });
  const devices = await db
    .delete(deviceAuthorizations)
    .where(lt(deviceAuthorizations.expiresAt, dayAgo))
    .returning({ id: deviceAuthorizations.id });
  const challenges = await db
    .delete(webauthnChallenges)
    .where(lt(webauthnChallenges.expiresAt, dayAgo))
    .returning({ id: webauthnChallenges.id });
  const tokens = await db
    .delete(refreshTokens)
    .where(lt(refreshTokens.expiresAt, sql`now()`))
    .returning({ id: refreshTokens.id });
  const ended = await db
    .delete(sessions)
    .where(lt(sessions.revokedAt, monthAgo))
    .returning({ id: sessions.id });
  return {
    rateLimits: rateLimits.length,
    magicLinks: magicLinks.length,
    deviceAuthorizations: devices.length,
    challenges: challenges.length,
    refreshTokens: tokens.length,
    sessions: ended.length,
  };
}
