/**
 * The PostgreSQL wire protocol on `/v2`, driven with raw protocol messages:
 * startup and authentication, simple and extended queries, errors with
 * SQLSTATE and position, transaction blocks, COPY FROM STDIN, and roles held
 * exactly as on `/v1/databases/{db}/sql`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, signIn, tenant } from './auth-fixtures.ts';
import { ok } from './data-plane-client.ts';
import { errorOf, rowsOf, serialize, statusOf, tagsOf, WireClient } from './pg-wire-client.ts';

const DEV_KEY = 'test-dev-key';

async function session(db = 'default', key = DEV_KEY): Promise<WireClient> {
  const c = await WireClient.connect(db, key);
  const start = await c.until('readyForQuery');
  const err = errorOf(start);
  if (err) throw new Error(`startup failed: ${err.code} ${err.message}`);
  return c;
}

describe('startup', () => {
  it('answers AuthenticationOk, ParameterStatus and ReadyForQuery to a pipelined startup + password', async () => {
    const c = await WireClient.connect('default', DEV_KEY);
    const msgs = await c.until('readyForQuery');
    expect(msgs.map((m) => m.name)).toContain('authenticationOk');
    const params = Object.fromEntries(
      msgs.filter((m) => m.name === 'parameterStatus').map((m) => [m.parameterName, m.parameterValue]),
    );
    expect(Number.parseInt(params.server_version, 10)).toBeGreaterThanOrEqual(14);
    expect(params).toMatchObject({ client_encoding: 'UTF8', TimeZone: 'UTC', integer_datetimes: 'on' });
    expect(statusOf(msgs)).toBe('I');
    // Terminate closes the session without an error.
    c.send(serialize.end());
    const rest = await c.until('error');
    expect([rest, c.closed]).toEqual([[], true]);
  });

  it('refuses a wrong key with 28P01 and an unknown database with 3D000', async () => {
    const bad = await WireClient.connect('default', 'not-a-key', 'alice');
    const e1 = errorOf(await bad.until('error'));
    expect([e1?.code, e1?.message, e1?.severity]).toEqual([
      '28P01',
      'password authentication failed for user "alice"',
      'FATAL',
    ]);
    const missing = await WireClient.connect('no_such_db', DEV_KEY);
    const e2 = errorOf(await missing.until('error'));
    expect([e2?.code, e2?.message]).toEqual(['3D000', 'database "no_such_db" does not exist']);
  });
});

describe('queries', () => {
  beforeAll(async () => {
    await ok('DROP TABLE IF EXISTS wire_t');
    await ok('CREATE TABLE wire_t (id bigint PRIMARY KEY, name text, score double precision, ok boolean)');
    await ok(`INSERT INTO wire_t VALUES (1, 'a', 1.5, true), (2, 'b', NULL, false), (3, 'c', 2.25, true)`);
  });

  it('simple query: RowDescription with type OIDs, text rows, tags; several statements in one call', async () => {
    const c = await session();
    const r = await c.query('SELECT id, name, score, ok FROM wire_t ORDER BY id');
    const desc = r.find((m) => m.name === 'rowDescription');
    expect(desc?.fields.map((f: { name: string; dataTypeID: number }) => [f.name, f.dataTypeID])).toEqual([
      ['id', 20],
      ['name', 25],
      ['score', 701],
      ['ok', 16],
    ]);
    expect(rowsOf(r)).toEqual([
      ['1', 'a', '1.5', 't'],
      ['2', 'b', null, 'f'],
      ['3', 'c', '2.25', 't'],
    ]);
    expect(tagsOf(r)).toEqual(['SELECT 3']);
    const many = await c.query(
      "INSERT INTO wire_t VALUES (4, 'd', 0, false); UPDATE wire_t SET name = 'dd' WHERE id = 4; DELETE FROM wire_t WHERE id = 4",
    );
    expect(tagsOf(many)).toEqual(['INSERT 0 1', 'UPDATE 1', 'DELETE 1']);
    expect(tagsOf(await c.query(';'))).toEqual([]);
    c.close();
  });

  it('an error carries SQLSTATE and the 1-based position, and the session goes on', async () => {
    const c = await session();
    const r = await c.query('SELECT nosuch FROM wire_t');
    expect([errorOf(r)?.code, errorOf(r)?.position]).toEqual(['42703', '8']);
    expect(statusOf(r)).toBe('I');
    // In a multi-statement text with session statements the position is still in the whole text.
    const s = await c.query('SET application_name = x; SELECT nosuch FROM wire_t');
    expect([errorOf(s)?.code, errorOf(s)?.position]).toEqual(['42703', '34']);
    expect(rowsOf(await c.query('SELECT 1'))).toEqual([['1']]);
    // Driver settings: accepted when they ask for what the server does; a valid value the
    // server does not implement is 0A000, an invalid one 22023, an unknown name 42704.
    expect(
      tagsOf(
        await c.query("SET client_encoding = 'UTF8'; SET DateStyle = ISO, MDY; SET extra_float_digits = 3"),
      ),
    ).toEqual(['SET', 'SET', 'SET']);
    expect(errorOf(await c.query("SET client_encoding = 'LATIN1'"))?.code).toBe('0A000');
    expect(errorOf(await c.query("SET TimeZone = 'America/New_York'"))?.code).toBe('0A000');
    expect(errorOf(await c.query("SET DateStyle = 'nonsense'"))?.code).toBe('22023');
    expect(errorOf(await c.query('SET no_such_setting = 1'))?.code).toBe('42704');
    c.close();
  });

  it('extended protocol: named statement reused with parameters, row limits suspend the portal', async () => {
    const c = await session();
    c.send(
      serialize.parse({ name: 'by_id', text: 'SELECT name FROM wire_t WHERE id = $1', types: [20] }),
      serialize.sync(),
    );
    expect((await c.until('readyForQuery')).map((m) => m.name)).toEqual(['parseComplete', 'readyForQuery']);
    for (const [id, name] of [
      ['1', 'a'],
      ['3', 'c'],
    ]) {
      c.send(
        serialize.bind({ statement: 'by_id', values: [id] }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      );
      const r = await c.until('readyForQuery');
      expect(rowsOf(r)).toEqual([[name]]);
      expect(tagsOf(r)).toEqual(['SELECT 1']);
    }
    c.send(
      serialize.parse({ text: 'SELECT id FROM wire_t ORDER BY id' }),
      serialize.bind({}),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.sync(),
    );
    const r = await c.until('readyForQuery');
    expect(r.map((m) => m.name)).toEqual([
      'parseComplete',
      'bindComplete',
      'dataRow',
      'dataRow',
      'portalSuspended',
      'dataRow',
      'commandComplete',
      'readyForQuery',
    ]);
    c.close();
  });

  it('an extended-protocol error skips to Sync; an unknown statement is 26000', async () => {
    const c = await session();
    c.send(serialize.bind({ statement: 'nope', values: [] }), serialize.execute({}), serialize.sync());
    const r = await c.until('readyForQuery');
    expect(r.map((m) => m.name)).toEqual(['error', 'readyForQuery']);
    expect(errorOf(r)?.code).toBe('26000');
    c.close();
  });
});

describe('transaction blocks', () => {
  beforeAll(async () => {
    await ok('DROP TABLE IF EXISTS wire_tx');
    await ok('CREATE TABLE wire_tx (id bigint PRIMARY KEY, v bigint)');
  });
  const count = async () => Number((await ok('SELECT count(*) FROM wire_tx')).rows[0][0]);

  it('BEGIN … COMMIT across messages: invisible to others until COMMIT, then all of it', async () => {
    const c = await session();
    expect(statusOf(await c.query('BEGIN'))).toBe('T');
    await c.query('INSERT INTO wire_tx VALUES (1, 10)');
    const r = await c.query('INSERT INTO wire_tx VALUES (2, 20)');
    expect([tagsOf(r), statusOf(r)]).toEqual([['INSERT 0 1'], 'T']);
    // The block reads its own writes; other callers do not see them yet.
    expect(rowsOf(await c.query('SELECT count(*) FROM wire_tx'))).toEqual([['2']]);
    expect(await count()).toBe(0);
    const done = await c.query('COMMIT');
    expect([tagsOf(done), statusOf(done)]).toEqual([['COMMIT'], 'I']);
    expect(await count()).toBe(2);
    c.close();
  });

  it('an error aborts the block (E), later statements are 25P02, COMMIT answers ROLLBACK and nothing commits', async () => {
    const c = await session();
    const before = await count();
    await c.query('BEGIN');
    await c.query('INSERT INTO wire_tx VALUES (10, 1)');
    const dup = await c.query('INSERT INTO wire_tx VALUES (1, 1)');
    expect([errorOf(dup)?.code, statusOf(dup)]).toEqual(['23505', 'E']);
    expect(errorOf(await c.query('SELECT 1'))?.code).toBe('25P02');
    const end = await c.query('COMMIT');
    expect([tagsOf(end), statusOf(end)]).toEqual([['ROLLBACK'], 'I']);
    expect(await count()).toBe(before);
    c.close();
  });

  it('statements of one Query between session statements are one call: all or nothing', async () => {
    const c = await session();
    const r = await c.query('INSERT INTO wire_tx VALUES (30, 1); INSERT INTO wire_tx VALUES (30, 1); BEGIN');
    expect([errorOf(r)?.code, statusOf(r)]).toEqual(['23505', 'I']);
    expect((await ok('SELECT count(*) FROM wire_tx WHERE id = 30')).rows[0][0]).toBe(0);
    c.close();
  });

  it('ROLLBACK discards, DDL inside a block is refused (25001), closing the socket aborts', async () => {
    const c = await session();
    const before = await count();
    await c.query('BEGIN; INSERT INTO wire_tx VALUES (20, 1)');
    expect(tagsOf(await c.query('ROLLBACK'))).toEqual(['ROLLBACK']);
    await c.query('BEGIN');
    expect(errorOf(await c.query('CREATE TABLE wire_nope (a int)'))?.code).toBe('25001');
    await c.query('ROLLBACK');
    await c.query('BEGIN; INSERT INTO wire_tx VALUES (21, 1)');
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(before);
    expect((await ok('SELECT count(*) FROM wire_tx WHERE id IN (20, 21)')).rows[0][0]).toBe(0);
  });
});

describe('COPY FROM STDIN', () => {
  beforeAll(async () => {
    await ok('DROP TABLE IF EXISTS wire_copy');
    await ok('CREATE TABLE wire_copy (id bigint, name text, at timestamptz)');
  });

  it('CSV with HEADER and text format with \\N and escapes load every row', async () => {
    const c = await session();
    c.send(serialize.query('COPY wire_copy FROM STDIN WITH (FORMAT csv, HEADER true)'));
    const r = await c.until('copyInResponse');
    expect(r.map((m) => m.name)).toEqual(['copyInResponse']);
    const csv = [
      'x,y,z',
      ...Array.from({ length: 500 }, (_, i) => `${i},"n,${i}",2024-01-01 00:00:00+00`),
    ].join('\n');
    c.send(
      serialize.copyData(Buffer.from(csv.slice(0, 1000))),
      serialize.copyData(Buffer.from(`${csv.slice(1000)}\n`)),
      serialize.copyDone(),
    );
    const done = await c.until('readyForQuery');
    expect(tagsOf(done)).toEqual(['COPY 500']);
    c.send(serialize.query('COPY wire_copy (id, name) FROM STDIN'));
    await c.until('copyInResponse');
    c.send(serialize.copyData(Buffer.from('1000\ttab\\there\n1001\t\\N\n')), serialize.copyDone());
    expect(tagsOf(await c.until('readyForQuery'))).toEqual(['COPY 2']);
    expect((await ok('SELECT count(*) FROM wire_copy')).rows[0][0]).toBe(502);
    expect((await ok('SELECT name FROM wire_copy WHERE id = 7')).rows).toEqual([['n,7']]);
    expect((await ok('SELECT name FROM wire_copy WHERE id >= 1000 ORDER BY id')).rows).toEqual([
      ['tab\there'],
      [null],
    ]);
    c.close();
  });

  it('a bad line fails the whole COPY (22P02, line number) and writes nothing', async () => {
    const c = await session();
    const before = (await ok('SELECT count(*) FROM wire_copy')).rows[0][0];
    c.send(serialize.query('COPY wire_copy (id, name) FROM STDIN (FORMAT csv)'));
    await c.until('copyInResponse');
    c.send(serialize.copyData(Buffer.from('5000,a\nnot-a-number,b\n')), serialize.copyDone());
    const r = await c.until('readyForQuery');
    expect(errorOf(r)?.code).toBe('22P02');
    expect(errorOf(r)?.message).toContain('line 2');
    expect((await ok('SELECT count(*) FROM wire_copy')).rows[0][0]).toBe(before);
    c.close();
  });
});

describe("roles are the HTTP API's", () => {
  it('a read-only key reads but cannot write, over the wire as over HTTP (42501)', async () => {
    const owner = await signIn();
    const t = await tenant(owner, 'wire');
    const key = async (role: string) =>
      (
        await call(`/v1/projects/${t.project.id}/api-keys`, {
          token: owner.accessToken,
          body: { name: role, role },
        })
      ).json.key as string;
    const admin = await session(t.database.name, await key('admin'));
    expect(errorOf(await admin.query('CREATE TABLE r (id bigint)'))).toBeUndefined();
    const reader = await session(t.database.id, await key('read'));
    expect(rowsOf(await reader.query('SELECT count(*) FROM r'))).toEqual([['0']]);
    expect(errorOf(await reader.query('INSERT INTO r VALUES (1)'))?.code).toBe('42501');
    expect(errorOf(await reader.query('COPY r FROM STDIN'))?.code).toBe('42501');
    await reader.query('BEGIN');
    expect(errorOf(await reader.query('DELETE FROM r'))?.code).toBe('42501');
    expect(rowsOf(await admin.query('SELECT count(*) FROM r'))).toEqual([['0']]);
    admin.close();
    reader.close();
  });
});
