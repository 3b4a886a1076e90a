/**
 * @module web/databases/DatabasesPage
 * The project's databases with status; create and delete. With the local dev
 * key there is no project listing to call, so the page shows the dev database.
 */
import { useState } from 'react';
import { type Database, deleteDatabase, getDatabase, listDatabases } from '../api/control-plane.ts';
import { AsyncView, Loading } from '../components/AsyncView.tsx';
import { fmtDate, fmtNumber } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';
import { OnboardingForm } from '../layout/OnboardingForm.tsx';
import { Link } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';
import { CreateDatabaseForm } from './CreateDatabaseForm.tsx';
import { regionName } from './regions.ts';
import { TypedConfirmDialog } from './TypedConfirmDialog.tsx';

export function DatabasesPage() {
  const { auth, projectId, contextLoaded } = useSession();
  const dev = auth.status === 'devKey';
  const state = useAsync<Database[] | null>(
    async (signal) => {
      if (dev) return [await getDatabase('default', signal)];
      // null: no project chosen (yet), so there is no list to show.
      if (!projectId) return null;
      return listDatabases(projectId, signal);
    },
    [dev, projectId],
  );
  const [deleting, setDeleting] = useState<Database | null>(null);
  const needsProject = !dev && contextLoaded && !projectId;

  return (
    <>
      <div className="page-head">
        <h1>Databases</h1>
      </div>
      {!dev && !contextLoaded && !projectId ? (
        <Loading label="Loading your organizations…" />
      ) : needsProject ? (
        <>
          <p className="empty" data-testid="needs-project">
            Databases live in a project. Create your organization and its first project to start.
          </p>
          <OnboardingForm />
        </>
      ) : (
        <>
          {!dev && projectId && <CreateDatabaseForm projectId={projectId} onCreated={state.reload} />}
          <AsyncView state={state} label="Loading databases…">
            {(dbs) =>
              dbs === null ? null : dbs.length === 0 ? (
                <p className="empty" data-testid="no-databases">
                  This project has no databases yet. Create the first one with the form above.
                </p>
              ) : (
                <DatabaseTable dbs={dbs} canDelete={!dev} onDelete={setDeleting} />
              )
            }
          </AsyncView>
        </>
      )}
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

function DatabaseTable({
  dbs,
  canDelete,
  onDelete,
}: {
  dbs: Database[];
  canDelete: boolean;
  onDelete: (d: Database) => void;
}) {
  return (
    <div className="table-wrap">
      <table data-testid="databases-table">
        <caption className="visually-hidden">Databases in this project</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Location</th>
            <th scope="col">Shards</th>
            <th scope="col">Created</th>
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
              <td>{regionName(d.locationHint)}</td>
              <td className="num">{fmtNumber(d.defaultShardCount)}</td>
              <td>{fmtDate(d.createdAt)}</td>
              <td>
                {canDelete && (
                  <button type="button" className="danger" onClick={() => onDelete(d)}>
                    Delete<span className="visually-hidden"> {d.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
