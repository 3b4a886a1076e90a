/**
 * @module durable-objects/catalog-schema
 * The CatalogDO's SQLite schema as ordered migrations (see
 * `schema-migrations`). Migration 1 is the schema catalogs had before
 * versions existed, including the move of two-phase-commit records from the
 * first one-row-per-id layout (`txn_records`) to one row per attempt.
 * Migration 2 records every shard count a table was ever placed with, so
 * teardown reaches the shards of earlier placements. Migration 3 keeps the row
 * counts of a committed multi-statement call, so a keyed retry answers them. Append new migrations at
 * the end; never edit one that has shipped.
 */
import { hasColumn, type Migration } from './schema-migrations.ts';

/** The catalog schema, version by version. */
export const CATALOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables, idempotency keys, transaction attempts',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS catalog_tables (name TEXT PRIMARY KEY, def TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
        key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, batch_id TEXT NOT NULL, created_at INTEGER NOT NULL)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS idempotency_keys_age ON idempotency_keys (created_at)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS txn_attempts (
        id TEXT PRIMARY KEY, base TEXT NOT NULL, attempt INTEGER NOT NULL, shards TEXT NOT NULL,
        state TEXT NOT NULL, created_at INTEGER NOT NULL, finished_at INTEGER)`);
      sql.exec(`CREATE UNIQUE INDEX IF NOT EXISTS txn_attempts_base ON txn_attempts (base, attempt)`);
      sql.exec(
        `CREATE INDEX IF NOT EXISTS txn_attempts_open ON txn_attempts (created_at) WHERE finished_at IS NULL`,
      );
      sql.exec(
        `CREATE INDEX IF NOT EXISTS txn_attempts_finished ON txn_attempts (finished_at) WHERE finished_at IS NOT NULL`,
      );
      const old = sql
        .exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'txn_records'`)
        .toArray();
      if (old.length > 0) {
        sql.exec(`INSERT OR IGNORE INTO txn_attempts (id, base, attempt, shards, state, created_at)
          SELECT id, id, 0, shards, state, created_at FROM txn_records`);
        sql.exec(`DROP TABLE txn_records`);
      }
    },
  },
  {
    version: 2,
    name: 'shard counts of every placement',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS catalog_placements (shard_count INTEGER PRIMARY KEY)`);
      // Earlier placements were not recorded; every table starts local, on one shard.
      sql.exec(`INSERT OR IGNORE INTO catalog_placements (shard_count) VALUES (1)`);
      sql.exec(`INSERT OR IGNORE INTO catalog_placements (shard_count)
        SELECT DISTINCT json_extract(def, '$.shardCount') FROM catalog_tables`);
    },
  },
  {
    version: 3,
    name: 'row counts per statement of a committed call transaction',
    up: (sql) => {
      if (!hasColumn(sql, 'txn_attempts', 'counts'))
        sql.exec(`ALTER TABLE txn_attempts ADD COLUMN counts TEXT`);
    },
  },
];
