/**
 * @module cli/result-format
 * How `orochi sql` prints a result: psql's aligned table (header, `-+-`
 * rule, `(n rows)`), CSV with a header row, or JSON (an array of objects).
 * Values print as PostgreSQL's text output where the JSON differs: booleans
 * `t`/`f`, arrays `{a,b}`, NULL as an empty cell.
 */
import type { SqlResult } from './api.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

/** PostgreSQL's text for one JSON value of a result (NULL → undefined). */
export function valueText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Array.isArray(v)) return `{${v.map(arrayElementText).join(',')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function arrayElementText(v: unknown): string {
  const t = valueText(v);
  if (t === undefined) return 'NULL';
  if (Array.isArray(v)) return t;
  return t === '' || /[{},"\\\s]/.test(t) || t.toUpperCase() === 'NULL'
    ? `"${t.replace(/(["\\])/g, '\\$1')}"`
    : t;
}

/** One CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180); NULL is an empty unquoted field, '' a quoted one. */
export function csvField(v: unknown): string {
  const t = valueText(v);
  if (t === undefined) return '';
  return t === '' || /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** A CSV line for one row, ending in a newline. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** psql's command tag for a DDL/DML result (`INSERT 0 3`, `UPDATE 2`, `CREATE TABLE`). */
export function commandTag(r: SqlResult): string {
  const cmd = r.command ?? '';
  if (cmd === 'INSERT') return `INSERT 0 ${r.rowCount ?? 0}`;
  if (['UPDATE', 'DELETE', 'MERGE', 'SELECT', 'COPY'].includes(cmd)) return `${cmd} ${r.rowCount ?? 0}`;
  return cmd;
}

/** Display width of a string: code points, so accented text lines up (wide CJK is not measured). */
function width(s: string): number {
  return [...s].length;
}

function alignedTable(r: SqlResult): string {
  const cols = r.columns ?? [];
  const rows = (r.rows ?? []).map((row) => row.map((v) => valueText(v) ?? ''));
  const widths = cols.map((c, k) =>
    Math.max(width(c.name), ...rows.map((row) => Math.max(...row[k].split('\n').map(width)))),
  );
  const numeric = cols.map((c) => /^(smallint|integer|bigint|real|double precision|numeric)/.test(c.type));
  const pad = (s: string, k: number, right: boolean) =>
    right ? ' '.repeat(widths[k] - width(s)) + s : s + ' '.repeat(widths[k] - width(s));
  const header = cols.map((c, k) => {
    const left = Math.floor((widths[k] - width(c.name)) / 2);
    return ' '.repeat(left) + c.name + ' '.repeat(widths[k] - width(c.name) - left);
  });
  const lines = [` ${header.join(' | ')}`, widths.map((w) => '-'.repeat(w + 2)).join('+')];
  for (const row of rows) lines.push(` ${row.map((v, k) => pad(v, k, numeric[k])).join(' | ')}`.trimEnd());
  const n = rows.length;
  lines.push(`(${n} ${n === 1 ? 'row' : 'rows'})`);
  return lines.join('\n');
}

/** Text for one statement's result in the chosen format. */
export function formatResult(r: SqlResult, format: OutputFormat): string {
  if (!r.columns || (r.columns.length === 0 && r.command))
    return format === 'json' ? JSON.stringify({ command: r.command, rowCount: r.rowCount }) : commandTag(r);
  const columns = r.columns;
  if (format === 'csv')
    return (csvLine(columns.map((c) => c.name)) + (r.rows ?? []).map(csvLine).join('')).trimEnd();
  if (format === 'json') {
    const names = columns.map((c) => c.name);
    return JSON.stringify((r.rows ?? []).map((row) => Object.fromEntries(names.map((n, k) => [n, row[k]]))));
  }
  return alignedTable(r);
}
