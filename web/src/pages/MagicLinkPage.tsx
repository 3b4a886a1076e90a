/**
 * @module web/pages/MagicLinkPage
 * Landing page of an emailed link: trades the token for a session, then asks
 * for a passkey so the next sign-in needs no email.
 */
import { useEffect, useRef, useState } from 'react';
import { verifyMagicLink } from '../api/identity.ts';
import { ErrorMessage, Loading } from '../components/AsyncView.tsx';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

export function MagicLinkPage() {
  const { search } = useLocation();
  const { refresh } = useSession();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  const token = search.get('token');

  useEffect(() => {
    // Tokens are single-use: StrictMode's double effect must not spend it twice.
    if (started.current || !token) return;
    started.current = true;
    verifyMagicLink(token)
      .then(async () => {
        await refresh();
        navigate('/account?welcome=1', { replace: true });
      })
      .catch(setError);
  }, [token, refresh]);

  if (!token) return <ErrorMessage error={new Error('This link has no token. Request a new one.')} />;
  if (error)
    return (
      <section className="panel narrow">
        <h1>That link did not work</h1>
        <ErrorMessage error={error} />
        <p>
          Links work once and expire after 15 minutes. <Link to="/sign-in">Request a new one</Link>.
        </p>
      </section>
    );
  return <Loading label="Signing you in…" />;
}
