/**
 * @module web/account/SessionsPanel
 * The user's sessions with revoke. Until the API lists sessions
 * (`GET /v1/auth/sessions` answers 404), it shows the current one with sign-out.
 */
import { useState } from 'react';
import { ApiError } from '../api/http.ts';
import { listSessions, revokeSession, type SessionInfo } from '../api/identity.ts';
import { ErrorMessage, Loading } from '../components/AsyncView.tsx';
import { describeUserAgent, fmtDate } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';
import { useSession } from '../session/session.tsx';

/** `null` means "this API has no session listing". */
async function loadSessions(signal: AbortSignal): Promise<SessionInfo[] | null> {
  try {
    return await listSessions(signal);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function SessionsPanel() {
  const { auth, signOut } = useSession();
  const state = useAsync(loadSessions, []);
  const [error, setError] = useState<Error | null>(null);
  const currentId = auth.status === 'user' ? auth.user.sessionId : undefined;

  const revoke = async (id: string) => {
    setError(null);
    try {
      await revokeSession(id);
      state.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section className="panel" aria-labelledby="sessions-title" data-testid="sessions">
      <h2 id="sessions-title">Sessions</h2>
      {error && <ErrorMessage error={error} />}
      {state.error ? (
        <ErrorMessage error={state.error} onRetry={state.reload} />
      ) : state.data === undefined ? (
        <Loading label="Loading sessions…" />
      ) : state.data === null ? (
        <p>
          This device is signed in. Other sessions cannot be listed here yet.{' '}
          <button type="button" className="link" onClick={signOut}>
            Sign out of this session
          </button>
        </p>
      ) : state.data.length === 0 ? (
        <p className="empty">No active sessions.</p>
      ) : (
        <ul className="item-list">
          {state.data.map((s) => (
            <li key={s.id}>
              <strong title={s.userAgent ?? undefined}>{describeUserAgent(s.userAgent)}</strong>{' '}
              <span className="muted">
                {s.ip ?? ''} · since {fmtDate(s.createdAt)}
              </span>{' '}
              {s.current || s.id === currentId ? (
                <span className="badge">this device</span>
              ) : (
                <button type="button" className="link danger" onClick={() => revoke(s.id)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
