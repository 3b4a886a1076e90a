/**
 * @module web/databases/DatabasePage
 * One database: its settings in the header, then the SQL workbench or the
 * tables view (sub-pages with their own URLs, so both can be deep-linked).
 */
import { getDatabase } from '../api/control-plane.ts';
import { AsyncView } from '../components/AsyncView.tsx';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { useAsync } from '../components/use-async.ts';
import { Link } from '../router/router.tsx';
import { SqlWorkbench } from '../sql/SqlWorkbench.tsx';
import { regionName } from './regions.ts';
import { TablesView } from './TablesView.tsx';

export function DatabasePage({ database, tab }: { database: string; tab: 'sql' | 'tables' }) {
  const state = useAsync((signal) => getDatabase(database, signal), [database]);
  const base = `/databases/${encodeURIComponent(database)}`;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/databases">Databases</Link> / <span>{state.data?.name ?? database}</span>
      </nav>
      <div className="page-head">
        <h1>{state.data?.name ?? database}</h1>
        <AsyncView state={state} label="Loading database…">
          {(d) => (
            <p className="muted" data-testid="database-meta">
              <span className={`badge status-${d.status}`}>{d.status}</span> · {d.defaultShardCount} shards ·
              Location: {regionName(d.locationHint)}
            </p>
          )}
        </AsyncView>
      </div>
      <nav aria-label="Database" className="subnav">
        <Link to={base} exact>
          SQL
        </Link>
        <Link to={`${base}/tables`}>Tables</Link>
      </nav>
      <ErrorBoundary what={tab === 'sql' ? 'the SQL workbench' : 'the tables'} resetKey={tab}>
        {tab === 'sql' ? <SqlWorkbench database={database} /> : <TablesView database={database} />}
      </ErrorBoundary>
    </>
  );
}
