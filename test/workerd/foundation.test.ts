/**
 * The foundation, end to end inside workerd: a Hono route via SELF.fetch, a
 * Durable Object's storage, its alarm, and the queue consumer.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker, { ShardDO } from '../../workers/index.ts';
import { retryDelaySeconds } from '../../workers/queue-consumer.ts';

describe('GET /v1/health', () => {
  it('is a public liveness check that touches nothing and reveals nothing', async () => {
    const res = await SELF.fetch('https://orochi.test/v1/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    // It works with no dependency at all: nothing is queried, written or sent.
    const broken = { ...env, PG_WS_PROXY: '127.0.0.1:1' };
    const ctx = createExecutionContext();
    const res2 = await worker.fetch(new Request('https://orochi.test/v1/health'), broken, ctx);
    await waitOnExecutionContext(ctx);
    expect(await res2.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /v1/health/deep', () => {
  type WorkerEnv = Parameters<NonNullable<typeof worker.fetch>>[1];
  const deep = async (headers: Record<string, string> = {}, e: WorkerEnv = env) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('https://orochi.test/v1/health/deep', { headers }), e, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it('needs the operator token (the dev key counts only in local mode)', async () => {
    expect((await deep()).status).toBe(401);
    expect((await deep({ authorization: 'Bearer nope' })).status).toBe(403);
    const production = { ...env, ENVIRONMENT: 'production' };
    expect((await deep({ authorization: 'Bearer test-dev-key' }, production)).status).toBe(403);
    const withOperator = { ...production, OROCHI_OPERATOR_TOKEN: 'operator-secret' };
    expect((await deep({ authorization: 'Bearer operator-secret' }, withOperator)).status).toBe(200);
  });

  it('reports pass/fail per dependency it exercised, and no versions or counts', async () => {
    const res = await deep({ authorization: 'Bearer test-dev-key' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; ms: number }>;
    };
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'queue', 'r2Cold', 'r2Frozen', 'shard']);
    for (const [name, check] of Object.entries(body.checks)) {
      expect(check.ok, name).toBe(true);
      expect(Object.keys(check).sort(), name).toEqual(['ms', 'ok']);
    }
    expect(body.status).toBe('ok');
    expect(JSON.stringify(body)).not.toMatch(/PostgreSQL|databases|rowsWritten/);
  });

  it('degrades (not 500) when one dependency fails', async () => {
    // The relay only ever dials its own upstream, so break the relay address itself.
    const broken = { ...env, PG_WS_PROXY: '127.0.0.1:1' };
    const res = await deep({ authorization: 'Bearer test-dev-key' }, broken);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      failed: string[];
      checks: Record<string, { ok: boolean }>;
    };
    expect(body.status).toBe('degraded');
    expect(body.failed).toEqual(['postgres']);
    expect(body.checks.postgres.ok).toBe(false);
    expect(body.checks.shard.ok).toBe(true);
  });
});

describe('dev API key', () => {
  it('reaches the default database in local mode', async () => {
    const res = await SELF.fetch('https://orochi.test/v1/databases/default', {
      headers: { authorization: 'Bearer test-dev-key' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe('default');
  });

  it('rejects a wrong or missing key', async () => {
    const wrong = await SELF.fetch('https://orochi.test/v1/databases/default', {
      headers: { authorization: 'Bearer test-dev-kez' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const missing = await SELF.fetch('https://orochi.test/v1/databases/default');
    expect(missing.status).toBe(401);
  });

  it('is refused outside local mode even with the right key', async () => {
    const prod = { ...env, ENVIRONMENT: 'production' } as Env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request('https://orochi.test/v1/databases/default', {
        headers: { authorization: 'Bearer test-dev-key' },
      }),
      prod,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(401);
  });

  it('answers 404 for a database outside the key project', async () => {
    const res = await SELF.fetch('https://orochi.test/v1/databases/not-there', {
      headers: { authorization: 'Bearer test-dev-key' },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('3D000');
  });
});

describe('ShardDO', () => {
  it('writes and reads its SQLite storage', async () => {
    const stub = env.SHARD.get(env.SHARD.idFromName('storage-test'));
    const ping = await stub.ping('n1');
    expect(ping.readBack).toBe('n1');
    await runInDurableObject(stub, async (instance: ShardDO, state) => {
      expect(instance).toBeInstanceOf(ShardDO);
      const rows = state.storage.sql
        .exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'ping'`)
        .toArray();
      expect(rows).toEqual([{ value: 'n1' }]);
    });
  });

  it('runs its maintenance alarm', async () => {
    const stub = env.SHARD.get(env.SHARD.idFromName('alarm-test'));
    expect(await stub.lastMaintenance()).toBe(0);
    await stub.scheduleMaintenance(60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.lastMaintenance()).toBeGreaterThan(0);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });
});

describe('queue consumer and cron', () => {
  it('acks known events and dead-letters unknown ones', async () => {
    const batch = createMessageBatch('orochi-events', [
      { id: 'a', timestamp: new Date(), attempts: 1, body: { kind: 'health-probe', nonce: 'x', at: 1 } },
      { id: 'b', timestamp: new Date(), attempts: 1, body: { kind: 'no-such-kind' } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['a', 'b']);
    expect(result.retryMessages).toEqual([]);
  });

  it('runs the maintenance sweep against the control plane', async () => {
    const batch = createMessageBatch('orochi-events', [
      {
        id: 's',
        timestamp: new Date(),
        attempts: 1,
        body: { kind: 'maintenance-sweep', at: 1, cron: '*/5 * * * *' },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['s']);
  });

  it('retries a handler failure with backoff instead of dropping it', async () => {
    const noDb = { ...env, PG_WS_PROXY: '127.0.0.1:1' } as unknown as Env;
    const batch = createMessageBatch('orochi-events', [
      { id: 'r', timestamp: new Date(), attempts: 2, body: { kind: 'maintenance-sweep', at: 1, cron: 'x' } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, noDb, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: 'r' }]);
    expect([1, 2, 3, 7, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 300, 300]);
  });

  it('fails the batch when the dead-letter queue is unreachable', async () => {
    const failing = {
      ...env,
      EVENTS_DLQ: { send: () => Promise.reject(new Error('dlq down')) },
    } as unknown as Env;
    const batch = createMessageBatch('orochi-events', [
      { id: 'c', timestamp: new Date(), attempts: 3, body: { kind: 'unknown' } },
    ]);
    const ctx = createExecutionContext();
    await expect(worker.queue(batch, failing, ctx)).rejects.toThrow('dlq down');
  });

  it('cron enqueues a maintenance sweep', async () => {
    const sent: unknown[] = [];
    const spy = { ...env, EVENTS: { send: async (b: unknown) => void sent.push(b) } } as unknown as Env;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: 1000, cron: '*/5 * * * *' }), spy, ctx);
    await waitOnExecutionContext(ctx);
    expect(sent).toEqual([{ kind: 'maintenance-sweep', at: 1000, cron: '*/5 * * * *' }]);
  });
});
