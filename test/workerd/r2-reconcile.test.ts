/**
 * Faults between a shard's SQLite and its R2 objects: a cold and a frozen move
 * of one chunk racing, an upload that lands after the chunk was dropped and
 * garbage collected, orphans of dead uploads (deleted by the sweep once past
 * the grace period, never while young, never when referenced), and an alarm
 * whose sweep throws. The invariant checked throughout: every object under a
 * shard's prefixes is known to its SQLite, and answers never change.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { freezeChunk } from '../../durable-objects/shard-freeze.ts';
import { deleteChunks, Meter } from '../../durable-objects/shard-storage.ts';
import { SWEEP_GRACE_MS, sweepOrphans } from '../../durable-objects/shard-sweep.ts';
import { collectColdGarbage, moveChunkToCold, type TierDeps } from '../../durable-objects/shard-tier.ts';
import { shardObjectPrefix } from '../../durable-objects/tier-uploads.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ok } from './data-plane-client.ts';
import { answers, DB_ID, loadMetrics, shard, shardChunks, tableDef } from './tier-fixtures.ts';

const name = (i: number) => `${DB_ID}:2:${i}`;

function deps(storage: DurableObjectStorage, i: number, bucket: R2Bucket = env.COLD): TierDeps {
  return { storage, bucket, frozen: env.FROZEN, shardName: name(i), uploads: new Set() };
}

/** Every object under shard i's prefixes, and whether its SQLite names it. */
async function objects(i: number): Promise<{ key: string; known: boolean }[]> {
  const keys: string[] = [];
  for (const [b, tier] of [
    [env.COLD, 'cold'],
    [env.FROZEN, 'frozen'],
  ] as const)
    keys.push(...(await b.list({ prefix: shardObjectPrefix(name(i), tier) })).objects.map((o) => o.key));
  return runInDurableObject(shard(i), async (_o, state) =>
    keys.map((key) => ({
      key,
      known:
        state.storage.sql
          .exec(
            `SELECT 1 FROM cold_chunks WHERE object_key = ?1 UNION ALL SELECT 1 FROM tier_moves WHERE object_key = ?1
             UNION ALL SELECT 1 FROM tier_garbage WHERE object_key = ?1`,
            key,
          )
          .toArray().length > 0,
    })),
  );
}

/** A COLD bucket whose first put runs `before` first (the fault lands while the upload is in flight). */
function interceptPut(before: (key: string) => Promise<void>): R2Bucket {
  let fired = false;
  return new Proxy(env.COLD, {
    get(target, prop) {
      if (prop === 'put')
        return async (key: string, value: Uint8Array, opts?: R2PutOptions) => {
          if (!fired) {
            fired = true;
            await before(key);
          }
          return target.put(key, value, opts);
        };
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('pending R2 moves are keyed by object key', () => {
  it('a cold and a frozen move of one chunk racing: each object is known, the loser is deleted', async () => {
    await loadMetrics('race');
    const before = await answers('race');
    const def = await tableDef('race');
    const chunk = (await shardChunks(0, 'race'))[0].id;
    let coldKey = '';
    await runInDurableObject(shard(0), async (_o, state) => {
      const m = new Meter(state.storage.sql);
      const d = deps(state.storage, 0);
      // While the cold upload is in flight, a freeze of the same chunk runs to the end.
      const racing = interceptPut(async (key) => {
        coldKey = key;
        expect(await freezeChunk(d, m, def as DistTable, chunk, { forget: () => {} })).toBe(true);
      });
      expect(await moveChunkToCold({ ...d, bucket: racing }, m, def.id, chunk)).toBe(false);
      expect(await collectColdGarbage(d, m)).toBe(1);
    });
    await shard(0).compact(); // drops the engines cached before the freeze
    const after = (await shardChunks(0, 'race')).find((c) => c.id === chunk)!;
    expect(after.tier).toBe('frozen');
    expect(await env.FROZEN.head(after.cold!)).not.toBeNull();
    expect(coldKey).not.toBe('');
    expect(await env.COLD.head(coldKey)).toBeNull();
    expect((await objects(0)).filter((o) => !o.known)).toEqual([]);
    expect(await answers('race')).toEqual(before);
  });

  it('an upload that lands after its chunk was dropped and garbage collected is still deleted', async () => {
    await loadMetrics('late');
    const lateId = (await tableDef('late')).id;
    const chunk = (await shardChunks(1, 'late'))[0].id;
    let key = '';
    await runInDurableObject(shard(1), async (_o, state) => {
      const m = new Meter(state.storage.sql);
      const d = deps(state.storage, 1);
      const late = interceptPut(async (k) => {
        key = k;
        // drop_chunks and its garbage collection finish before the PUT reaches R2.
        state.storage.transactionSync(() => deleteChunks(m, [chunk]));
        await collectColdGarbage(d, m);
        expect(m.all(`SELECT object_key FROM tier_moves`).map((r) => r.object_key)).toEqual([k]);
      });
      expect(await moveChunkToCold({ ...d, bucket: late }, m, lateId, chunk)).toBe(false);
      expect(await env.COLD.head(key)).not.toBeNull(); // it landed, and is queued as garbage
      expect(m.all(`SELECT object_key FROM tier_garbage`).map((r) => r.object_key)).toEqual([key]);
      expect(await collectColdGarbage(d, m)).toBe(1);
      expect(m.all(`SELECT 1 AS x FROM tier_moves UNION ALL SELECT 1 FROM tier_garbage`)).toEqual([]);
    });
    expect(await env.COLD.head(key)).toBeNull();
    expect((await objects(1)).filter((o) => !o.known)).toEqual([]);
  });
});

describe('the R2 sweep', () => {
  it('deletes orphans past the grace period, keeps young and referenced objects, in bounded pages', async () => {
    await loadMetrics('swept');
    const before = await answers('swept');
    expect(await shard(0).tierChunks(await tableDef('swept'))).toBeGreaterThan(1);
    const cold = shardObjectPrefix(name(0), 'cold');
    // More orphans than one SQLite statement can bind keys for (100 parameters).
    const coldOrphans = Array.from({ length: 120 }, (_, i) => `${cold}swept/${9100 + i}-dead.chunk`);
    const orphans = [...coldOrphans, `${shardObjectPrefix(name(0), 'frozen')}swept/9002-dead.parquet`];
    for (const k of coldOrphans) await env.COLD.put(k, 'lost upload');
    await env.FROZEN.put(orphans[orphans.length - 1], 'lost upload');
    const pending = `${cold}swept/9003-running.chunk`;
    await env.COLD.put(pending, 'upload recorded, still running');
    const neighbour = `${shardObjectPrefix(name(1), 'cold')}swept/9004-other-shard.chunk`;
    await env.COLD.put(neighbour, 'shard 1 owns this');
    const referenced = (await shardChunks(0, 'swept')).filter((c) => c.cold).map((c) => c.cold!);

    const sweep = (nowMs: number, page?: number) =>
      runInDurableObject(shard(0), async (_o, state) => {
        const m = new Meter(state.storage.sql);
        m.all(
          `INSERT OR IGNORE INTO tier_moves (object_key, chunk_id, tier, started_at) VALUES (?, 1, 'cold', 0)`,
          pending,
        );
        const deleted: string[] = [];
        let calls = 0;
        for (let more = true; more; calls++) {
          const r = await sweepOrphans(deps(state.storage, 0), m, nowMs, { force: calls === 0, page });
          deleted.push(...r.deleted);
          more = r.more;
        }
        return { deleted, calls };
      });
    // Young: nothing deleted, whatever SQLite knows; at most `page` keys per call.
    const young = await sweep(Date.now(), 50);
    expect(young.deleted).toEqual([]);
    expect(young.calls).toBeGreaterThan(2);
    expect(await env.COLD.head(orphans[0])).not.toBeNull();
    // Past the grace period: only the orphans (one page of 1,000 keys holds them all).
    const late = await sweep(Date.now() + SWEEP_GRACE_MS + 60_000);
    expect(late.deleted.sort()).toEqual([...orphans].sort());
    expect(late.calls).toBe(1);
    for (const k of orphans)
      expect(await (k.includes('/frozen/') ? env.FROZEN : env.COLD).head(k)).toBeNull();
    for (const k of [...referenced, pending]) expect(await env.COLD.head(k), k).not.toBeNull();
    expect(await env.COLD.head(neighbour)).not.toBeNull();
    expect(await answers('swept')).toEqual(before);
  });

  it('an alarm whose sweep throws still tiers and re-arms; the next alarm sweeps', async () => {
    await loadMetrics('sweepfail');
    await env.COLD.put(`${shardObjectPrefix(name(1), 'cold')}sweepfail/1-young.chunk`, 'young orphan');
    await shard(1).injectFault({ phase: 'sweep', match: 'sweep' });
    await ok(`SELECT add_tiering_policy('sweepfail', move_after => interval '3 days')`);
    const sweepState = () =>
      runInDurableObject(shard(1), async (_o, state) => ({
        alarm: await state.storage.getAlarm(),
        sweep: state.storage.sql
          .exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'r2_sweep'`)
          .toArray(),
      }));
    expect(await runDurableObjectAlarm(shard(1))).toBe(true);
    const first = await sweepState();
    expect(first.sweep).toEqual([]); // the sweep failed before recording anything
    expect(first.alarm).not.toBeNull();
    expect((await shardChunks(1, 'sweepfail')).some((c) => c.tier === 'cold')).toBe(true);
    expect(await runDurableObjectAlarm(shard(1))).toBe(true);
    const second = await sweepState();
    expect(JSON.parse(second.sweep[0].value).doneAt).toBeGreaterThan(0);
    expect(second.alarm).not.toBeNull();
    // Young: kept.
    expect(
      await env.COLD.head(`${shardObjectPrefix(name(1), 'cold')}sweepfail/1-young.chunk`),
    ).not.toBeNull();
  });
});
