/**
 * Invitations, attacked: replayed, revoked and expired tokens; and email
 * delivery outside local mode goes through the EMAIL binding, never the outbox.
 */
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendEmail } from '../../workers/auth/email.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { devOutbox, invitations } from '../../workers/db/schema.ts';
import { call, latestInviteToken, type Session, signIn, tenant, uniqueEmail } from './auth-fixtures.ts';

let owner: Session;
let t: Awaited<ReturnType<typeof tenant>>;

async function invite(role = 'member') {
  const email = uniqueEmail('inv');
  const res = await call(`/v1/orgs/${t.org.id}/invitations`, {
    token: owner.accessToken,
    body: { email, role },
  });
  expect(res.status).toBe(201);
  expect(JSON.stringify(res.json)).not.toContain('tokenHash');
  return {
    id: res.json.id as string,
    email,
    token: await latestInviteToken(email),
    invitee: await signIn(email),
  };
}

const accept = (s: Session, token: string) =>
  call('/v1/invitations/accept', { token: s.accessToken, body: { token } });

beforeAll(async () => {
  owner = await signIn();
  t = await tenant(owner, 'inv');
});

describe('invitations', () => {
  it('work once, with the invited role', async () => {
    const { token, invitee } = await invite('viewer');
    const first = await accept(invitee, token);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ orgId: t.org.id, role: 'viewer' });
    expect((await accept(invitee, token)).status).toBe(404);
    const members = await call(`/v1/orgs/${t.org.id}/members`, { token: owner.accessToken });
    expect(members.json.members.find((m: { userId: string }) => m.userId === invitee.user.id).role).toBe(
      'viewer',
    );
  });

  it('stop working when revoked or expired', async () => {
    const revoked = await invite();
    expect(
      (
        await call(`/v1/orgs/${t.org.id}/invitations/${revoked.id}`, {
          token: owner.accessToken,
          method: 'DELETE',
        })
      ).status,
    ).toBe(204);
    expect((await accept(revoked.invitee, revoked.token)).status).toBe(404);
    const expired = await invite();
    await withControlPlane(env, (db) =>
      db
        .update(invitations)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(invitations.id, expired.id)),
    );
    expect((await accept(expired.invitee, expired.token)).status).toBe(404);
    expect((await call(`/v1/orgs/${t.org.id}`, { token: expired.invitee.accessToken })).status).toBe(404);
  });

  it('only owners invite owners', async () => {
    const admin = await invite('admin');
    await accept(admin.invitee, admin.token);
    const res = await call(`/v1/orgs/${t.org.id}/invitations`, {
      token: admin.invitee.accessToken,
      body: { email: uniqueEmail(), role: 'owner' },
    });
    expect(res.status).toBe(403);
  });
});

describe('email delivery', () => {
  it('uses the EMAIL binding outside local mode and never writes the outbox', async () => {
    const sent: unknown[] = [];
    const prod = {
      ...env,
      ENVIRONMENT: 'production',
      EMAIL: { send: async (m: unknown) => void sent.push(m) },
    } as unknown as Env;
    const to = uniqueEmail('prod');
    await withControlPlane(env, (db) => sendEmail(prod, db, { to, subject: 's', text: 'body' }));
    expect(sent).toEqual([{ from: env.EMAIL_FROM, to, subject: 's', text: 'body' }]);
    const rows = await withControlPlane(env, (db) => db.select().from(devOutbox).where(eq(devOutbox.to, to)));
    expect(rows).toHaveLength(0);
  });
});
