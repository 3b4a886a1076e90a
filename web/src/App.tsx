/**
 * @module web/App
 * Routes to pages. The table is the whole router configuration: a pattern,
 * whether it needs a signed-in user, and how to render it with its params.
 */
import type { ReactNode } from 'react';
import { AccountSecurityPage } from './account/AccountSecurityPage.tsx';
import { DevicePage } from './account/DevicePage.tsx';
import { ApiKeysPage } from './api-keys/ApiKeysPage.tsx';
import { AuditLogPage } from './audit/AuditLogPage.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { DatabasePage } from './databases/DatabasePage.tsx';
import { DatabasesPage } from './databases/DatabasesPage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { MembersPage } from './members/MembersPage.tsx';
import { DevOutboxPage } from './pages/DevOutboxPage.tsx';
import { InvitePage } from './pages/InvitePage.tsx';
import { MagicLinkPage } from './pages/MagicLinkPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { StatusPage } from './pages/StatusPage.tsx';
import { matchPath, useLocation } from './router/router.tsx';
import { RequireAuth } from './session/RequireAuth.tsx';
import { SessionProvider } from './session/session.tsx';

type Access = 'public' | 'auth' | 'user';
type Route = [pattern: string, access: Access, render: (p: Record<string, string>) => ReactNode];

const ROUTES: Route[] = [
  ['/', 'auth', () => <DatabasesPage />],
  ['/sign-in', 'public', () => <SignInPage />],
  ['/auth/magic-link', 'public', () => <MagicLinkPage />],
  ['/auth/verify', 'public', () => <MagicLinkPage />],
  ['/invite', 'user', () => <InvitePage />],
  ['/status', 'public', () => <StatusPage />],
  ['/dev/outbox', 'public', () => <DevOutboxPage />],
  ['/databases', 'auth', () => <DatabasesPage />],
  ['/databases/:db', 'auth', (p) => <DatabasePage database={p.db} tab="sql" />],
  ['/databases/:db/tables', 'auth', (p) => <DatabasePage database={p.db} tab="tables" />],
  ['/api-keys', 'user', () => <ApiKeysPage />],
  ['/members', 'user', () => <MembersPage />],
  ['/audit-log', 'user', () => <AuditLogPage />],
  ['/account', 'user', () => <AccountSecurityPage />],
  ['/device', 'user', () => <DevicePage />],
];

function Page() {
  const { path } = useLocation();
  // A page that throws while rendering shows its error in place; the shell and navigation stay.
  return (
    <ErrorBoundary what="this page" resetKey={path}>
      <RoutedPage path={path} />
    </ErrorBoundary>
  );
}

function RoutedPage({ path }: { path: string }) {
  for (const [pattern, access, render] of ROUTES) {
    const params = matchPath(pattern, path);
    if (!params) continue;
    if (access === 'public') return render(params);
    return <RequireAuth userOnly={access === 'user'}>{render(params)}</RequireAuth>;
  }
  return <NotFoundPage />;
}

export function App() {
  return (
    <ErrorBoundary what="the dashboard">
      <SessionProvider>
        <AppShell>
          <Page />
        </AppShell>
      </SessionProvider>
    </ErrorBoundary>
  );
}
