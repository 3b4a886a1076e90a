import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError, type SqlError } from '../errors.ts';
import { lexicalDepth, MAX_PARSE_DEPTH, parseTreeDepth } from './input-limits.ts';
import { parseSql } from './parser.ts';

let db: Database;
beforeAll(async () => {
  db = await Database.create();
});

async function sqlError(sql: string, params: unknown[] = []): Promise<SqlError> {
  try {
    await db.query(sql, params);
  } catch (e) {
    if (isSqlError(e)) return e;
    throw e;
  }
  throw new Error(`expected an error from ${sql.slice(0, 80)}`);
}

const sum = (n: number) => `SELECT ${Array(n).fill('1').join('+')}`;
const nest = (n: number, open: string, close: string, inner = '1') =>
  `SELECT ${open.repeat(n)}${inner}${close.repeat(n)}`;

/** After any refused statement the engine must still answer. */
async function stillWorks(): Promise<void> {
  expect((await db.query('SELECT 41 + 1 AS x')).rows).toEqual([[42]]);
}

describe('NUL and lone surrogates are refused with 22021', () => {
  it('a NUL in the text does not cut a DELETE short (it used to delete every row)', async () => {
    await db.exec(
      'CREATE TABLE nul_t (id int, v text); INSERT INTO nul_t VALUES (1, $$a$$), (2, $$b$$), (3, $$c$$)',
    );
    const e = await sqlError('DELETE FROM nul_t\u0000 WHERE id = 1');
    expect(e.code).toBe('22021');
    expect(e.message).toBe('invalid byte sequence for encoding "UTF8": 0x00');
    expect((await db.query('SELECT count(*)::int FROM nul_t')).rows).toEqual([[3]]);
  });

  it('NUL anywhere: inside a string literal, a comment, a second statement', async () => {
    for (const sql of ["SELECT 'a\u0000b'", 'SELECT 1 -- \u0000', 'SELECT 1; SELECT 2\u0000']) {
      expect((await sqlError(sql)).code).toBe('22021');
    }
  });

  it('NUL in a parameter, also inside an array parameter', async () => {
    expect((await sqlError('SELECT $1::text', ['a\u0000b'])).code).toBe('22021');
    expect((await sqlError('SELECT $1::text[]', [['ok', 'x\u0000']])).code).toBe('22021');
    // bytea may hold any byte.
    expect((await db.query('SELECT $1::bytea IS NOT NULL', [new Uint8Array([0, 0, 1])])).rows).toEqual([
      [true],
    ]);
  });

  it('lone surrogates have no UTF-8 encoding; pairs are fine', async () => {
    expect((await sqlError("SELECT '\uD800'")).code).toBe('22021');
    expect((await sqlError('SELECT $1::text', ['x\uDC00'])).message).toContain('0xed 0xb0 0x80');
    expect((await db.query("SELECT '\uD83D\uDE00' AS s")).rows).toEqual([['\uD83D\uDE00']]);
    await stillWorks();
  });

  it('parseSql refuses for every route, with or without the engine around it', () => {
    expect(() => parseSql('SELECT 1\u0000')).toThrow(/0x00/);
    expect(() => parseSql('SELECT $1', ['\u0000'])).toThrow(/0x00/);
  });
});

describe('statements nested too deeply are refused with 54001 before anything recursive runs', () => {
  it('long + chains: 3,000, 50,000 and 200,000 terms', async () => {
    for (const n of [3000, 50_000, 200_000]) {
      const e = await sqlError(sum(n));
      expect(e.code).toBe('54001');
      expect(e.message).toBe('stack depth limit exceeded');
      expect(e.hint).toMatch(/Simplify/);
      await stillWorks();
    }
  });

  it('a sum just under the limit still runs', async () => {
    expect((await db.query(sum(MAX_PARSE_DEPTH - 10))).rows).toEqual([[MAX_PARSE_DEPTH - 10]]);
  });

  it('deep subqueries, function calls, CASE, casts and unary minus', async () => {
    const cases = [
      nest(400, '(SELECT ', ')'),
      nest(1200, 'abs(', ')'),
      nest(600, 'CASE WHEN true THEN ', ' END'),
      `SELECT 1${'::int'.repeat(3000)}`,
      `SELECT ${'- '.repeat(3000)}1`,
      `SELECT 1 WHERE ${'NOT '.repeat(3000)}true`,
      `SELECT 1${' UNION SELECT 1'.repeat(3000)}`,
      `SELECT 1${' ISNULL'.repeat(3000)}`,
    ];
    for (const sql of cases) {
      expect((await sqlError(sql)).code, sql.slice(0, 40)).toBe('54001');
      await stillWorks();
    }
  });

  it('10,000 nested parentheses: 54001 (PostgreSQL: 42601 "memory exhausted" from its grammar)', async () => {
    const e = await sqlError(nest(10_000, '(', ')'));
    expect(e.code).toBe('54001');
    await stillWorks();
  });

  it("a typed literal ending in a backslash does not hide what follows (name'\\' + 1 + …)", async () => {
    const e = await sqlError(`SELECT name'\\' ${'|| 1 '.repeat(50_000)}`);
    expect(e.code).toBe('54001');
    await stillWorks();
  });

  it('sensible shapes pass: redundant parentheses, long AND/OR chains, long IN lists, many rows', async () => {
    expect((await db.query(nest(500, '(', ')'))).rows).toEqual([[1]]);
    const and = Array.from({ length: 10_000 }, (_, i) => `${i} < 10000`).join(' AND ');
    expect((await db.query(`SELECT count(*)::int FROM (SELECT 1) s WHERE ${and}`)).rows).toEqual([[1]]);
    const or = Array.from({ length: 2000 }, (_, i) => `x = ${i}`).join(' OR ');
    expect((await db.query(`SELECT count(*)::int FROM generate_series(1, 10) x WHERE ${or}`)).rows).toEqual([
      [10],
    ]);
    const inList = Array.from({ length: 20_000 }, (_, i) => i).join(',');
    expect((await db.query(`SELECT 5 IN (${inList})`)).rows).toEqual([[true]]);
    const values = Array.from({ length: 20_000 }, (_, i) => `(${i}, 'v${i}' || 'x')`).join(',');
    expect((await db.query(`SELECT count(*)::int FROM (VALUES ${values}) v(a, b)`)).rows).toEqual([[20_000]]);
    expect((await db.query(nest(50, '(SELECT ', ')'))).rows).toEqual([[1]]);
  });
});

describe('depth measures', () => {
  it('the parse tree depth of an n-term sum is about n', () => {
    const d = parseTreeDepth(parseSql(sum(900))[0]?.stmt ?? {});
    expect(d).toBeGreaterThanOrEqual(900);
    expect(d).toBeLessThan(910);
  });

  it('the lexical estimate skips strings, comments and dollar quotes', () => {
    const junk = '+'.repeat(5000);
    expect(
      lexicalDepth(`SELECT '${junk}', $x$${junk}$x$, "${junk}" /* ${junk} */ -- ${junk}\n`),
    ).toBeLessThan(5);
    expect(lexicalDepth(sum(100))).toBe(99);
    expect(lexicalDepth('SELECT f(1+1, (2*3))')).toBe(5);
    // E'…' escapes only for a standalone E: `name'\'` is the string '\' cast to type name.
    expect(lexicalDepth(`SELECT name'\\' ${'+ 1 '.repeat(50)}`)).toBe(50);
    expect(lexicalDepth(`SELECT E'\\' ${'+ 1 '.repeat(50)}'`)).toBe(0);
  });
});
