/**
 * @module workers/pg-wire/session
 * One PostgreSQL protocol session after authentication: the simple query
 * protocol, the extended protocol (Parse / Bind / Describe / Execute / Close /
 * Sync / Flush, named statements and portals, row limits), transaction blocks
 * and COPY FROM STDIN. It owns only protocol state; SQL runs through the data
 * plane (`SessionHost`), exactly as `/v1/databases/{db}/sql` runs it.
 */
import type { PostgresConnection } from 'pg-gateway';
import { isSqlError, SqlError, SqlState } from '../../engine/errors.ts';
import type { StatementResult } from '../data-plane/statement-result.ts';
import { BackendCode as B, type Backend } from './backend-messages.ts';
import { MAX_COPY_BYTES } from './copy-in.ts';
import { callGroups, type SessionHost, type SessionStatement } from './session-host.ts';
import { encodeRows, paramValue, resultFields } from './wire-values.ts';

type Reader = PostgresConnection['bufferReader'];

/** Prepared statements a session may hold. */
export const MAX_PREPARED = 1000;

interface Prepared {
  readonly sql: string;
  readonly paramOids: number[];
  readonly statement?: SessionStatement;
}

interface Portal {
  readonly prepared: Prepared;
  readonly params: unknown[];
  readonly formats: number[];
  result?: StatementResult;
  sent: number;
}

/** The PostgreSQL command tag of a result. */
export function commandTag(r: StatementResult): string {
  const cmd = r.command ?? 'SELECT';
  if (cmd === 'INSERT') return `INSERT 0 ${r.rowCount}`;
  if (['SELECT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(cmd)) return `${cmd} ${r.rowCount}`;
  return cmd;
}

const returnsRows = (r: StatementResult) => r.command === undefined || r.columns.length > 0;

export class WireSession {
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  /** An error in the extended protocol: messages are skipped until Sync. */
  private skipping = false;
  private failed = false;
  private copy?: { chunks: Uint8Array[]; bytes: number; finish: (data: Uint8Array[]) => Promise<number> };

  constructor(
    private readonly host: SessionHost,
    private readonly out: Backend,
    private readonly reader: Reader,
  ) {}

  private status(): 'I' | 'T' | 'E' {
    return this.failed ? 'E' : this.host.inBlock ? 'T' : 'I';
  }

  /** Handles one frontend message (positioned at its code byte); returns the backend messages. */
  async handle(): Promise<Uint8Array[]> {
    const r = this.reader;
    const code = String.fromCharCode(r.byte());
    const len = r.int32() - 4;
    if (this.copy && code !== 'd' && code !== 'c' && code !== 'f' && code !== 'H' && code !== 'S')
      return this.copyFailed(
        new SqlError(
          '08P01',
          `unexpected message type 0x${code.charCodeAt(0).toString(16)} during COPY from stdin`,
        ),
      );
    if (this.skipping && code !== 'S' && code !== 'Q') return [];
    try {
      switch (code) {
        case 'Q':
          return await this.query(r.cstring());
        case 'P':
          return this.parse(r);
        case 'B':
          return this.bind(r);
        case 'D':
          return await this.describe(String.fromCharCode(r.byte()), r.cstring());
        case 'E':
          return await this.execute(r.cstring(), r.int32());
        case 'C': {
          const kind = String.fromCharCode(r.byte());
          (kind === 'S' ? this.prepared : this.portals).delete(r.cstring());
          return [this.out.empty(B.CloseComplete)];
        }
        case 'S':
          this.skipping = false;
          return [this.out.readyForQuery(this.status())];
        case 'H':
          return [];
        case 'd':
          return this.copyData(r.bytes(len));
        case 'c':
          return await this.copyDone();
        case 'f':
          return this.copyFailed(new SqlError('57014', `COPY from stdin failed: ${r.cstring()}`));
        default:
          throw new SqlError('08P01', `unsupported frontend message type ${code}`);
      }
    } catch (e) {
      // An error in the extended protocol discards everything up to the next Sync.
      if (code !== 'Q') this.skipping = true;
      return [this.errorOf(e, 0)];
    }
  }

  private errorOf(e: unknown, offset: number): Uint8Array {
    if (isSqlError(e) || (e instanceof Error && typeof (e as { code?: unknown }).code === 'string')) {
      const err = e as SqlError;
      if (this.host.inBlock) this.failed = true;
      return this.out.error(err.code, err.message, {
        ...(err.position !== undefined ? { position: err.position + offset } : {}),
        ...(err.hint !== undefined ? { hint: err.hint } : {}),
      });
    }
    console.error('pg-wire: internal error', e);
    if (this.host.inBlock) this.failed = true;
    return this.out.error('XX000', e instanceof Error ? e.message : String(e));
  }

  /** Simple query: statements run as one call, except session statements which split it. */
  private async query(sql: string): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let statements: SessionStatement[];
    try {
      statements = this.host.inspect(sql);
    } catch (e) {
      return [this.errorOf(e, 0), this.out.readyForQuery(this.status())];
    }
    if (statements.length === 0) return [this.out.empty(B.EmptyQuery), this.out.readyForQuery(this.status())];
    const groups = this.failed
      ? statements.map((s) => ({ text: s.text, offset: s.offset, all: [s] }))
      : callGroups(sql, statements);
    for (const g of groups) {
      try {
        const s = g.all[0];
        if (g.all.length === 1 && s.kind === 'copy') {
          this.guard(s);
          const c = await this.host.copyIn(s.text);
          this.copy = { chunks: [], bytes: 0, finish: c.finish };
          out.push(this.out.copyInResponse(c.columns));
          return out; // the rest of the query text is not run (as PostgreSQL does after COPY in a multi-statement query)
        }
        out.push(...(await this.runStatement(g.text, [], g.all.length === 1 ? s : undefined)));
      } catch (e) {
        out.push(this.errorOf(e, g.offset));
        break;
      }
    }
    out.push(this.out.readyForQuery(this.status()));
    return out;
  }

  /** Refuses everything but COMMIT / ROLLBACK in a failed block. */
  private guard(s: SessionStatement | undefined): void {
    if (this.failed && s?.kind !== 'commit' && s?.kind !== 'rollback')
      throw new SqlError(
        SqlState.inFailedSqlTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
  }

  /** Runs a statement (or a plain multi-statement text) and answers its results. */
  private async runStatement(text: string, params: unknown[], s?: SessionStatement, formats: number[] = []) {
    this.guard(s);
    switch (s?.kind) {
      case 'begin':
        this.host.begin();
        return [this.out.commandComplete('BEGIN')];
      case 'commit': {
        if (this.failed) {
          this.failed = false;
          await this.host.rollback();
          return [this.out.commandComplete('ROLLBACK')];
        }
        await this.host.commit();
        return [this.out.commandComplete('COMMIT')];
      }
      case 'rollback':
        this.failed = false;
        await this.host.rollback();
        return [this.out.commandComplete('ROLLBACK')];
      case 'copy':
        throw new SqlError(
          SqlState.featureNotSupported,
          'COPY FROM STDIN is supported in the simple query protocol only',
        );
    }
    const out: Uint8Array[] = [];
    for (const r of await this.host.run(text, params)) {
      if (returnsRows(r)) {
        out.push(this.out.rowDescription(resultFields(r, formats), formats));
        out.push(...encodeRows(this.out, r, formats, 0, r.rows.length));
      }
      out.push(this.out.commandComplete(commandTag(r)));
    }
    return out;
  }

  private parse(r: Reader): Uint8Array[] {
    const name = r.cstring();
    const sql = r.cstring();
    const n = r.int16();
    const paramOids: number[] = [];
    for (let i = 0; i < n; i++) paramOids.push(r.int32());
    const statements = this.host.inspect(sql);
    if (statements.length > 1)
      throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    if (name !== '' && this.prepared.has(name))
      throw new SqlError('42P05', `prepared statement "${name}" already exists`);
    if (!this.prepared.has(name) && this.prepared.size >= MAX_PREPARED)
      throw new SqlError(
        SqlState.programLimitExceeded,
        `at most ${MAX_PREPARED} prepared statements per connection`,
      );
    const statement = statements[0];
    while (statement && paramOids.length < statement.params) paramOids.push(0);
    this.prepared.set(name, { sql, paramOids, statement });
    return [this.out.empty(B.ParseComplete)];
  }

  private bind(r: Reader): Uint8Array[] {
    const portal = r.cstring();
    const name = r.cstring();
    const prepared = this.prepared.get(name);
    if (!prepared) throw new SqlError('26000', `prepared statement "${name}" does not exist`);
    const nf = r.int16();
    const paramFormats: number[] = [];
    for (let i = 0; i < nf; i++) paramFormats.push(r.int16());
    const np = r.int16();
    if (np !== prepared.paramOids.length)
      throw new SqlError(
        '08P01',
        `bind message supplies ${np} parameters, but prepared statement "${name}" requires ${prepared.paramOids.length}`,
      );
    const params: unknown[] = [];
    for (let i = 0; i < np; i++) {
      const len = r.int32();
      const bytes = len < 0 ? null : r.bytes(len);
      const format = nf === 0 ? 0 : nf === 1 ? paramFormats[0] : paramFormats[i];
      params.push(paramValue(bytes, format, prepared.paramOids[i] ?? 0));
    }
    const nr = r.int16();
    const formats: number[] = [];
    for (let i = 0; i < nr; i++) formats.push(r.int16());
    this.portals.set(portal, { prepared, params, formats, sent: 0 });
    return [this.out.empty(B.BindComplete)];
  }

  private async describe(kind: string, name: string): Promise<Uint8Array[]> {
    if (kind === 'S') {
      const p = this.prepared.get(name);
      if (!p) throw new SqlError('26000', `prepared statement "${name}" does not exist`);
      const desc = this.out.parameterDescription(p.paramOids.map((o) => o || 25));
      if (!p.statement?.returnsRows) return [desc, this.out.empty(B.NoData)];
      throw new SqlError(
        SqlState.featureNotSupported,
        "describing a prepared statement's result columns is not supported; bind it and describe the portal",
      );
    }
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError('34000', `portal "${name}" does not exist`);
    if (!portal.prepared.statement?.returnsRows) return [this.out.empty(B.NoData)];
    // A row-returning portal runs when first described: its columns are its result's.
    const result = await this.portalResult(portal);
    return [this.out.rowDescription(resultFields(result, portal.formats), portal.formats)];
  }

  private async portalResult(portal: Portal): Promise<StatementResult> {
    if (!portal.result) {
      this.guard(portal.prepared.statement);
      const results = await this.host.run(portal.prepared.sql, portal.params);
      portal.result = results[results.length - 1];
    }
    return portal.result;
  }

  private async execute(name: string, maxRows: number): Promise<Uint8Array[]> {
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError('34000', `portal "${name}" does not exist`);
    const s = portal.prepared.statement;
    if (!s) return [this.out.empty(B.EmptyQuery)];
    if (!s.returnsRows || s.kind !== 'other') {
      if (portal.result) return [this.out.commandComplete(commandTag(portal.result))];
      const out = await this.runStatement(portal.prepared.sql, portal.params, s, portal.formats);
      portal.result = { columns: [], rows: [], rowCount: 0, command: 'done' };
      return out;
    }
    const result = await this.portalResult(portal);
    const end = maxRows > 0 ? Math.min(portal.sent + maxRows, result.rows.length) : result.rows.length;
    const out = encodeRows(this.out, result, portal.formats, portal.sent, end);
    portal.sent = end;
    if (end < result.rows.length) out.push(this.out.empty(B.PortalSuspended));
    else out.push(this.out.commandComplete(commandTag(result)));
    return out;
  }

  private copyData(bytes: Uint8Array): Uint8Array[] {
    const c = this.copy;
    if (!c) return []; // CopyData after a failed COPY is ignored, as PostgreSQL does
    c.bytes += bytes.length;
    if (c.bytes > MAX_COPY_BYTES)
      return this.copyFailed(
        new SqlError(
          SqlState.programLimitExceeded,
          `COPY data exceeds ${MAX_COPY_BYTES} bytes; split it into several COPY statements`,
        ),
      );
    c.chunks.push(bytes);
    return [];
  }

  private async copyDone(): Promise<Uint8Array[]> {
    const c = this.copy;
    if (!c) return [];
    this.copy = undefined;
    try {
      const n = await c.finish(c.chunks);
      return [this.out.commandComplete(`COPY ${n}`), this.out.readyForQuery(this.status())];
    } catch (e) {
      return [this.errorOf(e, 0), this.out.readyForQuery(this.status())];
    }
  }

  private copyFailed(e: unknown): Uint8Array[] {
    if (!this.copy) return [];
    this.copy = undefined;
    return [this.errorOf(e, 0), this.out.readyForQuery(this.status())];
  }
}
