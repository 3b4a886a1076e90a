/**
 * @module web/pages/SignInPage
 * Passkey first (a button, plus conditional UI in the email field's autofill
 * where the browser offers it); an emailed link as the fallback and as sign-up;
 * in local mode, a dev API key for data-plane-only use.
 */
import { type FormEvent, useEffect, useState } from 'react';
import {
  listDevOutbox,
  requestMagicLink,
  signInWithPasskey,
  supportsPasskeyAutofill,
} from '../api/identity.ts';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { useAsync } from '../components/use-async.ts';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

export function SignInPage() {
  const { refresh, signInWithDevKey, auth } = useSession();
  const { path } = useLocation();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState<'passkey' | 'link' | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [devKey, setDevKey] = useState('');
  // Local mode is when the API has a dev outbox; then sign-in mail is read there, not sent.
  const outbox = useAsync((signal) => listDevOutbox(signal).catch(() => null), []);
  const local = Array.isArray(outbox.data);

  const done = async () => {
    await refresh();
    if (path === '/sign-in' || path === '/') navigate('/databases');
  };

  // Conditional UI: the passkey shows up in the email field's autofill list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: start once per mount.
  useEffect(() => {
    let live = true;
    supportsPasskeyAutofill().then((ok) => {
      if (!ok || !live) return;
      signInWithPasskey(true)
        .then(() => {
          // Signed in from the autofill list: disable the button so no second ceremony starts.
          setBusy('passkey');
          if (live) done();
        })
        .catch(() => undefined); // aborted when the button starts a modal ceremony
    });
    return () => {
      live = false;
    };
  }, []);

  const passkey = async () => {
    setBusy('passkey');
    setError(null);
    try {
      await signInWithPasskey(false);
      await done();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };

  const emailLink = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('link');
    setError(null);
    try {
      await requestMagicLink(email);
      setSent(true);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Orochi Edge</h1>
      {auth.status === 'signedOut' && auth.error && (
        <p className="muted" role="status">
          {auth.error}
        </p>
      )}
      <button type="button" className="primary wide" onClick={passkey} disabled={busy !== null}>
        {busy === 'passkey' ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
      <p className="divider">
        <span>or</span>
      </p>
      {sent ? (
        <p role="status" className="alert ok" data-testid="link-sent">
          If {email} can sign in, a link is on its way. Open it on this device. New here? The same link
          creates your account.
        </p>
      ) : (
        <form onSubmit={emailLink}>
          <label htmlFor="signin-email">Email</label>
          <input
            id="signin-email"
            type="email"
            required
            autoComplete="username webauthn"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" disabled={busy !== null}>
            {busy === 'link' ? 'Sending…' : 'Email me a sign-in link'}
          </button>
          <p className="hint">No account yet? The link signs you up.</p>
        </form>
      )}
      {error && <ErrorMessage error={error} />}
      {local && (
        <p className="hint" data-testid="dev-outbox-link">
          Local mode: no email is sent. Sign-in links land in the <Link to="/dev/outbox">dev outbox</Link>.
          The first account created here also owns the <code>default</code> database.
        </p>
      )}
      <details className="dev-key">
        <summary>Local development: use a dev API key</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            signInWithDevKey(devKey.trim());
            navigate('/databases/default');
          }}
        >
          <label htmlFor="dev-key">Dev API key (OROCHI_DEV_API_KEY)</label>
          <input
            id="dev-key"
            type="password"
            required
            autoComplete="off"
            value={devKey}
            onChange={(e) => setDevKey(e.target.value)}
          />
          <button type="submit">Use dev key</button>
          <p className="hint">
            Kept in this tab only (sessionStorage). Reaches the data plane of the dev project.
          </p>
        </form>
      </details>
    </section>
  );
}
