/**
 * @module cli/export
 * `orochi export --table t --format csv|parquet`: reads the table a page at a
 * time with `ORDER BY <every column> LIMIT n OFFSET k` and writes each page
 * before asking for the next, so memory holds one page. Ordering by every
 * column makes the pages a partition of the table: rows that tie on all
 * columns are identical, so whichever of them a page gets, each row is
 * written once (as long as nobody writes to the table meanwhile).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type BasicType, fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { OrochiApi, ResultColumn } from './api.ts';
import { csvLine } from './result-format.ts';

export interface ExportOptions {
  readonly table: string;
  readonly format: 'csv' | 'parquet';
  readonly output?: string;
  readonly pageRows: number;
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The query for page `page` (0-based). */
export function pageQuery(table: string, columnCount: number, pageRows: number, page: number): string {
  const order = Array.from({ length: columnCount }, (_, k) => String(k + 1)).join(', ');
  return `SELECT * FROM ${quoteIdent(table)} ORDER BY ${order} LIMIT ${pageRows} OFFSET ${page * pageRows}`;
}

/** Parquet physical type for a column's SQL type; text for types whose exact value a double or int cannot hold. */
export function parquetType(sqlType: string): BasicType {
  if (sqlType === 'boolean') return 'BOOLEAN';
  if (sqlType === 'smallint' || sqlType === 'integer') return 'INT32';
  if (sqlType === 'bigint') return 'INT64';
  if (sqlType === 'real') return 'FLOAT';
  if (sqlType === 'double precision') return 'DOUBLE';
  if (sqlType === 'timestamp with time zone') return 'TIMESTAMP';
  return 'STRING';
}

function parquetValue(v: unknown, type: BasicType): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'INT64') return BigInt(v as number | string);
  if (type === 'TIMESTAMP') return new Date(v as string);
  if ((type === 'DOUBLE' || type === 'FLOAT') && typeof v === 'string') return Number(v); // "NaN", "Infinity"
  if (type === 'STRING' && typeof v !== 'string') return JSON.stringify(v);
  return v;
}

/** A sink for pages of rows. */
interface PageSink {
  write(columns: ResultColumn[], rows: unknown[][]): Promise<void>;
  finish(): Promise<void>;
}

function csvSink(output?: string): PageSink {
  const out = output ? createWriteStream(output) : process.stdout;
  let wroteHeader = false;
  const put = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  return {
    async write(columns, rows) {
      if (!wroteHeader) {
        wroteHeader = true;
        await put(csvLine(columns.map((c) => c.name)));
      }
      let text = '';
      for (const r of rows) text += csvLine(r);
      await put(text);
    },
    async finish() {
      if (out !== process.stdout) {
        out.end();
        await once(out, 'finish');
      }
    },
  };
}

function parquetSink(output: string, columns: ResultColumn[]): PageSink {
  const types = columns.map((c) => parquetType(c.type));
  const schema = schemaFromColumnData({
    columnData: columns.map((c, k) => ({ name: c.name, data: [], type: types[k], nullable: true })),
  });
  const writer = new ParquetWriter({ writer: fileWriter(output), schema });
  return {
    async write(_columns, rows) {
      const columnData = columns.map((c, k) => ({
        name: c.name,
        data: rows.map((r) => parquetValue(r[k], types[k])),
        type: types[k],
        nullable: true,
      }));
      await writer.write({ columnData, rowGroupSize: rows.length });
    },
    async finish() {
      await writer.finish();
    },
  };
}

/** Writes the whole table; returns the number of rows written. */
export async function exportTable(api: OrochiApi, opts: ExportOptions): Promise<number> {
  if (opts.format === 'parquet' && !opts.output) throw new Error('--output is required for Parquet');
  // The columns and their types, from a query that reads no rows.
  const probe = await api.sql(`SELECT * FROM ${quoteIdent(opts.table)} LIMIT 0`);
  const columns = probe.columns ?? [];
  const sink = opts.format === 'parquet' ? parquetSink(opts.output!, columns) : csvSink(opts.output);
  let total = 0;
  for (let page = 0; ; page++) {
    const res = await api.sql(pageQuery(opts.table, columns.length, opts.pageRows, page));
    const rows = res.rows ?? [];
    if (rows.length > 0) await sink.write(columns, rows);
    total += rows.length;
    if (rows.length < opts.pageRows) break;
  }
  await sink.finish();
  return total;
}
