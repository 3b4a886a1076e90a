/**
 * @module workers/auth/audit
 * Writes audit entries: actor, action, target, IP, user agent, outcome.
 * Entries never contain secrets or tokens; `detail` holds ids and names only.
 */
import type { Context } from 'hono';
import type { ControlPlaneDb } from '../db/client.ts';
import { auditLogs } from '../db/schema.ts';
import { requestMeta } from './auth-context.ts';

export interface AuditEvent {
  orgId?: string | null;
  actorType: 'user' | 'api_key' | 'anonymous';
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, unknown>;
}

/** Records one event with the request's IP and user agent. */
export async function audit(db: ControlPlaneDb, c: Context, event: AuditEvent): Promise<void> {
  const { ip, userAgent } = requestMeta(c);
  await db.insert(auditLogs).values({
    orgId: event.orgId ?? null,
    actorType: event.actorType,
    actorId: event.actorId ?? null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    outcome: event.outcome,
    ip,
    userAgent,
    detail: event.detail ?? null,
  });
}
