/**
 * API keys on the data plane, attacked: wrong database, wrong project,
 * tampered and guessed secrets, revoked and expired keys, role escalation;
 * plus the documented 30 s cache bound.
 */
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_CACHE_TTL_MS,
  PostgresKeyVerifier,
  VerifiedKeyCache,
} from '../../workers/auth/postgres-key-verifier.ts';
import { hashSecret } from '../../workers/auth/token-hash.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { apiKeys } from '../../workers/db/schema.ts';
import { call, memberWithRole, type Session, signIn, tenant } from './auth-fixtures.ts';

let owner: Session;
let a: Awaited<ReturnType<typeof tenant>>;
let b: Awaited<ReturnType<typeof tenant>>;
let otherDb: { id: string; name: string };

async function createKey(projectId: string, body: Record<string, unknown>, s: Session = owner) {
  return call(`/v1/projects/${projectId}/api-keys`, { token: s.accessToken, body: { name: 'k', ...body } });
}

beforeAll(async () => {
  owner = await signIn();
  a = await tenant(owner, 'keys-a');
  b = await tenant(await signIn(), 'keys-b');
  otherDb = (
    await call(`/v1/projects/${a.project.id}/databases`, {
      token: owner.accessToken,
      body: { name: 'other' },
    })
  ).json;
});

describe('API keys', () => {
  it('are shown once, stored as a hash behind a visible prefix', async () => {
    const res = await createKey(a.project.id, { role: 'read' });
    expect(res.status).toBe(201);
    const key: string = res.json.key;
    expect(key).toMatch(/^oro_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(res.json.prefix)).toBe(true);
    const [row] = await withControlPlane(env, (db) =>
      db.select().from(apiKeys).where(eq(apiKeys.id, res.json.id)),
    );
    expect(row.secretHash).toBe(await hashSecret(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(18));
    const list = await call(`/v1/projects/${a.project.id}/api-keys`, { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).not.toContain(key.slice(18));
    expect(JSON.stringify(list.json)).not.toContain('secretHash');
  });

  it('reach their project databases by name and id, and record last use', async () => {
    const { key, id } = (await createKey(a.project.id, { role: 'read' })).json;
    expect((await call('/v1/databases/main', { token: key })).status).toBe(200);
    expect((await call(`/v1/databases/${a.database.id}`, { token: key })).json.name).toBe('main');
    const [row] = await withControlPlane(env, (db) => db.select().from(apiKeys).where(eq(apiKeys.id, id)));
    expect(row.lastUsedAt).not.toBeNull();
  });

  it('cannot reach another project (by id or by name)', async () => {
    const { key } = (await createKey(a.project.id, { role: 'admin' })).json;
    const byId = await call(`/v1/databases/${b.database.id}`, { token: key });
    expect(byId.status).toBe(404);
    // "main" resolves inside the key's own project, never B's.
    expect((await call('/v1/databases/main', { token: key })).json.id).toBe(a.database.id);
    expect((await call(`/v1/databases/${b.database.id}`, { token: key, method: 'DELETE' })).status).toBe(404);
  });

  it('scoped to database X cannot use database Y of the same project', async () => {
    const { key } = (await createKey(a.project.id, { role: 'admin', databaseId: a.database.id })).json;
    expect((await call('/v1/databases/main', { token: key })).status).toBe(200);
    expect((await call(`/v1/databases/${otherDb.id}`, { token: key })).status).toBe(404);
    expect((await call('/v1/databases/other', { token: key })).status).toBe(404);
    expect((await call('/v1/databases/other', { token: key, method: 'DELETE' })).status).toBe(404);
    // And cannot be scoped to another project's database at creation.
    expect((await createKey(a.project.id, { role: 'read', databaseId: b.database.id })).status).toBe(404);
  });

  it('reject tampered and guessed secrets', async () => {
    const { key } = (await createKey(a.project.id, { role: 'read' })).json;
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect((await call('/v1/databases/main', { token: flipped })).status).toBe(401);
    expect((await call('/v1/databases/main', { token: `oro_000000000000_${'a'.repeat(43)}` })).status).toBe(
      401,
    );
    expect((await call('/v1/databases/main', { token: 'oro_garbage' })).status).toBe(401);
  });

  it('stop working when revoked (this isolate evicts at once)', async () => {
    const { key, id } = (await createKey(a.project.id, { role: 'read' })).json;
    expect((await call('/v1/databases/main', { token: key })).status).toBe(200);
    const del = await call(`/v1/projects/${a.project.id}/api-keys/${id}`, {
      token: owner.accessToken,
      method: 'DELETE',
    });
    expect(del.status).toBe(204);
    expect((await call('/v1/databases/main', { token: key })).status).toBe(401);
    // Revoking from another org's project is a 404, not a revocation.
    const { id: other } = (await createKey(a.project.id, { role: 'read' })).json;
    const stranger = await signIn();
    const t = await tenant(stranger, 'stranger');
    expect(
      (
        await call(`/v1/projects/${t.project.id}/api-keys/${other}`, {
          token: stranger.accessToken,
          method: 'DELETE',
        })
      ).status,
    ).toBe(404);
  });

  it('stop working once expired', async () => {
    const { key, id } = (await createKey(a.project.id, { role: 'read', expiresInSeconds: 3600 })).json;
    await withControlPlane(env, (db) =>
      db
        .update(apiKeys)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(apiKeys.id, id)),
    );
    expect((await call('/v1/databases/main', { token: key })).status).toBe(401);
  });

  it('enforce their role on database changes', async () => {
    const read = (await createKey(a.project.id, { role: 'read' })).json.key;
    const write = (await createKey(a.project.id, { role: 'write' })).json.key;
    expect(
      (await call('/v1/databases/other', { token: read, method: 'PATCH', body: { locationHint: 'weur' } }))
        .status,
    ).toBe(403);
    expect(
      (await call('/v1/databases/other', { token: write, method: 'PATCH', body: { locationHint: 'weur' } }))
        .status,
    ).toBe(200);
    expect((await call('/v1/databases/other', { token: write, method: 'DELETE' })).status).toBe(403);
  });

  it('can only be managed by org admins', async () => {
    const viewer = await memberWithRole(owner, a.org.id, 'viewer');
    const member = await memberWithRole(owner, a.org.id, 'member');
    expect((await createKey(a.project.id, { role: 'read' }, viewer)).status).toBe(403);
    expect((await createKey(a.project.id, { role: 'read' }, member)).status).toBe(403);
    expect((await call(`/v1/projects/${a.project.id}/api-keys`, { token: member.accessToken })).status).toBe(
      403,
    );
  });

  it('keep the dev key working in local mode', async () => {
    expect((await call('/v1/databases/default', { token: 'test-dev-key' })).status).toBe(200);
  });
});

describe('verified-key cache', () => {
  it('forgets entries after the TTL and on eviction', () => {
    let now = 1_000;
    const cache = new VerifiedKeyCache(30_000, () => now);
    const p = { keyId: 'k1', projectId: 'p', role: 'read' as const };
    cache.set('h1', p);
    cache.set('h2', null);
    now += 29_999;
    expect(cache.get('h1')).toEqual(p);
    expect(cache.get('h2')).toBeNull();
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
    // A key expiring sooner than the TTL is not served past its expiry.
    cache.set('h3', p, now + 5_000);
    now += 5_000;
    expect(cache.get('h3')).toBeUndefined();
    cache.set('h1', p);
    cache.evictKey('k1');
    expect(cache.get('h1')).toBeUndefined();
  });

  it('bounds revocation in other isolates by API_KEY_CACHE_TTL_MS', async () => {
    const { key, id } = (await createKey(a.project.id, { role: 'read' })).json;
    let now = Date.now();
    const isolate = new PostgresKeyVerifier(env, new VerifiedKeyCache(API_KEY_CACHE_TTL_MS, () => now));
    expect(await isolate.verify(key)).not.toBeNull();
    await withControlPlane(env, (db) =>
      db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)),
    );
    now += API_KEY_CACHE_TTL_MS - 1;
    expect(await isolate.verify(key)).not.toBeNull(); // still cached: the documented window
    now += 1;
    expect(await isolate.verify(key)).toBeNull();
  });
});
