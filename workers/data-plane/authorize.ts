/**
 * @module workers/data-plane/authorize
 * The data plane's one authorization check. Every caller of `/v1/databases/*`
 * and `/api/v2/*` acts with a role (`read` < `write` < `admin`: API keys carry
 * one, sessions map viewer → read, member → write, admin/owner → admin), and
 * every request is held to the role its work needs before any of it runs:
 *
 * - SQL: each parsed statement's WHOLE AST is walked, so DML inside
 *   `INSERT … SELECT`, data-modifying CTEs and management functions called
 *   anywhere in a SELECT count. SELECT, SHOW / SET and the `show_*` functions
 *   need `read`; INSERT / UPDATE / DELETE / MERGE / COPY need `write`; every
 *   DDL, TRUNCATE and every management function need `admin`. EXPLAIN needs
 *   what the explained statement needs. A statement kind not named here needs
 *   `admin` (fail closed), and so does a management function not listed as
 *   read-only in `READ_FUNCTIONS`.
 * - Ingest and database settings: the route names the role (`authorizeRequest`).
 *
 * A refusal is SQLSTATE 42501 (HTTP 403) and is always audited; DDL and
 * management calls are audited with their outcome. Audit entries hold
 * statement kinds and table names, never parameter values or SQL text.
 */
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { isSqlError } from '../../engine/errors.ts';
import type { ParsedStatement } from '../../engine/sql/parser.ts';
import type { ApiPrincipal, AppEnv } from '../app-context.ts';
import { type AuditEvent, audit } from '../auth/audit.ts';
import type { AuthEnv } from '../auth/auth-context.ts';
import { actorOf } from '../control-plane/audit-actor.ts';
import { withControlPlane } from '../db/client.ts';
import { projects } from '../db/schema.ts';
import {
  type Access,
  type DataPlaneRole,
  firstDenied,
  permissionDenied,
  statementAccess,
} from './statement-access.ts';

interface Pending {
  readonly databaseId: string | null;
  readonly action: string;
  readonly accesses: readonly Access[];
}

/** Admin work allowed on a request, audited with its outcome by `auditAdminCalls`. */
const pending = new WeakMap<object, Pending>();

async function check(c: Context, p: Pending): Promise<void> {
  const role = (c.get('principal') as ApiPrincipal).role;
  const i = firstDenied(role, p.accesses);
  if (i === undefined) {
    if (p.accesses.some((a) => a.role === 'admin')) pending.set(c, p);
    return;
  }
  const err = permissionDenied(role, p.accesses, i);
  await record(c, p, 'denied', { denied: i, code: err.code });
  throw err;
}

/**
 * The gate `runSql` calls after parsing and before running anything: every
 * statement of the call is checked first, so a refused later statement means
 * none runs.
 */
export function sqlAuthorizer(
  c: Context,
  databaseId: string,
): (statements: readonly ParsedStatement[]) => Promise<void> {
  return (statements) =>
    check(c, {
      databaseId,
      action: 'data_plane.sql',
      accesses: statements.map((s) => statementAccess(s.stmt)),
    });
}

/** For routes that are not SQL: requires `role` for `kind` (e.g. `ingest` needs write). */
export function authorizeRequest(
  c: Context,
  databaseId: string | null,
  kind: string,
  role: DataPlaneRole,
  tables: readonly string[] = [],
): Promise<void> {
  return check(c, {
    databaseId,
    action: `data_plane.${kind.replace(/ /g, '_')}`,
    accesses: [{ kind, role, reason: kind, tables }],
  });
}

/**
 * Middleware for routes using `sqlAuthorizer` / `authorizeRequest`: after the
 * handler, audits the admin work it was allowed to do, as success or failure.
 */
export function auditAdminCalls() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    await auditAdminOutcome(c, c.error);
  });
}

/**
 * Audits the admin work the last check on `c` allowed, with its outcome (`err`: it failed).
 * A wire-protocol session calls it after each call, as the middleware does after a request.
 */
export async function auditAdminOutcome(c: Context, err: unknown): Promise<void> {
  const p = pending.get(c);
  if (!p) return;
  pending.delete(c);
  await record(c, p, err ? 'failure' : 'success', err && isSqlError(err) ? { code: err.code } : {});
}

/** Writes one audit entry under the database's org; a failed write is logged, never thrown. */
async function record(
  c: Context,
  p: Pending,
  outcome: AuditEvent['outcome'],
  extra: Record<string, unknown>,
): Promise<void> {
  const principal = c.get('principal') as ApiPrincipal;
  await withControlPlane(c.env, async (db) => {
    const [project] = await db
      .select({ orgId: projects.orgId })
      .from(projects)
      .where(eq(projects.id, principal.projectId));
    await audit(db, c, {
      ...actorOf(c as Context<AuthEnv>),
      orgId: project?.orgId ?? null,
      action: p.action,
      targetType: 'database',
      targetId: p.databaseId?.slice(0, 100) ?? null,
      outcome,
      detail: {
        role: principal.role,
        statements: p.accesses
          .slice(0, 20)
          .map((a) => ({ kind: a.kind, requires: a.role, tables: a.tables })),
        ...extra,
      },
    });
  }).catch((e: unknown) => console.error('audit write failed:', e instanceof Error ? e.message : String(e)));
}
