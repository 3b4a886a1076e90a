/**
 * Route × hostile input: every route the app registers (read from
 * `app.routes`, so a new route is in the matrix the day it is added) gets
 * malformed JSON, wrong content types, oversized bodies, arrays for objects,
 * numbers for strings and strings for numbers, control characters, huge and
 * non-UUID path parameters and nonsense query parameters — with a real
 * session and real ids, so the input reaches the handler. None may answer
 * 5xx, and every error has the API's `{error:{code,message}}` shape.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../workers/app.ts';
import { BASE, call, freshIp, type Session, signIn, tenant } from './auth-fixtures.ts';

/** Every routed (method, path), middleware (`ALL`) excluded, each once. */
const ROUTES = [
  ...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)),
].map((r) => r.split(' ') as [string, string]);

/** Body fields any route reads, so "wrong type" variants hit the field checks. */
const FIELDS = [
  'name',
  'slug',
  'email',
  'role',
  'token',
  'refreshToken',
  'mode',
  'sql',
  'params',
  'databaseId',
  'expiresInSeconds',
  'locationHint',
  'replicaCount',
  'defaultShardCount',
  'response',
  'user_code',
  'device_code',
  'grant_type',
  'client_name',
];
const all = (v: unknown) => JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, v])));

function b64url(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

interface Variant {
  readonly label: string;
  readonly body?: BodyInit;
  readonly type?: string;
}

const BODIES: Variant[] = [
  { label: 'malformed JSON', body: '{"name": "x", ', type: 'application/json' },
  { label: 'empty JSON body', body: '', type: 'application/json' },
  { label: 'JSON null', body: 'null', type: 'application/json' },
  { label: 'JSON array', body: '[{"name":"x","email":"a@b.co"}]', type: 'application/json' },
  { label: 'JSON string', body: '"name"', type: 'application/json' },
  { label: 'numbers for strings', body: all(12345), type: 'application/json' },
  { label: 'strings for numbers', body: all('3'), type: 'application/json' },
  { label: 'objects for fields', body: all({ $ne: null }), type: 'application/json' },
  { label: 'arrays for fields', body: all(['x']), type: 'application/json' },
  { label: 'huge numbers', body: all(1e308), type: 'application/json' },
  { label: 'negative numbers', body: all(-1), type: 'application/json' },
  { label: 'booleans', body: all(true), type: 'application/json' },
  { label: 'NUL and CR/LF strings', body: all('a\u0000\r\nb@c.de'), type: 'application/json' },
  { label: 'lone surrogate strings', body: all('\ud800'), type: 'application/json' },
  { label: 'long strings', body: all('x'.repeat(3000)), type: 'application/json' },
  {
    label: 'deeply nested JSON',
    body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
    type: 'application/json',
  },
  {
    label: 'oversized body (256 KiB)',
    body: JSON.stringify({ name: 'x'.repeat(256 << 10) }),
    type: 'application/json',
  },
  {
    label: 'invalid UTF-8',
    body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    type: 'application/json',
  },
  ...['\u0000', '!!!', 'x'.repeat(3000)].map((junk) => ({
    label: `WebAuthn-shaped junk ${JSON.stringify(junk.slice(0, 6))}`,
    body: JSON.stringify({
      name: 'k',
      response: {
        id: junk,
        rawId: junk,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(JSON.stringify({ type: 'webauthn.get', challenge: junk, origin: BASE })),
          authenticatorData: junk,
          signature: junk,
          userHandle: junk,
          attestationObject: junk,
        },
      },
    }),
    type: 'application/json',
  })),
  { label: 'text/plain JSON', body: '{"name":"x"}', type: 'text/plain' },
  { label: 'form-urlencoded', body: 'name=x&email=a%40b.co', type: 'application/x-www-form-urlencoded' },
  {
    label: 'multipart',
    body: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b--',
    type: 'multipart/form-data; boundary=b',
  },
  { label: 'no content type', body: '{"name":"x"}' },
];

/** One hostile value per query parameter any route reads (each sent alone, so no earlier check masks it). */
const QUERIES = [
  'limit=-1',
  'limit=1e9',
  'cursor=%21%21',
  'cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5',
  'since=-271821-04-20T00:00:00Z',
  'until=%2B275760-09-13T00:00:00Z',
  'outcome=%E2%80%A8',
  `action=${'x'.repeat(3000)}`,
  'actorId=%E2%80%AE',
  'to=%27%3B--',
  'precision=yes',
  'bucket=%2E%2E',
].map((q) => `?${q}`);
const QUERY = `?${QUERIES.map((q) => q.slice(1)).join('&')}`;

/** Path parameters: real ids (so handlers run), and hostile ones. */
function paths(path: string, ids: Record<string, string>): string[] {
  const fill = (pick: (param: string) => string) => path.replace(/:(\w+)/g, (_m, p: string) => pick(p));
  const out = [fill((p) => ids[p] ?? 'x')];
  if (path.includes(':')) {
    out.push(fill(() => 'not-a-uuid'));
    out.push(fill(() => crypto.randomUUID()));
    out.push(fill(() => '%F0%9F%98%80'.repeat(200)));
    out.push(fill(() => '..%2F..%2Fetc'));
  }
  return out;
}

/** Extra request headers per route: Neon's `POST /sql` takes its key and database from a connection string. */
let routeHeaders: Record<string, string> = {};

async function send(method: string, path: string, token: string, v: Variant = {} as Variant) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'cf-connecting-ip': freshIp(),
    ...routeHeaders,
  };
  if (v.type) headers['content-type'] = v.type;
  const hasBody = method !== 'GET' && method !== 'HEAD' && v.body !== undefined;
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers, body: hasBody ? v.body : undefined });
  const text = await res.text();
  return { status: res.status, text };
}

/** Problems found for one route, as readable lines. */
async function probe(method: string, path: string, owner: Session, ids: Record<string, string>) {
  const problems: string[] = [];
  const check = (label: string, r: { status: number; text: string }) => {
    if (r.status >= 500) problems.push(`${r.status} ${label}: ${r.text.slice(0, 200)}`);
    else if (r.status >= 400 && method !== 'HEAD') {
      let ok = false;
      try {
        // Neon's `POST /sql` answers Neon's error shape: code and message at the top level (docs/neon-http.md).
        const body = JSON.parse(r.text);
        const e = path === '/sql' ? body : body.error;
        ok = typeof e?.code === 'string' && typeof e?.message === 'string';
      } catch {
        ok = false;
      }
      if (!ok)
        problems.push(
          `${r.status} ${label}: error body is not {error:{code,message}}: ${r.text.slice(0, 200)}`,
        );
    }
  };
  // Hostile paths and query with no body; every hostile body on the real path (where handlers run).
  const [real, ...hostile] = paths(path, ids);
  for (const p of hostile)
    check(`${method} ${p.slice(0, 80)}?…`, await send(method, p + QUERY, owner.accessToken));
  for (const q of method === 'GET' ? QUERIES : [QUERY]) {
    check(`${method} ${real}${q.slice(0, 40)}`, await send(method, real + q, owner.accessToken));
  }
  if (method !== 'GET' && method !== 'HEAD') {
    for (const v of BODIES)
      check(`${method} ${real} [${v.label}]`, await send(method, real, owner.accessToken, v));
  }
  return problems;
}

/**
 * Defines the matrix for part `part` (0-based) of `parts`: routes are dealt round-robin so
 * each test file's isolate serves a share of the requests. Every request of an isolate makes
 * the later ones dearer (see bench/RESULTS.md, "npm test duration": a cause not yet found), and
 * one isolate serving the whole matrix ran out of call stack in `SELF.fetch` near its end.
 */
export function hostileInputMatrix(part: number, parts: number): void {
  const routes = ROUTES.filter((_, i) => i % parts === part);
  describe(`hostile input × every route (part ${part + 1} of ${parts})`, () => {
    // The coverage check runs once, in the first part.
    if (part === 0)
      it('covers the routes the app registers', () => {
        const names = ROUTES.map(([m, p]) => `${m} ${p}`);
        // The matrix reads app.routes; these anchors prove it found the control plane, auth and data plane.
        for (const r of [
          'GET /v1/orgs/:org/audit-log',
          'POST /v1/auth/magic-link',
          'POST /v1/auth/device/token',
          'POST /v1/auth/device/approve',
          'PATCH /v1/auth/passkeys/:id',
          'POST /v1/databases/:database/sql',
          'POST /v1/projects/:project/api-keys',
        ]) {
          expect(names).toContain(r);
        }
        expect(ROUTES.length).toBeGreaterThan(35);
      });

    it.each(routes)('%s %s never answers 5xx', { timeout: 120_000 }, async (method, path) => {
      // A fresh owner and tenant per route: a DELETE in the matrix must not starve the others.
      const owner = await signIn();
      const t = await tenant(owner, 'matrix');
      const ids: Record<string, string> = {
        org: t.org.id,
        project: t.project.id,
        database: t.database.id,
        user: owner.user.id,
        table: 'matrix_table',
      };
      routeHeaders = {};
      if (path === '/sql') {
        const key = await call(`/v1/projects/${t.project.id}/api-keys`, {
          token: owner.accessToken,
          body: { name: 'matrix', role: 'admin' },
        });
        // The key replaces the session's bearer token, so hostile bodies reach the handler.
        routeHeaders = {
          'neon-connection-string': `postgres://matrix:${key.json.key}@orochi.test/${t.database.name}`,
          authorization: `Bearer ${key.json.key}`,
        };
      }
      expect(await probe(method, path, owner, ids)).toEqual([]);
    });
  });
}
