/**
 * @module web/sql/SqlWorkbench
 * The database page's main tool: editor, run, history, then the result as a
 * grid plus an automatic chart, with the query's stats. A run can be cancelled
 * (long scans) and a newer run aborts an older one, so results never arrive out of order.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { runSql, type SqlResult } from '../api/sql.ts';
import { chooseChart } from '../charts/chart-model.ts';
import { ResultChart } from '../charts/ResultChart.tsx';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { loadCatalog } from './catalog.ts';
import { QueryStats } from './QueryStats.tsx';
import { type HistoryEntry, loadHistory, pushHistory } from './query-history.ts';
import { ResultsGrid } from './ResultsGrid.tsx';
import { SqlEditor } from './SqlEditor.tsx';

const EXAMPLE = `-- Ctrl/⌘-Enter to run
SELECT time_bucket('1 hour', time) AS bucket, avg(usage_user) AS cpu
FROM cpu
GROUP BY bucket
ORDER BY bucket;`;

/** Points an error position (1-based, as PostgreSQL reports it) at its line and column. */
function where(sql: string, position: number) {
  const before = sql.slice(0, position - 1).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export function SqlWorkbench({ database, initialSql }: { database: string; initialSql?: string }) {
  const [sql, setSql] = useState(initialSql ?? EXAMPLE);
  const [result, setResult] = useState<SqlResult | null>(null);
  const [error, setError] = useState<{ error: Error; sql: string } | null>(null);
  const [running, setRunning] = useState(false);
  const [history, setHistory] = useState<HistoryEntry[]>(() => loadHistory(database));
  const [view, setView] = useState<'grid' | 'chart'>('grid');
  const inflight = useRef<AbortController | null>(null);
  // The catalog for completion: fetched at the first completion, again after a statement that may change it.
  const catalogCache = useRef<{ database: string; tables: ReturnType<typeof loadCatalog> } | null>(null);
  const catalog = useCallback(() => {
    if (catalogCache.current?.database !== database) {
      catalogCache.current = { database, tables: loadCatalog(database) };
    }
    return catalogCache.current.tables;
  }, [database]);
  const chart = useMemo(() => (result ? chooseChart(result.columns, result.rows) : null), [result]);

  const run = async (text: string) => {
    if (!text.trim()) return;
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    setRunning(true);
    setError(null);
    try {
      const r = await runSql(database, text, [], ctl.signal);
      setResult(r);
      if (r.columns.length === 0) catalogCache.current = null;
      setView(chooseChart(r.columns, r.rows) ? 'chart' : 'grid');
      setHistory(pushHistory(database, { sql: text, at: Date.now(), ok: true }));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      setError({ error: e as Error, sql: text });
      setHistory(pushHistory(database, { sql: text, at: Date.now(), ok: false }));
    } finally {
      if (inflight.current === ctl) {
        inflight.current = null;
        setRunning(false);
      }
    }
  };

  const pos = error?.error instanceof ApiError ? error.error.position : undefined;
  return (
    <section className="workbench" aria-labelledby="sql-title">
      <h2 id="sql-title">SQL</h2>
      <SqlEditor
        id="sql-editor"
        label="SQL query"
        value={sql}
        onChange={setSql}
        onRun={run}
        catalog={catalog}
      />
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => run(sql)} disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
        {running && (
          <button type="button" onClick={() => inflight.current?.abort()}>
            Cancel
          </button>
        )}
        <label className="inline">
          History{' '}
          <select
            value=""
            onChange={(e) => e.target.value && setSql(e.target.value)}
            disabled={history.length === 0}
            data-testid="history"
          >
            <option value="">
              {history.length ? `Recent queries (${history.length})` : 'No queries yet'}
            </option>
            {history.map((h) => (
              <option key={h.at} value={h.sql}>
                {h.ok ? '✓' : '✗'} {h.sql.replace(/\s+/g, ' ').slice(0, 80)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div aria-live="polite" aria-busy={running}>
        {running && <p className="loading">Running query…</p>}
        {error && (
          <>
            <ErrorMessage error={error.error} />
            {pos !== undefined && <p className="muted">At {where(error.sql, pos)}.</p>}
          </>
        )}
        {result && !error && (
          <div className="result" data-testid="result">
            <QueryStats stats={result.stats} rowCount={result.rowCount} />
            {result.columns.length === 0 ? (
              <p className="muted" data-testid="command-result">
                {result.command ?? 'Statement executed'}: {result.rowCount}{' '}
                {result.rowCount === 1 ? 'row' : 'rows'}.
              </p>
            ) : (
              <>
                <div role="tablist" aria-label="Result view" className="tabs">
                  {(['grid', 'chart'] as const).map((v) => (
                    <button
                      key={v}
                      type="button"
                      role="tab"
                      aria-selected={view === v}
                      disabled={v === 'chart' && !chart}
                      onClick={() => setView(v)}
                    >
                      {v === 'grid' ? `Table (${result.rowCount})` : chart ? 'Chart' : 'Chart (n/a)'}
                    </button>
                  ))}
                </div>
                <div role="tabpanel">
                  {view === 'chart' && chart ? (
                    <ResultChart spec={chart} />
                  ) : (
                    <ResultsGrid columns={result.columns} rows={result.rows} filename={`${database}.csv`} />
                  )}
                </div>
              </>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
