/**
 * Compaction at scale, in workerd: a maintenance transaction materializes a
 * bounded number of rows (a Durable Object has 128 MB; an unbounded merge of a
 * big load died and left the work undone), larger jobs take several passes,
 * and compact_table() runs them all to the end without changing answers.
 * The pass size is lowered through the shard's policy so a small load suffices.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ingest, ok } from './data-plane-client.ts';
import { tableDef } from './tier-fixtures.ts';

const DB_ID = '00000000-0000-4000-8000-000000000002';
const shard = (count: number, i: number) => env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));
const PASS_ROWS = 1000;

describe('compaction in bounded passes', () => {
  it('moves hot rows and merges small chunks in passes of at most passRows, then finishes', async () => {
    await ok('CREATE TABLE cmp_big (k int NOT NULL, v double precision)');
    await ok(`SELECT create_distributed_table('cmp_big', 'k', shard_count => 2)`);
    // Loading must not trigger the alarm on its own (thresholds far away).
    for (let i = 0; i < 2; i++)
      await shard(2, i).setMaintenancePolicy({ minRows: 1e9, maxAgeMs: 3_600_000, passRows: PASS_ROWS });
    // 10 bulk batches: ~10 small chunks of ~200 rows per shard.
    for (let b = 0; b < 10; b++) {
      const body = JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ k: b * 400 + i, v: i * 0.25 })));
      expect((await ingest('cmp_big', 'application/json', body)).body.accepted).toBe(400);
    }
    // ~1,250 hot rows per shard.
    const values = Array.from({ length: 2500 }, (_, i) => `(${10_000 + i}, ${i})`).join(',');
    await ok(`INSERT INTO cmp_big VALUES ${values}`);
    const q = 'SELECT count(*), sum(v), min(k), max(k) FROM cmp_big';
    const before = await ok(q);
    expect(before.rows[0][0]).toBe(6500);

    for (let i = 0; i < 2; i++) {
      const s = shard(2, i);
      const start = await s.tableInfo((await tableDef('cmp_big')).id);
      expect(start.hotRows).toBeGreaterThan(PASS_ROWS);
      const smallest = Math.max(...start.chunks.map((c) => c.rows));
      await s.setMaintenancePolicy({ minRows: 1, maxAgeMs: 0, passRows: PASS_ROWS });
      expect(await runDurableObjectAlarm(s)).toBe(true);
      const one = await s.tableInfo((await tableDef('cmp_big')).id);
      // One pass: at most PASS_ROWS hot rows moved, and merged chunks hold about PASS_ROWS rows in all.
      expect(start.hotRows - one.hotRows).toBeLessThanOrEqual(PASS_ROWS);
      expect(one.hotRows).toBeGreaterThan(0);
      const mergedRows = one.chunks.filter((c) => c.rows > smallest).reduce((a, c) => a + c.rows, 0);
      expect(mergedRows).toBeLessThanOrEqual(PASS_ROWS + 2 * smallest);
      expect(one.chunks.length).toBeGreaterThan(2);
      // Work is left: the alarm comes back (soon) for it.
      expect(await runDurableObjectAlarm(s)).toBe(true);
    }
    expect((await ok(q)).rows).toEqual(before.rows);

    await ok(`SELECT compact_table('cmp_big')`);
    for (let i = 0; i < 2; i++) {
      const done = await shard(2, i).tableInfo((await tableDef('cmp_big')).id);
      expect(done.hotRows).toBe(0);
      expect(done.chunks.length).toBe(1); // every pass merged; one chunk per shard at the end
    }
    expect((await ok(q)).rows).toEqual(before.rows);
  });
});
