/**
 * @module durable-objects/catalog-do
 * One per database: tables, columns (stable ids), distribution, hypertable
 * settings, retention and tiering policies and the versioned shard map, plus the durable
 * coordinator records of two-phase commits. Every mutation bumps the catalog
 * version in the same SQLite transaction, so a Worker holding version v knows
 * exactly whether its cached copy is current.
 */
import { DurableObject } from 'cloudflare:workers';
import type { MapRange, ShardMap } from '../engine/distributed/shard-map.ts';
import type { ColumnSpec, ConstraintSpec } from '../engine/distributed/sql-statements.ts';
import type { DistTable, Placement } from '../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import type { RelOption } from '../engine/storage/chunk-layout.ts';
import {
  alteredTable,
  type HypertableSpec,
  hypertable,
  newTable,
  placedTable,
  withRetention,
  withTiering,
} from './catalog-changes.ts';
import { CATALOG_MIGRATIONS, ensurePlacementMap } from './catalog-schema.ts';
import {
  acquireLease,
  advanceDelivery,
  failDelivery,
  idleCursors,
  type Lease,
  releaseLease,
  replayCursors,
  resolvedDue,
  resolvedEveryMs,
  resolveShard,
} from './changefeed-cursors.ts';
import {
  type Changefeed,
  type ChangefeedSpec,
  type ChangefeedStatus,
  createFeed,
  type Delivery,
  deleteFeed,
  getFeed,
  listDeliveries,
  listFeeds,
  recordDelivery,
  rotateSecret,
  type SealedSecret,
  setStatus,
} from './changefeed-store.ts';
import {
  claimIdempotencyKey,
  type HeldKeyClaim,
  IDEMPOTENCY_WAIT_MS,
  IDEMPOTENCY_WINDOW_MS,
  KeysInFlight,
  pruneIdempotencyKeys,
} from './idempotency-keys.ts';
import { rpcSafe } from './rpc-errors.ts';
import { migrate } from './schema-migrations.ts';
import { Tombstone } from './tombstone.ts';
import {
  beginAttempt,
  decideTxn,
  enlistShards,
  finishTxn,
  pendingTxns,
  pruneFinishedTxns,
  type TxnBegin,
  type TxnRecord,
} from './txn-records.ts';

/** A coordinator silent this long is presumed dead; recovery then resolves its transaction. */
export const RECOVERY_AFTER_MS = 30_000;

/** The catalog as Workers cache it: tables (each with its id and version) and the shard map of every placement. */
export interface CatalogSnapshot {
  readonly version: number;
  readonly tables: readonly DistTable[];
  readonly maps: readonly ShardMap[];
}

export type { TxnBegin, TxnRecord } from './txn-records.ts';

export class CatalogDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Set once the database is deleted: every call then answers 3D000. */
  private readonly tombstone: Tombstone;
  /** Idempotency keys held by calls still running (see idempotency-keys). */
  private readonly keysInFlight = new KeysInFlight();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.tombstone = new Tombstone(this.sql);
    ctx.blockConcurrencyWhile(async () => {
      if (!this.tombstone.isSet) migrate(ctx.storage, CATALOG_MIGRATIONS);
    });
  }

  /** Erases the catalog for good (its database was deleted; shards are destroyed first by the Worker). */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.tombstone.set();
  }

  /** The catalog version; Workers cache catalog entries by it. */
  async version(): Promise<number> {
    this.tombstone.check();
    const row = this.sql
      .exec<{ value: string }>(`SELECT value FROM catalog_meta WHERE key = 'version'`)
      .toArray()[0];
    return row ? Number(row.value) : 0;
  }

  /** Every table and the version they were read at. */
  async snapshot(): Promise<CatalogSnapshot> {
    this.tombstone.check();
    const tables = this.sql
      .exec<{ def: string }>(`SELECT def FROM catalog_tables ORDER BY name`)
      .toArray()
      .map((r) => JSON.parse(r.def) as DistTable);
    return { version: await this.version(), tables, maps: this.maps() };
  }

  /** The shard map of every placement (see engine/distributed/shard-map). */
  private maps(): ShardMap[] {
    const byCount = new Map<number, MapRange[]>();
    for (const r of this.sql
      .exec<{ shard_count: number; min: number; max: number; shard: string; version: number }>(
        `SELECT shard_count, min, max, shard, version FROM catalog_shard_map ORDER BY shard_count, min`,
      )
      .toArray()) {
      const list = byCount.get(r.shard_count) ?? [];
      list.push({ min: r.min, max: r.max, shard: r.shard, version: r.version });
      byCount.set(r.shard_count, list);
    }
    return [...byCount].map(([shardCount, ranges]) => ({
      shardCount,
      version: ranges.reduce((v, r) => Math.max(v, r.version), 0),
      ranges,
    }));
  }

  /**
   * Every shard count a table of this database was ever placed with, dropped
   * tables included: shard `i` of count `n` is `{databaseId}:{n}:{i}`, so
   * these name every ShardDO the database may have used (see teardown).
   */
  async placedShardCounts(): Promise<number[]> {
    this.tombstone.check();
    return this.sql
      .exec<{ shard_count: number }>(`SELECT shard_count FROM catalog_placements ORDER BY shard_count`)
      .toArray()
      .map((r) => r.shard_count);
  }

  private get(name: string): DistTable {
    const row = this.sql
      .exec<{ def: string }>(`SELECT def FROM catalog_tables WHERE name = ?`, name)
      .toArray()[0];
    if (!row) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
    return JSON.parse(row.def) as DistTable;
  }

  /**
   * Writes a table with its version bumped, and bumps the catalog version, atomically;
   * returns what was stored. Records the table's shard count among the placements
   * teardown must reach and writes that placement's shard map when it has none.
   * `replaces`: the name the definition was stored under (a rename).
   */
  private put(t: DistTable, replaces = t.name): DistTable {
    return this.ctx.storage.transactionSync(() => {
      const prior = this.sql
        .exec<{ version: number | null }>(
          `SELECT json_extract(def, '$.version') AS version FROM catalog_tables WHERE name = ?`,
          replaces,
        )
        .toArray()[0];
      const stored: DistTable = { ...t, version: (prior?.version ?? 0) + 1 };
      if (replaces !== t.name) this.sql.exec(`DELETE FROM catalog_tables WHERE name = ?`, replaces);
      this.sql.exec(
        `INSERT INTO catalog_tables (name, def) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET def = excluded.def`,
        stored.name,
        JSON.stringify(stored),
      );
      this.sql.exec(`INSERT OR IGNORE INTO catalog_placements (shard_count) VALUES (?)`, t.shardCount);
      ensurePlacementMap(this.sql, t.shardCount);
      this.bump();
      return stored;
    });
  }

  /** The next table id: never reused, not even after DROP TABLE. */
  private nextTableId(): number {
    return Number(
      this.sql
        .exec<{ value: string }>(
          `INSERT INTO catalog_meta (key, value) VALUES ('table_seq', '1')
           ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
        )
        .one().value,
    );
  }

  private bump(): number {
    const row = this.sql
      .exec<{ value: string }>(
        `INSERT INTO catalog_meta (key, value) VALUES ('version', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
      )
      .one();
    return Number(row.value);
  }

  /** CREATE TABLE: a local (single-shard) table until it is distributed. */
  async createTable(
    name: string,
    columns: ColumnSpec[],
    ifNotExists: boolean,
    constraints: ConstraintSpec[] = [],
  ): Promise<DistTable | null> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const exists = this.sql.exec(`SELECT 1 FROM catalog_tables WHERE name = ?`, name).toArray().length > 0;
      if (exists) {
        if (ifNotExists) return null;
        throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
      }
      return this.ctx.storage.transactionSync(() =>
        this.put(newTable(this.nextTableId(), name, columns, constraints)),
      );
    });
  }

  /** ALTER TABLE ADD / DROP COLUMN and SET (storage options); see `alteredTable`. */
  async alterTable(
    name: string,
    add: ColumnSpec[],
    drop: string[],
    options: RelOption[] = [],
  ): Promise<DistTable> {
    this.tombstone.check();
    return rpcSafe(async () => this.change(name, (t) => alteredTable(t, add, drop, options)));
  }

  /** DROP TABLE: returns the dropped definition (the Worker clears its shards), or null. */
  async dropTable(name: string, ifExists: boolean): Promise<DistTable | null> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const row = this.sql
        .exec<{ def: string }>(`SELECT def FROM catalog_tables WHERE name = ?`, name)
        .toArray()[0];
      if (!row) {
        if (ifExists) return null;
        throw new SqlError(SqlState.undefinedTable, `table "${name}" does not exist`);
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(`DELETE FROM catalog_tables WHERE name = ?`, name);
        this.bump();
      });
      return JSON.parse(row.def) as DistTable;
    });
  }

  /** create_distributed_table / create_reference_table (empty tables only). */
  async place(name: string, placement: Placement, shardCount: number, isEmpty: boolean): Promise<DistTable> {
    this.tombstone.check();
    return rpcSafe(async () => this.change(name, (t) => placedTable(t, placement, shardCount, isEmpty)));
  }

  /**
   * create_hypertable: time column (NOT NULL), chunk interval, a new hypertable id
   * and, with a partitioning column, the distribution — one transaction, so a
   * refused request changes nothing. With `ifNotExists` an existing hypertable
   * is returned unchanged (`created` false).
   */
  async createHypertable(
    name: string,
    spec: HypertableSpec,
    isEmpty: boolean,
    ifNotExists = false,
  ): Promise<{ table: DistTable; created: boolean }> {
    this.tombstone.check();
    return rpcSafe(async () => {
      const t = this.get(name);
      if (t.hypertable && ifNotExists) return { table: t, created: false };
      return this.ctx.storage.transactionSync(() => {
        const id = Number(
          this.sql
            .exec<{ value: string }>(
              `INSERT INTO catalog_meta (key, value) VALUES ('hypertable_seq', '1')
               ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
            )
            .one().value,
        );
        return { table: this.put(hypertable(t, spec, id, isEmpty)), created: true };
      });
    });
  }

  /** add_retention_policy (µs) / remove_retention_policy (undefined). */
  async setRetention(name: string, retentionUs: number | undefined, lenient = false): Promise<DistTable> {
    this.tombstone.check();
    return rpcSafe(async () => this.change(name, (t) => withRetention(t, retentionUs, lenient)));
  }

  /**
   * add_tiering_policy (µs; optionally freezing to Parquet after `freezeAfterUs`) /
   * remove_tiering_policy (undefined). `lenient` is
   * if_not_exists (add: keep an existing policy) or if_exists (remove: no error when none).
   */
  async setTiering(
    name: string,
    moveAfterUs: number | undefined,
    lenient = false,
    freezeAfterUs?: number,
  ): Promise<DistTable> {
    this.tombstone.check();
    return rpcSafe(async () => this.change(name, (t) => withTiering(t, moveAfterUs, lenient, freezeAfterUs)));
  }

  /** Applies `fn` to the stored definition and persists the result (unchanged when it returns undefined). */
  private change(name: string, fn: (t: DistTable) => DistTable | undefined): DistTable {
    const t = this.get(name);
    const updated = fn(t);
    if (updated === undefined) return t;
    return this.put(updated);
  }

  /**
   * ALTER TABLE … RENAME TO: a new name and version, same id. Shards key their
   * data by id, so nothing there moves; they learn the name with the next definition.
   */
  async renameTable(name: string, to: string, ifExists = false): Promise<DistTable | null> {
    this.tombstone.check();
    return rpcSafe(async () => {
      if (
        ifExists &&
        this.sql.exec(`SELECT 1 FROM catalog_tables WHERE name = ?`, name).toArray().length === 0
      )
        return null;
      const t = this.get(name);
      if (this.sql.exec(`SELECT 1 FROM catalog_tables WHERE name = ?`, to).toArray().length > 0)
        throw new SqlError(SqlState.duplicateTable, `relation "${to}" already exists`);
      return this.put({ ...t, name: to }, name);
    });
  }

  /**
   * Binds an `Idempotency-Key` to the hash of its request and holds it for the
   * calling request (see idempotency-keys): a retry while an earlier call holds
   * it waits for that call (at most `waitMs`). The caller releases the hold with
   * `releaseIdempotencyKey` once its response is decided.
   */
  async claimIdempotencyKey(
    key: string,
    requestHash: string,
    waitMs = IDEMPOTENCY_WAIT_MS,
  ): Promise<HeldKeyClaim> {
    this.tombstone.check();
    const now = Date.now();
    const claim = claimIdempotencyKey(this.sql, key, requestHash, now);
    if ('mismatch' in claim) return claim;
    // The alarm forgets the key after the window (see `alarm`).
    if (!claim.retry) await this.armAlarm(now + IDEMPOTENCY_WINDOW_MS + 1000);
    return { ...claim, ...(await this.keysInFlight.hold(key, waitMs)) };
  }

  /** The call holding `key` under `token` finished (see `claimIdempotencyKey`). */
  async releaseIdempotencyKey(key: string, token: string): Promise<void> {
    this.keysInFlight.release(key, token);
  }

  /**
   * 2PC phase 0: the durable coordinator record, written before any shard
   * prepares. `base` is the statement's id (stable across retries of one
   * Idempotency-Key); each attempt gets its own id. The answer says what to do:
   * run the new attempt `id`; or, when an earlier attempt committed, answer its
   * outcome (`committed`: re-resolve its shards, which return their row counts).
   * An earlier attempt still undecided is aborted here (presumed abort; its
   * coordinator, if alive, learns it at `decide`), and `prior` names an aborted
   * attempt whose shards the caller must still tell.
   */
  async beginTxn(base: string, shards: string[]): Promise<TxnBegin> {
    this.tombstone.check();
    const now = Date.now();
    const begun = beginAttempt(this.sql, base, shards, now);
    await this.armAlarm(now + RECOVERY_AFTER_MS);
    return begun;
  }

  /**
   * The commit point: records the decision once. A later `decide` (e.g. from
   * recovery racing the original coordinator) returns the first decision; an
   * unknown id is aborted (presumed abort).
   */
  async decide(
    id: string,
    decision: 'committed' | 'aborted',
    counts?: Record<number, number>,
  ): Promise<'committed' | 'aborted'> {
    this.tombstone.check();
    return decideTxn(this.sql, id, decision, counts);
  }

  /** Records more shards of an undecided transaction before it prepares there (false: no longer undecided). */
  async enlistTxn(id: string, shards: string[]): Promise<boolean> {
    this.tombstone.check();
    return enlistShards(this.sql, id, shards);
  }

  /**
   * Marks a transaction finished once every shard acknowledged the decision.
   * The decision itself stays, as a tombstone, for the idempotency window.
   */
  async finishTxn(id: string): Promise<void> {
    this.tombstone.check();
    finishTxn(this.sql, id, Date.now());
  }

  /**
   * Finishes transactions whose coordinator went away: a record older than
   * `minAgeMs` still `preparing` is aborted (no shard can have applied it), a
   * decided one is re-sent to every shard (resolve is idempotent). Each
   * transaction is isolated: one that fails is logged and retried at the next
   * alarm, the others proceed. Returns ids resolved.
   */
  async recover(minAgeMs = RECOVERY_AFTER_MS): Promise<string[]> {
    this.tombstone.check();
    const done: string[] = [];
    for (const t of await this.pendingTxns()) {
      if (Date.now() - t.createdAt < minAgeMs) continue;
      try {
        const decision = t.state === 'preparing' ? decideTxn(this.sql, t.id, 'aborted') : t.state;
        await Promise.all(
          t.shards.map((name) => this.env.SHARD.get(this.env.SHARD.idFromName(name)).resolve(t.id, decision)),
        );
        finishTxn(this.sql, t.id, Date.now());
        done.push(t.id);
      } catch (e) {
        console.error(`catalog recovery of transaction ${t.id} failed; retried at the next alarm:`, e);
      }
    }
    return done;
  }

  /**
   * Recovers orphaned transactions (each alone, see `recover`), then prunes
   * idempotency records past their window: coordinator tombstones and keys
   * (undecided attempts are never pruned). Re-arms soon while any transaction
   * is unfinished or a step failed, else when the oldest record kept expires.
   */
  override async alarm(): Promise<void> {
    if (this.tombstone.isSet) return;
    let again = true;
    let expires: number | undefined;
    const resolvedNext = await this.wakeResolvedFeeds();
    try {
      await this.recover();
      again = (await this.pendingTxns()).length > 0;
    } catch (e) {
      console.error('catalog alarm: transaction recovery failed; retried later:', e);
    }
    try {
      const now = Date.now();
      const txns = pruneFinishedTxns(this.sql, now);
      const keys = pruneIdempotencyKeys(this.sql, now);
      expires = Math.min(txns ?? Infinity, keys ?? Infinity);
    } catch (e) {
      again = true;
      console.error('catalog alarm: pruning idempotency records failed; retried later:', e);
    }
    const next = Math.min(
      again ? Date.now() + RECOVERY_AFTER_MS : Infinity,
      expires !== undefined && expires < Infinity ? Math.max(expires, Date.now() + 1000) : Infinity,
      resolvedNext ?? Infinity,
    );
    if (next < Infinity) await this.ctx.storage.setAlarm(next);
  }

  /** Sets the alarm to `at` unless it is already set to go off sooner (it serves several timers). */
  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Changefeeds whose resolved message is due: queues a delivery of every shard, so quiet
   * shards read their log too and report how far they are delivered (see `resolveShard`).
   * Answers when the next one falls due.
   */
  private async wakeResolvedFeeds(): Promise<number | undefined> {
    try {
      const { due, next } = resolvedDue(this.sql, Date.now());
      const database = this.ctx.id.name;
      const wake = database
        ? due.flatMap((f) =>
            f.cursors.map((c) => ({ kind: 'cdc-deliver', database, changefeed: f.id, shard: c.shard })),
          )
        : [];
      for (let i = 0; i < wake.length; i += 100)
        await this.env.EVENTS.sendBatch(wake.slice(i, i + 100).map((body) => ({ body })));
      return next;
    } catch (e) {
      console.error('catalog alarm: waking changefeeds for resolved messages failed; retried later:', e);
      return Date.now() + RECOVERY_AFTER_MS;
    }
  }

  /** Unfinished transactions (for recovery). */
  async pendingTxns(): Promise<TxnRecord[]> {
    this.tombstone.check();
    return pendingTxns(this.sql);
  }

  /** Changefeed records, cursors and delivery log (see changefeed-store / changefeed-cursors). */
  private cdc<T>(fn: () => T): Promise<T> {
    this.tombstone.check();
    return rpcSafe(() => this.ctx.storage.transactionSync(fn));
  }

  async cdcCreate(
    f: { id: string; name: string; spec: ChangefeedSpec; secret: SealedSecret },
    starts: Record<string, number>,
  ): Promise<Changefeed> {
    const feed = await this.cdc(() => createFeed(this.sql, f, starts, Date.now()));
    await this.armResolved(feed);
    return feed;
  }
  /** A running changefeed with `resolvedEvery` wakes the alarm that far from now. */
  private async armResolved(f: Changefeed): Promise<void> {
    const every = resolvedEveryMs(f.spec.resolvedEvery);
    if (every !== undefined && f.status === 'running') await this.armAlarm(Date.now() + every);
  }
  async cdcList(): Promise<Changefeed[]> {
    return this.cdc(() => listFeeds(this.sql));
  }
  async cdcGet(ref: string): Promise<Changefeed> {
    return this.cdc(() => getFeed(this.sql, ref));
  }
  async cdcSetStatus(ref: string, status: ChangefeedStatus, reason: string | null): Promise<Changefeed> {
    const feed = await this.cdc(() => setStatus(this.sql, ref, status, reason, Date.now()));
    await this.armResolved(feed);
    return feed;
  }
  async cdcRotate(ref: string, secret: SealedSecret, overlapUntil: number): Promise<Changefeed> {
    return this.cdc(() => rotateSecret(this.sql, ref, secret, overlapUntil));
  }
  async cdcDelete(ref: string): Promise<Changefeed> {
    return this.cdc(() => deleteFeed(this.sql, ref));
  }
  async cdcDeliveries(ref: string, limit: number, beforeSeq?: number): Promise<Delivery[]> {
    return this.cdc(() => listDeliveries(this.sql, ref, limit, beforeSeq));
  }
  async cdcRecordDelivery(feedId: string, d: Omit<Delivery, 'seq'>): Promise<void> {
    return this.cdc(() => recordDelivery(this.sql, feedId, d));
  }
  async cdcAcquire(feedId: string, shard: string, leaseMs: number, token?: string): Promise<Lease> {
    return this.cdc(() => acquireLease(this.sql, feedId, shard, Date.now(), leaseMs, token));
  }
  async cdcAdvance(
    feedId: string,
    shard: string,
    token: string,
    to: { lsn: number; skip: number },
    deliveredMs: number | null,
  ): Promise<void> {
    return this.cdc(() => advanceDelivery(this.sql, feedId, shard, token, to, deliveredMs));
  }
  async cdcFail(
    feedId: string,
    shard: string,
    token: string,
    attempt: number,
    nextAt: number,
    error: string,
  ): Promise<void> {
    return this.cdc(() => failDelivery(this.sql, feedId, shard, token, attempt, nextAt, error));
  }
  async cdcRelease(feedId: string, shard: string, token: string): Promise<boolean> {
    return this.cdc(() => releaseLease(this.sql, feedId, shard, token));
  }
  async cdcReplay(feedId: string, to: Record<string, number>): Promise<Changefeed> {
    return this.cdc(() => replayCursors(this.sql, feedId, to));
  }
  async cdcResolved(
    feedId: string,
    shard: string,
    token: string,
    resolvedMs: number,
  ): Promise<number | null> {
    return this.cdc(() => resolveShard(this.sql, feedId, shard, token, resolvedMs, Date.now()));
  }
  async cdcIdle(): Promise<{ feedId: string; shard: string }[]> {
    return this.cdc(() => idleCursors(this.sql, Date.now()));
  }
}
