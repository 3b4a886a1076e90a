/**
 * @module web/router/router
 * A tiny History-API router: the path is an external store (popstate plus our
 * own navigations), routes are `/databases/:db/tables`-style patterns.
 * No library is installed; this covers what the dashboard needs.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const NAV_EVENT = 'orochi:navigate';

function subscribe(cb: () => void) {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAV_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAV_EVENT, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query string, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const full = useSyncExternalStore(subscribe, snapshot);
  const [path, query = ''] = full.split('?');
  return { path, search: new URLSearchParams(query) };
}

/** Pushes (or replaces) a history entry and notifies subscribers. */
export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

/** Matches `pattern` against `path`; returns decoded params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & {
  to: string;
  /** Current only on this exact path, not on its sub-paths (for sibling tabs). */
  exact?: boolean;
};

/** An `<a>` that navigates client-side but keeps modifier-click / middle-click behaviour. */
export function Link({ to, exact = false, onClick, ...rest }: LinkProps) {
  const { path } = useLocation();
  const current = path === to || (!exact && to !== '/' && path.startsWith(`${to}/`));
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} aria-current={current ? 'page' : undefined} {...rest} />;
}
