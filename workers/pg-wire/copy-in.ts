/**
 * @module workers/pg-wire/copy-in
 * `COPY t [(cols)] FROM STDIN [WITH (FORMAT text|csv, HEADER, DELIMITER, NULL)]`:
 * the statement's options, and the received data as records for the ingest
 * path (`rowsFromRecords` → `bulkWrite`, as `POST …/tables/{t}/rows`). CSV goes
 * through the ingest route's own CSV parser; the text format (tab-separated,
 * `\N` for NULL, backslash escapes) is decoded here.
 */
import { parseCsv, type RawRecord, type RecordsResult } from '../../engine/distributed/record-formats.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Bytes of COPY data one statement may send: it is parsed and written as one batch. */
export const MAX_COPY_BYTES = 64 * 1024 * 1024;

/** A `COPY … FROM STDIN` statement's target and format. */
export interface CopyIn {
  readonly table: string;
  /** The column list, or undefined for every column of the table. */
  readonly columns?: readonly string[];
  readonly csv: boolean;
  readonly header: boolean;
  readonly delimiter: string;
  readonly nullString: string;
}

const refuse = (what: string): never => {
  throw new SqlError(SqlState.featureNotSupported, what);
};

/** Reads a CopyStmt node; refuses what it cannot do exactly as PostgreSQL does. */
export function copyInOf(c: Node): CopyIn {
  if (!c.is_from) refuse('COPY … TO is not supported; use SELECT');
  if (c.filename || c.is_program)
    refuse('COPY FROM a file or program is not supported; use COPY … FROM STDIN');
  if (c.query || !c.relation) refuse('COPY needs a table');
  if (c.whereClause) refuse('COPY … FROM … WHERE is not supported');
  const opts = new Map<string, unknown>();
  for (const o of (c.options ?? []) as Node[]) {
    const d = o.DefElem;
    const a = d.arg;
    opts.set(
      d.defname,
      a === undefined ? true : (a.String?.sval ?? a.Boolean?.boolval ?? a.Integer?.ival ?? a),
    );
  }
  const format = String(opts.get('format') ?? 'text').toLowerCase();
  if (format !== 'text' && format !== 'csv')
    refuse(`COPY format "${format}" is not supported; use text or csv`);
  for (const k of opts.keys())
    if (!['format', 'header', 'delimiter', 'null'].includes(k)) refuse(`COPY option "${k}" is not supported`);
  const csv = format === 'csv';
  const header = opts.get('header');
  if (header !== undefined && typeof header !== 'boolean' && !['true', 'on', '1'].includes(String(header)))
    refuse('COPY HEADER MATCH is not supported');
  if (header !== undefined && !csv)
    throw new SqlError(SqlState.featureNotSupported, 'COPY HEADER available only in CSV mode');
  const delimiter = String(opts.get('delimiter') ?? (csv ? ',' : '\t'));
  if (delimiter.length !== 1)
    throw new SqlError('22023', 'COPY delimiter must be a single one-byte character');
  if (csv && delimiter !== ',') refuse('COPY CSV with a delimiter other than "," is not supported');
  const nullString = String(opts.get('null') ?? (csv ? '' : '\\N'));
  if (csv && nullString !== '')
    refuse('COPY CSV with a NULL string other than the empty string is not supported');
  return {
    table: c.relation.relname,
    columns: c.attlist?.map((n: Node) => n.String.sval),
    csv,
    header: header !== undefined && header !== false && String(header) !== 'false',
    delimiter,
    nullString,
  };
}

/** The records of the received data, with the lines that could not be read. */
export function copyRecords(copy: CopyIn, columns: readonly string[], data: string): RecordsResult {
  return copy.csv ? csvRecords(copy, columns, data) : textRecords(copy, columns, data);
}

/** CSV: PostgreSQL's HEADER skips the first line; the ingest parser then reads our own header. */
function csvRecords(copy: CopyIn, columns: readonly string[], data: string): RecordsResult {
  let body = data.endsWith('\\.\n') || data === '\\.' ? data.slice(0, data.lastIndexOf('\\.')) : data;
  if (copy.header) body = body.slice(body.indexOf('\n') + 1 || body.length);
  const head = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');
  const r = parseCsv(`${head}\n${body}`);
  // Line numbers of the data as the client sent it.
  const shift = copy.header ? 0 : -1;
  return {
    records: r.records.map((x) => ({ line: x.line + shift, values: x.values })),
    rejected: r.rejected.map((x) => ({ line: x.line + shift, reason: x.reason })),
  };
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One text-format field: backslash escapes decoded (`\N` is handled by the caller). */
function unescapeText(f: string): string {
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}

function textRecords(copy: CopyIn, columns: readonly string[], data: string): RecordsResult {
  const records: RawRecord[] = [];
  const rejected: RecordsResult['rejected'] = [];
  const lines = data.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line === '\\.') break;
    const fields = line.split(copy.delimiter);
    if (fields.length !== columns.length) {
      rejected.push({
        line: i + 1,
        reason:
          fields.length < columns.length
            ? 'missing data for column'
            : 'extra data after last expected column',
      });
      continue;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((c, k) => {
      values[c] = fields[k] === copy.nullString ? null : unescapeText(fields[k]);
    });
    records.push({ line: i + 1, values });
  }
  return { records, rejected };
}
