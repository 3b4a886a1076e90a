/**
 * @module workers/control-plane/audit-actor
 * Audit helpers for control-plane routes: who acted (session user or API
 * key) and a middleware that records denied (403) attempts, so privilege
 * probing shows up in the org's audit log.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { type AuditEvent, audit } from '../auth/audit.ts';
import type { AuthEnv } from '../auth/auth-context.ts';
import type { ControlPlaneDb } from '../db/client.ts';
import { withControlPlane } from '../db/client.ts';
import { ApiError } from '../errors.ts';

/** The actor fields for the current request. */
export function actorOf(c: Context<AuthEnv>): Pick<AuditEvent, 'actorType' | 'actorId'> {
  const user = c.get('user');
  if (user) return { actorType: 'user', actorId: user.userId };
  const principal = c.get('principal');
  if (principal) return { actorType: 'api_key', actorId: principal.keyId };
  return { actorType: 'anonymous', actorId: null };
}

/** Records a successful mutation by the current actor. */
export function auditSuccess(
  db: ControlPlaneDb,
  c: Context<AuthEnv>,
  e: Omit<AuditEvent, 'actorType' | 'actorId' | 'outcome'>,
): Promise<void> {
  return audit(db, c, { ...actorOf(c), ...e, outcome: 'success' });
}

/** After the handler: a 403 becomes a `denied` audit entry (org from the `org` param when present). */
export function auditDenials() {
  return createMiddleware<AuthEnv>(async (c, next) => {
    await next();
    const err = c.error;
    if (!(err instanceof ApiError) || err.status !== 403) return;
    const org = c.req.param('org');
    await withControlPlane(c.env, (db) =>
      audit(db, c, {
        ...actorOf(c),
        orgId: org && /^[0-9a-f-]{36}$/i.test(org) ? org : null,
        action: `${c.req.method} ${c.req.routePath}`,
        outcome: 'denied',
        detail: { path: c.req.path, code: err.code },
      }),
    ).catch((e: Error) => console.error('audit write failed:', e.message));
  });
}
