/**
 * Durable Objects created before schema versions existed open with today's
 * code: a shard in each shape such objects have (the first tiering tables, and
 * the columns the frozen tier added in place) and a catalog with the first
 * two-phase-commit layout. The fixture writes the old DDL and rows into a live
 * object, constructs the class again over the same storage, and checks that
 * it migrated, serves reads and writes, and that a second open changes nothing.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CatalogDO } from '../../durable-objects/catalog-do.ts';
import { CATALOG_MIGRATIONS } from '../../durable-objects/catalog-schema.ts';
import { type Migration, migrate, schemaVersion } from '../../durable-objects/schema-migrations.ts';
import { ShardDO } from '../../durable-objects/shard-do.ts';
import { SHARD_MIGRATIONS } from '../../durable-objects/shard-schema.ts';
import { shardObjectPrefix } from '../../durable-objects/tier-uploads.ts';
import { ok } from './data-plane-client.ts';
import { answers, DB_ID, loadMetrics, shard, shardChunks, tableDef } from './tier-fixtures.ts';

/** Rebuilds `table` with `ddl`, keeping the rows of the listed columns. */
function rebuild(sql: SqlStorage, table: string, ddl: string, columns: string): void {
  sql.exec(`CREATE TABLE ${table}_old ${ddl}`);
  sql.exec(`INSERT INTO ${table}_old SELECT ${columns} FROM ${table}`);
  sql.exec(`DROP TABLE ${table}`);
  sql.exec(`ALTER TABLE ${table}_old RENAME TO ${table}`);
}

/** The shard tables tiering changed, as shards had them before versions (the rest never changed). */
const SHAPES = {
  // 57cbc3a: the cold tier's first tables.
  'first cold tier': (sql: SqlStorage, deadKey: string, chunkId: number) => {
    rebuild(
      sql,
      'cold_chunks',
      `(chunk_id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, object_key TEXT NOT NULL, object_bytes INTEGER NOT NULL)`,
      // The name a chunk's table had: shards before versions keyed tables by name.
      'chunk_id, (SELECT name FROM shard_tables WHERE id = cold_chunks.table_id), object_key, object_bytes',
    );
    sql.exec(`CREATE INDEX IF NOT EXISTS cold_chunks_table ON cold_chunks (table_name)`);
    sql.exec(`DROP TABLE tier_moves`);
    sql.exec(`CREATE TABLE tier_moves (chunk_id INTEGER PRIMARY KEY, object_key TEXT NOT NULL)`);
    sql.exec(`INSERT INTO tier_moves (chunk_id, object_key) VALUES (?, ?)`, chunkId, deadKey);
    sql.exec(`DROP TABLE tier_garbage`);
    sql.exec(`CREATE TABLE tier_garbage (object_key TEXT PRIMARY KEY)`);
  },
  // df80239: the frozen tier added columns in place.
  'frozen tier columns': (sql: SqlStorage, deadKey: string, chunkId: number) => {
    sql.exec(`DROP TABLE tier_moves`);
    sql.exec(`CREATE TABLE tier_moves (
      chunk_id INTEGER PRIMARY KEY, object_key TEXT NOT NULL, tier TEXT NOT NULL DEFAULT 'cold')`);
    sql.exec(`INSERT INTO tier_moves (chunk_id, object_key) VALUES (?, ?)`, chunkId, deadKey);
  },
} as const;

const schemaText = (sql: SqlStorage) =>
  sql
    .exec<{ sql: string | null }>(`SELECT sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY name`)
    .toArray()
    .map((r) => r.sql);

describe('ShardDO schema versions', () => {
  for (const [shape, downgrade] of Object.entries(SHAPES)) {
    it(`a shard with the "${shape}" schema migrates, keeps serving, and a second open is a no-op`, async () => {
      const table = `legacy_${shape.split(' ')[0]}`;
      await loadMetrics(table);
      expect(await shard(0).tierChunks(await tableDef(table))).toBeGreaterThan(1);
      const before = await answers(table);
      const warm = (await shardChunks(0, table)).find((c) => !c.cold);
      const chunkId = warm?.id ?? 1_000_000;
      const deadKey = `${shardObjectPrefix(`${DB_ID}:2:0`, 'cold')}${table}/${chunkId}.chunk`;
      await env.COLD.put(deadKey, 'an upload its process never committed');

      await runInDurableObject(shard(0), async (_o, state) => {
        const sql = state.storage.sql;
        sql.exec(`DROP TABLE schema_migrations`);
        sql.exec(`DROP INDEX IF EXISTS cold_chunks_key`);
        downgrade(sql, deadKey, chunkId);
        expect(schemaVersion(sql)).toBe(0);
        // What a restart with the new code does (its blockConcurrencyWhile runs after this call).
        new ShardDO(state as DurableObjectState, env);
      });
      const applied = await runInDurableObject(shard(0), async (_o, state) => {
        const sql = state.storage.sql;
        expect(schemaVersion(sql)).toBe(SHARD_MIGRATIONS.length);
        const cols = sql
          .exec<{ name: string }>(`SELECT name FROM pragma_table_info('cold_chunks')`)
          .toArray();
        expect(cols.map((c) => c.name)).toEqual(expect.arrayContaining(['tier', 'layout']));
        const moves = sql.exec(`SELECT object_key, chunk_id, tier, started_at FROM tier_moves`).toArray();
        expect(moves).toEqual([{ object_key: deadKey, chunk_id: chunkId, tier: 'cold', started_at: 0 }]);
        const tiers = sql.exec<{ tier: string }>(`SELECT DISTINCT tier FROM cold_chunks`).toArray();
        expect(tiers).toEqual([{ tier: 'cold' }]);
        return { rows: sql.exec(`SELECT * FROM schema_migrations ORDER BY version`).toArray() };
      });
      expect(applied.rows.map((r) => r.version)).toEqual(SHARD_MIGRATIONS.map((m) => m.version));

      // Reads, writes, tiering and garbage collection work on the migrated shard.
      expect(await answers(table)).toEqual(before);
      await ok(`INSERT INTO ${table} VALUES (now(), 'a', 1.5, 7, 'new')`);
      expect((await ok(`SELECT count(*) FROM ${table}`)).rows).toEqual([[201]]);
      await ok(`SELECT add_tiering_policy('${table}', move_after => interval '3 days')`);
      expect(await runDurableObjectAlarm(shard(0))).toBe(true);
      expect(await env.COLD.head(deadKey)).toBeNull(); // the dead upload was settled and deleted
      const chunks = await shardChunks(0, table);
      for (const c of chunks.filter((x) => x.cold))
        expect(await env.COLD.head(c.cold!), c.cold!).not.toBeNull();

      // A second open changes nothing.
      const text = await runInDurableObject(shard(0), async (_o, state) => {
        new ShardDO(state as DurableObjectState, env);
        return schemaText(state.storage.sql);
      });
      await runInDurableObject(shard(0), async (_o, state) => {
        const sql = state.storage.sql;
        expect(sql.exec(`SELECT * FROM schema_migrations ORDER BY version`).toArray()).toEqual(applied.rows);
        expect(schemaText(sql)).toEqual(text);
      });
    });
  }
});

describe('CatalogDO schema versions', () => {
  it('a catalog with the first transaction records and no placement record migrates; teardown data is complete', async () => {
    await ok('CREATE TABLE cat_legacy (k int)');
    await ok(`SELECT create_distributed_table('cat_legacy', 'k', shard_count => 3)`);
    const catalog = env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
    const before = await catalog.snapshot();
    await runInDurableObject(catalog, async (_o, state) => {
      const sql = state.storage.sql;
      sql.exec(`DROP TABLE schema_migrations`);
      sql.exec(`DROP TABLE catalog_placements`);
      sql.exec(
        `CREATE TABLE txn_records (id TEXT PRIMARY KEY, shards TEXT NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL)`,
      );
      sql.exec(`INSERT INTO txn_records VALUES ('old-txn', '["s"]', 'committed', 5)`);
      new CatalogDO(state as DurableObjectState, env); // migrates once this call returns
    });
    await runInDurableObject(catalog, async (_o, state) => {
      const sql = state.storage.sql;
      expect(schemaVersion(sql)).toBe(CATALOG_MIGRATIONS.length);
      expect(sql.exec(`SELECT 1 FROM sqlite_master WHERE name = 'txn_records'`).toArray()).toEqual([]);
      const moved = sql
        .exec(`SELECT id, base, attempt, state FROM txn_attempts WHERE id = 'old-txn'`)
        .toArray();
      expect(moved).toEqual([{ id: 'old-txn', base: 'old-txn', attempt: 0, state: 'committed' }]);
    });
    const counts = await catalog.placedShardCounts();
    expect(counts).toEqual(expect.arrayContaining([1, 3]));
    expect(await catalog.snapshot()).toEqual(before);
    await ok('CREATE TABLE cat_after (k int)');
    await ok(`SELECT create_distributed_table('cat_after', 'k', shard_count => 5)`);
    expect(await catalog.placedShardCounts()).toEqual(expect.arrayContaining([1, 3, 5]));
  });
});

describe('the migration runner', () => {
  it('applies in order, one transaction each: a failing migration keeps the earlier ones and is retried', async () => {
    const stub = env.SHARD.get(env.SHARD.idFromName('schema-runner-test'));
    await runInDurableObject(stub, async (_o, state) => {
      const sql = state.storage.sql;
      sql.exec(`DROP TABLE IF EXISTS schema_migrations`);
      let broken = true;
      const steps: Migration[] = [
        { version: 1, name: 'a', up: (q) => q.exec(`CREATE TABLE runner_a (x INTEGER)`) },
        {
          version: 2,
          name: 'b',
          up: (q) => {
            q.exec(`CREATE TABLE runner_b (x INTEGER)`);
            if (broken) throw new Error('migration 2 fails');
          },
        },
      ];
      expect(() => migrate(state.storage, steps)).toThrow(/migration 2 fails/);
      expect(schemaVersion(sql)).toBe(1);
      const tables = () =>
        sql
          .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE name LIKE 'runner_%' ORDER BY name`)
          .toArray()
          .map((r) => r.name);
      expect(tables()).toEqual(['runner_a']); // migration 2 rolled back whole
      broken = false;
      expect(migrate(state.storage, steps)).toEqual({ from: 1, to: 2 });
      expect(tables()).toEqual(['runner_a', 'runner_b']);
      expect(migrate(state.storage, steps)).toEqual({ from: 2, to: 2 });
      // Code older than the object, or a list out of order, is refused.
      expect(() => migrate(state.storage, steps.slice(0, 1))).toThrow(
        /schema version 2 is newer than this code knows \(1\)/,
      );
      expect(() => migrate(state.storage, [steps[1], steps[0]])).toThrow(/numbered 2, expected 1/);
      sql.exec(`DROP TABLE runner_a`);
      sql.exec(`DROP TABLE runner_b`);
    });
  });
});
