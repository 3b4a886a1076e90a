/**
 * @module web/api/sql
 * The data-plane SQL endpoint (issue 4): `POST /v1/databases/{database}/sql`.
 */
import { client, unwrap } from './http.ts';

/** A result column as the API types it (PostgreSQL type names). */
export interface SqlColumn {
  name: string;
  type: string;
}

/** What the engine measured while answering; rowsRead/rowsWritten are the billed DO SQLite meters. */
export interface SqlStats {
  ms: number;
  shards: number;
  chunksScanned: number;
  chunksSkipped: number;
  rowsRead: number;
  rowsWritten?: number;
  bytesScanned?: number;
}

export type SqlValue = string | number | boolean | null | Record<string, unknown> | unknown[];

export interface SqlResult {
  columns: SqlColumn[];
  rows: SqlValue[][];
  rowCount: number;
  /** The statement's command tag for DDL/DML (e.g. `CREATE TABLE`, `INSERT`). */
  command?: string;
  stats: SqlStats;
}

type SqlParams = (string | number | boolean | null)[];

/** Runs one or more statements against a database (id, or name within the caller's project). */
export function runSql(database: string, sql: string, params: unknown[] = [], signal?: AbortSignal) {
  return unwrap(
    client.POST('/v1/databases/{database}/sql', {
      params: { path: { database } },
      body: params.length ? { sql, params: params as SqlParams } : { sql },
      ...(signal ? { signal } : {}),
    }),
  ) as Promise<SqlResult>;
}

/** Quotes a string as a SQL literal, for the few statements the dashboard builds itself. */
export function sqlLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
