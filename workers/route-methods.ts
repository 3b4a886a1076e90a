/**
 * @module workers/route-methods
 * Which methods a path has routes for, read from the app's own route table —
 * so a request with the wrong method is a 405 with an `Allow` header, and only
 * a path no route matches is a 404, without a second list to keep in sync.
 */

/** Hono route entries as `app.routes` lists them. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/** A Hono path pattern (`/v1/orgs/:org`, `:id{[0-9]+}`, `*`) as an anchored RegExp. */
export function patternRegExp(path: string): RegExp {
  let out = '';
  for (const part of path.split(/(:[A-Za-z0-9_]+(?:\{[^}]*\})?\??|\*)/)) {
    if (part === '*') out += '.*';
    else if (part.startsWith(':')) {
      const custom = /\{([^}]*)\}/.exec(part);
      out += custom ? `(?:${custom[1]})` : '[^/]+';
      if (part.endsWith('?')) out = `${out}?`;
    } else out += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}/?$`);
}

/** Builds a lookup of the methods routed for a path; middleware (`ALL`) does not count. */
export function routeMethods(routes: readonly RouteEntry[]): (path: string) => string[] {
  const table = routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, re: patternRegExp(r.path) }));
  return (path) => {
    const methods = new Set(table.filter((r) => r.re.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
