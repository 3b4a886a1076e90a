/**
 * @module web/sql/result-export
 * Result rows as CSV (RFC 4180) for download and TSV for the clipboard
 * (spreadsheets paste TSV into cells).
 */
import type { SqlColumn, SqlValue } from '../api/sql.ts';

export function cellText(v: SqlValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(columns: SqlColumn[], rows: SqlValue[][]): string {
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const r of rows) lines.push(r.map((v) => csvField(cellText(v))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toTsv(columns: SqlColumn[], rows: SqlValue[][]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  return [columns.map((c) => clean(c.name)), ...rows.map((r) => r.map((v) => clean(cellText(v))))]
    .map((r) => r.join('\t'))
    .join('\n');
}

/** Starts a browser download of `text` without a server round trip. */
export function download(filename: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
