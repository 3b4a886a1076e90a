/**
 * Changefeeds under faults and hostile input: refused URLs and options, the
 * last retry (dead-letter queue, pause), a crash between the receiver's 2xx
 * and the cursor move (the batch is re-sent with the same webhook-id), and a
 * log gap (pause with 58P01). The pump is driven directly (`deliver`) on a
 * changefeed paused while rows are written and resumed in the catalog only, so
 * no queue-triggered pump runs at the same time.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_RETENTION } from '../../durable-objects/change-log-retention.ts';
import { type CdcDeliver, deliver } from '../../workers/cdc/delivery-pump.ts';
import { checkWebhookUrl } from '../../workers/cdc/webhook-url.ts';
import { DB_ID, distributed, shard } from './change-log-fixtures.ts';
import { createFeed, feedApi, RECEIVER, received, script, verifiedEvents } from './changefeed-fixtures.ts';
import { ok } from './data-plane-client.ts';

const catalog = () => env.CATALOG.get(env.CATALOG.idFromName(DB_ID));

/** A one-shard table with a changefeed to `hook` and `rows` written while it was paused; its pump message. */
async function pausedWithRows(name: string, rows: number): Promise<{ msg: CdcDeliver; secret: string }> {
  await distributed(name, 1, 'id int');
  const feed = await createFeed(name.replace(/_/g, '-'), [name], name);
  expect((await feedApi('POST', `/${feed.id}/pause`)).status).toBe(200);
  await ok(`INSERT INTO ${name} SELECT g FROM generate_series(1, ${rows}) g`);
  // The commit's queued trigger finds the changefeed paused and is consumed before the test drives the pump.
  await new Promise((r) => setTimeout(r, 2500));
  await catalog().cdcSetStatus(feed.id, 'running', null);
  const msg: CdcDeliver = {
    kind: 'cdc-deliver',
    database: DB_ID,
    changefeed: feed.id,
    shard: feed.shards[0].shard,
  };
  return { msg, secret: feed.secret };
}

describe('changefeed input checks', () => {
  it('refuses non-http URLs, options that are not built, bad filters and columns, unknown tables and duplicate names', async () => {
    await distributed('cf_checks', 1, 'id int');
    const base = { name: 'cf-checks', tables: ['cf_checks'], url: `${RECEIVER}/hook/checks` };
    const cases: [object, number, string][] = [
      [{ url: 'ftp://example.com/x' }, 400, '22023'],
      [{ url: 'javascript:alert(1)' }, 400, '22023'],
      [{ url: 'https://user:pw@example.com/' }, 400, '22023'],
      [{ filter: 'nope > 1' }, 400, '42703'],
      [{ filter: 'id + 1' }, 400, '42804'],
      [{ filter: 'true) UNION SELECT 1 FROM cf_checks WHERE (true' }, 400, '22023'],
      [{ filter: 'id > 1; DROP TABLE cf_checks' }, 400, '42601'],
      [{ filter: 'id IN (SELECT id FROM other_table)' }, 400, '42P01'],
      [{ filter: 'count(*) > 1' }, 400, '42803'],
      [{ filter: '' }, 400, '22023'],
      [{ filter: 7 }, 400, '22023'],
      [{ columns: ['id', 'nope'] }, 400, '42703'],
      [{ columns: ['id', 'id'] }, 400, '22023'],
      [{ columns: [] }, 400, '22023'],
      [{ initialScan: true }, 400, '0A000'],
      [{ resolvedEvery: '10' }, 400, '22023'],
      [{ resolvedEvery: '100ms' }, 400, '22023'],
      [{ resolvedEvery: '25h' }, 400, '22023'],
      [{ resolvedEvery: 10 }, 400, '22023'],
      [{ ops: ['truncate'] }, 400, '0A000'],
      [{ ops: ['upsert'] }, 400, '22023'],
      [{ batchSize: 0 }, 400, '22023'],
      [{ tables: [] }, 400, '22023'],
      [{ tables: ['no_such_table'] }, 404, '42P01'],
      [{ surprise: 1 }, 400, '22023'],
    ];
    for (const [patch, status, code] of cases) {
      const r = await feedApi('POST', '', { ...base, ...patch });
      expect([JSON.stringify(patch), r.status, r.json?.error?.code]).toEqual([
        JSON.stringify(patch),
        status,
        code,
      ]);
    }
    expect((await feedApi('POST', '', base)).status).toBe(201);
    const again = await feedApi('POST', '', base);
    expect([again.status, again.json.error.code]).toEqual([409, '42710']);
    expect((await feedApi('GET', '/no-such-feed')).status).toBe(404);
  });

  it('refuses private, loopback and link-local hosts and plain http in production, allows loopback locally', () => {
    const prod = { ...env, ENVIRONMENT: 'production' } as Env;
    for (const url of [
      'http://example.com/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://172.20.0.1/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[fe80::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:127.0.0.1]/',
    ])
      expect(() => checkWebhookUrl(prod, url), url).toThrow(/invalid webhook URL/);
    expect(checkWebhookUrl(prod, 'https://example.com/hook')).toBe('https://example.com/hook');
    expect(checkWebhookUrl(prod, 'https://172.32.0.1/')).toBe('https://172.32.0.1/');
    expect(checkWebhookUrl(env, 'http://127.0.0.1:9/hook')).toBe('http://127.0.0.1:9/hook');
  });
});

describe('changefeed faults', () => {
  it('after the last retry sends the batch to the dead-letter queue and pauses; resume re-sends it', async () => {
    const { msg, secret } = await pausedWithRows('cf_dlq', 2);
    await script(
      'cf_dlq',
      Array.from({ length: 10 }, () => ({ status: 500 })),
    );
    const dead: unknown[] = [];
    const fast = {
      ...env,
      OROCHI_CDC_RETRY_SCALE: '0.00001',
      EVENTS_DLQ: { send: async (m: unknown) => void dead.push(m) },
    } as unknown as Env;
    await deliver(fast, msg);
    const reqs = await received('cf_dlq');
    expect(reqs.map((r) => r.status)).toEqual(Array(10).fill(500));
    expect(new Set(reqs.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(dead).toEqual([
      expect.objectContaining({
        kind: 'cdc-dead-letter',
        webhookId: reqs[0].headers['webhook-id'],
        attempts: 10,
      }),
    ]);
    const f = (await feedApi('GET', `/${msg.changefeed}`)).json;
    expect(f.status).toBe('paused');
    expect(f.reason).toMatch(/dead-letter/);
    expect(f.shards[0].lastError).toBe('HTTP 500');
    await catalog().cdcSetStatus(msg.changefeed, 'running', null);
    await deliver(env, msg);
    const after = await received('cf_dlq');
    expect(after.length).toBe(11);
    expect(after[10].status).toBe(200);
    expect(after[10].headers['webhook-id']).toBe(reqs[0].headers['webhook-id']);
    expect(verifiedEvents(after, secret).map((e) => e.after?.id)).toEqual([1, 2]);
  });

  it('re-sends the same batch with the same webhook-id when the pump dies after the 2xx', async () => {
    const { msg, secret } = await pausedWithRows('cf_crash', 3);
    let crashed = false;
    const realGet = env.CATALOG.get.bind(env.CATALOG);
    const crashing = {
      ...env,
      CATALOG: {
        idFromName: (n: string) => env.CATALOG.idFromName(n),
        get: (id: DurableObjectId) =>
          new Proxy(realGet(id), {
            get(target, key) {
              if (key === 'cdcAdvance' && !crashed)
                return async () => {
                  crashed = true;
                  throw new Error('injected crash before the cursor moved');
                };
              // RPC method stubs need no `this` (and `.bind` on one would be a remote call).
              return Reflect.get(target, key);
            },
          }),
      },
    } as unknown as Env;
    await expect(deliver(crashing, msg)).rejects.toThrow('injected crash');
    await deliver(env, msg);
    const reqs = await received('cf_crash');
    expect(reqs.length).toBe(2);
    expect(reqs[1].headers['webhook-id']).toBe(reqs[0].headers['webhook-id']);
    expect(reqs[1].body).toBe(reqs[0].body);
    const ids = verifiedEvents(reqs, secret).map((e) => e.id);
    expect(ids.length).toBe(6);
    expect(ids.slice(3)).toEqual(ids.slice(0, 3));
    // Drained: another run sends nothing.
    await deliver(env, msg);
    expect((await received('cf_crash')).length).toBe(2);
  });

  it('pauses with the gap error when the log dropped entries the changefeed had not delivered', async () => {
    const { msg } = await pausedWithRows('cf_gap', 2);
    const s = shard(1, Number(msg.shard.split(':')[1]));
    expect(msg.shard.startsWith('1:')).toBe(true);
    const big = 1e12;
    await s.setLogRetention({ maxAgeMs: 0, maxBytes: 0, hardMaxAgeMs: big, hardMaxBytes: 0 });
    await runDurableObjectAlarm(s);
    await s.setLogRetention(DEFAULT_LOG_RETENTION);
    await deliver(env, msg);
    const f = (await feedApi('GET', `/${msg.changefeed}`)).json;
    expect(f.status).toBe('paused');
    expect(f.reason).toMatch(/58P01/);
    expect(f.reason).toMatch(/has already been removed/);
    expect(f.shards[0].lastError).toMatch(/58P01/);
    expect(await received('cf_gap')).toEqual([]);
  });
});
