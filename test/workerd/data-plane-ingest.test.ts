/**
 * Bulk ingest in workerd: every Content-Type, the InfluxDB v2 write API,
 * rejected rows with reasons (never half-applied), idempotent retries.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH, ingest, ok } from './data-plane-client.ts';

async function influxWrite(body: string, query = 'bucket=default&precision=s', auth = 'Token test-dev-key') {
  return SELF.fetch(`https://orochi.test/api/v2/write?${query}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'text/plain; charset=utf-8' },
    body,
  });
}

describe('bulk ingest', () => {
  beforeAll(async () => {
    await ok(
      'CREATE TABLE cpu (time timestamptz NOT NULL, hostname text NOT NULL, usage_user double precision, usage_system bigint, ok boolean)',
    );
    await ok(`SELECT create_distributed_table('cpu', 'hostname', shard_count => 8)`);
    await ok(`SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '1 hour')`);
  });

  it('accepts CSV, NDJSON and JSON, rejecting bad rows whole', async () => {
    const csv = await ingest(
      'cpu',
      'text/csv',
      'time,hostname,usage_user,usage_system\n2024-01-01T00:00:00Z,h1,1.5,3\n2024-01-01T00:00:01Z,h2,oops,4\n2024-01-01T00:00:02Z,h3,2.5,\n',
    );
    expect(csv.status).toBe(200);
    expect(csv.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(csv.body.errors[0].line).toBe(3);
    expect(csv.body.errors[0].reason).toMatch(/usage_user/);
    const nd = await ingest(
      'cpu',
      'application/x-ndjson',
      '{"time":"2024-01-01T00:00:03Z","hostname":"h4","usage_user":4}\n{"time":"bad","hostname":"h5"}\n',
    );
    expect(nd.body).toMatchObject({ accepted: 1, rejected: 1 });
    const js = await ingest(
      'cpu',
      'application/json',
      JSON.stringify([
        { time: '2024-01-01T00:00:04Z', hostname: 'h6', usage_user: 6, ok: true },
        { hostname: 'h7' },
      ]),
    );
    expect(js.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(js.body.errors[0].reason).toMatch(/not-null/);
    const r = await ok(
      `SELECT hostname, usage_user, usage_system, ok FROM cpu WHERE time < '2024-01-01T00:00:05Z' ORDER BY time`,
    );
    expect(r.rows).toEqual([
      ['h1', 1.5, 3, null],
      ['h3', 2.5, null, null],
      ['h4', 4, null, null],
      ['h6', 6, null, true],
    ]);
  });

  it('takes line protocol on both endpoints; 58i integers coerce', async () => {
    const lp = await SELF.fetch('https://orochi.test/v1/databases/default/tables/cpu/rows?precision=ms', {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      body: 'cpu,hostname=lp1 usage_user=10,usage_system=58i 1704070800000\ncpu,hostname=lp2 usage_user=20i 1704070800000\n',
    });
    expect(lp.status).toBe(200);
    expect(await lp.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const w = await influxWrite(
      'cpu,hostname=influx1 usage_user=1.25,usage_system=7i,ok=t 1704070860\ncpu,hostname=influx2 usage_user=2 1704070860\n',
    );
    expect(w.status).toBe(204);
    const r = await ok(
      `SELECT hostname, usage_user, usage_system, ok FROM cpu WHERE time >= '2024-01-01T01:00:00Z' AND time < '2024-01-01T02:00:00Z' ORDER BY hostname`,
    );
    expect(r.rows).toEqual([
      ['influx1', 1.25, 7, true],
      ['influx2', 2, null, null],
      ['lp1', 10, 58, null],
      ['lp2', 20, null, null],
    ]);
  });

  it('answers a partial Influx write with 400 but keeps the valid points', async () => {
    const w = await influxWrite(
      'cpu,hostname=p1 usage_user=1 1704074400\ncpu,hostname=p2 usage_user= 1704074400\nnope,hostname=p3 usage_user=1 1704074400\n',
    );
    expect(w.status).toBe(400);
    expect(((await w.json()) as { error: { code: string; message: string } }).error.message).toMatch(
      /partial write: 1 point written, 2 rejected; line 2/,
    );
    const r = await ok(`SELECT count(*) FROM cpu WHERE hostname IN ('p1', 'p2')`);
    expect(r.rows[0][0]).toBe(1);
  });

  it('applies a retried line-protocol write once and reports server stage timings', async () => {
    const lines = Array.from(
      { length: 300 },
      (_, i) => `cpu,hostname=lpidem${i % 30} usage_user=${i}.5,usage_system=${i}i ${1704412800 + i}`,
    ).join('\n');
    const write = () =>
      SELF.fetch('https://orochi.test/api/v2/write?bucket=default&precision=s', {
        method: 'POST',
        headers: {
          authorization: 'Token test-dev-key',
          'content-type': 'text/plain',
          'idempotency-key': 'lp-7',
        },
        body: lines,
      });
    const first = await write();
    expect(first.status).toBe(204);
    expect(first.headers.get('server-timing')).toMatch(/parse;dur=/);
    expect((await write()).status).toBe(204);
    const r = await ok(`SELECT count(*), sum(usage_user) FROM cpu WHERE hostname LIKE 'lpidem%'`);
    expect(r.rows[0]).toEqual([300, (299 * 300) / 2 + 150]);
    const ints = await ok(`SELECT usage_system FROM cpu WHERE hostname = 'lpidem3' ORDER BY time LIMIT 2`);
    expect(ints.rows).toEqual([[3], [33]]);
  });

  it('rejects a line-protocol body that is not UTF-8 with 22021, writing nothing', async () => {
    const body = new Uint8Array([
      ...new TextEncoder().encode('cpu,hostname=utf8bad usage_user=1 1704412800\ncpu,hostname=x'),
      0xff,
      0x0a,
    ]);
    const w = await SELF.fetch('https://orochi.test/api/v2/write?bucket=default&precision=s', {
      method: 'POST',
      headers: { authorization: 'Token test-dev-key', 'content-type': 'text/plain' },
      body,
    });
    expect(w.status).toBe(400);
    expect(((await w.json()) as { error: { code: string } }).error.code).toBe('22021');
    const r = await ok(`SELECT count(*) FROM cpu WHERE hostname = 'utf8bad'`);
    expect(r.rows[0][0]).toBe(0);
  });

  it('applies a retried batch once (Idempotency-Key)', async () => {
    const body = JSON.stringify(
      Array.from({ length: 40 }, (_, i) => ({
        time: `2024-01-02T00:00:${String(i).padStart(2, '0')}Z`,
        hostname: `idem${i}`,
        usage_user: i,
      })),
    );
    const first = await ingest('cpu', 'application/json', body, { 'idempotency-key': 'batch-42' });
    expect(first.body).toMatchObject({ accepted: 40, duplicate: false });
    const retry = await ingest('cpu', 'application/json', body, { 'idempotency-key': 'batch-42' });
    expect(retry.body).toMatchObject({ accepted: 40, duplicate: true });
    const r = await ok(
      `SELECT count(*), sum(usage_user) FROM cpu WHERE time >= '2024-01-02' AND time < '2024-01-03'`,
    );
    expect(r.rows[0]).toEqual([40, (39 * 40) / 2]);
  });

  it('rejects bad ingest requests with 4xx and a SQLSTATE', async () => {
    const cases: [Promise<{ status: number; body: { error?: { code: string } } }>, number, string][] = [
      [ingest('nope', 'text/csv', 'a\n1'), 404, '42P01'],
      [ingest('cpu', 'application/xml', '<x/>'), 415, '0A000'],
      [ingest('cpu', 'application/json', '[{"time": '), 400, '22P02'],
      [ingest('cpu', 'text/csv', 'time,hostname,zzz\n2024-01-01,h,1'), 400, '22P02'],
      [
        ingest('cpu', 'text/plain', 'cpu,hostname=a usage_user=1 1', { 'x-unused': '1' }).then(
          async (r) => r,
        ),
        200,
        '',
      ],
    ];
    for (const [p, status, code] of cases) {
      const r = await p;
      expect(r.status).toBe(status);
      if (code) expect(r.body.error?.code).toBe(code);
    }
    const big = await ingest('cpu', 'text/csv', `time,hostname\n${'x'.repeat(33 << 20)}`);
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('54000');
    const bigLp = await influxWrite(`cpu,hostname=big usage_user=1 1\n${'x'.repeat(33 << 20)}`);
    expect(bigLp.status).toBe(413);
    expect(((await bigLp.json()) as { error: { code: string } }).error.code).toBe('54000');
    expect((await ok(`SELECT count(*) FROM cpu WHERE hostname = 'big'`)).rows[0][0]).toBe(0);
    const bad = await influxWrite('cpu usage_user=1', 'bucket=default&precision=minutes');
    expect(bad.status).toBe(400);
    const unauth = await influxWrite('cpu,hostname=x usage_user=1', 'bucket=default', 'Token wrong');
    expect(unauth.status).toBe(401);
  });
});
