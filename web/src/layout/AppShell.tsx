/**
 * @module web/layout/AppShell
 * The frame around every page: top bar (brand, org/project switcher, account),
 * side navigation (a disclosure menu at phone width), skip link, main region.
 */
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';
import { ContextSwitcher } from './ContextSwitcher.tsx';

const NAV: [string, string][] = [
  ['/databases', 'Databases'],
  ['/api-keys', 'API keys'],
  ['/members', 'Members'],
  ['/audit-log', 'Audit log'],
  ['/account', 'Account security'],
  ['/status', 'Status'],
];

export function AppShell({ children }: { children: ReactNode }) {
  const { auth, signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const { path } = useLocation();
  const firstRender = useRef(true);
  // After a client-side navigation, focus goes to the new page (as a full load would reset it),
  // so keyboard and screen-reader users are not left on a link that no longer exists.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each path change by design.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [path]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidenav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <Link to="/databases" className="brand">
          Orochi Edge
        </Link>
        {(auth.status === 'user' || auth.status === 'devKey') && <ContextSwitcher />}
        <div className="account">
          {auth.status === 'user' && (
            <span className="who" data-testid="user-email">
              {auth.user.email}
            </span>
          )}
          {auth.status === 'devKey' && <span className="badge">dev key</span>}
          {auth.status === 'user' || auth.status === 'devKey' ? (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          ) : (
            auth.status === 'signedOut' && <Link to="/sign-in">Sign in</Link>
          )}
        </div>
      </header>
      <div className="layout">
        <nav id="sidenav" aria-label="Main" className={menuOpen ? 'open' : undefined}>
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <Link to={to} onClick={() => setMenuOpen(false)}>
                  {label}
                </Link>
              </li>
            ))}
            <li>
              {/* Served by the Worker, outside the dashboard's router: a full page load. */}
              <a href="/v1/docs">API reference</a>
            </li>
          </ul>
        </nav>
        <main id="main" tabIndex={-1} key={path}>
          {children}
        </main>
      </div>
    </div>
  );
}
