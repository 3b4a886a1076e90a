/**
 * @module web/databases/ResultTable
 * A plain, non-virtualized table for small catalog results (shards, chunks),
 * with byte counts and hash bounds made readable.
 */
import type { SqlResult, SqlValue } from '../api/sql.ts';
import { fmtNumber, fmtTimestampText } from '../components/format.ts';
import { cellText } from '../sql/result-export.ts';

function fmtBytes(n: number) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${fmtNumber(i ? Math.round(n * 10) / 10 : n)} ${units[i]}`;
}

function fmt(column: string, v: SqlValue) {
  if (v === null) return 'NULL';
  if (/bytes/i.test(column) && (typeof v === 'number' || /^\d+$/.test(String(v)))) return fmtBytes(Number(v));
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'string') return fmtTimestampText(v);
  return cellText(v);
}

export function ResultTable({
  result,
  caption,
  testId,
}: {
  result: SqlResult;
  caption: string;
  testId: string;
}) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.name} scope="col">
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: catalog rows are positional.
            <tr key={i}>
              {r.map((v, j) => (
                <td key={result.columns[j].name} className={typeof v === 'number' ? 'num' : undefined}>
                  {fmt(result.columns[j].name, v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
