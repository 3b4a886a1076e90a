/**
 * Deleting a database deletes its data: every ShardDO it used, its R2 objects
 * in both tiers and its CatalogDO — not only the control-plane row.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { databaseObjectPrefix } from '../../workers/data-plane/teardown.ts';
import { call, signIn, tenant } from './auth-fixtures.ts';

function userTables(storage: DurableObjectStorage): string[] {
  return storage.sql
    .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'`)
    .toArray()
    .map((r) => r.name);
}

describe('DELETE /v1/databases/{database}', () => {
  it('destroys the shards, R2 objects and catalog of that database only', async () => {
    const owner = await signIn();
    const { database } = await tenant(owner, 'teardown');
    const other = await tenant(owner, 'keep');
    const run = (dbId: string, sql: string) =>
      call(`/v1/databases/${dbId}/sql`, { token: owner.accessToken, body: { sql } });

    for (const id of [database.id, other.database.id]) {
      expect((await run(id, 'CREATE TABLE m (k int, v double precision)')).status).toBe(200);
      expect((await run(id, "SELECT create_distributed_table('m', 'k', shard_count => 4)")).status).toBe(200);
      const values = Array.from({ length: 40 }, (_, i) => `(${i + 1}, ${(i + 1) * 1.5})`).join(', ');
      const ins = await run(id, `INSERT INTO m VALUES ${values}`);
      expect(ins.status, JSON.stringify(ins.json)).toBe(200);
    }
    const prefix = databaseObjectPrefix(database.id);
    await env.COLD.put(`${prefix}chunk-1`, 'cold bytes');
    await env.FROZEN.put(`${prefix}part-1.parquet`, 'frozen bytes');
    await env.COLD.put(`${databaseObjectPrefix(other.database.id)}chunk-1`, 'keep me');

    const shard = (dbId: string, i: number) => env.SHARD.get(env.SHARD.idFromName(`${dbId}:4:${i}`));
    await runInDurableObject(shard(database.id, 0), async (_o, state) => {
      expect(userTables(state.storage).length).toBeGreaterThan(0);
    });

    const del = await call(`/v1/databases/${database.id}`, { method: 'DELETE', token: owner.accessToken });
    expect(del.status).toBe(204);

    for (let i = 0; i < 4; i++) {
      await runInDurableObject(shard(database.id, i), async (_o, state) => {
        expect(userTables(state.storage)).toEqual(['_destroyed']); // only the tombstone
      });
    }
    const catalog = env.CATALOG.get(env.CATALOG.idFromName(database.id));
    await runInDurableObject(catalog, async (_o, state) => {
      expect(userTables(state.storage)).toEqual(['_destroyed']); // only the tombstone
    });
    expect((await env.COLD.list({ prefix })).objects).toEqual([]);
    expect((await env.FROZEN.list({ prefix })).objects).toEqual([]);
    expect((await call(`/v1/databases/${database.id}`, { token: owner.accessToken })).status).toBe(404);

    // The neighbour is untouched.
    const count = await run(other.database.id, 'SELECT count(*) AS n, sum(k) AS s FROM m');
    expect(count.status).toBe(200);
    expect(count.json.rows).toEqual([[40, 820]]);
    expect(await (await env.COLD.get(`${databaseObjectPrefix(other.database.id)}chunk-1`))?.text()).toBe(
      'keep me',
    );

    const audit = await call(`/v1/orgs/${other.org.id}/audit-log`, { token: owner.accessToken });
    expect(audit.status).toBe(200);
  });

  it('reaches the shards of every placement a table ever had, and of dropped tables', async () => {
    const owner = await signIn();
    const { database } = await tenant(owner, 'teardown-placements');
    const run = async (sql: string) => {
      const r = await call(`/v1/databases/${database.id}/sql`, { token: owner.accessToken, body: { sql } });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    };
    // A table that lived on one shard (local) before it was distributed over four.
    await run('CREATE TABLE moved (k int, v int)');
    await run('INSERT INTO moved VALUES (1, 1), (2, 2)');
    await run('DELETE FROM moved');
    await run(`SELECT create_distributed_table('moved', 'k', shard_count => 4)`);
    await run('INSERT INTO moved VALUES (3, 3)');
    // A table on two shards, dropped before the database.
    await run('CREATE TABLE gone (k int, v int)');
    await run(`SELECT create_distributed_table('gone', 'k', shard_count => 2)`);
    await run('INSERT INTO gone VALUES (1, 1), (2, 2), (3, 3), (4, 4)');
    await run('DROP TABLE gone');
    const names = [`${database.id}:1:0`, `${database.id}:2:0`, `${database.id}:2:1`];
    names.push(...[0, 1, 2, 3].map((i) => `${database.id}:4:${i}`));
    const stub = (n: string) => env.SHARD.get(env.SHARD.idFromName(n));
    for (const n of names.slice(0, 3))
      await runInDurableObject(stub(n), async (_o, state) => {
        // Used, then left behind: its log still holds the writes.
        const log = state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM shard_log`).one();
        expect(log.n, n).toBeGreaterThan(0);
      });

    const del = await call(`/v1/databases/${database.id}`, { method: 'DELETE', token: owner.accessToken });
    expect(del.status).toBe(204);
    for (const n of names)
      await runInDurableObject(stub(n), async (_o, state) => {
        expect(userTables(state.storage), n).toEqual(['_destroyed']);
      });
  });
});
