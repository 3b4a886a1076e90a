/**
 * @module workers/health
 * Two checks, split by who may run them:
 *
 * - `GET /v1/health` — public liveness: `{ "status": "ok" }` when this Worker
 *   answers. It touches no dependency, writes nothing and reveals nothing, so
 *   load balancers and uptime monitors may poll it freely.
 * - `GET /v1/health/deep` — operators only: exercises every dependency for
 *   real (a Postgres query, a ShardDO SQLite write+read, an R2 put+get+delete
 *   on both tiers, a queue send) and reports pass/fail and latency per
 *   component — no versions, no counts, no error text (failures are logged).
 *   It costs writes, so it needs `Authorization: Bearer <OROCHI_OPERATOR_TOKEN>`
 *   (a platform secret, not an org role: no tenant runs platform probes); in
 *   local mode the dev API key is accepted too. One failure degrades the
 *   status; it is never a 500.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { isLocalMode } from './app-context.ts';
import { secretsEqual } from './auth/constant-time.ts';
import { withControlPlane } from './db/client.ts';
import { ApiError } from './errors.ts';
import { apiRouter } from './openapi/api-router.ts';
import { errors, json } from './openapi/schemas.ts';

export interface CheckResult {
  ok: boolean;
  ms: number;
}

/** The components the deep check exercises, in report order. */
export const HEALTH_COMPONENTS = ['postgres', 'shard', 'r2Cold', 'r2Frozen', 'queue'] as const;
export type HealthComponent = (typeof HEALTH_COMPONENTS)[number];

async function timed(name: string, fn: () => Promise<unknown>): Promise<CheckResult> {
  const started = Date.now();
  try {
    await fn();
    return { ok: true, ms: Date.now() - started };
  } catch (e) {
    // The reason stays in the logs: error text can name hosts, buckets or versions.
    console.error(`health check ${name} failed:`, e instanceof Error ? e.message : String(e));
    return { ok: false, ms: Date.now() - started };
  }
}

async function checkR2(bucket: R2Bucket, nonce: string): Promise<void> {
  const key = `_health/${nonce}`;
  await bucket.put(key, nonce);
  const got = await bucket.get(key);
  const text = got ? await got.text() : null;
  await bucket.delete(key);
  if (text !== nonce) throw new Error('read back a different value');
}

/** Runs every dependency check concurrently. */
export async function runHealthChecks(env: Env): Promise<Record<HealthComponent, CheckResult>> {
  const nonce = crypto.randomUUID();
  const [postgres, shard, r2Cold, r2Frozen, queue] = await Promise.all([
    timed('postgres', () => withControlPlane(env, (_db, pool) => pool.query('SELECT 1'))),
    timed('shard', async () => {
      const p = await env.SHARD.get(env.SHARD.idFromName('_health')).ping(nonce);
      if (p.readBack !== nonce) throw new Error('ShardDO read back a different value');
    }),
    timed('r2Cold', () => checkR2(env.COLD, nonce)),
    timed('r2Frozen', () => checkR2(env.FROZEN, nonce)),
    timed('queue', () => env.EVENTS.send({ kind: 'health-probe', nonce, at: Date.now() })),
  ]);
  return { postgres, shard, r2Cold, r2Frozen, queue };
}

/** True when `credential` is the operator token (or, in local mode only, the dev API key). */
async function isOperator(env: Env, credential: string): Promise<boolean> {
  const operator = env.OROCHI_OPERATOR_TOKEN;
  if (operator && (await secretsEqual(credential, operator))) return true;
  const dev = env.OROCHI_DEV_API_KEY;
  return isLocalMode(env) && !!dev && (await secretsEqual(credential, dev));
}

const check = z.object({ ok: z.boolean(), ms: z.number() });

const liveness = createRoute({
  method: 'get',
  path: '/v1/health',
  tags: ['Health'],
  summary: 'Liveness: this Worker answers',
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'The Worker is up') },
});

const deep = createRoute({
  method: 'get',
  path: '/v1/health/deep',
  tags: ['Health'],
  summary: 'Every dependency, exercised for real (operators only)',
  security: [{ bearer: [] }],
  responses: {
    200: json(
      z.object({
        status: z.enum(['ok', 'degraded']),
        failed: z.array(z.enum(HEALTH_COMPONENTS)).optional(),
        checks: z.object(Object.fromEntries(HEALTH_COMPONENTS.map((n) => [n, check]))),
      }),
      'Pass/fail and latency per component; one failure degrades the status',
    ),
    ...errors(401, 403),
  },
});

export const healthRoutes = apiRouter()
  .openapi(liveness, (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ok' as const }, 200);
  })
  .openapi(deep, async (c) => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!m) throw new ApiError(401, 'unauthenticated', 'the deep health check needs the operator token');
    if (!(await isOperator(c.env, m[1])))
      throw new ApiError(403, 'forbidden', 'the deep health check needs the operator token');
    const checks = await runHealthChecks(c.env);
    const failed = HEALTH_COMPONENTS.filter((name) => !checks[name].ok);
    c.header('cache-control', 'no-store');
    return c.json(
      {
        status: failed.length === 0 ? ('ok' as const) : ('degraded' as const),
        ...(failed.length ? { failed } : {}),
        checks,
      },
      200,
    );
  });
