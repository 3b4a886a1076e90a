/**
 * Pruning of idempotency records past their window, through the alarms
 * (runDurableObjectAlarm), with records aged in storage as the clock: the
 * shards' ledger (`shard_log`), the CatalogDO's coordinator tombstones and its
 * Idempotency-Keys. Inside the window a keyed retry answers the first outcome;
 * after pruning the key is forgotten; an undecided prepared entry is never pruned.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_WINDOW_MS } from '../../durable-objects/idempotency-keys.ts';
import { LEDGER_GRACE_MS } from '../../durable-objects/shard-log-prune.ts';
import { sql } from './data-plane-client.ts';
import { catalog, distributed, ids, inject, range, shard, tableDef, values } from './txn-fixtures.ts';

type Stub = ReturnType<typeof shard>;

/** The ledger's entries on a shard: batch id → state. */
async function ledger(s: Stub): Promise<Map<string, string>> {
  return runInDurableObject(s, async (_o, state) => {
    const rows = state.storage.sql
      .exec<{ batch_id: string; state: string }>(`SELECT batch_id, state FROM shard_log`)
      .toArray();
    return new Map(rows.map((r) => [r.batch_id, r.state]));
  });
}

/** Moves every record of the shards and the catalog `ms` into the past. */
async function age(shards: Stub[], ms: number): Promise<void> {
  for (const s of shards)
    await runInDurableObject(s, async (_o, state) => {
      state.storage.sql.exec(`UPDATE shard_log SET at = at - ?`, ms);
    });
  await runInDurableObject(catalog(), async (_o, state) => {
    state.storage.sql.exec(`UPDATE idempotency_keys SET created_at = created_at - ?`, ms);
    state.storage.sql.exec(
      `UPDATE txn_attempts SET created_at = created_at - ?, finished_at = finished_at - ?`,
      ms,
      ms,
    );
  });
}

async function catalogCounts(): Promise<{ keys: number; finished: number }> {
  return runInDurableObject(catalog(), async (_o, state) => {
    const one = (q: string) => state.storage.sql.exec<{ n: number }>(q).one().n;
    return {
      keys: one(`SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'prune-%'`),
      finished: one(
        `SELECT count(*) AS n FROM txn_attempts WHERE base LIKE '%prune-%' AND finished_at IS NOT NULL`,
      ),
    };
  });
}

describe('pruning idempotency records after the window', () => {
  it('keeps them inside the window (a retry answers the first outcome), then forgets the key', async () => {
    await distributed('prune_t', 2);
    const shards = [shard(2, 0), shard(2, 1)];
    const one = `INSERT INTO prune_t VALUES ${values([1])}`; // one shard: no coordinator
    const all = `INSERT INTO prune_t VALUES ${values(range(10, 100))}`; // both shards: 2PC
    const k1 = { 'idempotency-key': 'prune-1' };
    const k2 = { 'idempotency-key': 'prune-2' };
    expect((await sql(one, undefined, k1)).rowCount).toBe(1);
    expect((await sql(all, undefined, k2)).rowCount).toBe(10);
    const rows = [1, ...range(10, 100)];

    // An undecided entry whose orphan resolution keeps failing: it must survive every pruning.
    const t = await tableDef('prune_t');
    // (No coordinator record: the catalog's recovery does not know it; the shard asks at its alarm.)
    await shards[0].prepare('tx-prune-undecided', t, { kind: 'insert', rows: [[999, 0]], target: 'hot' });
    await inject(2, 0, { phase: 'alarm', match: 'tx-prune-undecided', times: 10 });

    // Inside the window: the alarms prune nothing; retries answer the first outcome, apply nothing.
    const before = [await ledger(shards[0]), await ledger(shards[1])];
    await age(shards, IDEMPOTENCY_WINDOW_MS - 60_000);
    for (const s of shards) await runDurableObjectAlarm(s);
    await runDurableObjectAlarm(catalog());
    expect([await ledger(shards[0]), await ledger(shards[1])]).toEqual(before);
    expect(await sql(one, undefined, k1)).toMatchObject({ status: 200, rowCount: 1 });
    expect(await sql(all, undefined, k2)).toMatchObject({ status: 200, rowCount: 10 });
    expect(await ids('prune_t')).toEqual(rows);
    expect(await catalogCounts()).toMatchObject({ keys: 2, finished: 1 });

    // Past the window (and the ledger's grace): decided entries, tombstones and keys go.
    await age(shards, 60_000 + LEDGER_GRACE_MS + 1000);
    for (const s of shards) expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(await runDurableObjectAlarm(catalog())).toBe(true);
    const after = [await ledger(shards[0]), await ledger(shards[1])];
    expect([...after[0]]).toEqual([['tx-prune-undecided', 'prepared']]);
    expect([...after[1]]).toEqual([]);
    expect(await catalogCounts()).toEqual({ keys: 0, finished: 0 });

    // The key is forgotten: another body under it is a new request, and the first body applies anew.
    expect(await sql(`INSERT INTO prune_t VALUES ${values([2])}`, undefined, k1)).toMatchObject({
      status: 200,
      rowCount: 1,
    });
    expect(await sql(one, undefined, k1)).toMatchObject({ status: 422 });
    expect(await sql(all, undefined, k2)).toMatchObject({ status: 200, rowCount: 10 });
    expect(await ids('prune_t')).toEqual([1, 2, ...range(10, 100).flatMap((i) => [i, i])]);

    // Once the shard reaches the catalog, it is resolved (presumed abort); its fresh tombstone stays.
    await runInDurableObject(shards[0], async (o) => {
      (o as unknown as { faults: unknown[] }).faults.splice(0);
    });
    expect(await runDurableObjectAlarm(shards[0])).toBe(true);
    expect((await ledger(shards[0])).get('tx-prune-undecided')).toBe('aborted');
  });
});
