/**
 * @module web/databases/DatabasesPage
 * The project's databases with status; create and delete. With the local dev
 * key there is no project listing to call, so the page shows the dev database.
 */
import { useState } from 'react';
import { type Database, deleteDatabase, getDatabase, listDatabases } from '../api/control-plane.ts';
import { AsyncView } from '../components/AsyncView.tsx';
import { useAsync } from '../components/use-async.ts';
import { OnboardingForm } from '../layout/OnboardingForm.tsx';
import { Link } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';
import { CreateDatabaseForm } from './CreateDatabaseForm.tsx';
import { TypedConfirmDialog } from './TypedConfirmDialog.tsx';

export function DatabasesPage() {
  const { auth, projectId, contextLoaded } = useSession();
  const dev = auth.status === 'devKey';
  const state = useAsync<Database[]>(
    async (signal) => {
      if (dev) return [await getDatabase('default', signal)];
      if (!projectId) return [];
      return listDatabases(projectId, signal);
    },
    [dev, projectId],
  );
  const [deleting, setDeleting] = useState<Database | null>(null);

  return (
    <>
      <div className="page-head">
        <h1>Databases</h1>
      </div>
      {!dev && contextLoaded && !projectId && <OnboardingForm />}
      {!dev && projectId && <CreateDatabaseForm projectId={projectId} onCreated={state.reload} />}
      <AsyncView state={state} label="Loading databases…">
        {(dbs) =>
          dbs.length === 0 ? (
            <p className="empty">No databases yet. Create one above.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="databases-table">
                <caption className="visually-hidden">Databases in this project</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Location</th>
                    <th scope="col">Replicas</th>
                    <th scope="col">Shards</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dbs.map((d) => (
                    <tr key={d.id} data-testid={`database-${d.name}`}>
                      <th scope="row">
                        {/* By id: signed-in users address the data plane by database id (names resolve only for API keys). */}
                        <Link to={`/databases/${d.id}`}>{d.name}</Link>
                      </th>
                      <td>
                        <span className={`badge status-${d.status}`}>{d.status}</span>
                      </td>
                      <td>{d.locationHint ?? 'auto'}</td>
                      <td>{d.replicaCount}</td>
                      <td>{d.defaultShardCount}</td>
                      <td>
                        {!dev && (
                          <button type="button" className="danger" onClick={() => setDeleting(d)}>
                            Delete<span className="visually-hidden"> {d.name}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
      {deleting && (
        <TypedConfirmDialog
          title={`Delete database ${deleting.name}`}
          expected={deleting.name}
          action="Delete database"
          warning="This tears down every shard and deletes its objects in R2. It cannot be undone."
          onConfirm={() => deleteDatabase(deleting.id)}
          onClose={(changed) => {
            setDeleting(null);
            if (changed) state.reload();
          }}
        />
      )}
    </>
  );
}
