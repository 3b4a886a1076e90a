/**
 * @module workers/app
 * The HTTPS API: data plane and control plane on one Hono app.
 */
import { Hono } from 'hono';
import type { AppEnv } from './app-context.ts';
import { requireApiKey } from './auth/api-key-middleware.ts';
import { DevKeyVerifier } from './auth/api-key-verifier.ts';
import { databaseRoutes } from './databases-routes.ts';
import { onError } from './errors.ts';
import { healthRoutes } from './health.ts';

export const app = new Hono<AppEnv>();

app.onError(onError);
app.notFound((c) =>
  c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
);

app.route('/', healthRoutes);
app.use(
  '/v1/databases/*',
  requireApiKey((env) => new DevKeyVerifier(env)),
);
app.route('/', databaseRoutes);
