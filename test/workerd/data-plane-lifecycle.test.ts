/**
 * Table lifecycle in workerd: compaction by alarm, hypertable retention and
 * drop_chunks, ALTER TABLE on a populated table, and recovery of interrupted
 * two-phase commits from the catalog's coordinator record.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ingest, ok } from './data-plane-client.ts';

const DB_ID = '00000000-0000-4000-8000-000000000002';
const shard = (count: number, i: number) => env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));
const catalog = () => env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
const HOUR_US = 3_600_000_000;

async function tableDef(name: string): Promise<DistTable> {
  const snap = (await catalog().snapshot()) as unknown as { tables: DistTable[] };
  return snap.tables.find((t) => t.name === name)!;
}

describe('compaction by alarm', () => {
  it('moves hot rows into columnar chunks without changing answers', async () => {
    await ok('CREATE TABLE events (id int NOT NULL, kind text, amount double precision)');
    await ok(`SELECT create_distributed_table('events', 'id', shard_count => 4)`);
    const values = Array.from({ length: 400 }, (_, i) => `(${i}, 'k${i % 3}', ${i * 0.5})`).join(',');
    await ok(`INSERT INTO events VALUES ${values}`);
    const before = await ok('SELECT kind, count(*), sum(amount) FROM events GROUP BY kind ORDER BY kind');
    expect(before.stats.chunksScanned).toBe(0);
    const hotReads = before.stats.rowsRead;
    for (let i = 0; i < 4; i++) {
      await shard(4, i).setMaintenancePolicy({ minRows: 1, maxAgeMs: 0 });
      expect(await runDurableObjectAlarm(shard(4, i))).toBe(true);
      expect(await shard(4, i).lastMaintenance()).toBeGreaterThan(0);
    }
    const shards = await ok(`SELECT show_shards('events')`);
    for (const row of shards.rows) {
      expect(row[5]).toBe(0); // hot rows
      expect(row[6] as number).toBeGreaterThan(0); // chunks
    }
    const after = await ok('SELECT kind, count(*), sum(amount) FROM events GROUP BY kind ORDER BY kind');
    expect(after.rows).toEqual(before.rows);
    expect(after.stats.chunksScanned).toBe(4);
    // One SQLite row per column block instead of one per data row.
    expect(after.stats.rowsRead).toBeLessThan(hotReads / 10);
  });
});

describe('warm chunk merging', () => {
  it('merges small bulk chunks (with deletes applied) into one per shard', async () => {
    await ok('CREATE TABLE bulk_m (k int NOT NULL, v double precision)');
    await ok(`SELECT create_distributed_table('bulk_m', 'k', shard_count => 2)`);
    for (let b = 0; b < 4; b++) {
      const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ k: b * 100 + i, v: i })));
      const r = await ingest('bulk_m', 'application/json', body);
      expect(r.body.accepted).toBe(100);
    }
    await ok('DELETE FROM bulk_m WHERE k < 10');
    expect((await ok(`SELECT show_chunks('bulk_m')`)).rowCount).toBe(8);
    const before = await ok('SELECT count(*), sum(v), max(k) FROM bulk_m');
    await ok(`SELECT compact_table('bulk_m')`);
    const chunks = await ok(`SELECT show_chunks('bulk_m')`);
    expect(chunks.rowCount).toBe(2);
    expect(chunks.rows.reduce((s, r) => s + (r[5] as number), 0)).toBe(390);
    const after = await ok('SELECT count(*), sum(v), max(k) FROM bulk_m');
    expect(after.rows).toEqual(before.rows);
    expect(after.rows[0][0]).toBe(390);
    expect(after.stats.rowsRead).toBeLessThan(before.stats.rowsRead);
  });
});

describe('hypertable retention', () => {
  it('drop_chunks and the retention alarm drop whole old chunks only', async () => {
    await ok(
      'CREATE TABLE conditions (time timestamptz NOT NULL, device text NOT NULL, temp double precision)',
    );
    await ok(
      `SELECT create_hypertable('conditions', 'time', chunk_time_interval => interval '1 day', partitioning_column => 'device', number_partitions => 2)`,
    );
    const now = Date.now() * 1000;
    const ages = [10, 6, 2, 0.1]; // days
    const rows = ages.flatMap((d) =>
      ['a', 'b', 'c'].map((dev) => ({
        time: new Date((now - d * 24 * HOUR_US) / 1000).toISOString(),
        device: dev,
        temp: d,
      })),
    );
    const params = rows.flatMap((r) => [r.time, r.device, r.temp]);
    await ok(
      `INSERT INTO conditions VALUES ${rows.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(',')}`,
      params,
    );
    for (let i = 0; i < 2; i++) await shard(2, i).compact();
    expect((await ok(`SELECT show_chunks('conditions')`)).rowCount).toBeGreaterThanOrEqual(4);

    const dropped = await ok(`SELECT drop_chunks('conditions', older_than => interval '8 days')`);
    expect(dropped.rowCount).toBe(1);
    expect((await ok('SELECT min(temp), max(temp), count(*) FROM conditions')).rows[0]).toEqual([0.1, 6, 9]);

    await ok(`SELECT add_retention_policy('conditions', drop_after => interval '4 days')`);
    for (let i = 0; i < 2; i++) await runDurableObjectAlarm(shard(2, i));
    expect((await ok('SELECT min(temp), max(temp), count(*) FROM conditions')).rows[0]).toEqual([0.1, 2, 6]);
    const chunks = await ok(`SELECT show_chunks('conditions')`);
    for (const c of chunks.rows)
      expect(Date.parse(c[4] as string)).toBeGreaterThan(Date.now() - 4 * 86_400_000);
    await ok(`SELECT remove_retention_policy('conditions')`);
    expect((await tableDef('conditions')).retentionUs).toBeUndefined();
  });
});

describe('ALTER TABLE on a populated table', () => {
  it('adds a column with a default and drops another; old chunks read the default', async () => {
    await ok('CREATE TABLE items (id int NOT NULL, name text, price double precision)');
    await ok(`SELECT create_distributed_table('items', 'id', shard_count => 8)`);
    await ok(`INSERT INTO items VALUES (1, 'a', 1.5), (2, 'b', 2.5), (3, 'c', 3.5)`);
    for (let i = 0; i < 8; i++) await shard(8, i).compact();
    await ok(`ALTER TABLE items ADD COLUMN qty int DEFAULT 7, DROP COLUMN price`);
    await ok(`INSERT INTO items (id, name, qty) VALUES (4, 'd', 1)`);
    const r = await ok('SELECT * FROM items ORDER BY id');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'name', 'qty']);
    expect(r.rows).toEqual([
      [1, 'a', 7],
      [2, 'b', 7],
      [3, 'c', 7],
      [4, 'd', 1],
    ]);
    expect((await ok('SELECT sum(qty) FROM items WHERE qty = 7')).rows[0][0]).toBe(21);
    const gone = await ok('SELECT price FROM items').catch((e: Error) => e);
    expect(String(gone)).toMatch(/42703/);
  });
});

describe('two-phase commit recovery', () => {
  it('aborts an undecided transaction and completes a decided one', async () => {
    await ok('CREATE TABLE ledger (acct int NOT NULL, amount bigint)');
    await ok(`SELECT create_distributed_table('ledger', 'acct', shard_count => 8)`);
    const t = await tableDef('ledger');
    const names = [0, 1].map((i) => `${DB_ID}:8:${i}`);
    const prepareBoth = async (txn: string, amount: number) => {
      await catalog().beginTxn(txn, names);
      for (let i = 0; i < 2; i++)
        await shard(8, i).prepare(txn, t, { kind: 'insert', rows: [[100 + i, amount]], target: 'hot' });
    };
    // Coordinator died after prepare, before deciding: must abort.
    await prepareBoth('tx-undecided', 5);
    // Coordinator died after recording "committed", before telling the shards: must commit.
    await prepareBoth('tx-decided', 7);
    expect(await catalog().decide('tx-decided', 'committed')).toBe('committed');
    expect(await shard(8, 0).preparedTxns()).toEqual(['tx-undecided', 'tx-decided']);
    expect((await ok('SELECT count(*) FROM ledger')).rows[0][0]).toBe(0);

    expect((await catalog().recover(0)).sort()).toEqual(['tx-decided', 'tx-undecided']);
    // sum(bigint) is numeric: exact text in JSON.
    expect((await ok('SELECT count(*), sum(amount) FROM ledger')).rows[0]).toEqual([2, '14']);
    expect(await shard(8, 0).preparedTxns()).toEqual([]);
    expect(await catalog().pendingTxns()).toEqual([]);
    // Decisions are final: a late coordinator cannot flip them, and re-resolving is a no-op.
    expect(await catalog().decide('tx-undecided', 'committed')).toBe('aborted');
    await shard(8, 1).resolve('tx-decided', 'committed');
    expect((await ok('SELECT count(*) FROM ledger')).rows[0][0]).toBe(2);
  });

  it('applies a retried multi-shard INSERT once', async () => {
    await ok('CREATE TABLE retry_t (k int NOT NULL)');
    await ok(`SELECT create_distributed_table('retry_t', 'k', shard_count => 8)`);
    const { SELF } = await import('cloudflare:test');
    const send = () =>
      SELF.fetch('https://orochi.test/v1/databases/default/sql', {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-dev-key',
          'content-type': 'application/json',
          'idempotency-key': 'ins-1',
        },
        body: JSON.stringify({ sql: 'INSERT INTO retry_t VALUES (1), (2), (3), (4), (5), (6)' }),
      });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect((await ok('SELECT count(*) FROM retry_t')).rows[0][0]).toBe(6);
  });
});
