/**
 * @module durable-objects/shard-do
 * One shard of a colocation group. Owns the shard's SQLite storage (the shard
 * log, hot rows, columnar chunks) and its alarm. A thin shell: parsing,
 * planning and merging happen in the Worker with engine/distributed; this class
 * applies write batches through the log and runs plan fragments over its rows
 * with the engine's vectorized executor (see `shard-engine`).
 */
import { DurableObject } from 'cloudflare:workers';
import { type BucketChunk, bucketOf } from '../engine/distributed/chunk-rows.ts';
import type { Fragment, PartialResult } from '../engine/distributed/fragment.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { rpcSafe } from './rpc-errors.ts';
import { ShardEngine } from './shard-engine.ts';
import {
  compactTable,
  DEFAULT_POLICY,
  enforceRetention,
  type MaintenancePolicy,
  mergeSmallChunks,
} from './shard-maintenance.ts';
import { applyDelete, deleteHits, type ShardOp, updatedRows } from './shard-ops.ts';
import {
  catalogVersionSeen,
  deleteChunks,
  emptyStats,
  initShardSchema,
  insertChunks,
  Meter,
  rememberTable,
  type ShardStats,
  writeChunks,
} from './shard-storage.ts';

/** Result of a storage round trip, used by `/v1/health`. */
export interface ShardPing {
  readonly nonce: string;
  readonly readBack: string;
  readonly rowsWritten: number;
  readonly rowsRead: number;
}

/** One idempotent write: a retried `batchId` applies once. */
export interface WriteBatch {
  readonly batchId: string;
  readonly table: DistTable;
  readonly rows: Row[];
  /** `chunks` for bulk loads (straight to columnar), `hot` for small INSERTs. */
  readonly target: 'hot' | 'chunks';
  /** Bulk loads: the rows already encoded by the Worker (then `rows` is empty). */
  readonly encoded?: readonly BucketChunk[];
  /** The catalog version the Worker planned with. */
  readonly catalogVersion?: number;
}

/** Outcome of a write: its LSN, and whether it was a duplicate of an earlier batch. */
export interface WriteResult {
  readonly lsn: number;
  readonly duplicate: boolean;
  readonly rowCount: number;
  readonly stats: ShardStats;
  /** Highest catalog version this shard has seen (newer than the Worker's = refetch). */
  readonly catalogVersion: number;
}

/** Sizes of one table on this shard (for show_shards / show_chunks). */
export interface ShardTableInfo {
  readonly hotRows: number;
  readonly chunks: { id: number; bucket: number; rows: number; bytes: number }[];
}

/** How often the alarm re-checks retention when nothing else is pending. */
const RETENTION_CHECK_MS = 15 * 60_000;

export class ShardDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Engine per table, cached until the next change of rows, chunks or definition. */
  private readonly engine = new ShardEngine();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => initShardSchema(this.sql));
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

  /**
   * Erases this shard for good (its database was deleted): storage, alarm and
   * cached engines. Shard names embed the database id, so nothing reuses it.
   */
  async destroy(): Promise<void> {
    this.engine.invalidate();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
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

  private policy(): MaintenancePolicy {
    const row = this.sql.exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'policy'`).toArray()[0];
    return row ? (JSON.parse(row.value) as MaintenancePolicy) : DEFAULT_POLICY;
  }

  /** Overrides compaction thresholds (tests and operators). */
  async setMaintenancePolicy(p: MaintenancePolicy): Promise<void> {
    this.sql.exec(
      `INSERT INTO _meta (key, value) VALUES ('policy', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      JSON.stringify(p),
    );
  }

  /** The log entry of a batch id, if it was already applied or prepared. */
  private logged(
    m: Meter,
    batchId: string,
  ): { lsn: number; row_count: number; state: string; payload: string | null } | undefined {
    return m.all<{ lsn: number; row_count: number; state: string; payload: string | null }>(
      `SELECT lsn, row_count, state, payload FROM shard_log WHERE batch_id = ?`,
      batchId,
    )[0];
  }

  /** Applies a write batch through the shard log, exactly once per batch id. */
  async write(batch: WriteBatch): Promise<WriteResult> {
    return rpcSafe(async () => {
      const m = new Meter(this.sql);
      const result = this.ctx.storage.transactionSync(() => {
        const prior = this.logged(m, batch.batchId);
        if (prior) return { lsn: prior.lsn, duplicate: true, rowCount: prior.row_count };
        rememberTable(m, batch.table);
        const n = batch.encoded ? batch.encoded.reduce((s, c) => s + c.rowCount, 0) : batch.rows.length;
        const lsn = this.appendLog(m, batch.batchId, batch.table.name, 'insert', n, 'applied', null);
        if (batch.encoded) insertChunks(m, batch.table, batch.encoded, Date.now());
        else this.applyOp(m, batch.table, { kind: 'insert', rows: batch.rows, target: batch.target });
        return { lsn, duplicate: false, rowCount: n };
      });
      // Hot rows wait for compaction, small bulk chunks for merging: either way the alarm comes.
      if (!result.duplicate) {
        this.engine.invalidate();
        await this.ensureAlarm();
      }
      return {
        ...result,
        stats: m.stats,
        catalogVersion: catalogVersionSeen(this.sql, batch.catalogVersion),
      };
    });
  }

  private appendLog(
    m: Meter,
    batchId: string,
    table: string,
    kind: string,
    rows: number,
    state: string,
    payload: string | null,
  ): number {
    return m.all<{ lsn: number }>(
      `INSERT INTO shard_log (batch_id, table_name, kind, row_count, state, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING lsn`,
      batchId,
      table,
      kind,
      rows,
      state,
      payload,
      Date.now(),
    )[0].lsn;
  }

  private applyOp(m: Meter, t: DistTable, op: ShardOp): number {
    if (op.kind === 'delete') return applyDelete(m, op);
    if (op.kind === 'update') {
      const { hits, rows } = updatedRows(m, op);
      deleteHits(m, hits);
      this.insertHot(m, t, rows);
      return rows.length;
    }
    if (op.target === 'chunks') writeChunks(m, t, op.rows, Date.now());
    else this.insertHot(m, t, op.rows);
    return op.rows.length;
  }

  private insertHot(m: Meter, t: DistTable, rows: readonly Row[]): void {
    const now = Date.now();
    for (const r of rows) {
      const bucket = bucketOf(t, r);
      m.all(
        `INSERT INTO hot_rows (table_name, bucket, at, data) VALUES (?, ?, ?, ?)`,
        t.name,
        bucket,
        now,
        JSON.stringify(r),
      );
    }
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + this.policy().maxAgeMs);
  }

  /**
   * Runs a plan fragment over `table` (the Worker's catalog definition) and
   * returns its columnar partial result with the meters.
   */
  async execute(
    fragment: Fragment,
    table: DistTable,
    catalogVersion?: number,
  ): Promise<{ result: PartialResult; stats: ShardStats; catalogVersion: number }> {
    return rpcSafe(async () => {
      const seen = catalogVersionSeen(this.sql, catalogVersion);
      // Planned against an older catalog: do not run it with a stale definition; the Worker refetches.
      if (catalogVersion !== undefined && seen > catalogVersion)
        return { result: { rowCount: 0, columns: [] }, stats: emptyStats(), catalogVersion: seen };
      const m = new Meter(this.sql);
      const result = await this.engine.run(m, fragment, table);
      return { result, stats: m.stats, catalogVersion: seen };
    });
  }

  /** 2PC phase 1: durably logs the operation as prepared (idempotent per transaction id). */
  async prepare(txnId: string, table: DistTable, op: ShardOp): Promise<{ stats: ShardStats }> {
    return rpcSafe(async () => {
      const m = new Meter(this.sql);
      this.ctx.storage.transactionSync(() => {
        if (this.logged(m, txnId)) return;
        rememberTable(m, table);
        // Evaluate now so type and constraint errors abort the transaction instead of failing its commit.
        if (op.kind === 'update') updatedRows(m, op);
        const rows = op.kind === 'insert' ? op.rows.length : 0;
        this.appendLog(m, txnId, table.name, op.kind, rows, 'prepared', JSON.stringify({ table, op }));
      });
      return { stats: m.stats };
    });
  }

  /** 2PC phase 2: applies (commit) or discards (abort) a prepared entry; repeat calls are no-ops. */
  async resolve(
    txnId: string,
    decision: 'committed' | 'aborted',
  ): Promise<{ rowCount: number; stats: ShardStats }> {
    return rpcSafe(async () => {
      const m = new Meter(this.sql);
      const rowCount = this.ctx.storage.transactionSync(() => {
        const entry = this.logged(m, txnId);
        if (entry?.state !== 'prepared') return entry?.row_count ?? 0;
        let n = 0;
        if (decision === 'committed') {
          const { table, op } = JSON.parse(entry.payload!) as { table: DistTable; op: ShardOp };
          n = this.applyOp(m, table, op);
        }
        m.all(
          `UPDATE shard_log SET state = ?, payload = NULL, row_count = ? WHERE batch_id = ?`,
          decision === 'committed' ? 'applied' : 'aborted',
          n,
          txnId,
        );
        return n;
      });
      this.engine.invalidate();
      await this.ensureAlarm();
      return { rowCount, stats: m.stats };
    });
  }

  /** Transaction ids still prepared here (recovery asks the coordinator record about each). */
  async preparedTxns(): Promise<string[]> {
    return this.sql
      .exec<{ batch_id: string }>(`SELECT batch_id FROM shard_log WHERE state = 'prepared'`)
      .toArray()
      .map((r) => r.batch_id);
  }

  /**
   * Receives a new table definition from the catalog (ALTER TABLE, policies), so
   * the alarm compacts and enforces retention with current settings.
   */
  async updateTable(table: DistTable, catalogVersion?: number): Promise<void> {
    catalogVersionSeen(this.sql, catalogVersion);
    rememberTable(new Meter(this.sql), table);
    this.engine.invalidate();
    if (table.retentionUs !== undefined) await this.ensureAlarm();
  }

  /** Hot row count and chunk list of a table here. */
  async tableInfo(table: string): Promise<ShardTableInfo> {
    const hot = this.sql
      .exec<{ n: number }>(`SELECT count(*) AS n FROM hot_rows WHERE table_name = ?`, table)
      .one().n;
    const chunks = this.sql
      .exec<{ id: number; bucket: number; row_count: number; bytes: number }>(
        `SELECT id, bucket, row_count, bytes FROM chunks WHERE table_name = ? ORDER BY bucket, id`,
        table,
      )
      .toArray()
      .map((c) => ({ id: c.id, bucket: c.bucket, rows: c.row_count, bytes: c.bytes }));
    return { hotRows: hot, chunks };
  }

  /** Removes every row of a table (DROP TABLE). */
  async dropTable(table: string, catalogVersion?: number): Promise<void> {
    catalogVersionSeen(this.sql, catalogVersion);
    this.ctx.storage.transactionSync(() => {
      const m = new Meter(this.sql);
      const ids = m.all<{ id: number }>(`SELECT id FROM chunks WHERE table_name = ?`, table).map((r) => r.id);
      deleteChunks(m, ids);
      m.all(`DELETE FROM hot_rows WHERE table_name = ?`, table);
      m.all(`DELETE FROM shard_tables WHERE name = ?`, table);
    });
    this.engine.invalidate();
  }

  /** drop_chunks: removes whole time buckets ending at or before `olderThanUs`. Returns buckets dropped. */
  async dropChunks(table: DistTable, olderThanUs: number): Promise<number[]> {
    return rpcSafe(async () => {
      this.engine.invalidate();
      return this.ctx.storage.transactionSync(() =>
        enforceRetention(new Meter(this.sql), table, olderThanUs),
      );
    });
  }

  /** Compacts hot rows into chunks now (what the alarm does when thresholds are met). */
  async compact(force = true): Promise<{ chunksWritten: number; stats: ShardStats }> {
    const m = new Meter(this.sql);
    let chunksWritten = 0;
    const policy = force ? { minRows: 1, maxAgeMs: 0 } : this.policy();
    this.ctx.storage.transactionSync(() => {
      for (const t of this.tables(m)) {
        chunksWritten += compactTable(m, t, policy, Date.now());
        mergeSmallChunks(m, t, Date.now());
      }
    });
    this.engine.invalidate();
    return { chunksWritten, stats: m.stats };
  }

  private tables(m: Meter): DistTable[] {
    return m.all<{ def: string }>(`SELECT def FROM shard_tables`).map((r) => JSON.parse(r.def) as DistTable);
  }

  override async alarm(): Promise<void> {
    const m = new Meter(this.sql);
    const now = Date.now();
    const policy = this.policy();
    this.ctx.storage.transactionSync(() => {
      for (const t of this.tables(m)) {
        compactTable(m, t, policy, now);
        mergeSmallChunks(m, t, now);
        if (t.retentionUs !== undefined) enforceRetention(m, t, now * 1000 - t.retentionUs);
      }
      m.all(
        `INSERT INTO _meta (key, value) VALUES ('alarm_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        String(now),
      );
    });
    this.engine.invalidate();
    // Hot rows younger than the age threshold remain, or retention must keep running: come back.
    const hot = m.all<{ n: number }>(`SELECT count(*) AS n FROM hot_rows`)[0].n > 0;
    const retention = this.tables(m).some((t) => t.retentionUs !== undefined);
    if (hot) await this.ctx.storage.setAlarm(now + policy.maxAgeMs + 1);
    else if (retention) await this.ctx.storage.setAlarm(now + RETENTION_CHECK_MS);
  }
}
