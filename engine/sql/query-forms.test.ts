/**
 * Differential tests against PGlite for query forms PostgreSQL's regression
 * scripts exercise: USING/NATURAL joins and `t.*`, correlation through derived
 * tables, LIMIT and nested subqueries, aggregate levels, RETURNING atomicity,
 * text functions. Forms the engine refuses must fail with 0A000, never answer.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { isSqlError } from '../errors.ts';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE a (id int, x int, name text);
CREATE TABLE b (id int, y int, name text);
CREATE TABLE c (name text, z int);
INSERT INTO a VALUES (1, 10, 'p'), (2, 20, 'q'), (3, NULL, 'r');
INSERT INTO b VALUES (1, 100, 'p'), (3, 300, 's'), (4, 400, 'q');
INSERT INTO c VALUES ('p', 7), ('q', 8), ('s', 9);
`;

const QUERIES = [
  // USING keeps each side's columns reachable through t.* (in their own order).
  'SELECT a.*, b.* FROM a JOIN b USING (id) ORDER BY 1',
  'SELECT b.*, a.* FROM a LEFT JOIN b USING (id) ORDER BY a.id',
  'SELECT * FROM a FULL JOIN b USING (id) ORDER BY 1',
  'SELECT a.id, b.id, id FROM a FULL JOIN b USING (id) ORDER BY 3',
  // A NATURAL chain joins on the visible columns only (not those an inner join merged).
  'SELECT * FROM a NATURAL JOIN b NATURAL JOIN c',
  'SELECT * FROM (SELECT name, x FROM a) s1 NATURAL FULL JOIN (SELECT name, y FROM b) s2 NATURAL FULL JOIN c ORDER BY 1',
  'SELECT name, s1.name, c.name FROM (SELECT name, x FROM a) s1 NATURAL JOIN (SELECT name, y FROM b) s2 NATURAL JOIN c',
  // Correlation through a derived table's LIMIT/OFFSET and ORDER BY.
  'SELECT (SELECT v FROM (SELECT v FROM generate_series(1, 5) v ORDER BY v LIMIT 1 OFFSET s.i - 1) d) FROM generate_series(1, 5) s(i)',
  'SELECT i, (SELECT v FROM (VALUES (1), (2), (3)) t(v) ORDER BY v * s.i DESC LIMIT 1) FROM (VALUES (1), (-1)) s(i)',
  'SELECT i, (SELECT v FROM (VALUES (1), (2)) t(v) UNION ALL SELECT 3 ORDER BY 1 LIMIT s.i) FROM (VALUES (1)) s(i)',
  // A subquery two levels down reading the outermost row.
  'SELECT id, (SELECT min(b.y) FROM b WHERE b.id >= (SELECT c.z - 6 FROM c WHERE c.name = a.name)) FROM a ORDER BY id',
  // An aggregate over the inner query's columns with an outer column in FILTER.
  'SELECT (SELECT count(v) FILTER (WHERE o.k <> 0) FROM (VALUES (1), (2)) t(v)) FROM (VALUES (0), (5)) o(k)',
  'SELECT (SELECT max(v + o.k) FROM (VALUES (1), (2)) t(v)) FROM (VALUES (0), (5)) o(k)',
  // GROUP BY DISTINCT: each grouping set once.
  'SELECT id, x, count(*) FROM a GROUP BY DISTINCT ROLLUP (id, x), ROLLUP (id) ORDER BY 1, 2',
  'SELECT id, count(*) FROM a GROUP BY DISTINCT CUBE (id), ROLLUP (id)',
  // Window functions where they are not allowed: 42P20.
  'SELECT id FROM a WHERE row_number() OVER () > 1',
  'SELECT ntile(0) OVER () FROM a',
  // Text functions.
  "SELECT chr(65), chr(233), chr(128512), ascii('A'), ascii(''), ascii('é')",
  'SELECT chr(0)',
  'SELECT chr(-1)',
  'SELECT chr(1114112)',
  "SELECT lpad('hi', 5), lpad('hi', 5, 'xy'), lpad('hello', 2), lpad('hi', -1), lpad('hi', 4, '')",
  "SELECT rpad('hi', 5), rpad('hi', 5, 'xy'), rpad('hello', 2), rpad('é', 3, 'ü')",
  "SELECT initcap('hi THOMAS o''neil-smith 3rd x1y'), initcap('')",
  "SELECT translate('12345', '143', 'ax'), translate('abc', 'abc', 'xyz'), translate('aaa', 'aa', 'xy')",
  'SELECT name, lpad(name, 3, chr(46)) FROM a ORDER BY 1',
];

describe('query forms differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });

  test('a failing RETURNING leaves the table unchanged', async () => {
    const p = await makePair('CREATE TABLE r (k int, v int); INSERT INTO r VALUES (1, 1), (2, 0);');
    for (const sql of [
      'DELETE FROM r RETURNING rank() OVER ()',
      'DELETE FROM r RETURNING nosuch',
      'UPDATE r SET v = v + 1 RETURNING 1 / (v - 1)',
      'INSERT INTO r VALUES (3, 3) RETURNING 1 / 0',
    ])
      expect(await diff(p, sql), sql).toBeUndefined();
    expect(await diff(p, 'SELECT * FROM r ORDER BY k')).toBeUndefined();
  });
});

/** The engine's SQLSTATE for `sql`, or 'ok'. */
async function engineCode(pair: Pair, sql: string): Promise<string> {
  try {
    await pair.engine.query(sql);
    return 'ok';
  } catch (e) {
    if (!isSqlError(e)) throw e;
    return e.code;
  }
}

describe('forms refused with 0A000 (never a wrong answer)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each([
    // Outer-level aggregates: PostgreSQL aggregates these over the enclosing query.
    'SELECT (SELECT max(o.k) FROM (VALUES (1)) t(v)) FROM (VALUES (2), (3)) o(k)',
    'SELECT (SELECT count(*) FILTER (WHERE o.k > 2) FROM (VALUES (1)) t(v)) FROM (VALUES (2), (3)) o(k)',
    'SELECT (SELECT max((SELECT i.v FROM (VALUES (2)) i(v) WHERE i.v = o.k))) FROM (VALUES (2), (3)) o(k)',
    // VARIADIC array arguments (concat would print the array itself).
    'SELECT concat(VARIADIC ARRAY[1, 2, 3])',
    // Data-modifying statements in WITH.
    'WITH t AS (INSERT INTO c VALUES (chr(122), 1) RETURNING *) SELECT * FROM t',
    'WITH t AS (DELETE FROM c RETURNING *) SELECT count(*) FROM t',
  ])('%s', async (sql) => {
    expect(await engineCode(pair, sql)).toBe('0A000');
    expect(await diff(pair, 'SELECT * FROM c')).toBeUndefined();
  });
});
