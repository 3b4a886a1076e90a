/**
 * @module engine/distributed/record-formats
 * Bulk-ingest body formats that carry column names: CSV with a header row,
 * NDJSON and JSON arrays of objects. Each yields records (column name → raw
 * value) and rejections with reasons; a record is taken whole or not at all.
 * Coercion to column types happens later, against the table's schema.
 */
import type { Rejection } from './line-protocol.ts';

/** A record keyed by column name, tagged with its 1-based input position. */
export interface RawRecord {
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Records plus rejections; every input unit lands in exactly one list. */
export interface RecordsResult {
  readonly records: RawRecord[];
  readonly rejected: Rejection[];
}

/** Splits CSV text into rows of fields (RFC 4180 quoting, CRLF or LF). Returns the starting line of each row. */
function csvRows(text: string): { fields: string[]; quoted: boolean[]; line: number; error?: string }[] {
  const rows: { fields: string[]; quoted: boolean[]; line: number; error?: string }[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    let error: string | undefined;
    for (;;) {
      let f = '';
      let q = false;
      if (text[i] === '"') {
        q = true;
        i++;
        for (;;) {
          if (i >= text.length) {
            error = 'unterminated quoted field';
            break;
          }
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              f += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === '\n') line++;
          f += text[i++];
        }
        if (!error && i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          error = 'text after closing quote';
          while (i < text.length && text[i] !== '\n') i++;
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') f += text[i++];
      }
      fields.push(f);
      quoted.push(q);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    if (!(fields.length === 1 && fields[0] === '' && !quoted[0]))
      rows.push({ fields, quoted, line: start, error });
  }
  return rows;
}

/** CSV with a header row. Unquoted empty fields are NULL; quoted empty fields are ''. */
export function parseCsv(text: string): RecordsResult {
  const rows = csvRows(text);
  const records: RawRecord[] = [];
  const rejected: Rejection[] = [];
  const header = rows.shift();
  if (!header) return { records, rejected };
  if (header.error) return { records, rejected: [{ line: header.line, reason: `header: ${header.error}` }] };
  const names = header.fields.map((h) => h.trim());
  const dup = names.find((n, k) => names.indexOf(n) !== k);
  if (dup !== undefined || names.some((n) => n === '')) {
    return { records, rejected: [{ line: 1, reason: `header has an empty or duplicate column name` }] };
  }
  for (const r of rows) {
    if (r.error) rejected.push({ line: r.line, reason: r.error });
    else if (r.fields.length !== names.length)
      rejected.push({ line: r.line, reason: `expected ${names.length} fields, got ${r.fields.length}` });
    else {
      const values: Record<string, unknown> = {};
      names.forEach((n, k) => {
        values[n] = r.fields[k] === '' && !r.quoted[k] ? null : r.fields[k];
      });
      records.push({ line: r.line, values });
    }
  }
  return { records, rejected };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Newline-delimited JSON objects, one per line. */
export function parseNdjson(text: string): RecordsResult {
  const records: RawRecord[] = [];
  const rejected: Rejection[] = [];
  text.split('\n').forEach((raw, k) => {
    const line = raw.trim();
    if (line === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      rejected.push({ line: k + 1, reason: 'invalid JSON' });
      return;
    }
    if (isPlainObject(v)) records.push({ line: k + 1, values: v });
    else rejected.push({ line: k + 1, reason: 'expected a JSON object' });
  });
  return { records, rejected };
}

/**
 * A JSON array of objects (or one object). Positions are 1-based array indexes.
 * Malformed JSON as a whole cannot be split into rows, so it throws SyntaxError
 * and the caller answers 400 for the entire body.
 */
export function parseJsonRecords(text: string): RecordsResult {
  const v: unknown = JSON.parse(text);
  const items = Array.isArray(v) ? v : [v];
  const records: RawRecord[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, k) => {
    if (isPlainObject(item)) records.push({ line: k + 1, values: item });
    else rejected.push({ line: k + 1, reason: 'expected a JSON object' });
  });
  return { records, rejected };
}
