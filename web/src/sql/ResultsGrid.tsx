/**
 * @module web/sql/ResultsGrid
 * A virtualized results table: only the rows in view (plus overscan) are in
 * the DOM, between two spacer rows that keep the scrollbar honest, so a
 * 100,000-row result scrolls like ten rows. A real <table> (fixed layout, so
 * columns do not jitter while scrolling) with aria-rowcount/rowindex telling
 * assistive tech the true size.
 */
import { useState } from 'react';
import type { SqlColumn, SqlValue } from '../api/sql.ts';
import { fmtNumber, fmtTimestampText } from '../components/format.ts';
import { cellText, download, toCsv, toTsv } from './result-export.ts';

const ROW_H = 29;
const VIEW_H = 360;
const OVERSCAN = 8;

interface Props {
  columns: SqlColumn[];
  rows: SqlValue[][];
  filename?: string;
}

/** What a cell shows: no float noise, no `.000` on whole-second times. Copy and export keep the raw values. */
function displayText(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return fmtNumber(v, 'plain');
  if (typeof v === 'string') return fmtTimestampText(v);
  return cellText(v);
}

export function ResultsGrid({ columns, rows, filename = 'result.csv' }: Props) {
  const [scrollTop, setScrollTop] = useState(0);
  const [copied, setCopied] = useState<string | null>(null);
  const first = Math.max(0, Math.floor(scrollTop / ROW_H) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + VIEW_H) / ROW_H) + OVERSCAN);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(toTsv(columns, rows));
      setCopied(`Copied ${rows.length} rows`);
    } catch {
      setCopied('Clipboard unavailable — use CSV export');
    }
  };

  return (
    <div className="results">
      <div className="toolbar">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={() => download(filename, toCsv(columns, rows))}>
          Export CSV
        </button>
        <output className="muted">{copied}</output>
      </div>
      <section
        className="grid-scroll"
        style={{ maxHeight: VIEW_H }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        aria-label="Query results"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll region must be reachable by keyboard.
        tabIndex={0}
      >
        <table
          className="grid"
          aria-rowcount={rows.length + 1}
          data-testid="results-grid"
          style={{ minWidth: `${columns.length * 8}rem` }}
        >
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((c) => (
                <th scope="col" key={c.name} title={c.type}>
                  {c.name} <span className="type">{c.type}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr className="spacer" style={{ height: first * ROW_H }} />}
            {rows.slice(first, last).map((r, k) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional.
              <tr key={first + k} aria-rowindex={first + k + 2} style={{ height: ROW_H }}>
                {r.map((v, j) => (
                  <td
                    key={columns[j]?.name ?? j}
                    className={v === null ? 'null' : typeof v === 'number' ? 'num' : undefined}
                  >
                    {displayText(v)}
                  </td>
                ))}
              </tr>
            ))}
            {last < rows.length && <tr className="spacer" style={{ height: (rows.length - last) * ROW_H }} />}
          </tbody>
        </table>
      </section>
    </div>
  );
}
