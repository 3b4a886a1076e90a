/**
 * @module web/sql/QueryStats
 * What a query cost: latency, shards touched, chunk pruning, billed rows.
 */
import type { SqlStats } from '../api/sql.ts';
import { fmtNumber } from '../components/format.ts';

const n = (v: number | undefined) => (v === undefined ? '—' : fmtNumber(v));
const ms = (v: number) => `${fmtNumber(v < 10 ? Math.round(v * 10) / 10 : Math.round(v))} ms`;

export function QueryStats({ stats, rowCount }: { stats: SqlStats; rowCount: number }) {
  const items: [string, string][] = [
    ['Rows', n(rowCount)],
    ['Time', ms(stats.ms)],
    ['Shards', n(stats.shards)],
    ['Chunks scanned', n(stats.chunksScanned)],
    ['Chunks skipped', n(stats.chunksSkipped)],
    ['Rows read', n(stats.rowsRead)],
  ];
  if (stats.rowsWritten !== undefined) items.push(['Rows written', n(stats.rowsWritten)]);
  return (
    <dl className="stats" data-testid="query-stats">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
