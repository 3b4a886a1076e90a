/**
 * @module web/api-keys/ApiKeysPage
 * Project API keys: create (the secret is shown once, with a copy button),
 * list with prefix/role/scope/last use, revoke.
 */
import { type FormEvent, useState } from 'react';
import {
  type ApiKey,
  createApiKey,
  type KeyRole,
  listApiKeys,
  listDatabases,
  revokeApiKey,
} from '../api/control-plane.ts';
import { AsyncView, ErrorMessage } from '../components/AsyncView.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { fmtDate } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';
import { useSession } from '../session/session.tsx';

const EXPIRIES: [string, number | undefined][] = [
  ['Never', undefined],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
  ['90 days', 90 * 86_400],
];

export function ApiKeysPage() {
  const { projectId } = useSession();
  const keys = useAsync(
    (signal) =>
      projectId ? listApiKeys(projectId, signal) : Promise.reject(new Error('Choose a project first.')),
    [projectId],
  );
  const dbs = useAsync(
    (signal) => (projectId ? listDatabases(projectId, signal) : Promise.resolve([])),
    [projectId],
  );
  const [name, setName] = useState('');
  const [role, setRole] = useState<KeyRole>('read');
  const [databaseId, setDatabaseId] = useState('');
  const [expiry, setExpiry] = useState(0);
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!projectId) return;
    setBusy(true);
    setError(null);
    try {
      setCreated(
        await createApiKey(projectId, {
          name,
          role,
          databaseId: databaseId || undefined,
          expiresInSeconds: EXPIRIES[expiry][1],
        }),
      );
      setName('');
      keys.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ApiKey) => {
    if (!projectId || !window.confirm(`Revoke "${k.name}"? Clients using it stop working within a minute.`))
      return;
    try {
      await revokeApiKey(projectId, k.id);
      keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };

  return (
    <>
      <h1>API keys</h1>
      <form className="panel form-row" onSubmit={create} aria-labelledby="new-key-title">
        <h2 id="new-key-title">Create an API key</h2>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as KeyRole)}>
            <option value="read">read</option>
            <option value="write">write</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Scope
          <select
            value={databaseId}
            onChange={(e) => setDatabaseId(e.target.value)}
            aria-describedby="scope-status"
          >
            <option value="">Whole project</option>
            {(dbs.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                Database {d.name}
              </option>
            ))}
          </select>
          <span id="scope-status" className="hint">
            {dbs.error ? (
              <>
                Could not load databases ({dbs.error.message}).{' '}
                <button type="button" className="link" onClick={dbs.reload}>
                  Retry
                </button>
              </>
            ) : dbs.data === undefined ? (
              'Loading databases…'
            ) : dbs.data.length === 0 ? (
              'No databases yet: the key can reach those created later.'
            ) : null}
          </span>
        </label>
        <label>
          Expires
          <select value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
            {EXPIRIES.map(([l], i) => (
              <option key={l} value={i}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy || !projectId}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {error && <ErrorMessage error={error} />}
      {created && (
        <section className="panel" role="status" aria-labelledby="secret-title" data-testid="new-key">
          <h2 id="secret-title">Key “{created.name}” created</h2>
          <p>Copy it now: it is shown only once and cannot be recovered.</p>
          <p className="secret" data-testid="new-key-secret">
            {created.key}
          </p>
          <div className="toolbar">
            <CopyButton text={created.key} label="Copy key" />
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </section>
      )}
      <AsyncView state={keys} label="Loading API keys…">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No API keys yet.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="api-keys-table">
                <caption className="visually-hidden">API keys of this project</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Role</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((k) => (
                    <tr key={k.id} data-testid={`api-key-${k.name}`}>
                      <th scope="row">{k.name}</th>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.role}</td>
                      <td>
                        {k.databaseId
                          ? (dbs.data?.find((d) => d.id === k.databaseId)?.name ?? 'database')
                          : 'project'}
                      </td>
                      <td>{fmtDate(k.lastUsedAt)}</td>
                      <td>{k.expiresAt ? fmtDate(k.expiresAt) : 'never'}</td>
                      <td>
                        {k.revokedAt ? (
                          <span className="badge">revoked</span>
                        ) : (
                          <button type="button" className="danger" onClick={() => revoke(k)}>
                            Revoke<span className="visually-hidden"> {k.name}</span>
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
    </>
  );
}
