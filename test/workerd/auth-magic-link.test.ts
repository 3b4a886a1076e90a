/**
 * Magic links, refresh-token rotation, cookies and CSRF — attacked: replayed
 * and expired links, replayed refresh tokens, brute force into rate limits,
 * cookie requests without a CSRF token, the dev outbox outside local mode.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sweepExpiredIdentityRows } from '../../workers/auth/expiry-sweep.ts';
import { hashSecret } from '../../workers/auth/token-hash.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { auditLogs, magicLinkTokens } from '../../workers/db/schema.ts';
import worker from '../../workers/index.ts';
import { BASE, call, freshIp, latestMagicToken, signIn, uniqueEmail } from './auth-fixtures.ts';

async function auditActions(actorId: string) {
  const rows = await withControlPlane(env, (db) =>
    db.select().from(auditLogs).where(eq(auditLogs.actorId, actorId)).orderBy(desc(auditLogs.id)),
  );
  return rows.map((r) => `${r.action}:${r.outcome}`);
}

describe('magic links', () => {
  it('answers identically for known and unknown addresses', async () => {
    const known = await signIn();
    const a = await call('/v1/auth/magic-link', { body: { email: known.user.email }, ip: freshIp() });
    const b = await call('/v1/auth/magic-link', { body: { email: uniqueEmail('nobody') }, ip: freshIp() });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.json).toEqual(b.json);
  });

  it('stores only a hash of the token, with a 15-minute expiry', async () => {
    const email = uniqueEmail();
    await call('/v1/auth/magic-link', { body: { email }, ip: freshIp() });
    const token = await latestMagicToken(email);
    const rows = await withControlPlane(env, (db) =>
      db.select().from(magicLinkTokens).where(eq(magicLinkTokens.email, email)),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(await hashSecret(token));
    expect(JSON.stringify(rows[0])).not.toContain(token);
    const ttl = rows[0].expiresAt.getTime() - rows[0].createdAt.getTime();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);
  });

  it('works once: a replayed link is rejected and audited', async () => {
    const email = uniqueEmail();
    const ip = freshIp();
    await call('/v1/auth/magic-link', { body: { email }, ip });
    const token = await latestMagicToken(email);
    const first = await call('/v1/auth/magic-link/verify', { body: { token, mode: 'bearer' }, ip });
    expect(first.status).toBe(200);
    expect(first.json.user.email).toBe(email);
    const replay = await call('/v1/auth/magic-link/verify', { body: { token, mode: 'bearer' }, ip });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('invalid_magic_link');
    const failures = await withControlPlane(env, (db) =>
      db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, 'auth.magic_link.verify'), eq(auditLogs.ip, ip))),
    );
    expect(failures.map((f) => f.outcome).sort()).toEqual(['failure', 'success']);
  });

  it('rejects an expired link', async () => {
    const email = uniqueEmail();
    await call('/v1/auth/magic-link', { body: { email }, ip: freshIp() });
    const token = await latestMagicToken(email);
    await withControlPlane(env, (db) =>
      db
        .update(magicLinkTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(magicLinkTokens.email, email)),
    );
    expect((await call('/v1/auth/magic-link/verify', { body: { token }, ip: freshIp() })).status).toBe(401);
  });

  it('rate-limits per email across IPs, and per IP across emails', async () => {
    const email = uniqueEmail('target');
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await call('/v1/auth/magic-link', { body: { email }, ip: freshIp() })).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429]);

    const ip = freshIp();
    const perIp = [];
    for (let i = 0; i < 22; i++)
      perIp.push((await call('/v1/auth/magic-link', { body: { email: uniqueEmail() }, ip })).status);
    expect(perIp.filter((s) => s === 202)).toHaveLength(20);
    expect(perIp.slice(20)).toEqual([429, 429]);
  });

  it('rate-limits brute-force guessing of link tokens', async () => {
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 32; i++) {
      statuses.push((await call('/v1/auth/magic-link/verify', { body: { token: `guess-${i}` }, ip })).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });

  it('rejects non-JSON bodies (form posts cannot forge a sign-in)', async () => {
    const res = await SELF.fetch(`${BASE}/v1/auth/magic-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.com',
    });
    expect(res.status).toBe(415);
    expect((await call('/v1/auth/magic-link', { body: { email: 'not-an-email' } })).status).toBe(400);
  });

  it('hides the dev outbox outside local mode', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/v1/dev/outbox`),
      { ...env, ENVIRONMENT: 'production' } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(404);
  });
});

describe('refresh tokens', () => {
  it('rotate: each refresh returns a new pair and consumes the old token', async () => {
    const s = await signIn();
    const r1 = await call('/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(r1.status).toBe(200);
    expect(r1.json.refreshToken).not.toBe(s.refreshToken);
    expect((await call('/v1/auth/me', { token: r1.json.accessToken })).status).toBe(200);
    const r2 = await call('/v1/auth/refresh', { body: { refreshToken: r1.json.refreshToken } });
    expect(r2.status).toBe(200);
  });

  it('a replayed refresh token revokes the whole family', async () => {
    const s = await signIn();
    const r1 = await call('/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(r1.status).toBe(200);
    // The attacker replays the first token…
    const replay = await call('/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(replay.status).toBe(401);
    // …and now the legitimate holder's newer tokens are dead too.
    expect((await call('/v1/auth/refresh', { body: { refreshToken: r1.json.refreshToken } })).status).toBe(
      401,
    );
    expect((await call('/v1/auth/me', { token: r1.json.accessToken })).status).toBe(401);
    expect(await auditActions(s.user.id)).toContain('auth.refresh.reuse_detected:denied');
  });

  it('rejects unknown refresh tokens without revoking anything', async () => {
    const s = await signIn();
    expect((await call('/v1/auth/refresh', { body: { refreshToken: 'ort_nope' } })).status).toBe(401);
    expect((await call('/v1/auth/me', { token: s.accessToken })).status).toBe(200);
  });
});

describe('cookie sessions', () => {
  async function cookieSignIn() {
    const email = uniqueEmail();
    const ip = freshIp();
    await call('/v1/auth/magic-link', { body: { email }, ip });
    const token = await latestMagicToken(email);
    const res = await SELF.fetch(`${BASE}/v1/auth/magic-link/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrfToken: string; accessToken?: string };
    const setCookies = res.headers.getSetCookie();
    const jar = setCookies.map((c) => c.split(';')[0]).join('; ');
    return { body, setCookies, jar };
  }

  it('sets HttpOnly, Secure, SameSite cookies and keeps tokens out of the body', async () => {
    const { body, setCookies } = await cookieSignIn();
    expect(body.accessToken).toBeUndefined();
    const at = setCookies.find((c) => c.startsWith('__Host-orochi_at='))!;
    const rt = setCookies.find((c) => c.startsWith('__Secure-orochi_rt='))!;
    const csrf = setCookies.find((c) => c.startsWith('__Host-orochi_csrf='))!;
    for (const c of [at, rt]) {
      expect(c).toMatch(/HttpOnly/);
      expect(c).toMatch(/Secure/);
      expect(c).toMatch(/SameSite=(Lax|Strict)/);
    }
    expect(rt).toMatch(/Path=\/v1\/auth/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toContain(body.csrfToken);
  });

  it('requires the CSRF header on state-changing cookie requests', async () => {
    const { body, jar } = await cookieSignIn();
    const me = await SELF.fetch(`${BASE}/v1/auth/me`, { headers: { cookie: jar } });
    expect(me.status).toBe(200);
    const post = (headers: Record<string, string>) =>
      SELF.fetch(`${BASE}/v1/orgs`, {
        method: 'POST',
        headers: { cookie: jar, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'x', slug: `csrf-${crypto.randomUUID().slice(0, 8)}` }),
      });
    const missing = await post({});
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    expect((await post({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': body.csrfToken })).status).toBe(201);
    // Cookie refresh needs it too.
    const refresh = await SELF.fetch(`${BASE}/v1/auth/refresh`, { method: 'POST', headers: { cookie: jar } });
    expect(refresh.status).toBe(403);
    const ok = await SELF.fetch(`${BASE}/v1/auth/refresh`, {
      method: 'POST',
      headers: { cookie: jar, 'x-csrf-token': body.csrfToken },
    });
    expect(ok.status).toBe(200);
  });
});

describe('local provisioning', () => {
  it('dev@orochi.local owns the local org that OROCHI_DEV_API_KEY reaches', async () => {
    const s = await signIn('dev@orochi.local');
    const orgs = await call('/v1/orgs', { token: s.accessToken });
    expect(orgs.json.orgs).toEqual(
      expect.arrayContaining([expect.objectContaining({ slug: 'local', role: 'owner' })]),
    );
  });
});

describe('session management', () => {
  it('lists live sessions and revokes only your own', async () => {
    const email = uniqueEmail();
    const laptop = await signIn(email);
    const phone = await signIn(email);
    const list = await call('/v1/auth/sessions', { token: laptop.accessToken });
    expect(list.status).toBe(200);
    expect(list.json.sessions).toHaveLength(2);
    const current = list.json.sessions.find((s: { current: boolean }) => s.current);
    const other = list.json.sessions.find((s: { current: boolean }) => !s.current);
    expect(current.id).not.toBe(other.id);
    const stranger = await signIn();
    expect(
      (await call(`/v1/auth/sessions/${other.id}`, { token: stranger.accessToken, method: 'DELETE' })).status,
    ).toBe(404);
    expect((await call('/v1/auth/me', { token: phone.accessToken })).status).toBe(200);
    expect(
      (await call(`/v1/auth/sessions/${other.id}`, { token: laptop.accessToken, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await call('/v1/auth/me', { token: phone.accessToken })).status).toBe(401);
    expect((await call('/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } })).status).toBe(401);
    expect((await call('/v1/auth/sessions', { token: laptop.accessToken })).json.sessions).toHaveLength(1);
  });
});

describe('expiry sweep', () => {
  it('removes only rows past their use, keeping live ones', async () => {
    const email = uniqueEmail();
    await call('/v1/auth/magic-link', { body: { email }, ip: freshIp() });
    const stale = uniqueEmail();
    await call('/v1/auth/magic-link', { body: { email: stale }, ip: freshIp() });
    await withControlPlane(env, (db) =>
      db
        .update(magicLinkTokens)
        .set({ expiresAt: new Date(Date.now() - 2 * 86_400_000) })
        .where(eq(magicLinkTokens.email, stale)),
    );
    const result = await withControlPlane(env, (db) => sweepExpiredIdentityRows(db));
    expect(result.magicLinks).toBeGreaterThanOrEqual(1);
    const left = await withControlPlane(env, (db) => db.select().from(magicLinkTokens));
    expect(left.some((r) => r.email === stale)).toBe(false);
    expect(left.some((r) => r.email === email)).toBe(true);
  });
});
