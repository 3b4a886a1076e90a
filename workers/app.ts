/**
 * @module workers/app
 * The HTTPS API: data plane and control plane on one Hono app.
 */
import { Hono } from 'hono';
import type { AppEnv } from './app-context.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { requireDataPlaneAuth } from './auth/data-plane-auth.ts';
import { passkeyRoutes } from './auth/passkey-routes.ts';
import { controlPlaneRoutes, databaseAdminRoutes } from './control-plane/control-plane-routes.ts';
import { dataPlaneRoutes } from './data-plane/routes.ts';
import { databaseRoutes } from './databases-routes.ts';
import { onError } from './errors.ts';
import { healthRoutes } from './health.ts';

export const app = new Hono<AppEnv>();

app.onError(onError);
app.notFound((c) =>
  c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
);

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
