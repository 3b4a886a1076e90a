/**
 * @module workers/health
 * `GET /v1/health`: exercises every dependency for real — a Postgres query, a
 * ShardDO SQLite write+read, an R2 put+get on both tiers, a queue send — and
 * reports each. One failure degrades the status; it is never a 500.
 */
import { Hono } from 'hono';
import type { AppEnv } from './app-context.ts';
import { withControlPlane } from './db/client.ts';

export interface CheckResult {
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
}

async function timed(fn: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = Date.now();
  try {
    const detail = await fn();
    return { ok: true, ms: Date.now() - started, ...(detail ? { detail } : {}) };
  } catch (e) {
    return { ok: false, ms: Date.now() - started, error: e instanceof Error ? e.message : String(e) };
  }
}

async function checkR2(bucket: R2Bucket, nonce: string): Promise<string> {
  const key = `_health/${nonce}`;
  await bucket.put(key, nonce);
  const got = await bucket.get(key);
  const text = got ? await got.text() : null;
  await bucket.delete(key);
  if (text !== nonce) throw new Error('read back a different value');
  return 'put+get+delete';
}

/** Runs every dependency check concurrently. */
export async function runHealthChecks(env: Env): Promise<Record<string, CheckResult>> {
  const nonce = crypto.randomUUID();
  const [postgres, shard, r2Cold, r2Frozen, queue] = await Promise.all([
    timed(() =>
      withControlPlane(env, async (_db, pool) => {
        const r = await pool.query('SELECT version() AS v, (SELECT count(*) FROM databases) AS n');
        return `${String(r.rows[0].v).split(' ').slice(0, 2).join(' ')}; ${r.rows[0].n} databases`;
      }),
    ),
    timed(async () => {
      const stub = env.SHARD.get(env.SHARD.idFromName('_health'));
      const p = await stub.ping(nonce);
      if (p.readBack !== nonce) throw new Error('ShardDO read back a different value');
      return `sqlite write+read (rowsWritten=${p.rowsWritten}, rowsRead=${p.rowsRead})`;
    }),
    timed(() => checkR2(env.COLD, nonce)),
    timed(() => checkR2(env.FROZEN, nonce)),
    timed(async () => {
      await env.EVENTS.send({ kind: 'health-probe', nonce, at: Date.now() });
      return 'sent';
    }),
  ]);
  return { postgres, shard, r2Cold, r2Frozen, queue };
}

export const healthRoutes = new Hono<AppEnv>().get('/v1/health', async (c) => {
  const checks = await runHealthChecks(c.env);
  const failed = Object.entries(checks).filter(([, r]) => !r.ok);
  return c.json({
    status: failed.length === 0 ? 'ok' : 'degraded',
    ...(failed.length ? { reasons: failed.map(([name, r]) => `${name}: ${r.error}`) } : {}),
    checks,
  });
});
