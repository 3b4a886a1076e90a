/**
 * Neon's SQL over HTTP (`POST /sql`) with raw fetches: the shapes `neon()` parses
 * (fields, text or JSON values, array mode, command/rowCount), batches as one
 * transaction (a failing statement leaves the earlier ones unapplied), refusals
 * (read-only batches, isolation levels, DDL in batches), errors in Neon's shape
 * with SQLSTATE and position, credentials and roles.
 */
import { env, SELF } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { withControlPlane } from '../../workers/db/client.ts';
import { auditLogs } from '../../workers/db/schema.ts';
import { call, type Session, signIn, tenant } from './auth-fixtures.ts';

const CONN = 'postgres://app:test-dev-key@orochi.test/default';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Body = any;

async function neonSql(body: unknown, headers: Record<string, string> = {}, conn: string | null = CONN) {
  const res = await SELF.fetch('https://orochi.test/sql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(conn === null ? {} : { 'neon-connection-string': conn }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body };
}

async function count(table: string): Promise<string> {
  const r = await neonSql({ query: `SELECT count(*) AS n FROM ${table}` });
  expect(r.status).toBe(200);
  return r.body.rows[0].n;
}

beforeAll(async () => {
  for (const q of [
    'CREATE TABLE neon_items (id bigint PRIMARY KEY, name text, price numeric, ok boolean, qty integer, at timestamptz)',
    'CREATE TABLE neon_acct (id bigint PRIMARY KEY, bal bigint NOT NULL)',
  ]) {
    const r = await neonSql({ query: q });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ command: 'CREATE', rowCount: null, rows: [], fields: [], rowAsArray: false });
  }
});

describe('POST /sql shapes', () => {
  it('answers an INSERT with its command and row count, parameters bound as text', async () => {
    const r = await neonSql({
      query: 'INSERT INTO neon_items VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, NULL, NULL, NULL, NULL)',
      params: ['9007199254740991', 'a "b"', '12.50', 't', '7', '2024-02-29 12:34:56.5+00', 2, 'x'],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ command: 'INSERT', rowCount: 2, rows: [], fields: [], rowAsArray: false });
  });

  it('describes fields by type OID and sends PostgreSQL text with Neon-Raw-Text-Output', async () => {
    const r = await neonSql(
      {
        query:
          'SELECT id, name, price, ok, qty, at, ARRAY[qty, NULL, 3] AS tags FROM neon_items WHERE id = $1',
        params: ['9007199254740991'],
      },
      { 'neon-raw-text-output': 'true', 'neon-array-mode': 'true' },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.command).toBe('SELECT');
    expect(r.body.rowCount).toBe(1);
    expect(r.body.rowAsArray).toBe(true);
    expect(r.body.fields.map((f: Body) => [f.name, f.dataTypeID, f.dataTypeSize])).toEqual([
      ['id', 20, 8],
      ['name', 25, -1],
      ['price', 1700, -1],
      ['ok', 16, 1],
      ['qty', 23, 4],
      ['at', 1184, 8],
      ['tags', 1007, -1],
    ]);
    expect(r.body.fields[0]).toEqual({
      name: 'id',
      dataTypeID: 20,
      tableID: 0,
      columnID: 0,
      dataTypeSize: 8,
      dataTypeModifier: -1,
      format: 'text',
    });
    expect(r.body.rows).toEqual([
      ['9007199254740991', 'a "b"', '12.50', 't', '7', '2024-02-29 12:34:56.5+00', '{7,NULL,3}'],
    ]);
  });

  it('converts to JSON values without raw text output, as Neon does, and names columns without array mode', async () => {
    const r = await neonSql({
      query: 'SELECT id, name, price, ok, qty, ARRAY[qty, NULL] AS tags FROM neon_items ORDER BY id',
    });
    expect(r.status).toBe(200);
    expect(r.body.rowAsArray).toBe(false);
    expect(r.body.rows).toEqual([
      { id: '2', name: 'x', price: null, ok: null, qty: null, tags: [null, null] },
      { id: '9007199254740991', name: 'a "b"', price: '12.50', ok: true, qty: 7, tags: [7, null] },
    ]);
  });

  it("takes a query's own arrayMode over the header", async () => {
    const r = await neonSql(
      { queries: [{ query: 'SELECT 1 AS a', arrayMode: false }, { query: 'SELECT 2 AS a' }] },
      { 'neon-array-mode': 'true', 'neon-raw-text-output': 'true' },
    );
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: Body) => [x.rowAsArray, x.rows])).toEqual([
      [false, [{ a: '1' }]],
      [true, [['2']]],
    ]);
  });

  it('answers UPDATE and DELETE with their counts, a batch with one result per query', async () => {
    const r = await neonSql({
      queries: [
        { query: 'INSERT INTO neon_acct VALUES ($1, $2), ($3, $4)', params: [1, 100, 2, 0] },
        { query: 'UPDATE neon_acct SET bal = bal - $1 WHERE id = $2', params: [30, 1] },
        { query: 'UPDATE neon_acct SET bal = bal + $1 WHERE id = $2', params: [30, 2] },
        { query: 'SELECT sum(bal) AS total FROM neon_acct' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: Body) => [x.command, x.rowCount])).toEqual([
      ['INSERT', 2],
      ['UPDATE', 1],
      ['UPDATE', 1],
      ['SELECT', 1],
    ]);
    expect(r.body.results[3].rows).toEqual([{ total: '100' }]);
    const del = await neonSql({ query: 'DELETE FROM neon_acct WHERE bal < $1', params: [0] });
    expect([del.body.command, del.body.rowCount]).toEqual(['DELETE', 0]);
  });
});

describe('POST /sql batches are one transaction', () => {
  it('applies nothing when a later statement fails', async () => {
    const before = await count('neon_acct');
    const r = await neonSql({
      queries: [
        { query: 'INSERT INTO neon_acct VALUES ($1, $2)', params: [10, 5] },
        { query: 'UPDATE neon_acct SET bal = bal - $1 WHERE id = $2', params: [70, 1] },
        { query: 'INSERT INTO neon_acct VALUES ($1, $2)', params: [2, 1] }, // duplicate key
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('23505');
    expect(r.body.severity).toBe('ERROR');
    expect(await count('neon_acct')).toBe(before);
    const bal = await neonSql({ query: 'SELECT bal FROM neon_acct WHERE id = 1' });
    expect(bal.body.rows).toEqual([{ bal: '70' }]);
  });

  it('refuses DDL among several queries before anything runs (25001)', async () => {
    const r = await neonSql({
      queries: [
        { query: 'INSERT INTO neon_acct VALUES ($1, $2)', params: [11, 5] },
        { query: 'CREATE TABLE neon_never (id bigint)' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('25001');
    expect(r.body.message).toMatch(/cannot run inside a transaction block/);
    expect((await neonSql({ query: 'SELECT count(*) FROM neon_acct WHERE id = 11' })).body.rows).toEqual([
      { count: '0' },
    ]);
    expect((await neonSql({ query: 'SELECT 1 FROM neon_never' })).body.code).toBe('42P01');
  });

  it('refuses writes in a read-only batch (25006) and runs its reads', async () => {
    const w = await neonSql(
      { queries: [{ query: 'SELECT 1' }, { query: 'DELETE FROM neon_acct' }] },
      { 'neon-batch-read-only': 'true' },
    );
    expect(w.status).toBe(400);
    expect(w.body).toMatchObject({
      code: '25006',
      message: 'cannot execute DELETE in a read-only transaction',
    });
    expect(Number(await count('neon_acct'))).toBeGreaterThan(0);
    const r = await neonSql(
      { queries: [{ query: 'SELECT 1 AS one' }] },
      { 'neon-batch-read-only': 'true', 'neon-batch-isolation-level': 'ReadCommitted' },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('neon-batch-read-only')).toBe('true');
    expect(r.body.results[0].rows).toEqual([{ one: 1 }]);
  });

  it("keeps a SET for the batch's later queries, whatever their parameters", async () => {
    const join = {
      query: 'SELECT a.id FROM neon_acct a JOIN neon_acct b ON a.id = b.id WHERE a.bal >= $1',
      params: [0],
    };
    const alone = await neonSql({ queries: [join] });
    expect(alone.status).toBe(200);
    expect(alone.body.results[0].rowCount).toBeGreaterThan(1);
    const limited = await neonSql({ queries: [{ query: 'SET orochi.coordinator_row_limit = 1' }, join] });
    expect([limited.status, limited.body.code]).toEqual([400, '54000']);
  });

  it('refuses isolation levels it cannot honour, and unknown ones', async () => {
    for (const [level, code] of [
      ['Serializable', '0A000'],
      ['RepeatableRead', '0A000'],
      ['Snapshot', '22023'],
    ]) {
      const r = await neonSql({ queries: [{ query: 'SELECT 1' }] }, { 'neon-batch-isolation-level': level });
      expect([level, r.status, r.body.code]).toEqual([level, 400, code]);
    }
  });
});

describe('POST /sql errors and credentials', () => {
  it("answers SQL errors as Neon does: 400, PostgreSQL's fields, position as text", async () => {
    const r = await neonSql({ query: 'SELECT nope FROM neon_items' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      message: 'column "nope" does not exist',
      code: '42703',
      severity: 'ERROR',
      position: '8',
    });
    const multi = await neonSql({ query: 'SELECT 1; SELECT 2' });
    expect([multi.status, multi.body.code]).toEqual([400, '42601']);
  });

  it('refuses a wrong key (28P01), a missing connection string, and accepts a bearer key', async () => {
    const bad = await neonSql({ query: 'SELECT 1' }, {}, 'postgres://alice:wrong@orochi.test/default');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: '28P01',
      message: 'password authentication failed for user "alice"',
    });
    const none = await neonSql({ query: 'SELECT 1' }, {}, null);
    expect([none.status, none.body.code]).toEqual([400, '28000']);
    const bearer = await neonSql(
      { query: 'SELECT 1 AS one' },
      { authorization: 'Bearer test-dev-key' },
      'postgres://app@orochi.test/default',
    );
    expect([bearer.status, bearer.body.rows]).toEqual([200, [{ one: 1 }]]);
    const missing = await neonSql(
      { query: 'SELECT 1' },
      {},
      'postgres://app:test-dev-key@orochi.test/nosuchdb',
    );
    expect([missing.status, missing.body.code]).toEqual([400, '3D000']);
  });

  it('holds the limits of /v1 …/sql: body size (54000), parameter count (54023); POST only (405)', async () => {
    const big = await neonSql({ query: `SELECT '${'x'.repeat(1 << 20)}'` });
    expect([big.status, big.body.code]).toEqual([400, '54000']);
    const params = Array.from({ length: 10_001 }, (_, i) => String(i));
    const many = await neonSql({ queries: [{ query: 'SELECT 1', params }] });
    expect([many.status, many.body.code]).toEqual([400, '54023']);
    const get = await SELF.fetch('https://orochi.test/sql', { headers: { 'neon-connection-string': CONN } });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect(((await get.json()) as Body).code).toBe('0A000');
  });

  describe('with a read-only API key', () => {
    let owner: Session;
    let conn: string;
    let adminConn: string;
    beforeAll(async () => {
      owner = await signIn();
      const t = await tenant(owner, 'neon');
      const admin = await call(`/v1/projects/${t.project.id}/api-keys`, {
        token: owner.accessToken,
        body: { name: 'admin', role: 'admin' },
      });
      const read = await call(`/v1/projects/${t.project.id}/api-keys`, {
        token: owner.accessToken,
        body: { name: 'ro', role: 'read' },
      });
      adminConn = `postgres://owner:${admin.json.key}@orochi.test/${t.database.name}`;
      const made = await neonSql({ query: 'CREATE TABLE ro_t (id bigint)' }, {}, adminConn);
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      conn = `postgres://reader:${read.json.key}@orochi.test/${t.database.name}`;
    });

    it('audits DDL like /v1 …/sql, and takes no session token', async () => {
      const agent = `neon-http/${crypto.randomUUID()}`;
      const r = await neonSql(
        { query: 'CREATE TABLE ro_audited (id bigint)' },
        { 'user-agent': agent },
        adminConn,
      );
      expect(r.status).toBe(200);
      const rows = await withControlPlane(env, (db) =>
        db.select().from(auditLogs).where(eq(auditLogs.userAgent, agent)),
      );
      expect(rows.map((x) => [x.action, x.outcome, x.actorType])).toEqual([
        ['data_plane.sql', 'success', 'api_key'],
      ]);
      const session = await neonSql(
        { query: 'SELECT 1' },
        { authorization: `Bearer ${owner.accessToken}` },
        adminConn.replace(/:[^:@]*@/, '@'),
      );
      expect([session.status, session.body.code]).toEqual([400, '28P01']);
    });

    it('reads but cannot write (42501), alone or in a batch', async () => {
      expect((await neonSql({ query: 'SELECT count(*) AS n FROM ro_t' }, {}, conn)).body.rows).toEqual([
        { n: '0' },
      ]);
      const w = await neonSql({ query: 'INSERT INTO ro_t VALUES (1)' }, {}, conn);
      expect([w.status, w.body.code]).toEqual([400, '42501']);
      const b = await neonSql(
        { queries: [{ query: 'SELECT 1' }, { query: 'INSERT INTO ro_t VALUES (2)' }] },
        {},
        conn,
      );
      expect([b.status, b.body.code]).toEqual([400, '42501']);
      expect((await neonSql({ query: 'SELECT count(*) AS n FROM ro_t' }, {}, conn)).body.rows).toEqual([
        { n: '0' },
      ]);
    });
  });
});
