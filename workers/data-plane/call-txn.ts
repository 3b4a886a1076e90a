/**
 * @module workers/data-plane/call-txn
 * One `/sql` call with several statements as ONE transaction: every write
 * statement is prepared on its shards under the call's transaction (see
 * durable-objects/shard-txn: effects computed, write intents held, later
 * statements see earlier ones), and only after the call's last statement
 * succeeded is the single decision recorded in the CatalogDO and sent to
 * every shard. Any error aborts all of it.
 *
 * The coordinator record is begun at the first write with that statement's
 * shards; shards a later statement reaches are enlisted before it prepares
 * there, so recovery (CatalogDO alarm) and the shards' orphan sweep (ShardDO
 * alarm) always find every prepared entry. A retry of the call under the same
 * Idempotency-Key finds the committed attempt and answers each write
 * statement's recorded row count without applying anything again.
 */
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { RETRY_STATE, ROW_CONFLICT, STALE_CATALOG } from '../../durable-objects/shard-log.ts';
import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import type { Command } from '../../engine/distributed/sql-statements.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { isSqlError, SqlError, SqlState } from '../../engine/errors.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import { MAX_TXN_ATTEMPTS, plannedVersion, resolveAll, TABLE_CHANGED } from './write-path.ts';

/** Statements that write table data. */
export const WRITE_KINDS = new Set<Command['kind']>(['insert', 'insertSelect', 'update', 'delete']);

/**
 * Statements that cannot follow a data write inside a call's transaction: DDL and management
 * functions commit on their own (they cannot be rolled back with the writes), and SHOW /
 * EXPLAIN read paths that do not see the transaction's own writes.
 */
const NOT_AFTER_WRITE: ReadonlyMap<Command['kind'], string> = new Map([
  ['create', 'CREATE TABLE'],
  ['createAs', 'CREATE TABLE AS'],
  ['alter', 'ALTER TABLE'],
  ['rename', 'ALTER TABLE … RENAME'],
  ['drop', 'DROP TABLE'],
  ['function', 'a management function'],
  ['showQuery', 'a SHOW query'],
  ['explain', 'EXPLAIN'],
]);

/**
 * A call is one transaction when a statement follows a data write (see `call-txn`): refused up
 * front, before anything runs, when a statement that cannot join it follows the first write.
 */
export function callTransaction(commands: readonly Command[]): boolean {
  const first = commands.findIndex((c) => WRITE_KINDS.has(c.kind));
  if (first < 0 || first === commands.length - 1) return false;
  for (const c of commands.slice(first + 1)) {
    const what = NOT_AFTER_WRITE.get(c.kind);
    if (what)
      throw new SqlError(
        SqlState.featureNotSupported,
        `${what} cannot follow INSERT, UPDATE or DELETE in the same call`,
        undefined,
        'a call with several statements is one transaction for its data writes; send it in its own call, or before the first write',
      );
  }
  return true;
}

/** Statements that commit on their own, whatever transaction they are sent in. */
const SELF_COMMITTING = new Set<Command['kind']>([
  'create',
  'createAs',
  'alter',
  'rename',
  'drop',
  'function',
]);

/**
 * A session's transaction block (BEGIN … COMMIT over the wire protocol) admits only what it can
 * undo: DDL and management functions are refused inside it, as PostgreSQL refuses statements
 * that cannot run in a transaction block; SHOW queries and EXPLAIN as after a write in a call.
 */
export function blockCommands(commands: readonly Command[], wroteBefore: boolean): void {
  let wrote = wroteBefore;
  for (const c of commands) {
    const what = NOT_AFTER_WRITE.get(c.kind);
    if (what && SELF_COMMITTING.has(c.kind))
      throw new SqlError(
        SqlState.activeSqlTransaction,
        `${what} cannot run inside a transaction block`,
        undefined,
        'it commits on its own and could not be rolled back: run it outside BEGIN … COMMIT',
      );
    if (what && wrote)
      throw new SqlError(
        SqlState.featureNotSupported,
        `${what} cannot follow INSERT, UPDATE or DELETE in the same transaction block`,
        undefined,
        "its reads would not see the block's own writes: run it before the first write or after COMMIT",
      );
    if (WRITE_KINDS.has(c.kind)) wrote = true;
  }
}

/** The transaction of one multi-statement call. */
export class CallTxn {
  /** The attempt id once the first write began it. */
  private id: string | undefined;
  /** An earlier attempt of this call committed: its per-statement row counts. */
  private replay: Record<number, number> | undefined;
  private readonly shards = new Set<string>();
  private readonly counts: Record<number, number> = {};

  constructor(
    private readonly cluster: Cluster,
    /** Stable across retries under one Idempotency-Key. */
    private readonly base: string,
    private readonly stats: StatsCollector,
  ) {}

  /** The id shards know the transaction's prepared writes by, once one was prepared (reads pass it). */
  get readId(): string | undefined {
    return this.replay ? undefined : this.id;
  }

  /** Prepares write statement `stmt` (shard name → operation); returns rows affected. */
  async write(stmt: number, table: DistTable, ops: ReadonlyMap<string, ShardOp>): Promise<number> {
    if (this.replay) return this.replay[stmt] ?? 0;
    if (ops.size === 0) return 0;
    const names = [...ops.keys()];
    const catalog = this.cluster.catalog();
    if (this.id === undefined) {
      const begun = await catalog.beginTxn(this.base, names);
      if (begun.prior) {
        // An earlier attempt of this call was aborted: its shards learn it before this one prepares.
        await resolveAll(this.cluster, begun.prior.shards, begun.prior.id, 'aborted', this.stats);
        await catalog.finishTxn(begun.prior.id);
      }
      if (begun.committed) {
        this.replay = begun.counts ?? {};
        return this.replay[stmt] ?? 0;
      }
      this.id = begun.id;
    } else {
      const fresh = names.filter((n) => !this.shards.has(n));
      if (fresh.length > 0 && !(await catalog.enlistTxn(this.id, fresh)))
        throw new SqlError(RETRY_STATE, aborted);
    }
    for (const n of names) this.shards.add(n);
    const n = await this.prepare(this.id, stmt, table, ops);
    this.counts[stmt] = n;
    return n;
  }

  /**
   * Prepares one statement on its shards. A prepare is idempotent per statement, so a
   * row conflict or a stale catalog re-sends the whole statement: shards that prepared
   * it answer their recorded count, the others evaluate it.
   */
  private async prepare(
    id: string,
    stmt: number,
    table: DistTable,
    ops: ReadonlyMap<string, ShardOp>,
  ): Promise<number> {
    let version = await plannedVersion(this.cluster, table);
    for (let attempt = 1; ; attempt++) {
      try {
        const counts = await Promise.all(
          [...ops].map(async ([name, op]) => {
            const r = await this.cluster
              .shard(name)
              .prepareStatement(id, stmt, table, op, version, this.cluster.placementFor(table, name));
            this.stats.add(name, r.stats);
            return r.rowCount;
          }),
        );
        return counts.reduce((s, c) => s + c, 0);
      } catch (e) {
        const err = fromRpcError(e);
        if (!isSqlError(err) || err.code !== RETRY_STATE || attempt >= MAX_TXN_ATTEMPTS) throw err;
        if (err.message.includes(STALE_CATALOG)) {
          // Statements prepared earlier in this call were planned on the same definition and map.
          const snap = await this.cluster.refreshFor(table);
          if (!snap)
            throw new SqlError(RETRY_STATE, `table "${table.name}" ${TABLE_CHANGED}; not applied, retry`);
          version = snap.version;
        } else if (err.message.includes(ROW_CONFLICT)) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
        } else throw err;
      }
    }
  }

  /** Every statement succeeded: the single decision, then every shard applies its prepared entries. */
  async commit(): Promise<void> {
    if (this.id === undefined || this.replay) return;
    const catalog = this.cluster.catalog();
    const decision = await catalog.decide(this.id, 'committed', this.counts);
    await resolveAll(this.cluster, [...this.shards], this.id, decision, this.stats);
    if (decision === 'aborted') throw new SqlError(RETRY_STATE, aborted);
    // Every shard applied it: a record left unfinished only costs recovery a re-send.
    await catalog.finishTxn(this.id).catch((e) => console.error(`finish of ${this.id} left to recovery:`, e));
  }

  /** A statement failed (nothing of the call's writes commits), or the commit did not complete. */
  async abort(): Promise<void> {
    if (this.id === undefined || this.replay) return;
    const catalog = this.cluster.catalog();
    try {
      const decision = await catalog.decide(this.id, 'aborted');
      await resolveAll(this.cluster, [...this.shards], this.id, decision, this.stats);
      await catalog.finishTxn(this.id);
    } catch (e) {
      // The record stays unfinished: recovery tells the shards.
      console.error(`abort of ${this.id} left to recovery:`, e);
    }
  }
}

const aborted =
  'the transaction was aborted (by recovery, or by a retry of the same request); not applied, retry';
