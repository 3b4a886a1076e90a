/**
 * An Idempotency-Key retry that arrives while the first call is still running,
 * over HTTP with the first call held mid-flight (ShardDO's local-only delay
 * seam): the retry waits for it and answers its outcome; neither applies twice;
 * the same key with another body is refused at once. And the wait's bound: past
 * it, the retry runs itself under the same batch ids, which still apply once.
 */
import { describe, expect, it } from 'vitest';
import { sql } from './data-plane-client.ts';
import { catalog, distributed, expectSettled, ids, inject, range, shard, values } from './txn-fixtures.ts';

/** Waits until `check` holds (the first call reached its held point). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await check()).toBe(true);
}

/** `p`, noting `name` in `order` when it settles. */
async function noted<T>(p: Promise<T>, order: string[], name: string): Promise<T> {
  const r = await p;
  order.push(name);
  return r;
}

describe('a retry while the first call runs (Idempotency-Key)', () => {
  it('two shards: the retry waits for the first call and answers its outcome; applied once', async () => {
    await distributed('inflight_2pc', 2);
    // Both shards prepare, then answer late: the first call is undecided for 1.5 s.
    await inject(2, 0, { phase: 'prepared', match: 'inflight_2pc', delayMs: 1500 });
    await inject(2, 1, { phase: 'prepared', match: 'inflight_2pc', delayMs: 1500 });
    const key = { 'idempotency-key': 'inflight-2pc-1' };
    const stmt = `INSERT INTO inflight_2pc VALUES ${values(range(12))}`;
    const order: string[] = [];
    const first = noted(sql(stmt, undefined, key), order, 'first');
    await until(async () => (await shard(2, 0).preparedTxns()).length > 0);
    const retry = noted(sql(stmt, undefined, key), order, 'retry');
    const [a, b] = await Promise.all([first, retry]);
    // Before: the retry aborted the undecided first call, which answered 409 40001.
    expect([a.status, a.rowCount, a.error?.code]).toEqual([200, 12, undefined]);
    expect([b.status, b.rowCount]).toEqual([200, 12]);
    expect(order).toEqual(['first', 'retry']);
    expect(await ids('inflight_2pc')).toEqual(range(12));
    await expectSettled(2);
  });

  it('one shard (no coordinator): the retry waits; both answer the row count; applied once', async () => {
    await distributed('inflight_local', 1);
    await inject(1, 0, { phase: 'prepare', match: 'inflight_local', delayMs: 1000 });
    const key = { 'idempotency-key': 'inflight-local-1' };
    const stmt = `INSERT INTO inflight_local VALUES ${values(range(5))}`;
    const order: string[] = [];
    const first = noted(sql(stmt, undefined, key), order, 'first');
    await new Promise((r) => setTimeout(r, 200)); // the first call is inside its held prepare
    const retry = noted(sql(stmt, undefined, key), order, 'retry');
    const [a, b] = await Promise.all([first, retry]);
    expect([a.status, a.rowCount]).toEqual([200, 5]);
    expect([b.status, b.rowCount]).toEqual([200, 5]);
    expect(order).toEqual(['first', 'retry']);
    expect(await ids('inflight_local')).toEqual(range(5));
  });

  it('the same key with another body is refused at once (422), while the first call runs', async () => {
    await distributed('inflight_other', 1);
    await inject(1, 0, { phase: 'prepare', match: 'inflight_other', delayMs: 1500 });
    const key = { 'idempotency-key': 'inflight-other-1' };
    const first = sql(`INSERT INTO inflight_other VALUES ${values(range(3))}`, undefined, key);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const other = await sql('INSERT INTO inflight_other VALUES (99, 0)', undefined, key);
    expect([other.status, other.error?.code]).toEqual([422, '22023']);
    expect(Date.now() - t0).toBeLessThan(1000); // not held behind the first call
    expect((await first).status).toBe(200);
    expect(await ids('inflight_other')).toEqual(range(3));
  });
});

describe('the wait is bounded', () => {
  it('a retry past the bound runs under the same batch id; the key is held by it afterwards', async () => {
    const c = catalog();
    const first = await c.claimIdempotencyKey('bound-1', 'h');
    if (!('token' in first)) throw new Error('expected a claim');
    expect(first).toMatchObject({ retry: false, waited: false, tookOver: false });
    const t0 = Date.now();
    const late = await c.claimIdempotencyKey('bound-1', 'h', 300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(late).toMatchObject({ batchId: first.batchId, retry: true, waited: true, tookOver: true });
    // The first call's late release does not free the key from the call that took it over.
    await c.releaseIdempotencyKey('bound-1', first.token);
    const third = c.claimIdempotencyKey('bound-1', 'h', 5000);
    await new Promise((r) => setTimeout(r, 100));
    if (!('token' in late)) throw new Error('expected a claim');
    await c.releaseIdempotencyKey('bound-1', late.token);
    expect(await third).toMatchObject({ batchId: first.batchId, waited: true, tookOver: false });
  });
});
