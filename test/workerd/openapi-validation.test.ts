/**
 * Requests that fail their route's zod schema go through the one validation
 * hook: a 400 with the API's error body (`ErrorBody` in the document), a
 * SQLSTATE on data-plane routes and a word on the control plane, and a
 * message naming the field — per route kind (JSON body, query, raw-body
 * ingest). Authentication still comes first.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../workers/openapi/schemas.ts';
import { BASE, call, type Session, signIn, tenant } from './auth-fixtures.ts';
import { AUTH, DB } from './data-plane-client.ts';

let owner: Session;
let t: Awaited<ReturnType<typeof tenant>>;

beforeAll(async () => {
  owner = await signIn();
  t = await tenant(owner, 'schema');
});

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await SELF.fetch(`${BASE}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { error: { code: string; message: string } } };
}

function expectError(res: { status: number; json: unknown }, status: number, code: string, field: RegExp) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  // The documented error shape, checked with the schema the document publishes.
  expect(ErrorBody.safeParse(res.json).success, JSON.stringify(res.json)).toBe(true);
  const { error } = res.json as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  expect(error.message).toMatch(field);
}

describe('control plane (word codes)', () => {
  it.each([
    [{ name: 42, slug: 'ok-slug' }, /"name"/],
    [{ name: 'Acme', slug: 'Not A Slug' }, /"slug"/],
    [{ name: 'Acme' }, /"slug"/],
  ])('POST /v1/orgs %j → 400 naming the field', async (body, field) => {
    expectError(await call('/v1/orgs', { token: owner.accessToken, body }), 400, 'invalid_request', field);
  });

  it('checks enums and integer ranges of JSON bodies', async () => {
    const token = owner.accessToken;
    const path = `/v1/projects/${t.project.id}/api-keys`;
    expectError(
      await call(path, { token, body: { name: 'k', role: 'root' } }),
      400,
      'invalid_request',
      /"role"/,
    );
    expectError(
      await call(path, { token, body: { name: 'k', role: 'read', expiresInSeconds: 1.5 } }),
      400,
      'invalid_request',
      /"expiresInSeconds"/,
    );
  });

  it('checks query parameters', async () => {
    const res = await call(`/v1/orgs/${t.org.id}/audit-log?limit=abc`, { token: owner.accessToken });
    expectError(res, 400, 'invalid_request', /limit/);
  });

  it('authenticates before it validates', async () => {
    const res = await call('/v1/orgs', { body: { name: 42 } });
    expect(res.status).toBe(401);
  });
});

describe('data plane (SQLSTATEs)', () => {
  const json = { ...AUTH, 'content-type': 'application/json' };

  it.each([
    ['{"sql": 1}', '22023', /"sql"/],
    ['{"sql": "SELECT $1", "params": "x"}', '22023', /"params"/],
    ['{"sql": "SELECT $1", "params": [{"a": 1}]}', '22023', /params/],
    [JSON.stringify({ sql: 'SELECT 1', params: Array(10_001).fill(1) }), '54023', /at most 10000/],
    ['{"sql": ', '22P02', /JSON/],
  ])('POST …/sql %s → 400 %s', async (body, code, field) => {
    expectError(await post(`${DB}/sql`, body, json), 400, code, field);
  });

  it('refuses a /sql body that is not declared JSON', async () => {
    expectError(
      await post(`${DB}/sql`, '{"sql":"SELECT 1"}', { ...AUTH, 'content-type': 'text/plain' }),
      415,
      '0A000',
      /application\/json/,
    );
  });

  it('checks ingest query parameters without parsing the raw body', async () => {
    const lp = { ...AUTH, 'content-type': 'text/plain' };
    expectError(await post(`${DB}/tables/t/rows?precision=h`, 'm v=1 1', lp), 400, '22023', /precision/);
    expectError(await post('/api/v2/write?precision=ms', 'm v=1 1', lp), 400, '22023', /bucket/);
  });

  it('authenticates before it validates', async () => {
    const res = await post(`${DB}/sql`, '{"sql": 1}', { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
  });
});
