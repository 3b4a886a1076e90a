/**
 * @module workers/auth/data-plane-auth
 * Authentication for `/v1/databases/*` and `/api/v2/*`. Two kinds of caller:
 * - API keys (`Authorization: Bearer oro_…`, or the dev key in local mode),
 *   verified through the cached Postgres verifier → `principal`.
 * - Signed-in users (access JWT as bearer, or the session cookie + CSRF):
 *   `{database}` (or `?bucket=`) must then be a database id, and the principal's role comes
 *   from the user's org role (viewer → read, member → write, admin/owner → admin).
 * Either way the data plane sees one `principal`, so its handlers need no
 * knowledge of sessions.
 */
import { createMiddleware } from 'hono/factory';
import { isLocalMode } from '../app-context.ts';
import { dataPlaneRole, requireDatabaseRole } from '../control-plane/roles.ts';
import { withControlPlane } from '../db/client.ts';
import { ApiError } from '../errors.ts';
import { pathSegment } from '../url-guard.ts';
import { type ApiKeyVerifier, DevKeyVerifier } from './api-key-verifier.ts';
import type { AuthEnv } from './auth-context.ts';
import { PostgresKeyVerifier } from './postgres-key-verifier.ts';
import { authenticateSession, sessionCredential } from './session-middleware.ts';

/** Real keys first; the dev key still works, in local mode only. */
export function apiKeyVerifier(env: Env): ApiKeyVerifier {
  const real = new PostgresKeyVerifier(env);
  const dev = new DevKeyVerifier(env);
  return {
    async verify(secret) {
      return (await real.verify(secret)) ?? (isLocalMode(env) ? dev.verify(secret) : null);
    },
  };
}

/** Sets `principal` (and `user` for sessions) or throws 401/403/404. */
export function requireDataPlaneAuth() {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const session = sessionCredential(c);
    if (session) {
      const user = await authenticateSession(c, session);
      c.set('user', user);
      // `/v1/databases/{id}/…` names the database in the path; InfluxDB's `/api/v2/write` in `?bucket=`.
      const ref = c.req.path.startsWith('/api/v2/') ? c.req.query('bucket') : pathSegment(c, 3);
      if (!ref) throw new ApiError(400, '22023', 'bucket (the database) is required');
      const row = await withControlPlane(c.env, (db) => requireDatabaseRole(db, user.userId, ref, 'viewer'));
      c.set('principal', {
        keyId: `user:${user.userId}`,
        projectId: row.database.projectId,
        databaseId: row.database.id,
        role: dataPlaneRole(row.role),
      });
      return next();
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthenticated', 'missing API key (Authorization: Bearer <key>)');
    const principal = await apiKeyVerifier(c.env).verify(match[1]);
    if (!principal) throw new ApiError(401, 'unauthenticated', 'invalid API key');
    c.set('principal', principal);
    await next();
  });
}
