/**
 * @module durable-objects/shard-do
 * One shard of a colocation group. Owns the shard's SQLite storage (the shard
 * log, hot rows, columnar chunks) and its alarm. A thin shell: parsing,
 * planning and merging happen in the Worker with engine/distributed; this class
 * applies write batches through the log and runs plan fragments over its rows
 * with the engine's vectorized executor (see `shard-engine`).
 */

import { DurableObject } from 'cloudflare:workers';
import type { LogPage } from '../engine/distributed/change-entry.ts';
import type { Fragment, PartialResult } from '../engine/distributed/fragment.ts';
import type { JoinRequest } from '../engine/distributed/join-fragment.ts';
import type { ShardPlacement } from '../engine/distributed/shard-map.ts';
import type { DistTable } from '../engine/distributed/table-schema.ts';
import {
  commitStamp,
  logDdl,
  logDrop,
  logDroppedBuckets,
  newestLsn,
  prunedThrough,
  readLog,
} from './change-log.ts';
import { type ChunkPage, readLogChunk } from './change-log-chunks.ts';
import {
  advanceCursor,
  dropConsumer,
  type LogRetention,
  listConsumers,
  pruneLog,
  readLogRetention,
  registerConsumer,
  rewindConsumer,
  writeLogRetention,
} from './change-log-retention.ts';
import { ChangefeedTrigger } from './changefeed-trigger.ts';
import { rpcSafe } from './rpc-errors.ts';
import { migrate } from './schema-migrations.ts';
import { ensureDmlEngine, ShardEngine } from './shard-engine.ts';
import { freezeNow } from './shard-freeze.ts';
import { runShardJoin } from './shard-join.ts';
import {
  applyBatch,
  commitLocal,
  pendingOp,
  prepareEntry,
  tablesWithIntents,
  type WriteBatch,
  type WriteResult,
} from './shard-log.ts';
import { pruneLedger } from './shard-log-prune.ts';
import {
  compactAll,
  enforceRetention,
  knownTables,
  type MaintenancePolicy,
  maintainTable,
  maintenanceDone,
  RETENTION_CHECK_MS,
  readPolicy,
  writePolicy,
} from './shard-maintenance.ts';
import { evaluatesSql, type ShardOp } from './shard-ops.ts';
import { SHARD_MIGRATIONS } from './shard-schema.ts';
import {
  catalogVersionSeen,
  dropTableData,
  Meter,
  pingStorage,
  type ShardPing,
  type ShardStats,
  type ShardTableInfo,
  tableInfo,
} from './shard-storage.ts';
import { sweepOrphans } from './shard-sweep.ts';
import {
  adoptLegacy,
  checkChunksOwned,
  checkPlanned,
  checkRowsOwned,
  checkTableVersion,
  forgetTable,
  notePlacement,
  rememberTable,
} from './shard-tables.ts';
import { collectColdGarbage, runTiering, type TierDeps, type TierFaults, tierNow } from './shard-tier.ts';
import { ColdBlockCache, type ColdNeeds } from './shard-tier-read.ts';
import { preparedBefore, preparedChunks, prepareInTxn, resolveTxn, txnOverlay } from './shard-txn.ts';
import type { UploadsInFlight } from './tier-uploads.ts';
import { Tombstone } from './tombstone.ts';

export type { WriteBatch, WriteResult } from './shard-log.ts';
export type { ShardPing, ShardTableInfo } from './shard-storage.ts';

export class ShardDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Set once the database is deleted: every call then answers 3D000. */
  private readonly tombstone: Tombstone;
  /** Queues changefeed delivery after commits (see changefeed-trigger). */
  private readonly changefeeds: ChangefeedTrigger;
  /** Engine per table, cached until the next change of rows, chunks or definition. */
  private readonly engine = new ShardEngine();
  /** Cold chunk blocks fetched from R2 (bounded LRU). */
  private readonly cold: ColdBlockCache;
  /** R2 uploads this instance is running (see `tier-uploads`). */
  private readonly uploads: UploadsInFlight = new Set();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.tombstone = new Tombstone(this.sql);
    this.changefeeds = new ChangefeedTrigger(ctx, env);
    this.cold = new ColdBlockCache(env.COLD, env.FROZEN);
    ctx.blockConcurrencyWhile(async () => {
      if (!this.tombstone.isSet) migrate(ctx.storage, SHARD_MIGRATIONS);
    });
  }

  /** Writes a nonce to SQLite and reads it back: proves the storage path end to end. */
  async ping(nonce: string): Promise<ShardPing> {
    return pingStorage(this.sql, nonce);
  }

  /**
   * Erases this shard for good (its database was deleted): storage, alarm and
   * cached engines. Shard names embed the database id, so nothing reuses it.
   */
  async destroy(): Promise<void> {
    this.engine.invalidate();
    this.cold.clear();
    await this.ctx.storage.deleteAlarm();
    this.alarmArmed = false;
    await this.ctx.storage.deleteAll();
    this.tombstone.set();
  }

  /** Schedules the maintenance alarm (compaction, tiering, retention) `delayMs` from now. */
  async scheduleMaintenance(delayMs: number): Promise<void> {
    this.tombstone.check();
    await this.ctx.storage.setAlarm(Date.now() + delayMs);
  }

  /** Last time the maintenance alarm ran, in ms since the epoch (0 = never). */
  async lastMaintenance(): Promise<number> {
    this.tombstone.check();
    const row = this.sql
      .exec<{ value: string }>(`SELECT value FROM _meta WHERE key = 'alarm_at'`)
      .toArray()[0];
    return row ? Number(row.value) : 0;
  }

  /** A meter for one request; reads of cold blocks come from the cold cache. */
  private meter(): Meter {
    return new Meter(this.sql, undefined, this.cold);
  }

  /** A frozen chunk got a new header: drop its cached blocks and the engines holding the old one, at once. */
  private readonly reencoded = {
    forget: (chunkId: number) => {
      this.cold.forget(chunkId);
      this.engine.invalidate();
    },
  };

  private tierDeps(): TierDeps {
    return {
      storage: this.ctx.storage,
      bucket: this.env.COLD,
      frozen: this.env.FROZEN,
      shardName: this.ctx.id.name,
      uploads: this.uploads,
    };
  }

  /**
   * Runs `run` with the cold blocks a write to `table` reads fetched first: what
   * a DELETE / UPDATE filters on, the key columns an insert into a table with
   * PRIMARY KEY / UNIQUE checks (see `shard-unique`).
   */
  private withColdRows<T>(
    m: Meter,
    table: DistTable | undefined,
    op: ShardOp | undefined,
    run: () => T,
  ): Promise<T> | T {
    if (!table || !op) return run();
    const reads = op.kind === 'insert' ? (table.unique ?? []).flatMap((c) => c.columnIds) : op.reads;
    // DELETE / UPDATE read the full rows they remove for the change log, even when the filter reads nothing.
    if (reads.length === 0 && op.kind === 'insert') return run();
    return this.cold.withBlocks(m, table.id, { reads, bounds: [] }, run);
  }

  private policy(): MaintenancePolicy {
    return readPolicy(this.sql);
  }

  /** Overrides compaction thresholds (tests and operators). */
  async setMaintenancePolicy(p: MaintenancePolicy): Promise<void> {
    this.tombstone.check();
    writePolicy(this.sql, p);
  }

  /**
   * Test-only fault seam (refused unless ENVIRONMENT is 'local'): the next
   * `times` calls of `phase` whose table name or transaction id contains
   * `match` throw (or pause, with `delayMs`). Held in memory only, so it never outlives the object.
   */
  async injectFault(fault: ShardFault): Promise<void> {
    if ((this.env.ENVIRONMENT as string) !== 'local')
      throw new Error('fault injection is only available locally');
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  private readonly faults: ShardFault[] = [];

  private async fault(phase: ShardFault['phase'], ...keys: (string | undefined)[]): Promise<void> {
    if (this.faults.length === 0) return;
    const i = this.faults.findIndex((f) => f.phase === phase && keys.some((k) => k?.includes(f.match)));
    if (i < 0) return;
    const f = this.faults[i];
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    if (f.delayMs !== undefined) await new Promise((r) => setTimeout(r, f.delayMs));
    else throw new Error(`injected ${phase} fault (${f.match})`);
  }

  /**
   * Refuses a request planned with an older version of `table` than this shard
   * holds, for a dropped table, with an older shard map version than this
   * shard's ranges, or carrying `rows` outside them (40001: the Worker refetches
   * and plans again; see `shard-tables`), so a stale definition never reaches
   * the log or `shard_tables`. Records the catalog version for the reply.
   */
  private checkPlan(
    table: DistTable,
    catalogVersion: number | undefined,
    placement: ShardPlacement | undefined,
    rows: readonly unknown[][] = [],
  ): number {
    return this.ctx.storage.transactionSync(() => {
      const m = new Meter(this.sql);
      checkPlanned(m, table, placement);
      checkRowsOwned(table, placement, rows);
      return catalogVersionSeen(this.sql, catalogVersion);
    });
  }

  /** Applies a write batch through the shard log, exactly once per batch id. */
  async write(batch: WriteBatch): Promise<WriteResult> {
    this.tombstone.check();
    return rpcSafe(async () => {
      this.checkPlan(batch.table, batch.catalogVersion, batch.placement, batch.rows);
      checkChunksOwned(batch.table, batch.placement, batch.encoded ?? []);
      await this.fault('write', batch.table.name, batch.batchId);
      const m = this.meter();
      const insert: ShardOp = { kind: 'insert', rows: [], target: batch.target };
      const result = await this.withColdRows(m, batch.table, insert, () =>
        this.ctx.storage.transactionSync(() => applyBatch(m, batch)),
      );
      // Hot rows wait for compaction, small bulk chunks for merging: either way the alarm comes.
      if (!result.duplicate) {
        this.engine.invalidate();
        await this.ensureAlarm();
        this.changefeeds.kick();
      }
      return {
        ...result,
        stats: m.stats,
        catalogVersion: catalogVersionSeen(this.sql, batch.catalogVersion),
      };
    });
  }

  /**
   * True once this instance knows an alarm is scheduled (it saw or set one); the alarm
   * handler clears it, as the alarm it runs is gone unless the handler sets another.
   */
  private alarmArmed = false;

  /** Makes sure the maintenance alarm will run: a write's rows wait for it (one storage read per instance and alarm). */
  private async ensureAlarm(): Promise<void> {
    if (this.alarmArmed) return;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + this.policy().maxAgeMs);
    this.alarmArmed = true;
  }

  /**
   * Runs a plan fragment over `table` (the Worker's catalog definition) and
   * returns its columnar partial result with the meters.
   */
  async execute(
    fragment: Fragment,
    table: DistTable,
    catalogVersion?: number,
    /** The reading call's transaction: its own prepared writes are seen (see `shard-txn`). */
    txn?: string,
    /** This shard's ranges in the map the read was planned with. */
    placement?: ShardPlacement,
  ): Promise<{ result: PartialResult; stats: ShardStats; catalogVersion: number }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      // Planned against an older table or map: never run with a stale definition (40001; the Worker refetches).
      const seen = this.checkPlan(table, catalogVersion, placement);
      const m = this.meter();
      const needs: ColdNeeds = { reads: fragment.reads, bounds: fragment.bounds };
      const overlay = txn === undefined ? undefined : txnOverlay(m, txn, table.id);
      const result = await this.cold.withBlocks(m, table.id, needs, () =>
        this.engine.run(m, fragment, table, overlay),
      );
      return { result, stats: m.stats, catalogVersion: seen };
    });
  }

  /** Runs a pushed-down join (see engine/distributed/join-pushdown) over this shard's tables. */
  async executeJoin(
    req: JoinRequest,
    catalogVersion?: number,
    placement?: ShardPlacement,
  ): Promise<{ result: PartialResult; stats: ShardStats; catalogVersion: number }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const seen = this.ctx.storage.transactionSync(() => {
        const m = new Meter(this.sql);
        for (const r of req.relations) if (!r.rows) checkTableVersion(m, r.table);
        if (placement) notePlacement(m, placement, true);
        return catalogVersionSeen(this.sql, catalogVersion);
      });
      const m = this.meter();
      const result = await runShardJoin(m, req, this.engine, (table, needs, run) =>
        this.cold.withBlocks(m, table, needs, run),
      );
      return { result, stats: m.stats, catalogVersion: seen };
    });
  }

  /**
   * The common first half of prepare, prepareStatement and commitLocal: refuses a
   * stale catalog, runs the `prepare` fault seam (keyed by `faultKey`), loads the DML
   * evaluator and the cold blocks `op` reads, then runs `apply` in one SQLite transaction.
   */
  private async evaluate<T>(
    table: DistTable,
    op: ShardOp,
    catalogVersion: number | undefined,
    faultKey: string,
    apply: (m: Meter) => T,
    placement: ShardPlacement | undefined,
  ): Promise<{ m: Meter; result: T }> {
    this.checkPlan(table, catalogVersion, placement, op.kind === 'insert' ? op.rows : []);
    await this.fault('prepare', table.name, faultKey);
    const m = this.meter();
    if (evaluatesSql(op)) await ensureDmlEngine();
    const result = await this.withColdRows(m, table, op, () =>
      this.ctx.storage.transactionSync(() => apply(m)),
    );
    return { m, result };
  }

  /**
   * 2PC phase 1: evaluates the operation and durably logs its effect as
   * prepared, holding write intents on the rows it touches (idempotent per
   * transaction id). 40001 when planned from a stale catalog, when a touched
   * row is held by another undecided transaction, or when `txnId` was aborted.
   */
  async prepare(
    txnId: string,
    table: DistTable,
    op: ShardOp,
    catalogVersion?: number,
    placement?: ShardPlacement,
  ): Promise<{ stats: ShardStats }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const { m } = await this.evaluate(
        table,
        op,
        catalogVersion,
        txnId,
        (m) => prepareEntry(m, txnId, table, op),
        placement,
      );
      await this.ensureAlarm(); // an orphaned entry is resolved by the alarm (see `resolveOrphans`)
      // Prepared and durable, but the answer may still be lost (or late).
      await this.fault('prepared', table.name, txnId);
      return { stats: m.stats };
    });
  }

  /**
   * 2PC phase 1 for statement `stmt` of a multi-statement call's transaction
   * `txn`: evaluated over the transaction's own view and folded into its prepared
   * entry for the table (see `shard-txn`). Returns rows affected; idempotent per (`txn`, `stmt`).
   */
  async prepareStatement(
    txn: string,
    stmt: number,
    table: DistTable,
    op: ShardOp,
    catalogVersion?: number,
    placement?: ShardPlacement,
  ): Promise<{ rowCount: number; stats: ShardStats }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const { m, result: rowCount } = await this.evaluate(
        table,
        op,
        catalogVersion,
        `${txn}#${stmt}`,
        (m) => prepareInTxn(m, txn, stmt, table, op),
        placement,
      );
      await this.ensureAlarm(); // orphaned entries are resolved by the alarm (see `resolveOrphans`)
      return { rowCount, stats: m.stats };
    });
  }

  /**
   * A statement whose rows all live on this shard, without 2PC: evaluated and
   * applied in one SQLite transaction (exactly once per `txnId`), with the same
   * checks as `prepare`. Returns rows affected.
   */
  async commitLocal(
    txnId: string,
    table: DistTable,
    op: ShardOp,
    catalogVersion?: number,
    placement?: ShardPlacement,
  ): Promise<{ rowCount: number; stats: ShardStats }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const { m, result: rowCount } = await this.evaluate(
        table,
        op,
        catalogVersion,
        txnId,
        (m) => commitLocal(m, txnId, table, op),
        placement,
      );
      this.engine.invalidate();
      await this.ensureAlarm();
      this.changefeeds.kick();
      return { rowCount, stats: m.stats };
    });
  }

  /** 2PC phase 2: applies (commit) or discards (abort) a prepared entry; repeat calls are no-ops. */
  async resolve(
    txnId: string,
    decision: 'committed' | 'aborted',
  ): Promise<{ rowCount: number; stats: ShardStats }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      await this.fault(decision === 'committed' ? 'commit' : 'abort', txnId);
      const m = this.meter();
      // Cold blocks the commit reads are fetched first: the transaction itself is synchronous.
      const pending = pendingOp(m, txnId, decision);
      if (pending && evaluatesSql(pending.op)) await ensureDmlEngine();
      const run = () => this.ctx.storage.transactionSync(() => resolveTxn(m, txnId, decision));
      // A committed DELETE / UPDATE reads the full rows it removes for the change log: cold blocks
      // of every entry of the transaction (one per table for a call transaction) on demand.
      const effects = pending || decision !== 'committed' ? [] : preparedChunks(m, txnId);
      const rowCount =
        effects.length > 0
          ? await effects.reduce<() => Promise<number>>(
              (inner, e) => () =>
                this.cold.withBlocks(m, e.table, { reads: 'all', bounds: [], chunks: e.chunks }, inner),
              async () => run(),
            )()
          : await this.withColdRows(m, pending?.table, pending?.op, run);
      this.engine.invalidate();
      await this.ensureAlarm();
      if (decision === 'committed') this.changefeeds.kick();
      return { rowCount, stats: m.stats };
    });
  }

  /** Transaction ids still prepared here (recovery asks the coordinator record about each). */
  async preparedTxns(): Promise<string[]> {
    this.tombstone.check();
    return this.sql
      .exec<{ batch_id: string }>(`SELECT batch_id FROM shard_log WHERE state = 'prepared'`)
      .toArray()
      .map((r) => r.batch_id);
  }

  /**
   * Receives a new table definition from the catalog (ALTER TABLE, policies,
   * placement) and this shard's ranges in the map, so the alarm compacts and
   * enforces retention with current settings and later requests are checked
   * against them. An older definition or map than the shard holds changes nothing.
   */
  async updateTable(table: DistTable, catalogVersion?: number, placement?: ShardPlacement): Promise<void> {
    this.tombstone.check();
    catalogVersionSeen(this.sql, catalogVersion);
    const m = new Meter(this.sql);
    const stamp = commitStamp(`catalog:${catalogVersion ?? 0}`);
    this.ctx.storage.transactionSync(() => {
      logDdl(m, stamp, table, rememberTable(m, table));
      if (placement) notePlacement(m, placement, false);
    });
    this.engine.invalidate();
    const policies = [table.retentionUs, table.tierAfterUs, table.freezeAfterUs];
    if (policies.some((p) => p !== undefined)) await this.ensureAlarm();
  }

  /** Hot row count and chunk list of a table (by id, or by definition: adopting its legacy rows first) here. */
  async tableInfo(table: DistTable | number): Promise<ShardTableInfo> {
    this.tombstone.check();
    const m = new Meter(this.sql);
    if (typeof table === 'number') return tableInfo(m, table);
    this.ctx.storage.transactionSync(() => adoptLegacy(m, table));
    return tableInfo(m, table.id);
  }

  /**
   * Removes every row of a table (DROP TABLE) and remembers the id as dropped, so
   * a request still planned with it is refused (40001) rather than applied.
   */
  async dropTable(table: DistTable, catalogVersion?: number): Promise<void> {
    this.tombstone.check();
    catalogVersionSeen(this.sql, catalogVersion);
    const m = this.meter();
    const stamp = commitStamp(`catalog:${catalogVersion ?? 0}`);
    this.ctx.storage.transactionSync(() => {
      adoptLegacy(m, table); // rows still under the name it had before ids go too
      logDrop(m, stamp, table.id);
      dropTableData(m, table.id);
      forgetTable(m, table);
    });
    this.engine.invalidate();
    await collectColdGarbage(this.tierDeps(), m);
  }

  /**
   * drop_chunks: removes whole time buckets ending at or before `olderThanUs` and/or
   * starting at or after `newerThanUs`. Returns buckets dropped.
   */
  async dropChunks(
    table: DistTable,
    olderThanUs: number | undefined,
    newerThanUs?: number,
  ): Promise<number[]> {
    this.tombstone.check();
    return rpcSafe(async () => {
      this.engine.invalidate();
      const m = this.meter();
      const stamp = commitStamp('drop_chunks');
      const dropped = this.ctx.storage.transactionSync(() =>
        logDroppedBuckets(m, stamp, table, enforceRetention(m, table, olderThanUs, newerThanUs)),
      );
      await collectColdGarbage(this.tierDeps(), m);
      return dropped;
    });
  }

  /**
   * tier_chunk / freeze_chunk: moves `table`'s chunks (all, or the bucket
   * starting at `bucket`) to the cold or frozen tier now. Returns chunks moved.
   */
  async tierChunks(
    table: DistTable,
    bucket?: number,
    faults: TierFaults = {},
    to: 'cold' | 'frozen' = 'cold',
  ) {
    this.tombstone.check();
    return rpcSafe(async () => {
      const m = this.meter();
      const stamp = commitStamp('tier_chunk');
      this.ctx.storage.transactionSync(() => logDdl(m, stamp, table, rememberTable(m, table)));
      try {
        if (to === 'cold') return await tierNow(this.tierDeps(), m, table.id, bucket, faults);
        const n = await freezeNow(this.tierDeps(), m, table, bucket, this.reencoded);
        await collectColdGarbage(this.tierDeps(), m); // cold objects of chunks now frozen
        return n;
      } finally {
        this.engine.invalidate();
        await this.ensureAlarm(); // the sweep reconciles the objects written here
      }
    });
  }

  /**
   * Compacts hot rows into chunks and merges small chunks now (what the alarm
   * does when thresholds are met), in bounded passes of one transaction each:
   * a failure keeps the passes already committed, and the next call or alarm resumes.
   */
  async compact(force = true): Promise<{ chunksWritten: number; stats: ShardStats }> {
    this.tombstone.check();
    const m = this.meter();
    const stored = this.policy();
    const policy = force ? { ...stored, minRows: 1, maxAgeMs: 0 } : stored;
    let chunksWritten = 0;
    this.engine.invalidate(); // frees the decoded-column cache before the merge needs the memory
    try {
      for (let more = true; more; ) {
        const pass = this.ctx.storage.transactionSync(() => compactAll(m, policy, Date.now()));
        chunksWritten += pass.written;
        more = pass.more;
      }
    } finally {
      this.engine.invalidate();
    }
    return { chunksWritten, stats: m.stats };
  }

  /**
   * Resolves transactions prepared here before `now - ORPHAN_AFTER_MS` through the
   * CatalogDO's decision (`decide(…, 'aborted')` answers the decision that stands;
   * presumed abort when there is no record). Each is isolated and logged.
   */
  private async resolveOrphans(m: Meter, now: number): Promise<{ resolved: number; left: number }> {
    const txns = preparedBefore(m, now - ORPHAN_AFTER_MS);
    const name = this.ctx.id.name;
    if (txns.length === 0 || !name) return { resolved: 0, left: txns.length };
    // Shards are named `<database>:<shard count>:<index>`; the catalog by database.
    const database = name.split(':').slice(0, -2).join(':');
    const catalog = this.env.CATALOG.get(this.env.CATALOG.idFromName(database));
    let resolved = 0;
    for (const txn of txns) {
      try {
        await this.fault('alarm', txn);
        const decision = await catalog.decide(txn, 'aborted');
        this.ctx.storage.transactionSync(() => resolveTxn(m, txn, decision));
        console.log(`shard ${name}: orphaned transaction ${txn} resolved (${decision})`);
        resolved++;
      } catch (e) {
        console.error(
          `shard ${name}: orphaned transaction ${txn} not resolved; retried at the next alarm:`,
          e,
        );
      }
    }
    if (resolved > 0) this.engine.invalidate();
    return { resolved, left: txns.length - resolved };
  }

  /**
   * Maintenance: compaction, merging and retention table by table (each in
   * its own transaction), then tiering, change-log retention, ledger pruning
   * and a bounded step of the R2 sweep.
   * A failing item is logged and skipped so it cannot stop the others for
   * good, and the alarm always re-arms.
   */
  override async alarm(): Promise<void> {
    this.alarmArmed = false;
    if (this.tombstone.isSet) return;
    const m = this.meter();
    const now = Date.now();
    const policy = this.policy();
    let more = false;
    let held = false;
    let failed = false;
    const step = async <T>(what: string, run: () => T | Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (e) {
        failed = true;
        console.error(`shard ${this.ctx.id.name ?? ''} alarm: ${what} failed:`, e);
        return undefined;
      }
    };
    // Entries prepared longer than the coordinator's recovery takes: their coordinator is gone.
    const orphans = await step('orphaned prepared entries', () => this.resolveOrphans(m, now));
    if (orphans?.left) held = true;
    this.engine.invalidate(); // frees the decoded-column cache before a merge needs the memory
    for (const t of knownTables(m)) {
      const r = await step(`maintenance of "${t.name}"`, () =>
        this.fault('alarm', t.name).then(() =>
          this.ctx.storage.transactionSync(() => maintainTable(m, t, policy, now)),
        ),
      );
      more ||= r?.more === true;
      held ||= r?.held === true;
    }
    this.engine.invalidate();
    const tiering = await step('tiering', async () => {
      if (tablesWithIntents(m).size > 0) {
        held = true; // moves may re-encode chunks that prepared effects point into
        return { moved: 0, soon: false, periodic: false, failed: 0 };
      }
      await this.fault('tiering', 'tiering');
      return runTiering(this.tierDeps(), m, now, this.reencoded);
    });
    if (tiering?.moved) this.engine.invalidate();
    if (tiering?.failed) failed = true;
    const log = await step('change log retention', async () => {
      const r = this.ctx.storage.transactionSync(() => pruneLog(m, readLogRetention(m), now));
      await collectColdGarbage(this.tierDeps(), m); // R2 objects of released chunks
      return { ...r, retained: newestLsn(m) > r.pruned };
    });
    // Decided ledger entries past the idempotency window (prepared ones are never pruned).
    const ledger = await step('ledger pruning', async () => {
      await this.fault('alarm', 'ledger');
      return this.ctx.storage.transactionSync(() => pruneLedger(m, now));
    });
    const sweep = await step('R2 sweep', async () => {
      await this.fault('sweep', 'sweep');
      return sweepOrphans(this.tierDeps(), m, now);
    });
    const done = (await step('bookkeeping', () =>
      this.ctx.storage.transactionSync(() => maintenanceDone(m, now)),
    )) ?? { hot: true, retention: true };
    // More to move, delete or compact (passes are bounded): soon. A failed item: retried later,
    // never given up on. Hot rows younger than the age threshold: after it. Policies: periodically.
    if (tiering?.soon || more || sweep?.more || log?.more || ledger?.more)
      await this.ctx.storage.setAlarm(now + 1000);
    // Tables held by undecided transactions: once they are decided.
    else if (held) await this.ctx.storage.setAlarm(now + HELD_ALARM_RETRY_MS);
    else if (failed) await this.ctx.storage.setAlarm(now + FAILED_ALARM_RETRY_MS);
    else if (done.hot) await this.ctx.storage.setAlarm(now + policy.maxAgeMs + 1);
    else if (done.retention || tiering?.periodic || log?.retained)
      await this.ctx.storage.setAlarm(now + RETENTION_CHECK_MS);
    // Objects in R2: the next sweep of orphans (see `shard-sweep`).
    else if (sweep?.nextAt !== undefined || ledger?.nextAt !== undefined)
      await this.ctx.storage.setAlarm(
        Math.max(Math.min(sweep?.nextAt ?? Infinity, ledger?.nextAt ?? Infinity), now + 1000),
      );
  }

  /**
   * Change-log entries from `fromLsn` on, in LSN order (at most `limit`, and
   * at most 4 MiB), with the next position and the retained range. 58P01 when
   * retention already removed `fromLsn`.
   */
  async readLog(fromLsn: number, limit = 1000): Promise<LogPage> {
    this.tombstone.check();
    return rpcSafe(() => readLog(this.meter(), fromLsn, limit));
  }

  /** Rows of a chunk the bulk-load entry `lsn` references, from `offset` (paged like `readLog`). */
  async readLogChunk(lsn: number, chunkId: number, offset = 0, limit = 65_536): Promise<ChunkPage> {
    this.tombstone.check();
    return rpcSafe(() => {
      const m = this.meter();
      const table = this.sql
        .exec<{ table_id: number }>(`SELECT table_id FROM chunks WHERE id = ?`, chunkId)
        .toArray()[0]?.table_id;
      const run = () => readLogChunk(m, lsn, chunkId, offset, limit);
      const needs = { reads: 'all', bounds: [], chunks: [chunkId] } as const;
      return table === undefined ? run() : this.cold.withBlocks(m, table, needs, run);
    });
  }

  /** Registers a durable log consumer at `fromLsn` (default: the next entry); its cursor holds retention back. */
  async registerLogConsumer(name: string, fromLsn?: number): Promise<{ lsn: number }> {
    this.tombstone.check();
    this.changefeeds.invalidate();
    return rpcSafe(() =>
      this.ctx.storage.transactionSync(() => registerConsumer(this.meter(), name, fromLsn)),
    );
  }

  /** Records that consumer `name` processed every entry up to `lsn`. */
  async advanceLogCursor(name: string, lsn: number): Promise<{ lsn: number }> {
    this.tombstone.check();
    return rpcSafe(() => this.ctx.storage.transactionSync(() => advanceCursor(this.meter(), name, lsn)));
  }

  /** Moves consumer `name` to just before `at` (an LSN, or a commit time); see `rewindConsumer`. */
  async rewindLogConsumer(name: string, at: { lsn: number } | { fromMs: number }): Promise<{ lsn: number }> {
    this.tombstone.check();
    return rpcSafe(() => this.ctx.storage.transactionSync(() => rewindConsumer(this.meter(), name, at)));
  }

  /** Removes a log consumer. */
  async dropLogConsumer(name: string): Promise<void> {
    this.tombstone.check();
    this.changefeeds.invalidate();
    return rpcSafe(() => dropConsumer(this.meter(), name));
  }

  /** Log consumers with their cursors, and the retained range. */
  async logStatus(): Promise<{
    consumers: { name: string; lsn: number }[];
    oldestLsn: number;
    newestLsn: number;
  }> {
    this.tombstone.check();
    const m = this.meter();
    return { consumers: listConsumers(m), oldestLsn: prunedThrough(m) + 1, newestLsn: newestLsn(m) };
  }

  /** Sets the change log's retention limits (operators and tests); the alarm applies them. */
  async setLogRetention(r: LogRetention): Promise<void> {
    this.tombstone.check();
    return rpcSafe(async () => {
      writeLogRetention(this.meter(), r);
      await this.ensureAlarm();
    });
  }
}

/** Maintenance of a table held by a prepared transaction is retried after this long. */
export const HELD_ALARM_RETRY_MS = 5_000;

/**
 * An entry prepared this long ago is orphaned: longer than the CatalogDO's recovery
 * window (`RECOVERY_AFTER_MS`, after which it decides any open record) plus its alarm period.
 */
export const ORPHAN_AFTER_MS = 120_000;

/** A failed alarm item is retried after this long. */
export const FAILED_ALARM_RETRY_MS = 60_000;

/** A test-only fault (see `ShardDO.injectFault`). */
export interface ShardFault {
  readonly phase: 'write' | 'prepare' | 'prepared' | 'commit' | 'abort' | 'alarm' | 'tiering' | 'sweep';
  /** A table name or transaction id (`tiering` / `sweep` for those alarm steps). */
  readonly match: string;
  /** How many calls fail (default 1). */
  times?: number;
  /** Pause this long and then proceed, instead of failing. */
  readonly delayMs?: number;
}
