/**
 * Durable Objects from before table ids open with today's code: a catalog at
 * schema version 3 (tables without ids, no shard map) and shards at version 4
 * (every per-table row keyed by table name) are rebuilt in that shape from live
 * objects, constructed again, and must then serve the same rows under the ids
 * the catalog migration assigned — including to a table whose id is another's
 * old one — while a table created later under a migrated name starts empty.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CatalogDO, type CatalogSnapshot } from '../../durable-objects/catalog-do.ts';
import { CATALOG_MIGRATIONS } from '../../durable-objects/catalog-schema.ts';
import { schemaVersion } from '../../durable-objects/schema-migrations.ts';
import { ShardDO } from '../../durable-objects/shard-do.ts';
import { SHARD_MIGRATIONS } from '../../durable-objects/shard-schema.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ok } from './data-plane-client.ts';
import { catalog, shard } from './txn-fixtures.ts';

const PER_TABLE = ['hot_rows', 'chunks', 'cold_chunks', 'shard_log', 'change_log'];

/** Rewrites a shard into its schema-version-4 shape: `table_name` everywhere, `shard_tables (name, def)`. */
function toVersion4(sql: SqlStorage): void {
  const indexes = sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%table_id%'
       AND tbl_name IN (${PER_TABLE.map((t) => `'${t}'`).join(', ')})`,
    )
    .toArray();
  for (const { name } of indexes) sql.exec(`DROP INDEX "${name}"`);
  for (const t of PER_TABLE) {
    sql.exec(`ALTER TABLE ${t} ADD COLUMN table_name TEXT NOT NULL DEFAULT ''`);
    sql.exec(`UPDATE ${t} SET table_name = CASE WHEN table_id = 0 THEN char(0) || 'change_log'
      ELSE (SELECT name FROM shard_tables WHERE id = ${t}.table_id) END`);
    sql.exec(`ALTER TABLE ${t} DROP COLUMN table_id`);
  }
  sql.exec(`CREATE INDEX hot_rows_table ON hot_rows (table_name, bucket)`);
  sql.exec(`CREATE INDEX chunks_table ON chunks (table_name, bucket)`);
  sql.exec(`CREATE INDEX cold_chunks_table ON cold_chunks (table_name)`);
  sql.exec(`CREATE TABLE shard_tables_v4 (name TEXT PRIMARY KEY, def TEXT NOT NULL)`);
  sql.exec(`INSERT INTO shard_tables_v4 SELECT name, json_remove(def, '$.id', '$.version')
    FROM shard_tables WHERE dropped = 0`);
  sql.exec(`DROP TABLE shard_tables`);
  sql.exec(`ALTER TABLE shard_tables_v4 RENAME TO shard_tables`);
  sql.exec(`DROP TABLE shard_legacy_names`);
  sql.exec(`DELETE FROM _meta WHERE key = 'placement'`);
  // Version 4 had neither the ledger's decision-time index (migration 5) nor table ids (6).
  sql.exec(`DROP INDEX IF EXISTS shard_log_decided`);
  sql.exec(`DELETE FROM schema_migrations WHERE version >= 5`);
}

/** Rewrites the catalog into its schema-version-3 shape: no ids or versions, no shard map. */
function toVersion3(sql: SqlStorage): void {
  sql.exec(`UPDATE catalog_tables SET def = json_remove(def, '$.id', '$.version', '$.legacyName')`);
  sql.exec(`DROP TABLE catalog_shard_map`);
  sql.exec(`DELETE FROM catalog_meta WHERE key IN ('table_seq', 'map_version')`);
  // A version-3 catalog has applied no migration after 3.
  sql.exec(`DELETE FROM schema_migrations WHERE version >= 4`);
}

const shards = () => [shard(1, 0), shard(2, 0), shard(2, 1)];

describe('table ids for objects created before them', () => {
  it('a version-3 catalog and version-4 shards migrate; rows are adopted by id; names are not reused', async () => {
    // Created in this order, so the catalog migration (ids in name order) numbers them the other way.
    await ok('CREATE TABLE lg_z (id int NOT NULL, note text)');
    await ok(`INSERT INTO lg_z VALUES (1, 'one'), (2, 'two')`);
    await ok('CREATE TABLE lg_a (id int NOT NULL, v int)');
    await ok(`SELECT create_distributed_table('lg_a', 'id', shard_count => 2)`);
    await ok(
      `INSERT INTO lg_a VALUES ${Array.from({ length: 40 }, (_, i) => `(${i + 1}, ${(i + 1) * 10})`).join(', ')}`,
    );
    for (const s of shards()) await s.compact(); // chunks as well as hot rows
    await ok(`INSERT INTO lg_a VALUES (41, 410)`); // and a hot row
    const before = {
      z: (await ok('SELECT * FROM lg_z ORDER BY id')).rows,
      a: (await ok('SELECT count(*), sum(v) FROM lg_a')).rows,
    };
    const old = (await catalog().snapshot()) as unknown as CatalogSnapshot;
    const oldId = (n: string) => old.tables.find((t) => t.name === n)!.id;
    expect(oldId('lg_z')).toBeLessThan(oldId('lg_a'));

    for (const s of shards())
      await runInDurableObject(s, async (_o, state) => {
        toVersion4(state.storage.sql);
        new ShardDO(state as DurableObjectState, env); // migrates once this call returns
      });
    await runInDurableObject(catalog(), async (_o, state) => {
      toVersion3(state.storage.sql);
      new CatalogDO(state as DurableObjectState, env);
    });

    const snap = (await catalog().snapshot()) as unknown as CatalogSnapshot;
    const byName = (n: string) => snap.tables.find((t) => t.name === n) as DistTable;
    expect(byName('lg_a')).toMatchObject({ version: 1, legacyName: 'lg_a' });
    expect(byName('lg_z')).toMatchObject({ version: 1, legacyName: 'lg_z' });
    // Ids are assigned in name order: lg_a (created second) gets the smaller one.
    expect(byName('lg_a').id).toBeLessThan(byName('lg_z').id);
    expect(snap.maps.map((m) => m.shardCount)).toEqual([1, 2]);
    await runInDurableObject(catalog(), (_o, state) => {
      expect(schemaVersion(state.storage.sql)).toBe(CATALOG_MIGRATIONS.length);
    });
    for (const s of shards())
      await runInDurableObject(s, (_o, state) => {
        const sql = state.storage.sql;
        expect(schemaVersion(sql)).toBe(SHARD_MIGRATIONS.length);
        expect(sql.exec(`SELECT count(*) AS n FROM shard_legacy_names`).one().n).toBeGreaterThan(0);
      });

    await ok('CREATE TABLE lg_refresh (id int)'); // this isolate's cached catalog is dropped
    expect((await ok('SELECT * FROM lg_z ORDER BY id')).rows).toEqual(before.z);
    expect((await ok('SELECT count(*), sum(v) FROM lg_a')).rows).toEqual(before.a);
    for (const s of shards())
      await runInDurableObject(s, (_o, state) => {
        // Every legacy table with rows here was adopted by the reads above: no row is left under a
        // provisional id. (A name may stay listed for a shard that only held its definition.)
        const sql = state.storage.sql;
        for (const t of ['hot_rows', 'chunks', 'cold_chunks'])
          expect(sql.exec(`SELECT count(*) AS n FROM ${t} WHERE table_id < 0`).one().n, t).toBe(0);
        // Log entries of a table this shard only saw the definition of keep its provisional id, and name.
        for (const t of ['shard_log', 'change_log'])
          expect(
            sql
              .exec(`SELECT count(*) AS n FROM ${t} WHERE table_id < 0
                AND table_id NOT IN (SELECT id FROM shard_legacy_names)`)
              .one().n,
            t,
          ).toBe(0);
      });
    await ok(`INSERT INTO lg_a VALUES (42, 420)`);
    expect((await ok('SELECT count(*) FROM lg_a')).rows).toEqual([[42]]);

    // A table dropped and created again under a migrated name is a new table: it starts empty.
    await ok('DROP TABLE lg_z');
    await ok('CREATE TABLE lg_z (id int NOT NULL, note text)');
    expect((await ok('SELECT count(*) FROM lg_z')).rows).toEqual([[0]]);
  });
});
