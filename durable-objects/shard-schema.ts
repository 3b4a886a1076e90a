/**
 * @module durable-objects/shard-schema
 * The ShardDO's SQLite schema as ordered migrations (see `schema-migrations`).
 * The table layout is described in `shard-storage`. Shards created before
 * versions existed come in two shapes: with the first tiering tables (no
 * `tier` / `layout` columns) or with the columns the frozen tier added in
 * place. Migration 1 is the first shape, migration 2 turns either into the
 * second, migration 3 keys pending R2 moves by object key, migration 4 adds
 * the commit-ordered change log (see `change-log`), migration 5 keys every
 * per-table thing by table id instead of name (see `shard-tables`). Append new
 * migrations at the end; never edit one that has shipped.
 */
import { hasColumn, type Migration } from './schema-migrations.ts';

/** Tables whose rows belong to one table each (`table_id` since migration 5). */
const PER_TABLE = ['hot_rows', 'chunks', 'cold_chunks', 'shard_log', 'change_log'] as const;

/** The name chunks held by the change log were kept under before migration 5 (id 0 since). */
const LOG_HELD_NAME = '\u0000change_log';

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
  {
    version: 6,
    name: 'per-table state keyed by table id; dropped tables remembered',
    up: (sql) => {
      // Each table converts only while it has `table_name`: a version-0 object replaying may
      // be in this shape already, or partly (see `schema-migrations`).
      const byId = hasColumn(sql, 'shard_tables', 'id');
      const todo = PER_TABLE.filter((t) => hasColumn(sql, t, 'table_name'));
      sql.exec(
        `CREATE TABLE IF NOT EXISTS shard_legacy_names (name TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE)`,
      );
      if (!byId) {
        // Names get provisional negative ids; the first request carrying the catalog's id for a
        // table with this `legacyName` moves its rows to that id (see `shard-tables`).
        const seen = new Set(
          sql
            .exec<{ name: string }>(`SELECT name FROM shard_tables`)
            .toArray()
            .map((r) => r.name),
        );
        for (const t of todo)
          for (const r of sql.exec<{ name: string }>(`SELECT DISTINCT table_name AS name FROM ${t}`))
            seen.add(r.name);
        seen.delete(LOG_HELD_NAME);
        [...seen].sort().forEach((name, i) => {
          sql.exec(`INSERT INTO shard_legacy_names (name, id) VALUES (?, ?)`, name, -(i + 1));
        });
      }
      const idOf = (t: string) =>
        byId
          ? `(SELECT id FROM shard_tables WHERE name = ${t}.table_name AND dropped = 0)`
          : `(SELECT id FROM shard_legacy_names WHERE name = ${t}.table_name)`;
      if (todo.length > 0) {
        const indexes = sql
          .exec<{ name: string }>(
            `SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%table_name%'
             AND tbl_name IN (${todo.map((t) => `'${t}'`).join(', ')})`,
          )
          .toArray();
        for (const { name } of indexes) sql.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
      }
      for (const t of todo) {
        sql.exec(`ALTER TABLE ${t} ADD COLUMN table_id INTEGER NOT NULL DEFAULT 0`);
        sql.exec(`UPDATE ${t} SET table_id = coalesce(${idOf(t)}, 0)`);
        sql.exec(`ALTER TABLE ${t} DROP COLUMN table_name`);
      }
      // Undecided entries carry their table's definition and operation: give them the id too.
      if (todo.includes('shard_log'))
        sql.exec(`UPDATE shard_log SET payload = json_set(payload, '$.table.id', table_id, '$.op.tableId', table_id)
          WHERE state = 'prepared' AND json_extract(payload, '$.table') IS NOT NULL`);
      sql.exec(`CREATE INDEX IF NOT EXISTS hot_rows_table ON hot_rows (table_id, bucket)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS chunks_table ON chunks (table_id, bucket)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS cold_chunks_table ON cold_chunks (table_id)`);
      if (byId) return;
      sql.exec(`CREATE TABLE shard_tables_by_id (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, dropped INTEGER NOT NULL DEFAULT 0,
        def TEXT NOT NULL)`);
      sql.exec(`INSERT INTO shard_tables_by_id (id, name, version, def)
        SELECT l.id, s.name, 0, s.def FROM shard_tables s JOIN shard_legacy_names l ON l.name = s.name`);
      sql.exec(`DROP TABLE shard_tables`);
      sql.exec(`ALTER TABLE shard_tables_by_id RENAME TO shard_tables`);
    },
  },
];
