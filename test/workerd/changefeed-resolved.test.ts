/**
 * Resolved messages, end to end: with `resolvedEvery`, the receiver gets
 * signed `{"changefeed", "resolved"}` POSTs whose time only grows, also while
 * nothing is written, and every event committed before a resolved time
 * arrived before that resolved message (the promise it makes).
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { distributed } from './change-log-fixtures.ts';
import { createFeed, type Event, feedApi, type Received, received, until } from './changefeed-fixtures.ts';
import { ok } from './data-plane-client.ts';

type Message = { kind: 'events'; events: Event[] } | { kind: 'resolved'; at: number };

/** The receiver's 2xx requests in arrival order, verified, as event batches and resolved times. */
function messages(reqs: readonly Received[], secret: string): Message[] {
  const wh = new Webhook(secret);
  return reqs
    .filter((r) => r.status >= 200 && r.status < 300)
    .map((r) => {
      const p = wh.verify(r.body, r.headers) as { changefeed: string; events?: Event[]; resolved?: string };
      expect(p.changefeed).toBe('cf-resolved');
      return p.resolved !== undefined
        ? { kind: 'resolved' as const, at: Date.parse(p.resolved) }
        : { kind: 'events' as const, events: p.events ?? [] };
    });
}

describe('changefeed resolved messages', () => {
  it('sends growing resolved times, on a quiet database too, never ahead of an undelivered event', async () => {
    await distributed('cf_resolved', 2, 'id int');
    const feed = await createFeed('cf-resolved', ['cf_resolved'], 'resolved', { resolvedEvery: '1s' });
    for (let i = 0; i < 5; i++)
      await ok(`INSERT INTO cf_resolved SELECT g FROM generate_series(${i * 10 + 1}, ${i * 10 + 10}) g`);
    const resolvedAfter = (ms: readonly Message[]) =>
      ms.filter((m): m is Extract<Message, { kind: 'resolved' }> => m.kind === 'resolved');
    // Quiet from here: at least three more resolved messages must come.
    const all = await until(
      '3 resolved messages after 50 events',
      async () => {
        const ms = messages(await received('resolved'), feed.secret);
        const events = ms.flatMap((m) => (m.kind === 'events' ? m.events : []));
        return events.length >= 50 && resolvedAfter(ms).length >= 3 ? ms : undefined;
      },
      30_000,
    );
    const times = resolvedAfter(all).map((m) => m.at);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    // The promise: every event committed at or before a resolved time arrived before that message.
    const commits = all.flatMap((m, i) =>
      m.kind === 'events' ? m.events.map((e) => ({ at: Date.parse(e.source.commitTime), i })) : [],
    );
    all.forEach((m, k) => {
      if (m.kind === 'resolved') for (const e of commits) if (e.at <= m.at) expect(e.i).toBeLessThan(k);
    });
    const lastEvent = Math.max(...commits.map((e) => e.at));
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(lastEvent);
    const shown = (await feedApi('GET', '/cf-resolved')).json;
    expect(shown.resolvedEvery).toBe('1s');
    expect(Date.parse(shown.lastResolved)).toBeGreaterThanOrEqual(times[times.length - 1]);
  });
});
