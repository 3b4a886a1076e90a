/**
 * @module durable-objects/shard-schema
 * The ShardDO's SQLite schema as ordered migrations (see `schema-migrations`).
 * The table layout is described in `shard-storage`. Shards created before
 * versions existed come in two shapes: with the first tiering tables (no
 * `tier` / `layout` columns) or with the columns the frozen tier added in
 * place. Migration 1 is the first shape, migration 2 turns either into the
 * second, migration 3 keys pending R2 moves by object key, migration 4 adds
 * the commit-ordered change log (see `change-log`). Append new
 * migrations at the end; never edit one that has shipped.
 */
import { hasColumn, type Migration } from './schema-migrations.ts';

/** The shard schema, version by version. */
export const SHARD_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'log, hot rows, chunks, cold tier',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS shard_log (
        lsn INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL UNIQUE, table_name TEXT NOT NULL,
        kind TEXT NOT NULL, row_count INTEGER NOT NULL, state TEXT NOT NULL, payload TEXT, at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS hot_rows (
        rid INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, bucket INTEGER NOT NULL,
        at INTEGER NOT NULL, data TEXT NOT NULL)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS hot_rows_table ON hot_rows (table_name, bucket)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, bucket INTEGER NOT NULL,
        row_count INTEGER NOT NULL, bytes INTEGER NOT NULL, header BLOB NOT NULL, deleted BLOB,
        created_at INTEGER NOT NULL)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS chunks_table ON chunks (table_name, bucket)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS chunk_blocks (
        chunk_id INTEGER NOT NULL, col INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (chunk_id, col))`);
      sql.exec(`CREATE TABLE IF NOT EXISTS shard_tables (name TEXT PRIMARY KEY, def TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS cold_chunks (
        chunk_id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, object_key TEXT NOT NULL,
        object_bytes INTEGER NOT NULL)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS cold_chunks_table ON cold_chunks (table_name)`);
      sql.exec(
        `CREATE TABLE IF NOT EXISTS tier_moves (chunk_id INTEGER PRIMARY KEY, object_key TEXT NOT NULL)`,
      );
      sql.exec(`CREATE TABLE IF NOT EXISTS tier_garbage (object_key TEXT PRIMARY KEY)`);
    },
  },
  {
    version: 2,
    name: 'frozen tier: tier of cold chunks, moves and garbage; Parquet page layout',
    up: (sql) => {
      const add = (table: string, column: string, ddl: string) => {
        if (!hasColumn(sql, table, column)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${ddl}`);
      };
      add('cold_chunks', 'tier', `tier TEXT NOT NULL DEFAULT 'cold'`);
      add('cold_chunks', 'layout', 'layout TEXT');
      add('tier_moves', 'tier', `tier TEXT NOT NULL DEFAULT 'cold'`);
      add('tier_garbage', 'tier', `tier TEXT NOT NULL DEFAULT 'cold'`);
    },
  },
  {
    version: 3,
    name: 'pending R2 moves keyed by object key',
    up: (sql) => {
      // Intents carried over describe attempts of an earlier process: none is still running.
      sql.exec(`CREATE TABLE tier_moves_by_key (
        object_key TEXT PRIMARY KEY, chunk_id INTEGER NOT NULL, tier TEXT NOT NULL, started_at INTEGER NOT NULL)`);
      sql.exec(`INSERT OR IGNORE INTO tier_moves_by_key (object_key, chunk_id, tier, started_at)
        SELECT object_key, chunk_id, tier, 0 FROM tier_moves`);
      sql.exec(`DROP TABLE tier_moves`);
      sql.exec(`ALTER TABLE tier_moves_by_key RENAME TO tier_moves`);
      sql.exec(`CREATE INDEX tier_moves_chunk ON tier_moves (chunk_id)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS cold_chunks_key ON cold_chunks (object_key)`);
    },
  },
  {
    version: 4,
    name: 'commit-ordered change log, its bulk-load chunk references and consumers',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS change_log (
        lsn INTEGER PRIMARY KEY AUTOINCREMENT, txn_id TEXT NOT NULL, commit_ms INTEGER NOT NULL,
        kind TEXT NOT NULL, table_name TEXT NOT NULL, body TEXT NOT NULL, bytes INTEGER NOT NULL)`);
      sql.exec(
        `CREATE TABLE IF NOT EXISTS change_log_chunks (chunk_id INTEGER PRIMARY KEY, lsn INTEGER NOT NULL)`,
      );
      sql.exec(`CREATE INDEX IF NOT EXISTS change_log_chunks_lsn ON change_log_chunks (lsn)`);
      sql.exec(
        `CREATE TABLE IF NOT EXISTS change_log_consumers (name TEXT PRIMARY KEY, lsn INTEGER NOT NULL)`,
      );
    },
  },
  {
    version: 5,
    name: 'shard ledger entries by decision time, for pruning',
    up: (sql) => {
      // `at` of a decided entry is its decision time (see shard-log `resolveEntry`, shard-log-prune).
      sql.exec(`CREATE INDEX IF NOT EXISTS shard_log_decided ON shard_log (at) WHERE state <> 'prepared'`);
    },
  },
];
