/**
 * @module engine/distributed/record-formats
 * Bulk-ingest body formats that carry column names: CSV with a header row,
 * NDJSON and JSON arrays of objects. Each yields records (column name → raw
 * value) and rejections with reasons; a record is taken whole or not at all.
 * Coercion to column types happens later, against the table's schema.
 *
 * Work is linear in the body and bounded per record: a record (a CSV row, an
 * NDJSON line or an element of a JSON array) longer than `MAX_RECORD_CHARS` is
 * rejected on its own, and JSON nested deeper than `MAX_JSON_DEPTH` is refused
 * before any recursive code (coercion, JSON.stringify) can overflow the stack.
 */
import { SqlError } from '../errors.ts';
import { MAX_LINE_BYTES, type Rejection } from './line-protocol.ts';

/** Longest record, in UTF-16 code units (never more than its UTF-8 bytes): line protocol's 1 MiB line limit. */
export const MAX_RECORD_CHARS = MAX_LINE_BYTES;
/** Deepest JSON nesting accepted in a record (objects and arrays, the record itself included). */
export const MAX_JSON_DEPTH = 128;

function recordTooLong(chars: number): string {
  return `record is ${chars} characters long; the limit is ${MAX_RECORD_CHARS}`;
}

const TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * One linear pass over JSON text (valid or not): its deepest nesting and, when
 * it is an array, where each top-level element ends. Strings are skipped with
 * their escapes, so brackets inside them do not count.
 */
function scanJson(text: string, from = 0, to = text.length): { depth: number; ends: number[] } {
  let depth = 0;
  let max = 0;
  const ends: number[] = [];
  let topArray = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < to; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (depth === 0 && c === 91) topArray = true;
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) {
      if (depth === 1 && topArray) ends.push(i);
      depth--;
    } else if (c === 44 && depth === 1 && topArray) ends.push(i);
  }
  return { depth: max, ends };
}

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

interface CsvRow {
  fields: string[];
  quoted: boolean[];
  line: number;
  error?: string;
}

/**
 * Splits CSV text into rows of fields (RFC 4180 quoting, CRLF or LF), with the
 * starting line of each row. Fields are sliced out of the text, never built a
 * character at a time; a row longer than `MAX_RECORD_CHARS` becomes an error
 * row and the rest of its line is skipped unread.
 */
function csvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const row: CsvRow = { fields: [], quoted: [], line };
    const rowStart = i;
    for (;;) {
      let f = '';
      const q = text.charCodeAt(i) === 34;
      if (q) {
        let from = ++i;
        for (;;) {
          const close = text.indexOf('"', i);
          const stop = close < 0 ? n : close;
          for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) line++;
          if (close < 0) {
            row.error = 'unterminated quoted field';
            i = n;
            break;
          }
          if (text.charCodeAt(close + 1) === 34) {
            f += text.slice(from, close + 1);
            i = from = close + 2;
            continue;
          }
          f += text.slice(from, close);
          i = close + 1;
          break;
        }
        if (!row.error && i < n && !isFieldEnd(text.charCodeAt(i))) {
          row.error = 'text after closing quote';
          i = lineEnd(text, i);
        }
      } else {
        const from = i;
        // Stops one past the row limit: an oversized row is not read to its end character by character.
        const stop = Math.min(n, rowStart + MAX_RECORD_CHARS + 1);
        while (i < stop && !isFieldEnd(text.charCodeAt(i))) i++;
        f = text.slice(from, i);
      }
      row.fields.push(f);
      row.quoted.push(q);
      if (i - rowStart > MAX_RECORD_CHARS) {
        i = lineEnd(text, i);
        row.error = recordTooLong(i - rowStart);
        row.fields = [];
        row.quoted = [];
      } else if (text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (text.charCodeAt(i) === 13) i++;
      if (text.charCodeAt(i) === 10) {
        i++;
        line++;
      }
      break;
    }
    if (row.error || !(row.fields.length === 1 && row.fields[0] === '' && !row.quoted[0])) rows.push(row);
  }
  return rows;
}

/** `,`, CR or LF. */
function isFieldEnd(c: number): boolean {
  return c === 44 || c === 10 || c === 13;
}

/** Where the line containing `i` ends: its CR LF or LF, or the text's end. */
function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  if (nl < 0) return text.length;
  return nl > i && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
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
    if (raw.length > MAX_RECORD_CHARS) {
      rejected.push({ line: k + 1, reason: recordTooLong(raw.length) });
      return;
    }
    const line = raw.trim();
    if (line === '') return;
    if (scanJson(line).depth > MAX_JSON_DEPTH) {
      rejected.push({ line: k + 1, reason: TOO_DEEP });
      return;
    }
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
 * and the caller answers 400 for the entire body; so does nesting deeper than
 * `MAX_JSON_DEPTH` (+1 for the array), with SqlError 54001.
 */
export function parseJsonRecords(text: string): RecordsResult {
  const { depth, ends } = scanJson(text);
  const array = /^\s*\[/.test(text);
  if (depth > MAX_JSON_DEPTH + (array ? 1 : 0)) throw new SqlError('54001', TOO_DEEP);
  const v: unknown = JSON.parse(text);
  const items = Array.isArray(v) ? v : [v];
  const records: RawRecord[] = [];
  const rejected: Rejection[] = [];
  // Element k spans (ends[k-1], ends[k]]: for a whole-body object, the body itself.
  const sizeOf = (k: number) =>
    Array.isArray(v)
      ? (ends[k] ?? text.length) - (k === 0 ? text.indexOf('[') : ends[k - 1]) - 1
      : text.length;
  items.forEach((item, k) => {
    const size = sizeOf(k);
    if (size > MAX_RECORD_CHARS) rejected.push({ line: k + 1, reason: recordTooLong(size) });
    else if (isPlainObject(item)) records.push({ line: k + 1, values: item });
    else rejected.push({ line: k + 1, reason: 'expected a JSON object' });
  });
  return { records, rejected };
}
