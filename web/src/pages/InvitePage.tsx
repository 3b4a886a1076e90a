/**
 * @module web/pages/InvitePage
 * Landing page of an emailed invitation (`/invite?token=…`): the signed-in
 * user accepts it and lands in the organization.
 */
import { useEffect, useRef, useState } from 'react';
import { acceptInvitation } from '../api/control-plane.ts';
import { ErrorMessage, Loading } from '../components/AsyncView.tsx';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

export function InvitePage() {
  const { search } = useLocation();
  const { refresh, selectOrg } = useSession();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  const token = search.get('token');

  useEffect(() => {
    // Single-use token: StrictMode's double effect must not spend it twice.
    if (started.current || !token) return;
    started.current = true;
    acceptInvitation(token)
      .then(async ({ orgId }) => {
        await refresh();
        selectOrg(orgId);
        navigate('/databases', { replace: true });
      })
      .catch(setError);
  }, [token, refresh, selectOrg]);

  if (!token) return <ErrorMessage error={new Error('This invitation link has no token.')} />;
  if (error)
    return (
      <section className="panel narrow">
        <h1>This invitation did not work</h1>
        <ErrorMessage error={error} />
        <p>
          Invitations work once, for the address they were sent to, for 7 days. Ask for a new one, or{' '}
          <Link to="/databases">go to your databases</Link>.
        </p>
      </section>
    );
  return <Loading label="Joining the organization…" />;
}
