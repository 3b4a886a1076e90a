/**
 * @module workers/app
 * The HTTPS API: data plane and control plane on one Hono app.
 */
import type { AppEnv } from './app-context.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { requireDataPlaneAuth } from './auth/data-plane-auth.ts';
import { passkeyRoutes } from './auth/passkey-routes.ts';
import { changefeedRoutes } from './cdc/changefeed-routes.ts';
import { controlPlaneRoutes, databaseAdminRoutes } from './control-plane/control-plane-routes.ts';
import { dataPlaneRoutes } from './data-plane/routes.ts';
import { databaseRoutes } from './databases-routes.ts';
import { ApiError, codeForPath, onError } from './errors.ts';
import { healthRoutes } from './health.ts';
import { serveApiDocs } from './openapi/api-docs.ts';
import { apiRouter } from './openapi/api-router.ts';
import { neonHttpRoutes } from './pg-compat/neon-http-routes.ts';
import { wireRoutes } from './pg-wire/wire-route.ts';
import { routeMethods } from './route-methods.ts';
import { rejectMalformedUrls } from './url-guard.ts';

export const app = apiRouter<AppEnv>();

let methodsOf: ((path: string) => string[]) | undefined;

app.onError(onError);
// Unknown path: 404. Known path, other method: 405 with `Allow` (codes are SQLSTATEs on data-plane paths).
app.notFound((c) => {
  methodsOf ??= routeMethods(app.routes);
  const allowed = methodsOf(c.req.path);
  if (allowed.length === 0) {
    throw new ApiError(
      404,
      codeForPath(c, '42704', 'not_found'),
      `no route for ${c.req.method} ${c.req.path}`,
    );
  }
  c.header('allow', allowed.join(', '));
  throw new ApiError(
    405,
    codeForPath(c, '0A000', 'method_not_allowed'),
    `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
  );
});

app.use('*', rejectMalformedUrls());
app.route('/', healthRoutes);
app.route('/', authRoutes);
app.route('/', passkeyRoutes);
app.route('/', controlPlaneRoutes);
// API keys (Postgres, cached; the dev key too in local mode) or a user session.
app.use('/v1/databases/*', requireDataPlaneAuth());
// The InfluxDB v2 write API (`Authorization: Token <key>`).
app.use('/api/v2/*', requireDataPlaneAuth());
app.route('/', databaseAdminRoutes);
app.route('/', databaseRoutes);
app.route('/', dataPlaneRoutes);
// Neon's SQL over HTTP (`neon()`, drizzle's neon-http): authenticates from its own headers.
app.route('/', neonHttpRoutes);
app.route('/', changefeedRoutes);
// The PostgreSQL wire protocol over WebSocket (authenticates with the API key as password).
app.route('/', wireRoutes);
// `/v1/openapi.json` and `/v1/docs`: the document lists every route group mounted with `app.route`.
serveApiDocs(app);
