/**
 * @module workers/auth/magic-link
 * Email sign-in. A request stores a 256-bit token as a SHA-256 hash with a
 * 15-minute expiry and mails the link; verification consumes it in one
 * conditional UPDATE, so a link works once even under concurrent clicks.
 * Requests answer the same whether or not the address has an account (the
 * first verification creates the user), and are rate-limited per email and
 * per IP.
 */

import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import type { ControlPlaneDb } from '../db/client.ts';
import { magicLinkTokens, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { audit } from './audit.ts';
import { requestMeta } from './auth-context.ts';
import { sendEmail } from './email.ts';
import { enforce } from './rate-limit.ts';
import { hashSecret, randomToken } from './token-hash.ts';

export const MAGIC_LINK_TTL_SECONDS = 15 * 60;
/** Per address: 5 links per 15 minutes. Per IP: 20 per 15 minutes. */
export const MAGIC_LINK_LIMITS = { perEmail: 5, perIp: 20, windowSeconds: 15 * 60 } as const;
/** Verification attempts per IP per 15 minutes (guessing is hopeless at 256 bits; this caps the noise). */
export const VERIFY_LIMIT_PER_IP = 30;

/** Issues and mails a magic link. Always resolves the same way for known and unknown emails. */
export async function requestMagicLink(
  db: ControlPlaneDb,
  env: Env,
  c: Context,
  email: string,
): Promise<void> {
  const { ip } = requestMeta(c);
  const emailKey = await hashSecret(email);
  try {
    await enforce(db, [
      {
        key: `magic:email:${emailKey}`,
        limit: MAGIC_LINK_LIMITS.perEmail,
        windowSeconds: MAGIC_LINK_LIMITS.windowSeconds,
      },
      {
        key: `magic:ip:${ip ?? 'unknown'}`,
        limit: MAGIC_LINK_LIMITS.perIp,
        windowSeconds: MAGIC_LINK_LIMITS.windowSeconds,
      },
    ]);
  } catch (e) {
    await audit(db, c, {
      actorType: 'anonymous',
      action: 'auth.magic_link.request',
      outcome: 'denied',
      detail: { reason: 'rate_limited' },
    });
    throw e;
  }
  const token = randomToken(32);
  await db.insert(magicLinkTokens).values({
    email,
    tokenHash: await hashSecret(token),
    expiresAt: new Date(Date.now() + MAGIC_LINK_TTL_SECONDS * 1000),
  });
  const origin = new URL(c.req.url).origin;
  const link = `${origin}/auth/magic-link?token=${encodeURIComponent(token)}`;
  await sendEmail(env, db, {
    to: email,
    subject: 'Your Orochi Edge sign-in link',
    text: `Sign in to Orochi Edge: ${link}\n\nThe link works once and expires in 15 minutes. If you did not ask for it, ignore this email.`,
  });
  await audit(db, c, { actorType: 'anonymous', action: 'auth.magic_link.request', outcome: 'success' });
}

/** Consumes a magic-link token and returns the user (created on first sign-in). 401 if invalid, used or expired. */
export async function consumeMagicLink(
  db: ControlPlaneDb,
  c: Context,
  token: string,
): Promise<{ id: string; email: string }> {
  const { ip } = requestMeta(c);
  await enforce(db, [
    { key: `magic-verify:ip:${ip ?? 'unknown'}`, limit: VERIFY_LIMIT_PER_IP, windowSeconds: 15 * 60 },
  ]);
  const [row] = await db
    .update(magicLinkTokens)
    .set({ consumedAt: new Date() })
    .where(
      and(
        eq(magicLinkTokens.tokenHash, await hashSecret(token)),
        isNull(magicLinkTokens.consumedAt),
        gt(magicLinkTokens.expiresAt, new Date()),
      ),
    )
    .returning({ email: magicLinkTokens.email });
  if (!row) {
    await audit(db, c, { actorType: 'anonymous', action: 'auth.magic_link.verify', outcome: 'failure' });
    throw new ApiError(401, 'invalid_magic_link', 'this sign-in link is invalid, expired or already used');
  }
  await db.insert(users).values({ email: row.email }).onConflictDoNothing();
  const [user] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.email, row.email));
  return user;
}
