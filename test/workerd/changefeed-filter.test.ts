/**
 * A changefeed's `filter` and `columns`, end to end: rows written through the
 * API reach the loopback receiver only when they pass the filter (an insert's
 * new row, a delete's old row, an update's either row), cut to the listed
 * columns; the delivered events are checked against a model of the same
 * writes. A filter that fails on a row pauses the changefeed with the reason.
 */
import { describe, expect, it } from 'vitest';
import { distributed } from './change-log-fixtures.ts';
import { createFeed, type Event, feedApi, received, until, verifiedEvents } from './changefeed-fixtures.ts';
import { ok } from './data-plane-client.ts';

type Row = { id: number; v: string | null; n: number };

/** The model: which (op, id) events a filter `pass` lets through for the writes below. */
function expected(pass: (r: Row) => boolean): string[] {
  const rows = new Map<number, Row>();
  const out: string[] = [];
  for (let id = 1; id <= 12; id++) {
    const r = { id, v: id % 3 === 0 ? null : `v${id}`, n: id * 10 };
    rows.set(id, r);
    if (pass(r)) out.push(`c${id}`);
  }
  for (const id of [2, 4, 6, 8]) {
    const before = rows.get(id)!;
    const after = { ...before, n: before.n + 1000 };
    rows.set(id, after);
    if (pass(before) || pass(after)) out.push(`u${id}`);
  }
  for (const id of [1, 5, 9]) {
    if (pass(rows.get(id)!)) out.push(`d${id}`);
    rows.delete(id);
  }
  return out.sort();
}

describe('changefeed filter and columns', () => {
  it('sends only rows that pass the filter, cut to the listed columns', async () => {
    await distributed('cf_filter', 3, 'id int, v text, n bigint');
    const filter = "v LIKE 'v%' AND n % 20 = 0 OR n > 1050";
    const feed = await createFeed('cf-filter', ['cf_filter'], 'filter', { filter, columns: ['n', 'id'] });
    const shown = await feedApi('GET', '/cf-filter');
    expect([shown.json.filter, shown.json.columns]).toEqual([filter, ['n', 'id']]);
    const values = Array.from({ length: 12 }, (_, i) => {
      const id = i + 1;
      return `(${id}, ${id % 3 === 0 ? 'NULL' : `'v${id}'`}, ${id * 10})`;
    });
    await ok(`INSERT INTO cf_filter VALUES ${values.join(', ')}`);
    await ok('UPDATE cf_filter SET n = n + 1000 WHERE id IN (2, 4, 6, 8)');
    await ok('DELETE FROM cf_filter WHERE id IN (1, 5, 9)');
    // SQL's three-valued logic: v IS NULL makes the LIKE unknown, so only n > 1050 can pass it.
    const want = expected((r) => (r.v !== null && r.n % 20 === 0) || r.n > 1050);
    // A sentinel row written last that passes: once it arrives, every earlier event has too.
    await ok(`INSERT INTO cf_filter VALUES (100, 'v100', 2000)`);
    const events = await until('the sentinel', async () => {
      const ev = verifiedEvents(await received('filter'), feed.secret);
      return ev.some((e) => e.after?.id === 100) ? ev : undefined;
    });
    // Per shard the sentinel is last; other shards may still be sending: wait until counts settle.
    const all = await until('every expected event', async () => {
      const ev = verifiedEvents(await received('filter'), feed.secret);
      return ev.length >= want.length + 1 ? ev : undefined;
    });
    expect(events.length).toBeGreaterThan(0);
    const got = all
      .filter((e) => e.after?.id !== 100)
      .map((e: Event) => `${e.op}${(e.after ?? e.before)?.id}`)
      .sort();
    expect(got).toEqual(want);
    for (const e of all)
      for (const img of [e.before, e.after]) if (img) expect(Object.keys(img)).toEqual(['n', 'id']);
    const upd = all.find((e) => e.op === 'u' && e.before?.id === 8);
    expect([upd?.before?.n, upd?.after?.n]).toEqual([80, 1080]);
  });

  it('pauses with the reason when the filter fails on a row', async () => {
    await distributed('cf_filter_err', 1, 'id int');
    await createFeed('cf-filter-err', ['cf_filter_err'], 'filter-err', { filter: '10 / (id - 3) > 0' });
    await ok('INSERT INTO cf_filter_err VALUES (5), (3), (7)');
    const f = await until('paused', async () => {
      const r = await feedApi('GET', '/cf-filter-err');
      return r.json.status === 'paused' ? r.json : undefined;
    });
    expect(f.reason).toMatch(/filter failed.*22012/);
    expect(await received('filter-err')).toEqual([]);
  });
});
