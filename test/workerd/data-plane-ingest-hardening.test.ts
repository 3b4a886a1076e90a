/**
 * Ingest under hostile or retried input, end to end in workerd: a gzip bomb
 * or one endless line answers 4xx in seconds (not minutes for every tenant),
 * oversized and deeply nested records are refused per record or per body, an
 * Idempotency-Key reused with another request is refused (422) on every write
 * route, and an InfluxDB write retried without a key is stored once.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingest, ok, sql } from './data-plane-client.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

async function influxWrite(
  body: BodyInit,
  headers: Record<string, string> = {},
  query = 'bucket=default&precision=s',
) {
  return SELF.fetch(`https://orochi.test/api/v2/write?${query}`, {
    method: 'POST',
    headers: { authorization: 'Token test-dev-key', 'content-type': 'text/plain', ...headers },
    body,
  });
}

/** `bytes` of 'a' (one line, no newline), gzipped, made without holding the plain text. */
async function gzipOneLine(bytes: number): Promise<Uint8Array> {
  const piece = new Uint8Array(1 << 20).fill(97);
  let sent = 0;
  const plain = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= bytes) return c.close();
      c.enqueue(piece.subarray(0, Math.min(piece.length, bytes - sent)));
      sent += piece.length;
    },
  });
  return new Uint8Array(await new Response(plain.pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = Date.now();
  const value = await f();
  return { ms: Date.now() - t0, value };
}

describe('ingest hardening', () => {
  beforeAll(async () => {
    await ok(
      'CREATE TABLE hx (time timestamptz NOT NULL, host text NOT NULL, v double precision, note text)',
    );
    await ok(`SELECT create_distributed_table('hx', 'host', shard_count => 4)`);
  });

  it('answers a 64 MiB single-line gzip body (65 KB on the wire) with 413 in seconds', async () => {
    const gz = await gzipOneLine(64 << 20);
    expect(gz.length).toBeLessThan(128 << 10);
    const { ms, value: res } = await timed(() => influxWrite(gz, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: '54000' });
    // It used to take ~70 s, rescanning the unfinished line on every inflated piece.
    expect(ms).toBeLessThan(5000);
  });

  it('rejects one over-long line within the body limit, saying that nothing was written', async () => {
    const gz = await gzipOneLine(20 << 20);
    const { ms, value: res } = await timed(() => influxWrite(gz, { 'content-encoding': 'gzip' }));
    expect(ms).toBeLessThan(5000);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toMatch(
      /^no points written: all 1 point rejected; line 1: line is 20971520 bytes long; the limit is 1048576$/,
    );
  });

  it('says whether an InfluxDB write wrote nothing or part of the body', async () => {
    const none = await influxWrite('hx,host=n1 v= 1704067200\nhx,host=n2 v=x 1704067200\n');
    expect(none.status).toBe(400);
    expect(((await none.json()) as ErrorBody).error.message).toMatch(
      /^no points written: all 2 points rejected; line 1: /,
    );
    const part = await influxWrite(
      'hx,host=p1 v=1 1704067200\nhx,host=p2 v= 1704067200\nhx,host=p3 v=x 1704067200\n',
    );
    expect(part.status).toBe(400);
    expect(((await part.json()) as ErrorBody).error.message).toMatch(
      /^partial write: 1 point written, 2 rejected; line 2: /,
    );
    expect(
      (await ok(`SELECT count(*) FROM hx WHERE host IN ('n1', 'n2', 'p1', 'p2', 'p3')`)).rows[0][0],
    ).toBe(1);
  });

  it('refuses deeply nested or oversized records with 4xx on /rows, never a 500', async () => {
    const deep = `${'['.repeat(1 << 20)}${']'.repeat(1 << 20)}`;
    const json = await ingest(
      'hx',
      'application/json',
      `[{"time":"2024-01-01T00:00:00Z","host":"d","note":${deep}}]`,
    );
    expect(json.status).toBe(400);
    expect(json.body.error?.code).toBe('54001');
    const nd = await ingest(
      'hx',
      'application/x-ndjson',
      `{"time":"2024-01-01T00:00:00Z","host":"nd1","v":1}\n{"time":"2024-01-01T00:00:00Z","host":"nd2","note":${deep}}\n`,
    );
    expect(nd.status).toBe(200);
    expect(nd.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(nd.body.errors[0]).toMatchObject({
      line: 2,
      reason: expect.stringMatching(/characters long|nested deeper/),
    });
    const { ms, value: csv } = await timed(() =>
      ingest(
        'hx',
        'text/csv',
        `time,host,note\n2024-01-01T00:00:00Z,c1,x\n2024-01-01T00:00:00Z,c2,${'y'.repeat(30 << 20)}\n`,
      ),
    );
    expect(ms).toBeLessThan(5000);
    expect(csv.status).toBe(200);
    expect(csv.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(csv.body.errors[0].reason).toMatch(/the limit is 1048576/);
    const oneLine = await ingest('hx', 'application/x-ndjson', `{"host":"${'z'.repeat(2 << 20)}"}`);
    expect(oneLine.status).toBe(400);
    expect(oneLine.body.error?.code).toBe('22P02');
  });

  it('refuses an Idempotency-Key reused with another body on /rows (422), and replays the same body', async () => {
    const rows = (host: string) => JSON.stringify([{ time: '2024-01-02T00:00:00Z', host, v: 1 }]);
    const first = await ingest('hx', 'application/json', rows('k1'), { 'idempotency-key': 'hx-rows-1' });
    expect(first.body).toMatchObject({ accepted: 1, duplicate: false });
    const other = await ingest('hx', 'application/json', rows('k2'), { 'idempotency-key': 'hx-rows-1' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: '22023',
      message: expect.stringMatching(/^Idempotency-Key reused with a different request/),
    });
    // Another format or table is another request too.
    const csv = await ingest('hx', 'text/csv', 'time,host,v\n2024-01-02T00:00:00Z,k1,1\n', {
      'idempotency-key': 'hx-rows-1',
    });
    expect(csv.status).toBe(422);
    const again = await ingest('hx', 'application/json', rows('k1'), { 'idempotency-key': 'hx-rows-1' });
    expect(again.body).toMatchObject({ accepted: 1, duplicate: true });
    expect((await ok(`SELECT host, count(*) FROM hx WHERE host IN ('k1', 'k2') GROUP BY host`)).rows).toEqual(
      [['k1', 1]],
    );
  });

  it('refuses an Idempotency-Key reused with another body on /api/v2/write (422)', async () => {
    const key = { 'idempotency-key': 'hx-lp-1' };
    expect((await influxWrite('hx,host=w1 v=1 1704153600', key)).status).toBe(204);
    const other = await influxWrite('hx,host=w2 v=1 1704153600', key);
    expect(other.status).toBe(422);
    expect(((await other.json()) as ErrorBody).error.message).toMatch(
      /Idempotency-Key reused with a different request/,
    );
    // Same body, other precision: another request.
    expect((await influxWrite('hx,host=w1 v=1 1704153600', key, 'bucket=default&precision=ms')).status).toBe(
      422,
    );
    expect((await influxWrite('hx,host=w1 v=1 1704153600', key)).status).toBe(204);
    expect((await ok(`SELECT host, count(*) FROM hx WHERE host IN ('w1', 'w2') GROUP BY host`)).rows).toEqual(
      [['w1', 1]],
    );
  });

  it('refuses an Idempotency-Key reused with another statement on /sql (422); a retry commits once', async () => {
    const key = { 'idempotency-key': 'hx-sql-1' };
    const insert = `INSERT INTO hx (time, host, v) VALUES ('2024-01-03T00:00:00Z', $1, 1)`;
    const first = await sql(insert, ['s1'], key);
    expect(first.status).toBe(200);
    expect(first.rowCount).toBe(1);
    const other = await sql(insert, ['s2'], key);
    expect(other.status).toBe(422);
    expect(other.error).toMatchObject({
      code: '22023',
      message: expect.stringMatching(/^Idempotency-Key reused/),
    });
    const retry = await sql(insert, ['s1'], key);
    expect(retry.status).toBe(200);
    expect(retry.rowCount).toBe(1);
    expect((await ok(`SELECT host, count(*) FROM hx WHERE host IN ('s1', 's2') GROUP BY host`)).rows).toEqual(
      [['s1', 1]],
    );
  });

  it('stores a timestamped InfluxDB body retried without a key once, and an untimestamped one each time', async () => {
    const stamped = 'hx,host=t1 v=1 1704240000\nhx,host=t2 v=2 1704240000\n';
    expect((await influxWrite(stamped)).status).toBe(204);
    expect((await influxWrite(stamped)).status).toBe(204);
    expect((await ok(`SELECT count(*) FROM hx WHERE host IN ('t1', 't2')`)).rows[0][0]).toBe(2);
    // Another precision is another request (other timestamps).
    expect((await influxWrite(stamped, {}, 'bucket=default&precision=ms')).status).toBe(204);
    expect((await ok(`SELECT count(*) FROM hx WHERE host IN ('t1', 't2')`)).rows[0][0]).toBe(4);
    // Without timestamps each write is new points at the server's clock, as in InfluxDB.
    expect((await influxWrite('hx,host=u1 v=1\n')).status).toBe(204);
    expect((await influxWrite('hx,host=u1 v=1\n')).status).toBe(204);
    expect((await ok(`SELECT count(*) FROM hx WHERE host = 'u1'`)).rows[0][0]).toBe(2);
  });

  it('refuses an empty or oversized Idempotency-Key', async () => {
    const long = await ingest('hx', 'application/json', '[]', { 'idempotency-key': 'k'.repeat(256) });
    expect(long.status).toBe(400);
    expect(long.body.error?.code).toBe('22023');
  });
});
