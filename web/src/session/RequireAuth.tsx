/**
 * @module web/session/RequireAuth
 * Gate for pages that need a signed-in user (or the local dev key).
 * Shows the sign-in page in place, so the address bar keeps the deep link.
 */
import type { ReactNode } from 'react';
import { Loading } from '../components/AsyncView.tsx';
import { SignInPage } from '../pages/SignInPage.tsx';
import { useSession } from './session.tsx';

export function RequireAuth({ children, userOnly = false }: { children: ReactNode; userOnly?: boolean }) {
  const { auth } = useSession();
  if (auth.status === 'loading') return <Loading label="Checking your session…" />;
  if (auth.status === 'signedOut') return <SignInPage />;
  if (userOnly && auth.status !== 'user') {
    return (
      <section className="panel" data-testid="needs-user">
        <h1>Sign in with an account</h1>
        <p>
          This page manages organizations and users; a dev API key only reaches the data plane. Sign out and
          sign in with a passkey or an email link.
        </p>
      </section>
    );
  }
  return <>{children}</>;
}
