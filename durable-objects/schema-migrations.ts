/**
 * @module durable-objects/schema-migrations
 * Versioned SQLite schemas for the Durable Objects. Each class lists its
 * migrations in order (version 1, 2, …); `migrate` runs at construction,
 * inside `blockConcurrencyWhile`, and applies those above the object's
 * recorded version, each in its own transaction together with its record in
 * `schema_migrations`. A crash between two migrations leaves the object at a
 * consistent earlier version, and the next construction resumes from there.
 *
 * Objects created before versions existed have no `schema_migrations` table,
 * so they start at version 0. That is why every migration must be idempotent
 * over the shapes such objects can have (`CREATE … IF NOT EXISTS`, columns
 * added only where missing): migration 1 replays the first schema, and later
 * ones bring each shape to the current one.
 */

/** One ordered schema change. */
export interface Migration {
  /** 1, 2, 3, …: consecutive, in list order. */
  readonly version: number;
  /** What it changes (recorded with the version, for operators). */
  readonly name: string;
  /** Applies the change (runs inside a transaction; must be idempotent, see the module comment). */
  readonly up: (sql: SqlStorage) => void;
}

/** What `migrate` did. */
export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/** The object's schema version (0: created before versions, or brand new). */
export function schemaVersion(sql: SqlStorage): number {
  const table = sql
    .exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
    .toArray();
  if (table.length === 0) return 0;
  const row = sql.exec<{ v: number | null }>(`SELECT max(version) AS v FROM schema_migrations`).one();
  return row.v ?? 0;
}

/** True when a table has a column (for migrations that add one only where it is missing). */
export function hasColumn(sql: SqlStorage, table: string, column: string): boolean {
  return sql.exec(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`, table, column).toArray().length > 0;
}

/**
 * Brings the object's schema to the last of `migrations`. Refuses a list that
 * is not numbered 1, 2, 3, … and an object whose version is newer than the
 * code (a rollback of the code must not run on a schema it does not know).
 */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): MigrationResult {
  for (const [i, m] of migrations.entries())
    if (m.version !== i + 1)
      throw new Error(`schema migration "${m.name}" is numbered ${m.version}, expected ${i + 1}`);
  const sql = storage.sql;
  const from = schemaVersion(sql);
  if (from > migrations.length)
    throw new Error(`schema version ${from} is newer than this code knows (${migrations.length})`);
  sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  for (const m of migrations.slice(from))
    storage.transactionSync(() => {
      m.up(sql);
      sql.exec(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
        m.version,
        m.name,
        Date.now(),
      );
    });
  return { from, to: migrations.length };
}
