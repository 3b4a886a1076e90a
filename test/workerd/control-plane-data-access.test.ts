/**
 * Signed-in users on data-plane URLs (`/v1/databases/{id}`), and secrets in
 * logs: cross-tenant ids, names (which only API keys may use), viewer writes,
 * cookie requests without CSRF; and no token or key ever reaches console output.
 */
import { SELF } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BASE,
  call,
  freshIp,
  latestMagicToken,
  memberWithRole,
  type Session,
  signIn,
  tenant,
  uniqueEmail,
} from './auth-fixtures.ts';

let owner: Session;
let t: Awaited<ReturnType<typeof tenant>>;
let other: Awaited<ReturnType<typeof tenant>>;

beforeAll(async () => {
  owner = await signIn();
  t = await tenant(owner, 'dp');
  other = await tenant(await signIn(), 'dp-other');
});

describe('user sessions on the data plane', () => {
  it('reach their org databases by id only', async () => {
    const res = await call(`/v1/databases/${t.database.id}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('main');
    // Names are unique only within a project, so a session cannot use them.
    expect((await call('/v1/databases/main', { token: owner.accessToken })).status).toBe(404);
    expect((await call(`/v1/databases/${other.database.id}`, { token: owner.accessToken })).status).toBe(404);
  });

  it('write line protocol to /api/v2/write with the database id in ?bucket= (a viewer cannot)', async () => {
    const write = (token: string, bucket: string) =>
      SELF.fetch(`${BASE}/api/v2/write?bucket=${bucket}&precision=s`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '192.0.2.1' },
        body: 'session_lp,host=a v=1 1700000000\n',
      });
    const created = await call(`/v1/databases/${t.database.id}/sql`, {
      token: owner.accessToken,
      body: { sql: 'CREATE TABLE session_lp (time timestamptz NOT NULL, host text, v double precision)' },
    });
    expect(created.status).toBe(200);
    const first = await write(owner.accessToken, t.database.id);
    expect(first.status, await first.clone().text()).toBe(204);
    const count = await call(`/v1/databases/${t.database.id}/sql`, {
      token: owner.accessToken,
      body: { sql: 'SELECT count(*) FROM session_lp' },
    });
    expect(count.json.rows).toEqual([[1]]);
    expect((await write(owner.accessToken, other.database.id)).status).toBe(404);
    expect((await write(owner.accessToken, 'main')).status).toBe(404);
    const viewer = await memberWithRole(owner, t.org.id, 'viewer');
    expect((await write(viewer.accessToken, t.database.id)).status).toBe(403);
    const missing = await SELF.fetch(`${BASE}/api/v2/write?precision=s`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.accessToken}`, 'cf-connecting-ip': '192.0.2.1' },
      body: 'x v=1 1\n',
    });
    expect(missing.status).toBe(400);
  });

  it('map org roles to data-plane roles (a viewer cannot write)', async () => {
    const viewer = await memberWithRole(owner, t.org.id, 'viewer');
    expect((await call(`/v1/databases/${t.database.id}`, { token: viewer.accessToken })).status).toBe(200);
    const patch = await call(`/v1/databases/${t.database.id}`, {
      token: viewer.accessToken,
      method: 'PATCH',
      body: { locationHint: 'weur' },
    });
    expect(patch.status).toBe(403);
    expect(
      (await call(`/v1/databases/${t.database.id}`, { token: viewer.accessToken, method: 'DELETE' })).status,
    ).toBe(403);
  });

  it('require CSRF for cookie-authenticated writes', async () => {
    const email = uniqueEmail();
    const ip = freshIp();
    await call('/v1/auth/magic-link', { body: { email }, ip });
    const verify = await SELF.fetch(`${BASE}/v1/auth/magic-link/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
      body: JSON.stringify({ token: await latestMagicToken(email) }),
    });
    const jar = verify.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = (await verify.json()) as { csrfToken: string };
    const mine = await SELF.fetch(`${BASE}/v1/orgs`, {
      method: 'POST',
      headers: { cookie: jar, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'c', slug: `c-${crypto.randomUUID().slice(0, 8)}` }),
    });
    const orgId = ((await mine.json()) as { id: string }).id;
    const project = await SELF.fetch(`${BASE}/v1/orgs/${orgId}/projects`, {
      method: 'POST',
      headers: { cookie: jar, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'p' }),
    });
    const projectId = ((await project.json()) as { id: string }).id;
    const db = await SELF.fetch(`${BASE}/v1/projects/${projectId}/databases`, {
      method: 'POST',
      headers: { cookie: jar, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'd' }),
    });
    const dbId = ((await db.json()) as { id: string }).id;
    const noCsrf = await SELF.fetch(`${BASE}/v1/databases/${dbId}`, {
      method: 'DELETE',
      headers: { cookie: jar },
    });
    expect(noCsrf.status).toBe(403);
    const read = await SELF.fetch(`${BASE}/v1/databases/${dbId}`, { headers: { cookie: jar } });
    expect(read.status).toBe(200);
    const ok = await SELF.fetch(`${BASE}/v1/databases/${dbId}`, {
      method: 'DELETE',
      headers: { cookie: jar, 'x-csrf-token': csrfToken },
    });
    expect(ok.status).toBe(204);
  });
});

describe('secrets stay out of logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('no magic-link token, JWT, refresh token or API key is written to the console', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
    const email = uniqueEmail();
    const ip = freshIp();
    await call('/v1/auth/magic-link', { body: { email }, ip });
    const token = await latestMagicToken(email);
    const s = (await call('/v1/auth/magic-link/verify', { body: { token, mode: 'bearer' }, ip })).json;
    await call('/v1/auth/magic-link/verify', { body: { token }, ip }); // replay (error path)
    const r = (await call('/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).json;
    await call('/v1/auth/refresh', { body: { refreshToken: s.refreshToken } }); // reuse (error path)
    const key = (
      await call(`/v1/projects/${t.project.id}/api-keys`, {
        token: owner.accessToken,
        body: { name: 'k', role: 'read' },
      })
    ).json.key;
    await call('/v1/databases/main', { token: key });
    await call('/v1/databases/main', { token: `${key.slice(0, -2)}xx` });
    const secrets = [token, s.accessToken, s.refreshToken, r.refreshToken, key, key.slice(18)];
    const out = lines.join('\n');
    for (const secret of secrets) expect(out.includes(secret)).toBe(false);
  });
});

describe('database settings', () => {
  it('reject unknown location hints, replica counts other than 1 (no replication yet) and bad shard counts', async () => {
    const create = (body: Record<string, unknown>) =>
      call(`/v1/projects/${t.project.id}/databases`, {
        token: owner.accessToken,
        body: { name: `v${crypto.randomUUID().slice(0, 6)}`, ...body },
      });
    expect((await create({ locationHint: 'mars' })).status).toBe(400);
    for (const replicaCount of [2, 3, 5, '1']) {
      const refused = await create({ replicaCount });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.json)).toContain('replication is not available');
    }
    expect((await create({ defaultShardCount: 0 })).status).toBe(400);
    expect((await create({ name: 'Bad Name!' })).status).toBe(400);
    const ok = await create({ locationHint: 'weur', replicaCount: 1, defaultShardCount: 16 });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({
      locationHint: 'weur',
      replicaCount: 1,
      defaultShardCount: 16,
      status: 'active',
    });
    expect((await create({ name: 'main' })).status).toBe(409);
  });
});
