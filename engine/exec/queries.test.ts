/**
 * Differential tests: joins, windows, CTEs, grouping shapes and set operations
 * against PGlite.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SETUP = `
CREATE TABLE emp (id int PRIMARY KEY, dept text, name text, salary numeric, boss int, hired date);
CREATE TABLE dept (dept text PRIMARY KEY, city text);
INSERT INTO emp VALUES
 (1, 'eng', 'ann', 120.50, NULL, '2015-01-10'), (2, 'eng', 'bob', 99.99, 1, '2016-03-01'),
 (3, 'ops', 'cid', 80, 1, '2016-03-01'), (4, 'ops', 'dan', 80, 3, '2017-07-07'),
 (5, 'mkt', 'eve', NULL, 1, NULL), (6, NULL, 'fay', 50, 4, '2018-01-01'), (7, 'eng', 'gus', 99.99, 2, '2019-05-05');
INSERT INTO dept VALUES ('eng', 'oslo'), ('ops', 'rome'), ('hr', 'kyiv');
`;

const QUERIES = [
  'SELECT e.name, d.city FROM emp e JOIN dept d ON e.dept = d.dept',
  'SELECT e.name, d.city FROM emp e LEFT JOIN dept d ON e.dept = d.dept WHERE d.dept IS NULL',
  'SELECT d.dept, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.dept GROUP BY d.dept',
  'SELECT * FROM emp JOIN dept USING (dept)',
  'SELECT * FROM emp NATURAL JOIN dept',
  'SELECT e.name, b.name AS boss FROM emp e LEFT JOIN emp b ON e.boss = b.id',
  'SELECT e.name FROM emp e JOIN emp b ON e.boss = b.id AND b.salary > e.salary',
  'SELECT a.name, b.name FROM emp a FULL JOIN dept b ON a.dept = b.dept AND a.salary > 90',
  'SELECT count(*) FROM emp a CROSS JOIN emp b',
  // A small left input builds the hash table (left ++ right column order is kept).
  'SELECT d.city, e.name, e.salary FROM dept d JOIN emp e ON e.dept = d.dept AND e.salary > 90',
  "SELECT * FROM (VALUES ('eng')) v(dept) JOIN emp e ON e.dept = v.dept AND e.id > 1",
  "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y) WHERE x > 1",
  'WITH e AS (SELECT * FROM emp WHERE salary > 60), d AS (SELECT dept, avg(salary) a FROM e GROUP BY dept) SELECT e.name, d.a FROM e JOIN d USING (dept) ORDER BY e.name',
  'WITH x AS (SELECT 1 AS v) SELECT * FROM x a, x b',
  'SELECT dept FROM emp GROUP BY dept ORDER BY count(*) DESC, dept NULLS FIRST',
  'SELECT count(*) FROM emp HAVING count(*) > 2',
  'SELECT count(*) FROM emp HAVING count(*) > 20',
  'SELECT dept, sum(CASE WHEN salary > 90 THEN 1 ELSE 0 END), max(salary) - min(salary) FROM emp GROUP BY dept',
  'SELECT extract(year FROM hired) y, count(*) FROM emp GROUP BY y ORDER BY y NULLS LAST',
  'SELECT dept, name, salary, rank() OVER (PARTITION BY dept ORDER BY salary DESC), percent_rank() OVER (ORDER BY salary), cume_dist() OVER (ORDER BY salary) FROM emp',
  'SELECT name, ntile(3) OVER (ORDER BY id), count(*) OVER (), count(salary) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM emp',
  'SELECT name, max(salary) OVER (ORDER BY hired ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING), min(salary) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM emp',
  'SELECT dept, count(*), sum(count(*)) OVER (), rank() OVER (ORDER BY count(*) DESC) FROM emp GROUP BY dept',
  'SELECT name FROM emp ORDER BY row_number() OVER (ORDER BY salary DESC NULLS LAST, id) LIMIT 3',
  'SELECT name, salary, sum(salary) OVER (ORDER BY salary) FROM emp',
  "SELECT name, lag(name, 1, '-') OVER (PARTITION BY dept ORDER BY id), lead(salary) OVER (ORDER BY id) FROM emp",
  // lag/lead(anycompatible, integer, anycompatible): value and default take their common type.
  'SELECT id, lag(id, 1, 2.50) OVER (ORDER BY id), (lead(id::float8, 2, 1.0) OVER (ORDER BY id))::text, lag(id, 1, 7::bigint) OVER (ORDER BY id) FROM emp ORDER BY id',
  'SELECT lag(name, 1, 5) OVER (ORDER BY id) FROM emp',
  'SELECT lead(id, 1.5) OVER (ORDER BY id) FROM emp',
  "SELECT lag(id, 1, 'x') OVER (ORDER BY id) FROM emp",
  'SELECT dept FROM emp UNION SELECT dept FROM dept ORDER BY 1',
  'SELECT dept FROM emp INTERSECT ALL SELECT dept FROM emp WHERE id > 2',
  'SELECT dept FROM emp EXCEPT ALL SELECT dept FROM dept',
  '(SELECT id FROM emp ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM emp ORDER BY id DESC LIMIT 2)',
  'SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp e2 WHERE e2.dept = emp.dept)',
  'SELECT name FROM emp e WHERE NOT EXISTS (SELECT 1 FROM emp s WHERE s.boss = e.id)',
  'SELECT name, (SELECT city FROM dept d WHERE d.dept = e.dept) FROM emp e',
  'SELECT DISTINCT dept, salary FROM emp ORDER BY salary DESC NULLS LAST, dept',
  'SELECT DISTINCT ON (dept) dept, name FROM emp ORDER BY dept, salary DESC NULLS LAST, id',
  "SELECT hired, count(*) FROM emp GROUP BY hired HAVING hired > '2016-01-01' ORDER BY 1",
  "SELECT boss, string_agg(name, ',' ORDER BY name DESC) FROM emp GROUP BY boss ORDER BY boss NULLS FIRST",
  'SELECT 1 AS one WHERE 1 > 0',
  'SELECT name FROM emp ORDER BY hired DESC NULLS FIRST, name LIMIT 4 OFFSET 1',
  'SELECT dept, avg(salary)::numeric(10,2) FROM emp GROUP BY dept',
];

describe('queries differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});

describe('typmods and USING vs PGlite', () => {
  test.each([
    [
      'CREATE TABLE tm (n numeric(6,2), v varchar(3), ts timestamp(0))',
      "INSERT INTO tm VALUES (1.005, 'ab', '2016-01-01 00:00:00.5')",
      "INSERT INTO tm VALUES (12345.6, 'ab', NULL)",
      "INSERT INTO tm VALUES (1, 'abcd', NULL)",
      "INSERT INTO tm VALUES (-9999.994, 'abc  ', '2016-01-01 00:00:01.49')",
      "SELECT n, v, ts, 'abcdef'::varchar(2), 3.14159::numeric(4,3), '2016-01-01 00:00:00.7'::timestamp(0) FROM tm",
    ],
    [
      'CREATE TABLE a (k int, x text)',
      'CREATE TABLE b (x text, k int, y int)',
      "INSERT INTO a VALUES (1, 'a'), (2, 'b'), (3, NULL)",
      "INSERT INTO b VALUES ('a', 1, 10), ('z', 2, 20), ('q', 9, 90)",
      'SELECT * FROM a JOIN b USING (k)',
      'SELECT * FROM a LEFT JOIN b USING (k)',
      'SELECT * FROM a RIGHT JOIN b USING (k)',
      'SELECT * FROM a FULL JOIN b USING (k, x)',
      'SELECT k, a.x, b.x, y FROM a FULL JOIN b USING (k) ORDER BY k',
      'SELECT * FROM a NATURAL LEFT JOIN b',
    ],
  ])('%s', async (...script) => {
    const pair = await makePair('');
    for (const sql of script) expect(await diff(pair, sql), sql).toBeUndefined();
  });
});
