/**
 * @module durable-objects/catalog-schema
 * The CatalogDO's SQLite schema as ordered migrations (see
 * `schema-migrations`). Migration 1 is the schema catalogs had before
 * versions existed, including the move of two-phase-commit records from the
 * first one-row-per-id layout (`txn_records`) to one row per attempt.
 * Migration 2 records every shard count a table was ever placed with, so
 * teardown reaches the shards of earlier placements. Migration 3 keeps the row
 * counts of a committed multi-statement call, so a keyed retry answers them.
 * Migration 4 gives every table an immutable id and a version (tables made
 * before ids keep their name as `legacyName`, under which shards hold their
 * data until they adopt the id) and stores the shard map of every placement
 * (see engine/distributed/shard-map). Migration 5 adds changefeeds, their
 * per-shard delivery cursors and the delivery log (see changefeed-store).
 * Append new migrations at the end; never edit one that has shipped.
 */
import { initialRanges } from '../engine/distributed/shard-map.ts';
import { hasColumn, type Migration } from './schema-migrations.ts';

/** Creates the map entries of a placement of `shardCount` shards at a new map version (no-op when it has a map). */
export function ensurePlacementMap(sql: SqlStorage, shardCount: number): void {
  const has = sql.exec(`SELECT 1 FROM catalog_shard_map WHERE shard_count = ? LIMIT 1`, shardCount).toArray();
  if (has.length > 0) return;
  const version = Number(
    sql
      .exec<{ value: string }>(
        `INSERT INTO catalog_meta (key, value) VALUES ('map_version', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
      )
      .one().value,
  );
  for (const r of initialRanges(shardCount, version))
    sql.exec(
      `INSERT INTO catalog_shard_map (shard_count, min, max, shard, version) VALUES (?, ?, ?, ?, ?)`,
      shardCount,
      r.min,
      r.max,
      r.shard,
      r.version,
    );
}

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
  {
    version: 4,
    name: 'table ids and versions; the versioned shard map',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS catalog_shard_map (
        shard_count INTEGER NOT NULL, min INTEGER NOT NULL, max INTEGER NOT NULL, shard TEXT NOT NULL,
        version INTEGER NOT NULL, PRIMARY KEY (shard_count, min))`);
      const seq = sql
        .exec<{ n: number | null }>(
          `SELECT max(n) AS n FROM (SELECT CAST(value AS INTEGER) AS n FROM catalog_meta WHERE key = 'table_seq'
           UNION ALL SELECT json_extract(def, '$.id') FROM catalog_tables)`,
        )
        .one().n;
      let next = seq ?? 0;
      const unnamed = sql
        .exec<{ name: string }>(
          `SELECT name FROM catalog_tables WHERE json_extract(def, '$.id') IS NULL ORDER BY name`,
        )
        .toArray();
      for (const { name } of unnamed)
        sql.exec(
          `UPDATE catalog_tables SET def = json_set(def, '$.id', ?, '$.version', 1, '$.legacyName', name) WHERE name = ?`,
          ++next,
          name,
        );
      sql.exec(
        `INSERT INTO catalog_meta (key, value) VALUES ('table_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        String(next),
      );
      const counts = sql
        .exec<{ shard_count: number }>(`SELECT shard_count FROM catalog_placements ORDER BY shard_count`)
        .toArray();
      for (const { shard_count } of counts) ensurePlacementMap(sql, shard_count);
    },
  },
  {
    version: 5,
    name: 'changefeeds, their per-shard cursors and delivery log',
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS changefeeds (
        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, secrets TEXT NOT NULL,
        status TEXT NOT NULL, reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE IF NOT EXISTS changefeed_cursors (
        feed_id TEXT NOT NULL, shard TEXT NOT NULL, lsn INTEGER NOT NULL, skip INTEGER NOT NULL DEFAULT 0,
        attempt INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        delivered_ms INTEGER, lease_until INTEGER NOT NULL DEFAULT 0, lease_token TEXT,
        dirty INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (feed_id, shard))`);
      sql.exec(`CREATE TABLE IF NOT EXISTS changefeed_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, feed_id TEXT NOT NULL, shard TEXT NOT NULL,
        webhook_id TEXT NOT NULL, attempt INTEGER NOT NULL, status INTEGER, latency_ms INTEGER NOT NULL,
        events INTEGER NOT NULL, error TEXT, at INTEGER NOT NULL)`);
      sql.exec(
        `CREATE INDEX IF NOT EXISTS changefeed_deliveries_feed ON changefeed_deliveries (feed_id, seq)`,
      );
    },
  },
  {
    version: 6,
    name: "changefeeds' resolved timestamps",
    up: (sql) => {
      // Per shard: every change committed before resolved_ms has been delivered. Per changefeed:
      // the last resolved time sent, and when it was sent.
      // Idempotent like the CREATE TABLE IF NOT EXISTS above: a re-run adds only what is missing.
      const add = (table: string, column: string) => {
        const has = sql.exec(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`, table, column).toArray();
        if (has.length === 0)
          sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
      };
      add('changefeed_cursors', 'resolved_ms');
      add('changefeeds', 'resolved_ms');
      add('changefeeds', 'resolved_sent_at');
    },
  },
];
