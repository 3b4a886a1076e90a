/**
 * Regression tests for faults found by attackers with two tenants: bad query
 * parameters, malformed URLs, control characters in names (and in the mail
 * they reach), and the 404/405 answers of unknown routes and wrong methods.
 * Each was a 500 (or worse) before; each must be a clear 4xx.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, call, type Session, signIn, tenant, uniqueEmail } from './auth-fixtures.ts';

let owner: Session;
let t: Awaited<ReturnType<typeof tenant>>;

beforeAll(async () => {
  owner = await signIn();
  t = await tenant(owner, 'hostile');
});

function expect400(
  res: { status: number; json: { error?: { code?: string; message?: string } } },
  label: string,
) {
  expect(res.status, `${label}: ${JSON.stringify(res.json)}`).toBe(400);
  expect(res.json.error?.code, label).toBe('invalid_request');
  expect(res.json.error?.message, label).toBeTruthy();
}

describe('query parameters', () => {
  it.each([
    ['since=-271821-04-20T00:00:00Z', /since/],
    ['until=+275760-09-13T00:00:00Z', /until/],
    ['since=1', /since/],
    ['since=yesterday', /since/],
    ['since=2024-13-45T99:99:99Z', /since/],
    ['limit=-1', /limit/],
    ['limit=0', /limit/],
    ['limit=1e9', /limit/],
    ['limit=1000000000', /limit/],
    ['limit=2.5', /limit/],
    ['limit=abc', /limit/],
    ['cursor=!!!', /cursor/],
    ['cursor=LTE', /cursor/], // base64 of "-1"
    ['cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5', /cursor/], // base64 of a number past 2^53
    [`cursor=${'A'.repeat(5000)}`, /cursor/],
    ['outcome=maybe', /outcome/],
    ['action=%00', /control character/],
    [`actorId=${'x'.repeat(5000)}`, /actorId/],
    ['targetId=a%0D%0Ab', /control character/],
    ['action=a%E2%80%A8b', /action/],
  ])('GET /v1/orgs/{org}/audit-log?%s → 400', async (query, field) => {
    const res = await call(`/v1/orgs/${t.org.id}/audit-log?${query}`, { token: owner.accessToken });
    expect400(res, query);
    expect(res.json.error.message).toMatch(field);
  });

  it('accepts the values the API documents', async () => {
    const ok = await call(
      `/v1/orgs/${t.org.id}/audit-log?since=2000-01-01T00:00:00Z&until=2999-12-31&limit=200&outcome=success&action=org.create`,
      { token: owner.accessToken },
    );
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.entries.map((e: { action: string }) => e.action)).toEqual(['org.create']);
    const page = await call(`/v1/orgs/${t.org.id}/audit-log?limit=1`, { token: owner.accessToken });
    expect(page.json.nextCursor).toBeTruthy();
    const next = await call(`/v1/orgs/${t.org.id}/audit-log?limit=1&cursor=${page.json.nextCursor}`, {
      token: owner.accessToken,
    });
    expect(next.status).toBe(200);
    expect(next.json.entries[0].id).toBeLessThan(page.json.entries[0].id);
  });
});

describe('malformed URLs', () => {
  it.each([
    ['POST', '/v1/databases/%E0%A4%A/sql'],
    ['POST', '/v1/databases/%/sql'],
    ['GET', '/v1/databases/%C0%AF'],
    ['DELETE', '/v1/databases/%FF'],
    ['GET', '/v1/orgs/%E0%A4%A/audit-log'],
    ['GET', `/v1/orgs/%00/projects`],
    ['GET', '/v1/orgs/x/audit-log?action=%E0%A4%A'],
    ['PATCH', '/v1/auth/passkeys/%E0%A4%A'],
  ])('%s %s with a session → 400', async (method, path) => {
    const res = await call(path, {
      method,
      token: owner.accessToken,
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: { sql: 'SELECT 1', name: 'x' } }),
    });
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    expect(res.json.error.message).toMatch(/percent-encoding/);
  });

  it('answers a SQLSTATE on data-plane paths', async () => {
    const res = await call('/v1/databases/%E0%A4%A/sql', {
      token: owner.accessToken,
      body: { sql: 'SELECT 1' },
    });
    expect(res.json.error.code).toBe('22021');
  });

  it('refuses an absurdly long URL', async () => {
    const res = await call(`/v1/orgs/${'a'.repeat(10_000)}`, { token: owner.accessToken });
    expect(res.status).toBe(414);
  });
});

describe('names', () => {
  const hostile = [
    ['CR/LF', 'Acme\r\nBcc: victim@example.com'],
    ['LF', 'Acme\nInc'],
    ['NUL', 'Acme\u0000'],
    ['TAB', 'Ac\tme'],
    ['DEL', 'Acme\u007f'],
    ['C1 (NEL)', 'Acme\u0085Inc'],
    ['U+2028', 'Acme\u2028Inc'],
    ['U+2029', 'Acme\u2029Inc'],
    ['bidi override', 'Acme\u202egnp.exe'],
    ['bidi isolate', 'Acme\u2066x\u2069'],
    ['lone surrogate', 'Acme\ud800'],
    ['too long', 'x'.repeat(101)],
    ['blank', '   '],
  ] as const;

  it.each(hostile)('an organization name with %s → 400', async (_label, name) => {
    expect400(
      await call('/v1/orgs', {
        token: owner.accessToken,
        body: { name, slug: `s-${crypto.randomUUID().slice(0, 8)}` },
      }),
      'create',
    );
    expect400(
      await call(`/v1/orgs/${t.org.id}`, { method: 'PATCH', token: owner.accessToken, body: { name } }),
      'rename',
    );
  });

  it.each(hostile)('project, database, API key and passkey names with %s → 400', async (_label, name) => {
    const token = owner.accessToken;
    expect400(await call(`/v1/orgs/${t.org.id}/projects`, { token, body: { name } }), 'project');
    expect400(await call(`/v1/projects/${t.project.id}/databases`, { token, body: { name } }), 'database');
    expect400(
      await call(`/v1/databases/${t.database.id}`, { method: 'PATCH', token, body: { name } }),
      'database rename',
    );
    expect400(
      await call(`/v1/projects/${t.project.id}/api-keys`, { token, body: { name, role: 'read' } }),
      'key',
    );
    expect400(await call('/v1/auth/passkeys/any-id', { method: 'PATCH', token, body: { name } }), 'passkey');
  });

  it('keeps ordinary names in any script, emoji and joiners included', async () => {
    for (const name of ['Ünïcødé GmbH', '株式会社オロチ', 'שלום עולם', 'Team 👩‍💻 (EU)']) {
      const res = await call('/v1/orgs', {
        token: owner.accessToken,
        body: { name, slug: `s-${crypto.randomUUID().slice(0, 8)}` },
      });
      expect(res.status, name).toBe(201);
      expect(res.json.name).toBe(name);
    }
  });

  it('never puts a line break or a bare name into an invitation mail', async () => {
    // A name stored before validation existed would still be escaped where it leaves.
    const res = await call(`/v1/orgs/${t.org.id}`, {
      method: 'PATCH',
      token: owner.accessToken,
      body: { name: 'Acme http://evil.example' },
    });
    expect(res.status).toBe(200);
    const email = uniqueEmail('invitee');
    const inv = await call(`/v1/orgs/${t.org.id}/invitations`, {
      token: owner.accessToken,
      body: { email, role: 'viewer' },
    });
    expect(inv.status).toBe(201);
    const { json } = await call(`/v1/dev/outbox?to=${encodeURIComponent(email)}`);
    const mail = json.emails[0];
    expect(mail.subject).toBe('You are invited to “Acme http://evil.example” on Orochi Edge');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain('the organization “Acme http://evil.example” as viewer');
  });

  it.each(['a@b.c\r\nBcc: x@y.z', 'a@b.c,x@y.z', '"Eve" <eve@example.com>', 'a;b@c.d'])(
    'an invitation to %j → 400',
    async (email) => {
      const res = await call(`/v1/orgs/${t.org.id}/invitations`, {
        token: owner.accessToken,
        body: { email, role: 'viewer' },
      });
      expect400(res, email);
    },
  );
});

describe('unknown routes and wrong methods', () => {
  it('GET /v1/databases/{db}/sql is 405 with a SQLSTATE and an Allow header', async () => {
    const res = await call(`/v1/databases/${t.database.id}/sql`, { token: owner.accessToken });
    expect(res.status).toBe(405);
    expect(res.json.error.code).toBe('0A000');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('a wrong method on a control-plane route is 405 method_not_allowed', async () => {
    const res = await call(`/v1/orgs/${t.org.id}/audit-log`, { method: 'DELETE', token: owner.accessToken });
    expect(res.status).toBe(405);
    expect(res.json.error.code).toBe('method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    const put = await call('/v1/health', { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('an unknown path is 404 (42704 on data-plane paths, not_found elsewhere)', async () => {
    const cp = await call('/v1/nope', { token: owner.accessToken });
    expect(cp.status).toBe(404);
    expect(cp.json.error.code).toBe('not_found');
    const dp = await call(`/v1/databases/${t.database.id}/nope`, { token: owner.accessToken });
    expect(dp.status).toBe(404);
    expect(dp.json.error.code).toBe('42704');
  });

  it('HEAD on a GET route is not a 405', async () => {
    const res = await SELF.fetch(`${BASE}/v1/health`, { method: 'HEAD' });
    expect(res.status).toBe(200);
  });
});
