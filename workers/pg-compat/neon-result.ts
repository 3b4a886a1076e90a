/**
 * @module workers/pg-compat/neon-result
 * One statement's answer in the shape of Neon's SQL-over-HTTP endpoint, which
 * `neon()` from `@neondatabase/serverless` (and drizzle's `neon-http`) parse:
 * `{command, rowCount, rows, fields, rowAsArray}`. `command` and `rowCount` come
 * from PostgreSQL's command tag as Neon splits it (`INSERT 0 2` → INSERT, 2;
 * `CREATE TABLE` → CREATE, null); fields and values come from `pg-text`.
 */
import type { StatementResult } from '../data-plane/statement-result.ts';
import { pgFields, pgJsonValue, pgTextRows } from './pg-text.ts';

/** A field as Neon describes it (PostgreSQL's RowDescription; no table or column ids here). */
export interface NeonField {
  readonly name: string;
  readonly dataTypeID: number;
  readonly tableID: number;
  readonly columnID: number;
  readonly dataTypeSize: number;
  readonly dataTypeModifier: number;
  readonly format: 'text';
}

/** One query's result as Neon answers it. */
export interface NeonResult {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: unknown[];
  readonly fields: NeonField[];
  readonly rowAsArray: boolean;
}

/** How the client asked for rows: `Neon-Array-Mode` (or the query's `arrayMode`) and `Neon-Raw-Text-Output`. */
export interface NeonOutput {
  readonly arrayMode: boolean;
  readonly rawText: boolean;
}

/** Command tags PostgreSQL ends with a row count (INSERT's after the oid). */
const COUNTED = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'FETCH', 'MOVE']);

/** `command` and `rowCount` of a result, as Neon derives them from the command tag. */
function commandOf(result: StatementResult): { command: string; rowCount: number | null } {
  // Results without a command are queries: PostgreSQL tags them `SELECT n`.
  const command = (result.command ?? 'SELECT').split(' ')[0];
  return { command, rowCount: COUNTED.has(command) ? result.rowCount : null };
}

/** A statement's result in Neon's shape. */
export function neonResult(result: StatementResult, out: NeonOutput): NeonResult {
  const fields: NeonField[] = pgFields(result).map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: 0,
    columnID: 0,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: -1,
    format: 'text',
  }));
  const rows: unknown[][] = out.rawText
    ? pgTextRows(result)
    : result.rows.map((row) => row.map((v, i) => pgJsonValue(v, result.columns[i].type)));
  const { command, rowCount } = commandOf(result);
  if (!out.arrayMode) {
    // Objects keyed by column name: a repeated name keeps its last value, as in Neon's answer.
    const named = rows.map((row) => Object.fromEntries(row.map((v, i) => [fields[i].name, v])));
    return { command, rowCount, rows: named, fields, rowAsArray: false };
  }
  return { command, rowCount, rows, fields, rowAsArray: true };
}
