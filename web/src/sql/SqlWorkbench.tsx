/**
 * @module web/sql/SqlWorkbench
 * The database page's main tool: editor, run, history, then the result as a
 * grid plus an automatic chart, with the query's stats. A run can be cancelled
 * (long scans) and a newer run aborts an older one, so results never arrive out of order.
 * Explain / Explain analyze send the last statement under EXPLAIN; an answer
 * whose only column is "QUERY PLAN" is drawn as a plan tree.
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { runSql, type SqlResult } from '../api/sql.ts';
import { type ChartSpec, chooseChart } from '../charts/chart-model.ts';
import { ResultChart } from '../charts/ResultChart.tsx';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { fmtNumber } from '../components/format.ts';
import { loadCatalog } from './catalog.ts';
import { explainStatement } from './explain-statement.ts';
import { PlanView } from './PlanTree.tsx';
import { isQueryPlan } from './plan-tree.ts';
import { QueryStats } from './QueryStats.tsx';
import { type HistoryEntry, loadHistory, pushHistory } from './query-history.ts';
import { ResultsGrid } from './ResultsGrid.tsx';
import { SqlEditor } from './SqlEditor.tsx';

/** Runs as is on an empty database (a new one has no tables yet), and shows what comes next. */
export const EXAMPLE = `-- Ctrl/⌘-Enter to run. A new database is empty: start with a table, e.g.
-- CREATE TABLE sensor (time timestamptz NOT NULL, temp double precision);
-- INSERT INTO sensor SELECT now() - i * interval '1 minute', 20 + random() FROM generate_series(1, 1000) AS i;
SELECT now() AS server_time;`;

/** A chart that cannot be built is no chart; the grid still shows the rows. */
function safeChart(r: SqlResult): ChartSpec | null {
  try {
    return chooseChart(r.columns, r.rows);
  } catch {
    return null;
  }
}

/** Points an error position (1-based, as PostgreSQL reports it) at its line and column. */
function where(sql: string, position: number) {
  const before = sql.slice(0, position - 1).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export function SqlWorkbench({ database, initialSql }: { database: string; initialSql?: string }) {
  const [sql, setSql] = useState(initialSql ?? EXAMPLE);
  const [answer, setAnswer] = useState<{ result: SqlResult; chart: ChartSpec | null } | null>(null);
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
  const result = answer?.result ?? null;
  const chart = answer?.chart ?? null;

  const run = async (text: string) => {
    if (!text.trim()) return;
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    setRunning(true);
    setError(null);
    try {
      const r = await runSql(database, text, [], ctl.signal);
      // Charted once per result: a million rows take a moment to sort and bucket.
      const spec = r.columns.length && !isQueryPlan(r.columns) ? safeChart(r) : null;
      setAnswer({ result: r, chart: spec });
      if (r.columns.length === 0) catalogCache.current = null;
      setView(spec ? 'chart' : 'grid');
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

  const explain = (analyze: boolean) => {
    const text = explainStatement(sql, analyze);
    if (text) run(text);
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
        <button
          type="button"
          onClick={() => explain(false)}
          disabled={running}
          title="Show the plan of the last statement (EXPLAIN)"
        >
          Explain
        </button>
        <button
          type="button"
          onClick={() => explain(true)}
          disabled={running}
          title="Run the last statement and show its plan with rows and times per shard (EXPLAIN ANALYZE)"
        >
          Explain analyze
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
                {result.command ?? 'Statement executed'}: {fmtNumber(result.rowCount)}{' '}
                {result.rowCount === 1 ? 'row' : 'rows'}.
              </p>
            ) : isQueryPlan(result.columns) ? (
              <ErrorBoundary what="the query plan" resetKey={answer}>
                <PlanView lines={result.rows.map((r) => String(r[0] ?? ''))} />
              </ErrorBoundary>
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
                      {v === 'grid'
                        ? `Table (${fmtNumber(result.rowCount)})`
                        : chart
                          ? 'Chart'
                          : 'Chart (n/a)'}
                    </button>
                  ))}
                </div>
                <div role="tabpanel">
                  {view === 'chart' && chart ? (
                    <ErrorBoundary what="the chart" resetKey={answer}>
                      <ResultChart spec={chart} />
                    </ErrorBoundary>
                  ) : (
                    <ErrorBoundary what="the result table" resetKey={answer}>
                      <ResultsGrid columns={result.columns} rows={result.rows} filename={`${database}.csv`} />
                    </ErrorBoundary>
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
