/**
 * @module durable-objects/tombstone
 * A destroyed database's Durable Objects stay destroyed. `destroy()` erases a
 * ShardDO's or CatalogDO's storage and leaves one marker table; from then on
 * every RPC answers SQLSTATE 3D000 (the Worker's 404), whether the object is
 * still in memory or was evicted and constructed again. Without it a Worker
 * isolate whose caches still name the database (for up to their documented
 * lifetime) would meet missing tables (a 500) or, worse, write rows into an
 * object nobody will ever delete.
 */

const MARKER = '_destroyed';

/** The destroyed-or-not state of one Durable Object. */
export class Tombstone {
  private gone: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.gone =
      sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, MARKER).toArray().length > 0;
  }

  /** True once the object was destroyed. */
  get isSet(): boolean {
    return this.gone;
  }

  /** Throws 3D000, encoded to survive RPC (see rpc-errors), when the object was destroyed. */
  check(): void {
    if (this.gone) throw new Error('SQLSTATE 3D000: database does not exist (it was deleted)');
  }

  /** Records the destruction; call right after `deleteAll()`. */
  set(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ${MARKER} (at INTEGER NOT NULL)`);
    this.sql.exec(`INSERT INTO ${MARKER} (at) VALUES (?)`, Date.now());
    this.gone = true;
  }
}
