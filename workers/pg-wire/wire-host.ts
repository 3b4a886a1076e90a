/**
 * @module workers/pg-wire/wire-host
 * A wire session's access to the data plane, the same as `/v1/databases/{db}/sql`:
 * `runSqlReportingProgress` with `sqlAuthorizer` (one authorization check, the
 * key's role), the ingest path for COPY, and a transaction block held open
 * across messages as a `CallTxn` (writes prepared with intents held; COMMIT
 * decides). A block idle longer than `BLOCK_IDLE_MS` is aborted.
 */
import type { Context } from 'hono';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { statementText } from '../../engine/distributed/coordinator-engine.ts';
import { type DistTable, rowsFromRecords } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { parseSql } from '../../engine/sql/parser.ts';
import type { AppEnv } from '../app-context.ts';
import { auditAdminOutcome, sqlAuthorizer } from '../data-plane/authorize.ts';
import { CallTxn } from '../data-plane/call-txn.ts';
import { Cluster } from '../data-plane/cluster.ts';
import type { DataPlaneDatabase } from '../data-plane/database-cache.ts';
import { StatsCollector } from '../data-plane/query-stats.ts';
import { runSqlReportingProgress, type TxnBlock } from '../data-plane/sql-executor.ts';
import { bulkWrite } from '../data-plane/write-path.ts';
import { copyInOf, copyRecords } from './copy-in.ts';
import type { SessionHost, SessionStatement } from './session-host.ts';

/**
 * A transaction block idle this long is aborted (the CatalogDO presumes a coordinator silent
 * for 30 s dead and aborts its transaction anyway).
 */
export const BLOCK_IDLE_MS = 20_000;

const ROW_STATEMENTS = new Set(['SelectStmt', 'ExplainStmt', 'VariableShowStmt']);

export class WireHost implements SessionHost {
  private readonly cluster: Cluster;
  private block?: TxnBlock & { aborted: boolean };
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly c: Context<AppEnv>,
    private readonly db: DataPlaneDatabase,
    /** Called when an idle block was aborted: the session ends. */
    private readonly onIdleAbort: () => void,
  ) {
    this.cluster = new Cluster(c.env, db.id, db.location);
  }

  get inBlock(): boolean {
    return this.block !== undefined;
  }

  inspect(sql: string): SessionStatement[] {
    return parseSql(sql).map((p) => {
      const key = Object.keys(p.stmt)[0];
      const node = p.stmt[key];
      const offset = p.location > 0 ? statementText(sql, 0, p.location).length : 0;
      const json = JSON.stringify(node);
      let params = 0;
      for (const m of json.matchAll(/"ParamRef":\{[^{}]*?"number":(\d+)/g))
        params = Math.max(params, Number(m[1]));
      return {
        text: statementText(sql, p.location, p.length),
        offset,
        kind: key === 'TransactionStmt' ? transactionKind(node.kind) : key === 'CopyStmt' ? 'copy' : 'other',
        returnsRows: ROW_STATEMENTS.has(key) || (node?.returningList?.length ?? 0) > 0,
        params,
      };
    });
  }

  async run(sql: string, params: readonly unknown[]) {
    if (this.block?.aborted)
      throw new SqlError(
        SqlState.inFailedSqlTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    this.touch();
    let err: unknown;
    try {
      return await runSqlReportingProgress(
        {
          cluster: this.cluster,
          params,
          defaultShards: this.db.defaultShardCount,
          stats: new StatsCollector(),
          txnBase: crypto.randomUUID(),
          authorize: sqlAuthorizer(this.c, this.db.id),
          block: this.block,
        },
        sql,
      );
    } catch (e) {
      err = fromRpcError(e);
      // An error ends the block's writes: nothing of it commits (ROLLBACK / COMMIT then answer ROLLBACK).
      if (this.block && !this.block.aborted) {
        this.block.aborted = true;
        await this.block.txn.abort();
      }
      throw err;
    } finally {
      await auditAdminOutcome(this.c, err);
    }
  }

  begin(): void {
    if (!this.block) {
      const txn = new CallTxn(this.cluster, `${crypto.randomUUID()}:txn`, new StatsCollector());
      this.block = { txn, statements: 0, wrote: false, aborted: false };
    }
    this.touch();
  }

  async commit(): Promise<void> {
    const b = this.end();
    if (!b || b.aborted) return;
    try {
      await b.txn.commit();
    } catch (e) {
      await b.txn.abort();
      throw fromRpcError(e);
    }
  }

  async rollback(): Promise<void> {
    const b = this.end();
    if (b && !b.aborted) await b.txn.abort();
  }

  /** The session ended (socket closed): an open block is aborted. */
  async close(): Promise<void> {
    await this.rollback();
  }

  private end() {
    const b = this.block;
    this.block = undefined;
    clearTimeout(this.timer);
    return b;
  }

  /** (Re)arms the idle timeout of an open block. */
  private touch(): void {
    if (!this.block) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.rollback().finally(this.onIdleAbort);
    }, BLOCK_IDLE_MS);
  }

  async copyIn(sql: string) {
    if (this.block)
      throw new SqlError(
        SqlState.featureNotSupported,
        'COPY FROM STDIN cannot run inside a transaction block',
        undefined,
        'it writes through the bulk ingest path, which commits on its own: run it outside BEGIN … COMMIT',
      );
    const parsed = parseSql(sql);
    await sqlAuthorizer(this.c, this.db.id)(parsed);
    const copy = copyInOf(parsed[0].stmt.CopyStmt);
    const table = await this.cluster.table(copy.table).catch((e: unknown) => {
      throw fromRpcError(e);
    });
    const names = table.columns.map((c) => c.name);
    const columns = copy.columns ?? names;
    for (const col of columns)
      if (!names.includes(col))
        throw new SqlError(
          SqlState.undefinedColumn,
          `column "${col}" of relation "${copy.table}" does not exist`,
        );
    return {
      columns: columns.length,
      finish: async (chunks: Uint8Array[]) => {
        const data = decodeChunks(chunks);
        const parsedRecords = copyRecords(copy, columns, data);
        const { rows, rejected } = rowsFromRecords(table, parsedRecords.records);
        const bad = [...parsedRecords.rejected, ...rejected].sort((a, b) => a.line - b.line)[0];
        if (bad)
          throw new SqlError(
            SqlState.invalidTextRepresentation,
            `${bad.reason} (COPY ${copy.table}, line ${bad.line})`,
          );
        return this.writeRows(table, rows);
      },
    };
  }

  private async writeRows(table: DistTable, rows: Parameters<typeof bulkWrite>[2]): Promise<number> {
    if (rows.length === 0) return 0;
    const res = await bulkWrite(
      this.cluster,
      table,
      rows,
      `${crypto.randomUUID()}:${table.name}`,
      new StatsCollector(),
    ).catch((e: unknown) => {
      throw fromRpcError(e);
    });
    if (res.rejected.length > 0)
      throw new SqlError(
        SqlState.uniqueViolation,
        `COPY ${table.name}: ${res.rejected.length} rows refused for their key (${res.rejected[0].reason}); the other ${rows.length - res.rejected.length} rows were written`,
      );
    return rows.length;
  }
}

function transactionKind(kind: string): SessionStatement['kind'] {
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return 'begin';
  if (kind === 'TRANS_STMT_COMMIT') return 'commit';
  if (kind === 'TRANS_STMT_ROLLBACK') return 'rollback';
  throw new SqlError(
    SqlState.featureNotSupported,
    `${kind.replace('TRANS_STMT_', '').replace(/_/g, ' ')} is not supported; use BEGIN, COMMIT and ROLLBACK`,
  );
}

function decodeChunks(chunks: Uint8Array[]): string {
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(all);
  } catch {
    throw new SqlError(
      SqlState.characterNotInRepertoire,
      'invalid byte sequence for encoding "UTF8" in COPY data',
    );
  }
}
