/**
 * Changefeeds end to end: rows written through the API reach a real webhook
 * receiver on 127.0.0.1 (Node, webhook-receiver.ts) through the queue, each
 * POST verified with the `standardwebhooks` library. The main invariant:
 * replaying the delivered events (c: put `after`, u: replace `before` by
 * `after`, d: remove `before`) gives exactly the table's rows, and per shard
 * the events come in log order with no id twice.
 */
import { describe, expect, it } from 'vitest';
import { distributed } from './change-log-fixtures.ts';
import {
  createFeed,
  type Event,
  feedApi,
  received,
  script,
  until,
  verifiedEvents,
} from './changefeed-fixtures.ts';
import { ingest, ok } from './data-plane-client.ts';

type Row = Record<string, unknown>;

/** The table `events` describe, by `id` (checks each update/delete's before image too). */
function replay(events: readonly Event[]): Map<unknown, Row> {
  const rows = new Map<unknown, Row>();
  for (const e of events) {
    if (e.op !== 'c') expect(rows.get(e.before?.id), `${e.id} before`).toEqual(e.before);
    if (e.op === 'd') rows.delete(e.before?.id);
    else {
      if (e.op === 'u') rows.delete(e.before?.id);
      rows.set(e.after?.id, e.after as Row);
    }
  }
  return rows;
}

/** Per shard, events in (lsn, index) order, each id once. */
function expectLogOrder(events: readonly Event[]): void {
  const ids = events.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  const last = new Map<string, [number, number]>();
  for (const e of events) {
    const [shard, lsn, i] = [e.source.shard, e.source.lsn, Number(e.id.split(':').pop())];
    expect(e.id).toBe(`${shard}:${lsn}:${i}`);
    const prev = last.get(shard);
    if (prev) expect(lsn > prev[0] || (lsn === prev[0] && i === prev[1] + 1), e.id).toBe(true);
    last.set(shard, [lsn, i]);
  }
}

async function tableRows(table: string): Promise<Map<unknown, Row>> {
  const r = await ok(`SELECT * FROM ${table}`);
  const names = r.columns.map((c) => c.name);
  return new Map(r.rows.map((row) => [row[0], Object.fromEntries(names.map((n, i) => [n, row[i]]))]));
}

describe('changefeed delivery', () => {
  it('delivers inserts, updates, deletes and a bulk load, signed, complete and in log order per shard', async () => {
    await distributed('cf_main', 2, 'id int, v text, n bigint');
    const feed = await createFeed('cf-main', ['cf_main'], 'main', { batchSize: 3 });
    expect(feed.secret).toMatch(/^whsec_/);
    expect(feed.shards.length).toBe(2);
    await ok(
      `INSERT INTO cf_main VALUES (1, 'a', 9007199254740993), (2, 'b', 2), (3, 'c', 3), (4, 'd', 4), (5, 'e', 5)`,
    );
    await ok(`UPDATE cf_main SET v = v || '!' WHERE id <= 2`);
    await ok(`DELETE FROM cf_main WHERE id = 3`);
    const bulk = [6, 7, 8, 9].map((id) => ({ id, v: `bulk${id}`, n: id }));
    expect((await ingest('cf_main', 'application/json', JSON.stringify(bulk))).status).toBe(200);
    const want = await tableRows('cf_main');
    const events = await until('12 events', async () => {
      const ev = verifiedEvents(await received('main'), feed.secret);
      return ev.length >= 12 ? ev : undefined;
    });
    expect(events.length).toBe(12);
    for (const r of await received('main')) {
      const body = JSON.parse(r.body);
      expect(body.changefeed).toBe('cf-main');
      expect(body.events.length).toBeGreaterThan(0);
      expect(body.events.length).toBeLessThanOrEqual(3);
    }
    expectLogOrder(events);
    expect(replay(events)).toEqual(want);
    expect(events.filter((e) => e.op === 'u').map((e) => e.before?.v)).toEqual(
      expect.arrayContaining(['a', 'b']),
    );
    // int8 beyond 2^53 is exact text, as /sql answers it.
    expect(events.find((e) => e.after?.id === 1 && e.op === 'c')?.after?.n).toBe('9007199254740993');
    for (const e of events) {
      expect(e.source.table).toBe('cf_main');
      expect(e.source.txId).toEqual(expect.any(String));
      expect(Date.parse(e.source.commitTime)).toBeGreaterThan(0);
    }
    const shown = await feedApi('GET', '/cf-main');
    expect(shown.status).toBe(200);
    expect(shown.json.status).toBe('running');
    expect(JSON.stringify(shown.json)).not.toContain(feed.secret.slice(6));
    await until('no lag', async () => {
      const s = (await feedApi('GET', '/cf-main')).json.shards as { lagSeconds: number }[];
      return s.every((x) => x.lagSeconds === 0) ? true : undefined;
    });
  });

  it('splits log entries larger than a batch across POSTs without losing or repeating a row', async () => {
    await distributed('cf_split', 1, 'id int, v text');
    const feed = await createFeed('cf-split', ['cf_split'], 'split', { batchSize: 2 });
    const bulk = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, v: `b${i + 1}` }));
    expect((await ingest('cf_split', 'application/json', JSON.stringify(bulk))).status).toBe(200);
    await ok(`INSERT INTO cf_split VALUES (8, 'x'), (9, 'y'), (10, 'z')`);
    await ok(`UPDATE cf_split SET v = 'u' WHERE id > 5`);
    const want = await tableRows('cf_split');
    const events = await until('15 events', async () => {
      const ev = verifiedEvents(await received('split'), feed.secret);
      return ev.length >= 15 ? ev : undefined;
    });
    expect(events.length).toBe(15);
    const reqs = await received('split');
    expect(reqs.every((r) => JSON.parse(r.body).events.length <= 2)).toBe(true);
    // The bulk entry (7 rows) spans four POSTs: positions 0..6 of one LSN, in order.
    const bulkLsn = events[0].source.lsn;
    expect(events.filter((e) => e.source.lsn === bulkLsn).map((e) => e.id.split(':').pop())).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expectLogOrder(events);
    expect(replay(events)).toEqual(want);
  });

  it('retries a 500 with the same webhook-id, honours 429 Retry-After, and pages the delivery log', async () => {
    await distributed('cf_retry', 1, 'id int, v text');
    await script('retry', [{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }]);
    const feed = await createFeed('cf-retry', ['cf_retry'], 'retry');
    await ok(`INSERT INTO cf_retry VALUES (1, 'x')`);
    const reqs = await until('a 200', async () => {
      const r = await received('retry');
      return r.some((x) => x.status === 200) ? r : undefined;
    });
    expect(reqs.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(new Set(reqs.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(reqs.map((r) => r.body)).size).toBe(1);
    expect(reqs[2].at - reqs[1].at).toBeGreaterThanOrEqual(1000);
    expect(verifiedEvents(reqs, feed.secret).map((e) => e.after)).toEqual([{ id: 1, v: 'x' }]);
    const page1 = await feedApi('GET', '/cf-retry/deliveries?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.json.deliveries.map((d: { status: number }) => d.status)).toEqual([200, 429]);
    expect(page1.json.deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([3, 2]);
    const page2 = await feedApi('GET', `/cf-retry/deliveries?limit=2&before=${page1.json.next}`);
    expect(page2.json.deliveries.map((d: { status: number }) => d.status)).toEqual([500]);
    expect(page2.json.deliveries[0].error).toBe('HTTP 500');
    expect(page2.json.next).toBeNull();
  });

  it('disables the changefeed on 410 and delivers nothing more', async () => {
    await distributed('cf_gone', 1, 'id int');
    await script('gone', [{ status: 410 }]);
    await createFeed('cf-gone', ['cf_gone'], 'gone');
    await ok(`INSERT INTO cf_gone VALUES (1)`);
    const f = await until('disabled', async () => {
      const r = await feedApi('GET', '/cf-gone');
      return r.json.status === 'disabled' ? r.json : undefined;
    });
    expect(f.reason).toMatch(/410/);
    await ok(`INSERT INTO cf_gone VALUES (2)`);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await received('gone')).map((r) => r.status)).toEqual([410]);
  });

  it('holds events while paused and delivers them on resume', async () => {
    await distributed('cf_pause', 1, 'id int');
    const feed = await createFeed('cf-pause', ['cf_pause'], 'pause');
    expect((await feedApi('POST', '/cf-pause/pause')).json.status).toBe('paused');
    await ok(`INSERT INTO cf_pause VALUES (1), (2)`);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await received('pause')).toEqual([]);
    expect((await feedApi('POST', '/cf-pause/resume')).json.status).toBe('running');
    const events = await until('2 events', async () => {
      const ev = verifiedEvents(await received('pause'), feed.secret);
      return ev.length >= 2 ? ev : undefined;
    });
    expect(events.map((e) => e.after?.id).sort()).toEqual([1, 2]);
  });

  it('signs with the old and the new secret after rotate-secret', async () => {
    await distributed('cf_rotate', 1, 'id int');
    const feed = await createFeed('cf-rotate', ['cf_rotate'], 'rotate');
    const rotated = await feedApi('POST', `/${feed.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(feed.secret);
    expect(rotated.json.secrets.length).toBe(2);
    expect(rotated.json.secrets[0].expiresAt).not.toBeNull();
    await ok(`INSERT INTO cf_rotate VALUES (7)`);
    const reqs = await until('a POST', async () => {
      const r = await received('rotate');
      return r.length > 0 ? r : undefined;
    });
    expect(reqs[0].headers['webhook-signature'].split(' ').length).toBe(2);
    expect(verifiedEvents(reqs, feed.secret).length).toBe(1);
    expect(verifiedEvents(reqs, rotated.json.secret).length).toBe(1);
    expect(() => verifiedEvents(reqs, `whsec_${btoa('not the secret, 32 bytes long!!!')}`)).toThrow();
  });
});
