/**
 * Changefeed replay, end to end: after changes were delivered, `replay` from a
 * commit time sends exactly the changes committed since (same event ids), and
 * from a shard's LSN exactly that shard's entries after it; bad requests are
 * refused without moving anything.
 */
import { describe, expect, it } from 'vitest';
import { distributed } from './change-log-fixtures.ts';
import { createFeed, type Event, feedApi, received, until, verifiedEvents } from './changefeed-fixtures.ts';
import { ok } from './data-plane-client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventsOf(hook: string, secret: string, atLeast: number): Promise<Event[]> {
  return until(`${atLeast} events`, async () => {
    const ev = verifiedEvents(await received(hook), secret);
    return ev.length >= atLeast ? ev : undefined;
  });
}

describe('changefeed replay', () => {
  it('replays from a time and from a shard cursor, with the same event ids', async () => {
    await distributed('cf_replay', 2, 'id int, v text');
    const feed = await createFeed('cf-replay', ['cf_replay'], 'replay');
    await ok(`INSERT INTO cf_replay VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')`);
    const early = await eventsOf('replay', feed.secret, 4);
    await sleep(50);
    const from = new Date().toISOString();
    await sleep(50);
    await ok(`UPDATE cf_replay SET v = v || '!' WHERE id IN (1, 3)`);
    const all = await eventsOf('replay', feed.secret, 6);
    const late = all.slice(early.length);
    expect(late.map((e) => e.op)).toEqual(['u', 'u']);

    const r = await feedApi('POST', '/cf-replay/replay', { fromTime: from });
    expect(r.status).toBe(200);
    const again = (await eventsOf('replay', feed.secret, 8)).slice(all.length);
    expect(again.map((e) => e.id).sort()).toEqual(late.map((e) => e.id).sort());
    await sleep(1500);
    expect(verifiedEvents(await received('replay'), feed.secret).length).toBe(8);

    // One shard from the start: its inserts and updates again, nothing of the other shard.
    const shard = early[0].source.shard;
    const status = await feedApi('POST', '/cf-replay/replay', { cursors: { [shard]: 0 } });
    expect(status.status).toBe(200);
    const mine = all.filter((e) => e.source.shard === shard);
    const third = (await eventsOf('replay', feed.secret, 8 + mine.length)).slice(8);
    expect(third.map((e) => e.id)).toEqual(mine.map((e) => e.id));
  });

  it('refuses bad replays and moves nothing', async () => {
    await distributed('cf_replay_bad', 1, 'id int');
    const feed = await createFeed('cf-replay-bad', ['cf_replay_bad'], 'replay-bad');
    const shard = feed.shards[0].shard;
    const cases: [unknown, number, string][] = [
      [{ fromTime: new Date(Date.now() + 3600_000).toISOString() }, 400, '22023'],
      [{ fromTime: 'yesterday' }, 400, '22023'],
      [{ cursors: { 'no-such-shard': 0 } }, 400, '22023'],
      [{ cursors: { [shard]: 1_000_000 } }, 400, '22023'],
      [{ cursors: { [shard]: -1 } }, 400, '22023'],
      [{ cursors: {} }, 400, '22023'],
      [{ fromTime: new Date().toISOString(), cursors: {} }, 400, '22023'],
      [{}, 400, '22023'],
    ];
    for (const [body, status, code] of cases) {
      const r = await feedApi('POST', '/cf-replay-bad/replay', body);
      expect([JSON.stringify(body), r.status, r.json?.error?.code]).toEqual([
        JSON.stringify(body),
        status,
        code,
      ]);
    }
    expect((await feedApi('POST', '/no-such-feed/replay', { cursors: { [shard]: 0 } })).status).toBe(404);
    const s = (await feedApi('GET', '/cf-replay-bad')).json;
    expect([s.status, s.shards[0].attempt, s.shards[0].lastError]).toEqual(['running', 0, null]);
  });
});
