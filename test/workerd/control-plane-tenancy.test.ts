/**
 * Cross-tenant and role attacks on every control-plane route: a member of
 * org A aims at org B's resources (404: they do not exist for A), a viewer
 * and a member of B attempt writes above their role (403, audited as denied).
 * Owners doing the same succeed (the control).
 */
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { withControlPlane } from '../../workers/db/client.ts';
import { auditLogs } from '../../workers/db/schema.ts';
import { call, memberWithRole, type Session, signIn, tenant } from './auth-fixtures.ts';

let ownerA: Session;
let ownerB: Session;
let b: Awaited<ReturnType<typeof tenant>>;
let viewerB: Session;
let memberB: Session;
let keyB: { id: string };

interface Route {
  method: string;
  path: () => string;
  body?: () => Record<string, unknown>;
  /** Minimum role that may call it. */
  min: 'viewer' | 'member' | 'admin' | 'owner';
}

// Destructive routes run last so the others still have their targets.
const routes: Route[] = [
  { method: 'GET', path: () => `/v1/orgs/${b.org.id}`, min: 'viewer' },
  { method: 'GET', path: () => `/v1/orgs/${b.org.id}/members`, min: 'viewer' },
  { method: 'GET', path: () => `/v1/orgs/${b.org.id}/projects`, min: 'viewer' },
  { method: 'GET', path: () => `/v1/projects/${b.project.id}`, min: 'viewer' },
  { method: 'GET', path: () => `/v1/projects/${b.project.id}/databases`, min: 'viewer' },
  { method: 'GET', path: () => `/v1/databases/${b.database.id}`, min: 'viewer' },
  {
    method: 'POST',
    path: () => `/v1/projects/${b.project.id}/databases`,
    body: () => ({ name: `d${Math.random().toString(36).slice(2, 8)}` }),
    min: 'member',
  },
  {
    method: 'PATCH',
    path: () => `/v1/databases/${b.database.id}`,
    body: () => ({ locationHint: 'weur' }),
    min: 'member',
  },
  { method: 'PATCH', path: () => `/v1/orgs/${b.org.id}`, body: () => ({ name: 'renamed' }), min: 'admin' },
  { method: 'GET', path: () => `/v1/orgs/${b.org.id}/invitations`, min: 'admin' },
  {
    method: 'POST',
    path: () => `/v1/orgs/${b.org.id}/invitations`,
    body: () => ({ email: 'x@example.com', role: 'viewer' }),
    min: 'admin',
  },
  {
    method: 'POST',
    path: () => `/v1/orgs/${b.org.id}/projects`,
    body: () => ({ name: `p${Math.random().toString(36).slice(2, 8)}` }),
    min: 'admin',
  },
  { method: 'GET', path: () => `/v1/projects/${b.project.id}/api-keys`, min: 'admin' },
  {
    method: 'POST',
    path: () => `/v1/projects/${b.project.id}/api-keys`,
    body: () => ({ name: 'x', role: 'admin' }),
    min: 'admin',
  },
  { method: 'GET', path: () => `/v1/orgs/${b.org.id}/audit-log`, min: 'admin' },
  {
    method: 'PATCH',
    path: () => `/v1/orgs/${b.org.id}/members/${memberB.user.id}`,
    body: () => ({ role: 'admin' }),
    min: 'admin',
  },
  { method: 'DELETE', path: () => `/v1/projects/${b.project.id}/api-keys/${keyB.id}`, min: 'admin' },
  { method: 'DELETE', path: () => `/v1/databases/${b.database.id}`, min: 'admin' },
  { method: 'DELETE', path: () => `/v1/projects/${b.project.id}`, min: 'admin' },
  { method: 'DELETE', path: () => `/v1/orgs/${b.org.id}`, min: 'owner' },
];

const RANK = { viewer: 1, member: 2, admin: 3, owner: 4 };

function hit(r: Route, s: Session) {
  return call(r.path(), { token: s.accessToken, method: r.method, body: r.body?.() });
}

beforeAll(async () => {
  ownerA = await signIn();
  await tenant(ownerA, 'tenant-a');
  ownerB = await signIn();
  b = await tenant(ownerB, 'tenant-b');
  viewerB = await memberWithRole(ownerB, b.org.id, 'viewer');
  memberB = await memberWithRole(ownerB, b.org.id, 'member');
  keyB = (
    await call(`/v1/projects/${b.project.id}/api-keys`, {
      token: ownerB.accessToken,
      body: { name: 'k', role: 'read' },
    })
  ).json;
});

describe('cross-tenant access', () => {
  it('a member of org A gets 404 on every route of org B', async () => {
    for (const r of routes) {
      const res = await hit(r, ownerA);
      expect(res.status, `${r.method} ${r.path()}`).toBe(404);
    }
  });

  it("org A's list shows none of org B", async () => {
    const res = await call('/v1/orgs', { token: ownerA.accessToken });
    expect(res.json.orgs.map((o: { id: string }) => o.id)).not.toContain(b.org.id);
  });

  it('malformed ids are 404, never 500', async () => {
    for (const path of ['/v1/orgs/not-a-uuid', '/v1/projects/1/databases', "/v1/orgs/'%20OR%201=1/members"]) {
      expect((await call(path, { token: ownerA.accessToken })).status, path).toBe(404);
    }
  });

  it('a stolen invitation token does not work for another address', async () => {
    const email = `invitee-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await call(`/v1/orgs/${b.org.id}/invitations`, {
      token: ownerB.accessToken,
      body: { email, role: 'admin' },
    });
    const { json } = await call(`/v1/dev/outbox?to=${encodeURIComponent(email)}`);
    const token = decodeURIComponent(/invite\?token=([^\s]+)/.exec(json.emails[0].text)![1]);
    const res = await call('/v1/invitations/accept', { token: ownerA.accessToken, body: { token } });
    expect(res.status).toBe(404);
    expect((await call(`/v1/orgs/${b.org.id}`, { token: ownerA.accessToken })).status).toBe(404);
  });
});

describe('roles inside an org', () => {
  it('viewers and members are refused above their role, and it is audited', async () => {
    for (const [who, s] of [
      ['viewer', viewerB],
      ['member', memberB],
    ] as const) {
      for (const r of routes) {
        if (r.method === 'DELETE') continue; // destructive ones are checked below
        const res = await hit(r, s);
        const allowed = RANK[who] >= RANK[r.min];
        expect(res.status < 300, `${who} ${r.method} ${r.path()} → ${res.status}`).toBe(allowed);
        if (!allowed) expect(res.status, `${who} ${r.method} ${r.path()}`).toBe(403);
      }
    }
    const denied = await withControlPlane(env, (db) =>
      db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.actorId, viewerB.user.id), eq(auditLogs.outcome, 'denied'))),
    );
    expect(denied.length).toBeGreaterThan(5);
    expect(denied.every((d) => d.orgId === null || d.orgId === b.org.id)).toBe(true);
  });

  it('an admin cannot make themselves owner, and the last owner cannot leave', async () => {
    const admin = await memberWithRole(ownerB, b.org.id, 'admin');
    const self = await call(`/v1/orgs/${b.org.id}/members/${admin.user.id}`, {
      token: admin.accessToken,
      method: 'PATCH',
      body: { role: 'owner' },
    });
    expect(self.status).toBe(403);
    const leave = await call(`/v1/orgs/${b.org.id}/members/${ownerB.user.id}`, {
      token: ownerB.accessToken,
      method: 'DELETE',
    });
    expect(leave.status).toBe(409);
  });

  it('the owner can do everything, destructive routes last (control)', async () => {
    for (const r of routes) {
      const res = await hit(r, ownerB);
      expect(
        res.status < 300,
        `owner ${r.method} ${r.path()} → ${res.status} ${JSON.stringify(res.json)}`,
      ).toBe(true);
    }
  });
});

describe('audit log', () => {
  it('records mutations with actor, target, ip and user agent; filters and paginates', async () => {
    const owner = await signIn();
    const t = await tenant(owner, 'audited');
    for (let i = 0; i < 3; i++) {
      await call(`/v1/orgs/${t.org.id}/projects`, {
        token: owner.accessToken,
        body: { name: `extra${i}` },
        headers: { 'user-agent': 'audit-test/1' },
        ip: '198.51.100.7',
      });
    }
    const page1 = await call(`/v1/orgs/${t.org.id}/audit-log?action=project.create&limit=2`, {
      token: owner.accessToken,
    });
    expect(page1.status).toBe(200);
    expect(page1.json.entries).toHaveLength(2);
    expect(page1.json.entries[0]).toMatchObject({
      actorType: 'user',
      actorId: owner.user.id,
      action: 'project.create',
      outcome: 'success',
      targetType: 'project',
      ip: '198.51.100.7',
      userAgent: 'audit-test/1',
    });
    const page2 = await call(
      `/v1/orgs/${t.org.id}/audit-log?action=project.create&limit=2&cursor=${page1.json.nextCursor}`,
      { token: owner.accessToken },
    );
    const ids = [...page1.json.entries, ...page2.json.entries].map((e: { id: number }) => e.id);
    expect(ids).toHaveLength(4); // 3 extra projects + the one tenant() made
    expect(new Set(ids).size).toBe(4);
    expect(page2.json.nextCursor).toBeNull();
    const all = await call(`/v1/orgs/${t.org.id}/audit-log`, { token: owner.accessToken });
    expect(all.json.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['org.create', 'project.create', 'database.create']),
    );
    expect((await call(`/v1/orgs/${t.org.id}/audit-log?limit=0`, { token: owner.accessToken })).status).toBe(
      400,
    );
    expect(
      (await call(`/v1/orgs/${t.org.id}/audit-log?cursor=%%%`, { token: owner.accessToken })).status,
    ).toBe(400);
  });
});
