/**
 * @module web/account/AccountSecurityPage
 * The signed-in user's passkeys (add, rename, remove) and sessions.
 * After a first magic-link sign-in (`?welcome=1`) it invites adding a passkey.
 */
import { useState } from 'react';
import {
  listPasskeys,
  type Passkey,
  registerPasskey,
  removePasskey,
  renamePasskey,
} from '../api/identity.ts';
import { AsyncView, ErrorMessage } from '../components/AsyncView.tsx';
import { fmtDate } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';
import { useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';

export function AccountSecurityPage() {
  const { auth } = useSession();
  const { search } = useLocation();
  const passkeys = useAsync((s) => listPasskeys(s), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await fn();
      setNotice(done);
      passkeys.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  const add = async () => {
    setBusy(true);
    await act(() => registerPasskey(`Passkey ${new Date().toLocaleDateString()}`), 'Passkey added');
    setBusy(false);
  };

  const rename = (p: Passkey) => {
    if (editing?.id !== p.id) return setEditing({ id: p.id, name: p.name });
    const name = editing.name.trim();
    setEditing(null);
    if (name && name !== p.name) act(() => renamePasskey(p.id, name), `Renamed to ${name}`);
  };

  return (
    <>
      <h1>Account security</h1>
      {auth.status === 'user' && <p className="muted">Signed in as {auth.user.email}</p>}
      {search.get('welcome') && (
        <p className="alert ok" data-testid="welcome">
          You are signed in. Add a passkey so the next sign-in takes one touch instead of an email.
        </p>
      )}
      <output className="muted" data-testid="account-notice">
        {notice}
      </output>
      {error && <ErrorMessage error={error} />}
      <section className="panel" aria-labelledby="passkeys-title">
        <h2 id="passkeys-title">Passkeys</h2>
        <button type="button" className="primary" onClick={add} disabled={busy}>
          {busy ? 'Follow your browser’s prompt…' : 'Add a passkey'}
        </button>
        <AsyncView state={passkeys} label="Loading passkeys…">
          {(list) =>
            list.length === 0 ? (
              <p className="empty">No passkeys yet.</p>
            ) : (
              <ul className="item-list" data-testid="passkeys">
                {list.map((p) => (
                  <li key={p.id}>
                    {editing?.id === p.id ? (
                      <label>
                        <span className="visually-hidden">New name for {p.name}</span>
                        <input
                          value={editing.name}
                          onChange={(e) => setEditing({ id: p.id, name: e.target.value })}
                          onKeyDown={(e) => e.key === 'Enter' && rename(p)}
                        />
                      </label>
                    ) : (
                      <strong>{p.name}</strong>
                    )}{' '}
                    <span className="muted">
                      added {fmtDate(p.createdAt)} · last used {fmtDate(p.lastUsedAt)}
                    </span>{' '}
                    <button type="button" className="link" onClick={() => rename(p)}>
                      {editing?.id === p.id ? 'Save' : 'Rename'}
                      <span className="visually-hidden"> {p.name}</span>
                    </button>
                    <button
                      type="button"
                      className="link danger"
                      onClick={() =>
                        window.confirm(`Remove passkey "${p.name}"?`) &&
                        act(() => removePasskey(p.id), `Removed ${p.name}`)
                      }
                    >
                      Remove<span className="visually-hidden"> {p.name}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </AsyncView>
      </section>
      <SessionsPanel />
    </>
  );
}
