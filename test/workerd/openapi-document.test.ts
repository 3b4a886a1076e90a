/**
 * The OpenAPI document served at /v1/openapi.json: it passes an OpenAPI
 * validator, it lists every route the app registers (read from `app.routes`,
 * so a route added without a definition fails here), and the API reference
 * page loads only same-origin resources.
 */

import { SELF } from 'cloudflare:test';
import { validate } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../workers/app.ts';
import { API_REFERENCE_SCRIPT } from '../../workers/openapi/api-docs.ts';
import { BASE } from './auth-fixtures.ts';

/**
 * Routes that are not in the document, each with its reason. Nothing else may be
 * missing: a new route is declared with `createRoute` or listed here with a reason.
 */
const UNDOCUMENTED: Record<string, string> = {
  'GET /v2':
    'a WebSocket upgrade carrying the PostgreSQL wire protocol (docs/postgres-clients.md), not an HTTP request/response OpenAPI can describe',
};

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
};
let doc: Doc;

beforeAll(async () => {
  const res = await SELF.fetch(`${BASE}/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = (await res.json()) as Doc;
});

/** `/v1/orgs/:org` → `/v1/orgs/{org}` (OpenAPI's template syntax). */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

describe('GET /v1/openapi.json', () => {
  it('is OpenAPI 3.1 and passes the validator', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = (await validate(structuredClone(doc) as never)) as { valid: boolean; errors?: unknown[] };
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route of app.routes', () => {
    const routed = [
      ...new Set(
        app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`),
      ),
    ];
    expect(routed.length).toBeGreaterThan(40);
    const missing = routed.filter((r) => {
      if (r in UNDOCUMENTED) return false;
      const [method, path] = r.split(' ');
      return !doc.paths[path]?.[method.toLowerCase()];
    });
    expect(missing).toEqual([]);
  });

  it('documents only routes that exist (no stale entries)', () => {
    const routed = new Set(app.routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((m) => `${m} ${path}`),
    );
    expect(documented.filter((d) => !routed.has(d))).toEqual([]);
  });

  it('names the security schemes the middleware enforces', () => {
    const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, { type: string }>;
    expect(schemes.bearer?.type).toBe('http');
    expect(schemes.session?.type).toBe('apiKey');
  });

  it('is public and cacheable', async () => {
    const res = await SELF.fetch(`${BASE}/v1/openapi.json`);
    expect(res.headers.get('cache-control')).toMatch(/public/);
  });
});

describe('GET /v1/docs', () => {
  it('is an HTML page that loads the self-hosted reference bundle and points it at the document', async () => {
    const res = await SELF.fetch(`${BASE}/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain(`src="${API_REFERENCE_SCRIPT}"`);
    expect(html).toContain('data-url="/v1/openapi.json"');
    // Same origin only: no scheme-qualified or protocol-relative URL in src/href.
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });
});
