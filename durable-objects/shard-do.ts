/**
 * @module durable-objects/shard-do
 * One shard of a colocation group. Owns the shard's SQLite storage (hot rows,
 * columnar chunks, the shard log) and its alarm. A thin shell: the engine does
 * the work; this class wires it to `ctx.storage.sql`, alarms and RPC.
 */
import { DurableObject } from 'cloudflare:workers';

/** Result of a storage round trip, used by `/v1/health`. */
export interface ShardPing {
  readonly nonce: string;
  readonly readBack: string;
  readonly rowsWritten: number;
  readonly rowsRead: number;
}

export class ShardDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    });
  }

  /** Writes a nonce to SQLite and reads it back: proves the storage path end to end. */
  async ping(nonce: string): Promise<ShardPing> {
    const w = this.sql.exec(
      `INSERT INTO _meta (key, value) VALUES ('ping', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      nonce,
    );
    w.toArray();
    const r = this.sql.exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'ping'`);
    const row = r.one();
    return { nonce, readBack: row.value, rowsWritten: w.rowsWritten, rowsRead: r.rowsRead };
  }

  /** Schedules the maintenance alarm (compaction, tiering, retention) `delayMs` from now. */
  async scheduleMaintenance(delayMs: number): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + delayMs);
  }

  /** Last time the maintenance alarm ran, in ms since the epoch (0 = never). */
  async lastMaintenance(): Promise<number> {
    const row = this.sql
      .exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'alarm_at'`)
      .toArray()[0];
    return row ? Number(row.value) : 0;
  }

  override async alarm(): Promise<void> {
    this.sql.exec(
      `INSERT INTO _meta (key, value) VALUES ('alarm_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      String(Date.now()),
    );
  }
}
