/**
 * The device authorization grant (RFC 8628) end to end through the Worker:
 * start, look up, approve or deny, poll. Covers the happy path (a session
 * listed with the user's others and audited), denial, expiry, reuse, wrong
 * codes, polling too fast, races between decisions, the per-user guess limit,
 * and every org role: a device session carries exactly its user's rights.
 */
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_GRANT_TYPE, DEVICE_LIMITS } from '../../workers/auth/device-authorization.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { auditLogs, deviceAuthorizations } from '../../workers/db/schema.ts';
import { call, freshIp, memberWithRole, type Session, signIn, tenant } from './auth-fixtures.ts';

interface Codes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function start(ip = freshIp(), clientName = 'orochi CLI (test)'): Promise<Codes> {
  const r = await call('/v1/auth/device', { body: { client_name: clientName }, ip });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as Codes;
}

function poll(deviceCode: string, ip = freshIp()) {
  return call('/v1/auth/device/token', {
    body: { grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode },
    ip,
  });
}

function decide(s: Session, verb: 'approve' | 'deny' | 'lookup', userCode: string) {
  return call(`/v1/auth/device/${verb}`, { token: s.accessToken, body: { user_code: userCode } });
}

/** Moves a grant's clock: expiry, or the last poll (so the next poll is on time). */
async function patchRow(deviceCodeHashOf: Codes, set: Partial<typeof deviceAuthorizations.$inferInsert>) {
  const { hashSecret } = await import('../../workers/auth/token-hash.ts');
  const hash = await hashSecret(deviceCodeHashOf.device_code);
  await withControlPlane(env, (db) =>
    db.update(deviceAuthorizations).set(set).where(eq(deviceAuthorizations.deviceCodeHash, hash)),
  );
}

let user: Session;
beforeAll(async () => {
  user = await signIn();
});

describe('start', () => {
  it('answers RFC 8628 codes and stores neither in plain text', async () => {
    const codes = await start();
    expect(codes.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.device_code.length).toBeGreaterThan(40);
    expect(codes.verification_uri).toBe('https://orochi.test/device');
    expect(codes.verification_uri_complete).toBe(`https://orochi.test/device?code=${codes.user_code}`);
    expect(codes.expires_in).toBe(600);
    expect(codes.interval).toBe(5);
    const rows = await withControlPlane(env, (db) => db.select().from(deviceAuthorizations));
    const text = JSON.stringify(rows);
    expect(text).not.toContain(codes.device_code);
    expect(text).not.toContain(codes.user_code.replace('-', ''));
    expect(text).not.toContain(codes.user_code);
  });

  it('works without a body', async () => {
    const r = await call('/v1/auth/device', { method: 'POST', ip: freshIp() });
    expect(r.status).toBe(200);
    expect(r.json.user_code).toMatch(/^\w{4}-\w{4}$/);
  });
});

describe('approve and poll', () => {
  it('issues a session once, listed with the user’s sessions, refreshable and audited', async () => {
    const codes = await start();
    const pending = await poll(codes.device_code);
    expect(pending.status).toBe(400);
    expect(pending.json.error.code).toBe('authorization_pending');

    // Typed loosely by a person: lower case, no dash.
    const looked = await decide(user, 'lookup', codes.user_code.replace('-', '').toLowerCase());
    expect(looked.status, JSON.stringify(looked.json)).toBe(200);
    expect(looked.json).toMatchObject({ user_code: codes.user_code, client_name: 'orochi CLI (test)' });
    expect((await decide(user, 'approve', codes.user_code)).status).toBe(200);

    await patchRow(codes, { lastPolledAt: new Date(Date.now() - 60_000) });
    const ok = await poll(codes.device_code);
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({
      tokenType: 'Bearer',
      user: { id: user.user.id, email: user.user.email },
    });
    const me = await call('/v1/auth/me', { token: ok.json.accessToken });
    expect(me.status).toBe(200);
    expect(me.json.id).toBe(user.user.id);

    const sessions = await call('/v1/auth/sessions', { token: user.accessToken });
    const mine = sessions.json.sessions.find((s: { id: string }) => s.id === me.json.sessionId);
    expect(mine).toMatchObject({ method: 'device', current: false });

    // Single use: the code is spent.
    const again = await poll(codes.device_code);
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('invalid_grant');

    const refreshed = await call('/v1/auth/refresh', { body: { refreshToken: ok.json.refreshToken } });
    expect(refreshed.status).toBe(200);

    const audit = await withControlPlane(env, (db) =>
      db.select().from(auditLogs).where(eq(auditLogs.actorId, user.user.id)),
    );
    const actions = audit.map((a) => a.action);
    expect(actions).toContain('auth.device.approve');
    expect(audit.find((a) => a.action === 'auth.device.token')?.targetId).toBe(me.json.sessionId);
    expect(JSON.stringify(audit)).not.toContain(codes.device_code);
  });

  it('answers slow_down to a poll inside the interval, and lengthens the interval by 5 s', async () => {
    const codes = await start();
    expect((await poll(codes.device_code)).json.error.code).toBe('authorization_pending');
    const fast = await poll(codes.device_code);
    expect(fast.status).toBe(400);
    expect(fast.json.error.code).toBe('slow_down');
    expect(fast.json.error.message).toMatch(/10 seconds/);
    // 6 s later is on time for the old 5 s interval but not for the new 10 s one.
    await patchRow(codes, { lastPolledAt: new Date(Date.now() - 6_000) });
    expect((await poll(codes.device_code)).json.error.code).toBe('slow_down');
    await patchRow(codes, { lastPolledAt: new Date(Date.now() - 16_000) });
    expect((await poll(codes.device_code)).json.error.code).toBe('authorization_pending');
  });
});

describe('deny, expiry, wrong codes', () => {
  it('a denied device gets access_denied, and the code cannot be approved afterwards', async () => {
    const codes = await start();
    expect((await decide(user, 'deny', codes.user_code)).status).toBe(200);
    const approve = await decide(user, 'approve', codes.user_code);
    expect(approve.status).toBe(404);
    expect(approve.json.error.code).toBe('invalid_user_code');
    const r = await poll(codes.device_code);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('access_denied');
  });

  it('an expired grant answers expired_token and can no longer be looked up or approved', async () => {
    const codes = await start();
    await patchRow(codes, { expiresAt: new Date(Date.now() - 1000) });
    expect((await decide(user, 'lookup', codes.user_code)).status).toBe(404);
    expect((await decide(user, 'approve', codes.user_code)).status).toBe(404);
    const r = await poll(codes.device_code);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('expired_token');
  });

  it('an approval that expires before the poll issues nothing', async () => {
    const codes = await start();
    expect((await decide(user, 'approve', codes.user_code)).status).toBe(200);
    await patchRow(codes, { expiresAt: new Date(Date.now() - 1000) });
    expect((await poll(codes.device_code)).json.error.code).toBe('expired_token');
  });

  it('refuses unknown and malformed codes and a wrong grant type', async () => {
    const other = await signIn();
    for (const code of ['BCDF-GHJK', 'AAAA-AAAA', '12345678', 'x', 'BCDF-GHJK-L']) {
      const r = await decide(other, 'lookup', code);
      expect(r.status, code).toBe(404);
      expect(r.json.error.code).toBe('invalid_user_code');
    }
    const unknown = await poll('odc_nope');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('invalid_grant');
    const grant = await call('/v1/auth/device/token', {
      body: { grant_type: 'password', device_code: 'odc_nope' },
      ip: freshIp(),
    });
    expect(grant.status).toBe(400);
    expect(grant.json.error.message).toContain('grant_type');
  });

  it('limits code guesses per user', async () => {
    const guesser = await signIn();
    const statuses: number[] = [];
    for (let i = 0; i <= DEVICE_LIMITS.decidePerUser; i++)
      statuses.push((await decide(guesser, 'approve', 'BCDF-GHJK')).status);
    expect(statuses.slice(0, DEVICE_LIMITS.decidePerUser).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('one of a concurrent approve and deny wins, the other finds no pending code', async () => {
    const codes = await start();
    const [a, d] = await Promise.all([
      decide(user, 'approve', codes.user_code),
      decide(user, 'deny', codes.user_code),
    ]);
    expect([a.status, d.status].sort()).toEqual([200, 404]);
    const r = await poll(codes.device_code);
    expect(r.status).toBe(a.status === 200 ? 200 : 400);
  });
});

describe('who may decide', () => {
  it('needs a session: no credentials and API keys are refused', async () => {
    const codes = await start();
    const anon = await call('/v1/auth/device/approve', { body: { user_code: codes.user_code } });
    expect(anon.status).toBe(401);
    const t = await tenant(user, 'device');
    const key = await call(`/v1/projects/${t.project.id}/api-keys`, {
      token: user.accessToken,
      body: { name: 'k', role: 'admin' },
    });
    const byKey = await call('/v1/auth/device/approve', {
      token: key.json.key,
      body: { user_code: codes.user_code },
    });
    expect(byKey.status).toBe(401);
    expect((await poll(codes.device_code)).json.error.code).toBe('authorization_pending');
  });

  it.each([
    ['viewer', 403, 403],
    ['member', 201, 403],
    ['admin', 201, 201],
  ])('a %s’s device session: create database %i, create key %i', async (role, db, key) => {
    const owner = await signIn();
    const t = await tenant(owner, `dev-${role}`);
    const member = await memberWithRole(owner, t.org.id, role);
    const codes = await start();
    expect((await decide(member, 'approve', codes.user_code)).status).toBe(200);
    const tokens = (await poll(codes.device_code)).json;
    const created = await call(`/v1/projects/${t.project.id}/databases`, {
      token: tokens.accessToken,
      body: { name: `by-${role}` },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(db);
    const k = await call(`/v1/projects/${t.project.id}/api-keys`, {
      token: tokens.accessToken,
      body: { name: 'k', role: 'read' },
    });
    expect(k.status).toBe(key);
    const listed = await call(`/v1/projects/${t.project.id}/databases`, { token: tokens.accessToken });
    expect(listed.status).toBe(200);
    const rows = await withControlPlane(env, (d) =>
      d
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.actorId, member.user.id), eq(auditLogs.action, 'auth.device.token'))),
    );
    expect(rows).toHaveLength(1);
  });
});
