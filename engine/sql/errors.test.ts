/**
 * Errors: SQLSTATE and 1-based positions match PostgreSQL (via PGlite) for parse
 * and bind errors; unsupported constructs raise 0A000 instead of answering.
 */
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';

const SETUP = 'CREATE TABLE t (id int, name text, v double precision); CREATE TABLE u (id int, w int);';

const ERRORS = [
  'SELEC 1',
  'SELECT FROM WHERE',
  'SELECT nosuch FROM t',
  'SELECT t.nosuch FROM t',
  'SELECT x.id FROM t',
  'SELECT id FROM t, u',
  'SELECT * FROM nosuch',
  "SELECT 'abc'::int",
  "SELECT 1 + 'x'",
  'SELECT name + 1 FROM t',
  'SELECT id FROM t GROUP BY name',
  'SELECT count(*) FROM t WHERE count(*) > 1',
  'SELECT nosuchfn(1)',
  "SELECT '2016-13-01'::date",
  'SELECT 32767::smallint + 1::smallint',
  'SELECT 9223372036854775807 + 1',
  'SELECT 1 / 0',
  'SELECT 1.0 / 0',
  'SELECT 5 % 0',
  'SELECT (SELECT id FROM (VALUES (1), (2)) s(id))',
  'SELECT DISTINCT name FROM t ORDER BY v',
  'SELECT id FROM t ORDER BY 5',
  "SELECT 1 WHERE 'x'",
  'SELECT -2147483648 / -1',
  "SELECT 'ünïcödé', nosuch FROM t",
  "SELECT 'x'::nosuchtype",
];

const UNSUPPORTED = [
  'SELECT ARRAY[ARRAY[1], ARRAY[2]]',
  'SELECT id > ANY (SELECT w FROM u) FROM t',
  'SELECT * FROM unnest(ARRAY[1], ARRAY[2])',
  'CREATE INDEX i ON t (id)',
  'CREATE TABLE uq (a int UNIQUE)',
  // Types PostgreSQL has and the engine does not are refused, not "does not exist" (42704).
  "SELECT '12:00+02'::timetz",
  "SELECT time with time zone '10:00+02' + interval '1 hour'",
  'CREATE TABLE tt (a timetz, b money)',
  "SELECT '10.0.0.1'::inet",
  'SELECT id FROM t FOR UPDATE',
  'SELECT id, (SELECT count(*) FROM u WHERE u.id = t.id) FROM t GROUP BY id',
  'SELECT name FROM t GROUP BY name HAVING EXISTS (SELECT 1 FROM u WHERE u.w = t.id)',
  "SELECT to_number('1.5e3', '9.9EEEE')",
];

describe('errors match PostgreSQL', () => {
  let db: Database;
  let pg: PGlite;
  beforeAll(async () => {
    db = await Database.create();
    pg = new PGlite();
    await db.exec(SETUP);
    await pg.exec(SETUP);
  });

  test.each(ERRORS)('%s', async (sql) => {
    let pgErr: { code?: string; position?: string } = {};
    try {
      await pg.query(sql);
    } catch (e) {
      pgErr = e as { code?: string; position?: string };
    }
    expect(pgErr.code, 'PostgreSQL should reject this').toBeDefined();
    let ours: unknown;
    try {
      await db.query(sql);
    } catch (e) {
      ours = e;
    }
    expect(isSqlError(ours), String(ours)).toBe(true);
    const e = ours as { code: string; position?: number };
    expect(e.code).toBe(pgErr.code);
    if (pgErr.position && e.code.startsWith('42')) expect(e.position).toBe(Number(pgErr.position));
  });

  // A statement naming a parameter the call did not supply: PostgreSQL's simple protocol
  // (what a JSON `{sql, params}` call is) answers 42P02, not a protocol error.
  test.each(['SELECT $1::int', 'SELECT 1 WHERE $2::int = 1'])('missing parameter: %s', async (sql) => {
    const pgErr = await pg.exec(sql).then(
      () => undefined,
      (e: { code?: string }) => e.code,
    );
    expect(pgErr).toBe('42P02');
    await expect(db.query(sql)).rejects.toMatchObject({ code: pgErr });
  });

  test.each(UNSUPPORTED)('0A000: %s', async (sql) => {
    const e = await db.query(sql).then(
      () => undefined,
      (x: { code?: string; message?: string }) => x,
    );
    expect(e).toMatchObject({ code: '0A000' });
    // The message names SQL constructs, never parser node names (CONSTR_UNIQUE, AT_AddColumn …).
    expect(e?.message).not.toMatch(/\b(CONSTR|AT|OBJECT|SETOP|JOIN)_[A-Za-z_]+/);
  });
});
