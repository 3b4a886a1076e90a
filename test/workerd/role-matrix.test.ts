/**
 * Data-plane authorization, generated: every principal (read / write / admin
 * API key; viewer / member / admin session) × every statement kind × every
 * route that reaches a database. A refusal must be 403 + 42501 and leave the
 * data exactly as it was; an allowed call must not be refused and must take
 * effect. The route table is checked against the app's registered routes, so
 * a new route under `/v1/databases/` or `/api/v2/` (or Neon's `/sql`) fails here until it is
 * listed (and therefore tested). Refusals and DDL are audited. Neon's `/sql` takes API keys
 * only, and answers a refusal in Neon's shape (400, `code` at the top level).
 */
import { env, SELF } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../workers/app.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { auditLogs } from '../../workers/db/schema.ts';
import { BASE, call, memberWithRole, type Session, signIn, tenant } from './auth-fixtures.ts';

type Role = 'read' | 'write' | 'admin';
const RANK: Record<Role, number> = { read: 0, write: 1, admin: 2 };

/** Every route under `/v1/databases/` and `/api/v2/`; `KINDS` exercises each. */
const ROUTES = {
  sql: 'POST /v1/databases/:database/sql',
  rows: 'POST /v1/databases/:database/tables/:table/rows',
  influx: 'POST /api/v2/write',
  getDatabase: 'GET /v1/databases/:database',
  patchDatabase: 'PATCH /v1/databases/:database',
  deleteDatabase: 'DELETE /v1/databases/:database',
  neon: 'POST /sql',
  createChangefeed: 'POST /v1/databases/:database/changefeeds',
  listChangefeeds: 'GET /v1/databases/:database/changefeeds',
  getChangefeed: 'GET /v1/databases/:database/changefeeds/:changefeed',
  changefeedDeliveries: 'GET /v1/databases/:database/changefeeds/:changefeed/deliveries',
  pauseChangefeed: 'POST /v1/databases/:database/changefeeds/:changefeed/pause',
  resumeChangefeed: 'POST /v1/databases/:database/changefeeds/:changefeed/resume',
  rotateChangefeedSecret: 'POST /v1/databases/:database/changefeeds/:changefeed/rotate-secret',
  replayChangefeed: 'POST /v1/databases/:database/changefeeds/:changefeed/replay',
  deleteChangefeed: 'DELETE /v1/databases/:database/changefeeds/:changefeed',
} as const;
type RouteKey = keyof typeof ROUTES;

interface Principal {
  readonly name: string;
  readonly role: Role;
  readonly session: boolean;
  token: string;
  actorId: string;
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: any;
}

let owner: Session;
let t: Awaited<ReturnType<typeof tenant>>;
/** A second database whose settings the PATCH cases change. */
let settingsDb: { id: string };
let setupKey: string;
const principals: Principal[] = [
  { name: 'read key', role: 'read', session: false, token: '', actorId: '' },
  { name: 'write key', role: 'write', session: false, token: '', actorId: '' },
  { name: 'admin key', role: 'admin', session: false, token: '', actorId: '' },
  { name: 'viewer session', role: 'read', session: true, token: '', actorId: '' },
  { name: 'member session', role: 'write', session: true, token: '', actorId: '' },
  { name: 'admin session', role: 'admin', session: true, token: '', actorId: '' },
];

async function send(
  token: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '192.0.2.7', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function runSql(token: string, sql: string, db = t.database.id, headers: Record<string, string> = {}) {
  return send(token, 'POST', `/v1/databases/${db}/sql`, JSON.stringify({ sql }), {
    'content-type': 'application/json',
    ...headers,
  });
}

async function admin(sql: string): Promise<void> {
  const r = await runSql(setupKey, sql);
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${JSON.stringify(r.json)}`);
}

/** An observable state: status plus the rows (or error code) of a probe query. */
async function probe(sql: string): Promise<string> {
  const r = await runSql(setupKey, sql);
  const cols = (r.json?.columns ?? []).map((c: { name: string }) => c.name).join(',');
  return `${r.status} ${cols} ${JSON.stringify(r.json?.rows ?? r.json?.error?.code)}`;
}

type Setup = 'rows' | 'empty' | 'hypertable' | 'none' | 'database' | 'changefeed';

interface Kind {
  readonly name: string;
  readonly route: RouteKey;
  readonly need: Role;
  readonly setup?: Setup;
  /** The call, against table `tb` (or database `db` for the database routes). */
  run(p: Principal, tb: string, db: string): Promise<Reply>;
  /** What must not change on a refusal (and must change on success when `changes`). */
  state?(tb: string, db: string): Promise<string>;
  readonly changes?: boolean;
  /** Allowed calls succeed (2xx) unless this says what else counts as "not refused". */
  allowed?(r: Reply): boolean;
}

const count = (tb: string) => probe(`SELECT count(*) FROM ${tb}`);
/** drop_chunks on an empty table answers 200 only once it is a hypertable. */
const isHypertable = (tb: string) => probe(`SELECT drop_chunks('${tb}', interval '1 day')`);
const sqlKind = (name: string, need: Role, sql: (tb: string) => string, rest: Partial<Kind> = {}): Kind => ({
  name,
  need,
  route: 'sql',
  run: (p, tb) => runSql(p.token, sql(tb)),
  state: count,
  ...rest,
});

/** A statement kind through Neon's `POST /sql` (`body`: `{query}` or `{queries}`), the key as bearer. */
const neonKind = (
  name: string,
  need: Role,
  body: (tb: string) => unknown,
  rest: Partial<Kind> = {},
): Kind => ({
  name: `neon: ${name}`,
  need,
  route: 'neon',
  run: (p, tb) =>
    send(p.token, 'POST', '/sql', JSON.stringify(body(tb)), {
      'content-type': 'application/json',
      'neon-connection-string': `postgres://matrix@orochi.test/${t.database.id}`,
    }),
  state: count,
  ...rest,
});

const KINDS: Kind[] = [
  neonKind('select', 'read', (tb) => ({ query: `SELECT count(*) FROM ${tb}` })),
  neonKind(
    'insert',
    'write',
    (tb) => ({ query: `INSERT INTO ${tb} VALUES ($1, $2, $3)`, params: [3, '2020-01-03', 3] }),
    {
      changes: true,
    },
  ),
  neonKind(
    'batch: select, delete',
    'write',
    (tb) => ({
      queries: [{ query: `SELECT count(*) FROM ${tb}` }, { query: `DELETE FROM ${tb} WHERE id = 1` }],
    }),
    { changes: true },
  ),
  neonKind('drop table', 'admin', (tb) => ({ query: `DROP TABLE ${tb}` }), { changes: true }),
  neonKind(
    'create_distributed_table',
    'admin',
    (tb) => ({ query: `SELECT create_distributed_table('${tb}', 'id')` }),
    {
      setup: 'empty',
      state: (tb) => probe(`SELECT show_shards('${tb}')`),
      changes: true,
    },
  ),
  sqlKind('select', 'read', (tb) => `SELECT count(*) FROM ${tb}`),
  // EXPLAIN passes authorization as a read and answers the distributed plan.
  sqlKind('explain', 'read', (tb) => `EXPLAIN SELECT * FROM ${tb}`),
  sqlKind('show_shards', 'read', (tb) => `SELECT show_shards('${tb}')`),
  sqlKind('insert', 'write', (tb) => `INSERT INTO ${tb} VALUES (3, '2020-01-03', 3)`, { changes: true }),
  sqlKind('update', 'write', (tb) => `UPDATE ${tb} SET v = 9 WHERE id = 1`, {
    state: (tb) => probe(`SELECT count(*) FROM ${tb} WHERE v = 9`),
    changes: true,
  }),
  sqlKind('delete', 'write', (tb) => `DELETE FROM ${tb} WHERE id = 1`, { changes: true }),
  sqlKind('insert … select', 'write', (tb) => `INSERT INTO ${tb} SELECT id + 10, time, v FROM ${tb}`, {
    changes: true,
  }),
  // Authorized as the DELETE it contains; past authorization it is refused as unsupported (0A000).
  sqlKind(
    'data-modifying CTE',
    'write',
    (tb) => `WITH d AS (DELETE FROM ${tb} WHERE id = 1 RETURNING *) SELECT count(*) FROM d`,
    { allowed: (r) => r.status === 422 && r.json?.error?.code === '0A000' },
  ),
  sqlKind('create table', 'admin', (tb) => `CREATE TABLE ${tb}_new (id int)`, {
    state: (tb) => probe(`SELECT count(*) FROM ${tb}_new`),
    changes: true,
  }),
  sqlKind('drop table', 'admin', (tb) => `DROP TABLE ${tb}`, { changes: true }),
  sqlKind('alter table', 'admin', (tb) => `ALTER TABLE ${tb} ADD COLUMN extra int`, {
    state: (tb) => probe(`SELECT * FROM ${tb} ORDER BY id`),
    changes: true,
  }),
  sqlKind('create_distributed_table', 'admin', (tb) => `SELECT create_distributed_table('${tb}', 'id')`, {
    setup: 'empty',
    state: (tb) => probe(`SELECT show_shards('${tb}')`),
    changes: true,
  }),
  sqlKind('create_hypertable', 'admin', (tb) => `SELECT create_hypertable('${tb}', 'time')`, {
    setup: 'empty',
    state: isHypertable,
    changes: true,
  }),
  sqlKind('drop_chunks', 'admin', (tb) => `SELECT drop_chunks('${tb}', older_than => interval '1 day')`, {
    setup: 'hypertable',
    changes: true,
  }),
  // Authorized as the management call it contains; the engine then has no such function (42883).
  sqlKind(
    'management fn in a subselect',
    'admin',
    (tb) => `SELECT * FROM (SELECT create_hypertable('${tb}', 'time')) s`,
    {
      setup: 'empty',
      state: isHypertable,
      allowed: (r) => r.status === 200 || r.json?.error?.code === '42883',
    },
  ),
  sqlKind('multi: select; drop table', 'admin', (tb) => `SELECT 1; DROP TABLE ${tb}`, { changes: true }),
  // DDL may not follow a write in one call (it cannot roll back with the call's transaction).
  sqlKind(
    'multi: alter table; insert',
    'admin',
    (tb) => `ALTER TABLE ${tb} ADD COLUMN extra int; INSERT INTO ${tb} VALUES (3, now(), 3)`,
    {
      changes: true,
    },
  ),
  {
    name: 'ingest rows',
    route: 'rows',
    need: 'write',
    run: (p, tb) =>
      send(
        p.token,
        'POST',
        `/v1/databases/${t.database.id}/tables/${tb}/rows`,
        JSON.stringify([{ id: 3, time: '2020-01-03T00:00:00Z', v: 3 }]),
        { 'content-type': 'application/json' },
      ),
    state: count,
    changes: true,
  },
  {
    name: 'influx write',
    route: 'influx',
    need: 'write',
    run: (p, tb) =>
      send(
        p.token,
        'POST',
        `/api/v2/write?bucket=${t.database.id}&precision=s`,
        `${tb} id=3i,v=3 1578009600\n`,
        {
          'content-type': 'text/plain',
        },
      ),
    state: count,
    changes: true,
  },
  {
    name: 'get database',
    route: 'getDatabase',
    need: 'read',
    setup: 'none',
    run: (p) => send(p.token, 'GET', `/v1/databases/${t.database.id}`),
  },
  {
    name: 'patch database',
    route: 'patchDatabase',
    need: 'write',
    setup: 'none',
    run: (p, tb) =>
      send(
        p.token,
        'PATCH',
        `/v1/databases/${settingsDb.id}`,
        JSON.stringify({ defaultShardCount: shardCountFor(tb) }),
        {
          'content-type': 'application/json',
        },
      ),
    state: async () =>
      JSON.stringify((await call(`/v1/databases/${settingsDb.id}`, { token: setupKey })).json),
    changes: true,
  },
  {
    name: 'delete database',
    route: 'deleteDatabase',
    need: 'admin',
    setup: 'database',
    run: (p, _tb, db) => send(p.token, 'DELETE', `/v1/databases/${db}`),
    state: async (_tb, db) => String((await call(`/v1/databases/${db}`, { token: setupKey })).status),
    changes: true,
  },
  {
    name: 'create changefeed',
    route: 'createChangefeed',
    need: 'admin',
    setup: 'empty',
    run: (p, tb) =>
      send(
        p.token,
        'POST',
        `/v1/databases/${t.database.id}/changefeeds`,
        JSON.stringify({ name: tb, tables: [tb], url: 'https://example.com/hook' }),
        { 'content-type': 'application/json' },
      ),
    state: (tb) => feedState(tb),
    changes: true,
  },
  feedKind('list changefeeds', 'listChangefeeds', 'GET', ''),
  feedKind('show changefeed', 'getChangefeed', 'GET', ''),
  feedKind('changefeed deliveries', 'changefeedDeliveries', 'GET', '/deliveries'),
  feedKind('pause changefeed', 'pauseChangefeed', 'POST', '/pause', true),
  feedKind('resume changefeed', 'resumeChangefeed', 'POST', '/resume'),
  feedKind('rotate changefeed secret', 'rotateChangefeedSecret', 'POST', '/rotate-secret', true),
  feedKind('replay changefeed', 'replayChangefeed', 'POST', '/replay', false, {
    fromTime: '2026-01-01T00:00:00Z',
  }),
  feedKind('delete changefeed', 'deleteChangefeed', 'DELETE', '', true),
];

/** A changefeed's observable state: status code, run status and secret count (as the setup key sees it). */
async function feedState(tb: string): Promise<string> {
  const r = await send(setupKey, 'GET', `/v1/databases/${t.database.id}/changefeeds/${tb}`);
  return `${r.status} ${r.json?.status} ${r.json?.secrets?.length}`;
}

/** A call on changefeed `tb` (made by the setup), through `route`. */
function feedKind(
  name: string,
  route: RouteKey,
  method: string,
  suffix: string,
  changes = false,
  body?: object,
): Kind {
  return {
    name,
    route,
    need: 'admin',
    setup: 'changefeed',
    run: (p, tb) =>
      send(
        p.token,
        method,
        route === 'listChangefeeds'
          ? `/v1/databases/${t.database.id}/changefeeds`
          : `/v1/databases/${t.database.id}/changefeeds/${tb}${suffix}`,
        body && JSON.stringify(body),
        body ? { 'content-type': 'application/json' } : {},
      ),
    state: (tb) => feedState(tb),
    changes,
  };
}

/** A distinct shard count per case, so each successful PATCH is visible. */
function shardCountFor(tb: string): number {
  return 2 + (Number(tb.replace(/\D/g, '')) % 500);
}

/** The outcome a principal must get. */
function expected(p: Principal, k: Kind): 'allowed' | 'refused' {
  return RANK[p.role] >= RANK[k.need] ? 'allowed' : 'refused';
}

async function prepare(k: Kind, tb: string): Promise<string> {
  const setup = k.setup ?? 'rows';
  if (setup === 'none') return t.database.id;
  if (setup === 'database') {
    const r = await call(`/v1/projects/${t.project.id}/databases`, {
      token: owner.accessToken,
      body: { name: tb.replace(/_/g, '-') },
    });
    if (r.status !== 201) throw new Error(`database: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.id;
  }
  await admin(`CREATE TABLE ${tb} (id int, time timestamptz, v double precision)`);
  if (setup === 'empty') return t.database.id;
  if (setup === 'changefeed') {
    const r = await send(
      setupKey,
      'POST',
      `/v1/databases/${t.database.id}/changefeeds`,
      JSON.stringify({ name: tb, tables: [tb], url: 'https://example.com/hook' }),
      { 'content-type': 'application/json' },
    );
    if (r.status !== 201) throw new Error(`changefeed: ${r.status} ${JSON.stringify(r.json)}`);
    return t.database.id;
  }
  if (setup === 'hypertable')
    await admin(`SELECT create_hypertable('${tb}', 'time', chunk_time_interval => interval '1 day')`);
  await admin(`INSERT INTO ${tb} VALUES (1, '2020-01-01', 1), (2, '2020-01-02', 2)`);
  if (setup === 'hypertable') await admin(`SELECT compact_table('${tb}')`);
  return t.database.id;
}

beforeAll(async () => {
  owner = await signIn();
  t = await tenant(owner, 'roles');
  settingsDb = (
    await call(`/v1/projects/${t.project.id}/databases`, {
      token: owner.accessToken,
      body: { name: 'settings' },
    })
  ).json;
  const key = async (role: Role) =>
    (
      await call(`/v1/projects/${t.project.id}/api-keys`, {
        token: owner.accessToken,
        body: { name: role, role },
      })
    ).json as { key: string; id: string };
  setupKey = (await key('admin')).key;
  for (const p of principals) {
    if (p.session) {
      const s = await memberWithRole(
        owner,
        t.org.id,
        { read: 'viewer', write: 'member', admin: 'admin' }[p.role],
      );
      p.token = s.accessToken;
      p.actorId = s.user.id;
    } else {
      const k = await key(p.role);
      p.token = k.key;
      p.actorId = k.id;
    }
  }
}, 120_000);

describe('route table', () => {
  it('lists every registered data-plane route, and the matrix exercises each', () => {
    const registered = new Set(
      app.routes
        .filter(
          (r) =>
            r.method !== 'ALL' &&
            (r.path.startsWith('/v1/databases/') || r.path.startsWith('/api/v2/') || r.path === '/sql'),
        )
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...registered].sort()).toEqual(Object.values(ROUTES).sort());
    for (const route of Object.keys(ROUTES))
      expect(
        KINDS.some((k) => k.route === route),
        route,
      ).toBe(true);
  });
});

// Sessions do not authenticate on Neon's `/sql` (API keys only; see neon-http.test.ts).
const cases = principals.flatMap((p, pi) =>
  KINDS.flatMap((k, ki) => (p.session && k.route === 'neon' ? [] : [{ p, k, tb: `rm_${pi}_${ki}` }])),
);

describe('role × statement kind × route', () => {
  it.each(cases.map((c) => [`${c.p.name} × ${c.k.name} (${ROUTES[c.k.route]})`, c] as const))(
    '%s',
    async (_, c) => {
      const { p, k, tb } = c;
      const db = await prepare(k, tb);
      const before = await k.state?.(tb, db);
      const r = await k.run(p, tb, db);
      const after = await k.state?.(tb, db);
      const outcome = expected(p, k);
      if (outcome === 'refused') {
        const neon = k.route === 'neon';
        expect(r.status, JSON.stringify(r.json)).toBe(neon ? 400 : 403);
        expect(neon ? r.json.code : r.json.error.code).toBe('42501');
        expect(after).toBe(before);
      } else {
        expect(r.status, JSON.stringify(r.json)).not.toBe(403);
        const ok = k.allowed ? k.allowed(r) : r.status >= 200 && r.status < 300;
        expect(ok, `${r.status} ${JSON.stringify(r.json)}`).toBe(true);
        if (k.changes) expect(after).not.toBe(before);
      }
    },
  );
});

/**
 * A device session (`orochi login --browser`, RFC 8628) acts with its user's role: each
 * principal approves a device code (API keys cannot: 401), and the device's token then runs
 * one statement per role level with the same allowed/refused outcome as the principal.
 */
describe('device sessions × role', () => {
  const levels = KINDS.filter(
    (k) => k.route === 'sql' && ['select', 'insert', 'create table'].includes(k.name),
  );
  it.each(principals.map((p, pi) => [p.name, p, pi] as const))('%s', async (_, p, pi) => {
    const start = await call('/v1/auth/device', { body: {}, ip: `192.0.2.${100 + pi}` });
    const approve = await send(
      p.token,
      'POST',
      '/v1/auth/device/approve',
      JSON.stringify({ user_code: start.json.user_code }),
      {
        'content-type': 'application/json',
      },
    );
    if (!p.session) {
      expect(approve.status).toBe(401);
      return;
    }
    expect(approve.status, JSON.stringify(approve.json)).toBe(200);
    const token = await call('/v1/auth/device/token', {
      body: {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: start.json.device_code,
      },
      ip: `192.0.2.${100 + pi}`,
    });
    expect(token.status, JSON.stringify(token.json)).toBe(200);
    const device: Principal = { ...p, token: token.json.accessToken };
    for (const [ki, k] of levels.entries()) {
      const tb = `rm_dev_${pi}_${ki}`;
      const db = await prepare(k, tb);
      const before = await k.state?.(tb, db);
      const r = await k.run(device, tb, db);
      const after = await k.state?.(tb, db);
      if (expected(p, k) === 'refused') {
        expect(r.status, `${k.name}: ${JSON.stringify(r.json)}`).toBe(403);
        expect(after).toBe(before);
      } else {
        expect(r.status, `${k.name}: ${JSON.stringify(r.json)}`).toBe(200);
        if (k.changes) expect(after).not.toBe(before);
      }
    }
  });
});

describe('audit', () => {
  async function entries(userAgent: string) {
    return withControlPlane(env, (db) =>
      db.select().from(auditLogs).where(eq(auditLogs.userAgent, userAgent)),
    );
  }
  const ua = () => `role-matrix/${crypto.randomUUID()}`;

  it('records a refusal with the org, the actor and the statement kinds, never parameter values', async () => {
    const reader = principals[0];
    const agent = ua();
    const secret = `secret-${crypto.randomUUID()}`;
    const r = await send(
      reader.token,
      'POST',
      `/v1/databases/${t.database.id}/sql`,
      JSON.stringify({ sql: "SELECT 1; SELECT drop_chunks($1, interval '1 day')", params: [secret] }),
      { 'content-type': 'application/json', 'user-agent': agent },
    );
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/statement 2 of 2; none ran/);
    const [row, ...more] = await entries(agent);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      orgId: t.org.id,
      actorType: 'api_key',
      actorId: reader.actorId,
      action: 'data_plane.sql',
      targetType: 'database',
      targetId: t.database.id,
      outcome: 'denied',
    });
    expect(row.detail).toMatchObject({ role: 'read', denied: 1, code: '42501' });
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(reader.token.slice(18));
  });

  it('records a refused ingest by a session user', async () => {
    const viewer = principals[3];
    const agent = ua();
    const r = await send(viewer.token, 'POST', `/v1/databases/${t.database.id}/tables/anything/rows`, '[]', {
      'content-type': 'application/json',
      'user-agent': agent,
    });
    expect(r.status).toBe(403);
    const rows = await entries(agent);
    expect(rows.map((x) => [x.actorType, x.actorId, x.action, x.outcome, x.orgId])).toEqual([
      ['user', viewer.actorId, 'data_plane.ingest', 'denied', t.org.id],
    ]);
  });

  it('records DDL and management calls with their outcome, and not plain reads or writes', async () => {
    const adminKey = principals[2];
    const agent = ua();
    const headers = { 'user-agent': agent };
    expect((await runSql(adminKey.token, 'CREATE TABLE audited (id int)', undefined, headers)).status).toBe(
      200,
    );
    expect((await runSql(adminKey.token, 'INSERT INTO audited VALUES (1)', undefined, headers)).status).toBe(
      200,
    );
    expect((await runSql(adminKey.token, 'SELECT * FROM audited', undefined, headers)).status).toBe(200);
    expect((await runSql(adminKey.token, 'DROP TABLE no_such_table', undefined, headers)).status).toBe(404);
    const rows = (await entries(agent)).sort((a, b) => a.id - b.id);
    expect(rows.map((x) => [x.action, x.outcome, x.actorId, x.orgId])).toEqual([
      ['data_plane.sql', 'success', adminKey.actorId, t.org.id],
      ['data_plane.sql', 'failure', adminKey.actorId, t.org.id],
    ]);
    expect(rows[0].detail).toMatchObject({
      statements: [{ kind: 'create table', requires: 'admin', tables: ['audited'] }],
    });
    expect(rows[1].detail).toMatchObject({
      code: '42P01',
      statements: [{ kind: 'drop table', tables: ['no_such_table'] }],
    });
  });
});
