/**
 * WITH RECURSIVE: differential tests against PGlite (real PostgreSQL) for
 * UNION ALL and UNION (dedup, cycles), joins with the working table, NULLs,
 * empty non-recursive terms, correlated use and PostgreSQL's errors; plus the
 * engine's row cap (54000) and EXPLAIN.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE e (src int, dst int, w int);
INSERT INTO e VALUES (1, 2, 10), (2, 3, 20), (3, 1, 5), (3, 4, 1), (5, NULL, 7), (NULL, 6, 3);
CREATE TABLE emp (id int, boss int, name text);
INSERT INTO emp VALUES (1, NULL, 'ceo'), (2, 1, 'cto'), (3, 1, 'cfo'), (4, 2, 'dev'), (5, 4, 'intern'), (6, 9, 'orphan');
`;

const QUERIES = [
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n * 2 FROM t WHERE n < 100) SELECT sum(n), count(*) FROM t',
  // Graph reachability with a cycle: UNION stops, UNION ALL bounded by depth.
  'WITH RECURSIVE r AS (SELECT 1 AS node UNION SELECT e.dst FROM r JOIN e ON e.src = r.node) SELECT * FROM r ORDER BY node',
  'WITH RECURSIVE r(node, d) AS (SELECT 1, 0 UNION ALL SELECT e.dst, d + 1 FROM r JOIN e ON e.src = r.node WHERE d < 6) SELECT * FROM r ORDER BY d, node',
  'WITH RECURSIVE r(node, path) AS (SELECT 1, ARRAY[1] UNION ALL SELECT e.dst, path || e.dst FROM r JOIN e ON e.src = r.node WHERE NOT e.dst = ANY(path)) SELECT * FROM r ORDER BY node',
  // Hierarchy walk with depth and NULL boss.
  "WITH RECURSIVE h AS (SELECT id, name, 0 AS lvl FROM emp WHERE boss IS NULL UNION ALL SELECT emp.id, h.name || '/' || emp.name, lvl + 1 FROM emp JOIN h ON emp.boss = h.id) SELECT * FROM h ORDER BY id",
  'WITH RECURSIVE up(id, boss) AS (SELECT id, boss FROM emp WHERE id = 5 UNION ALL SELECT emp.id, emp.boss FROM emp, up WHERE emp.id = up.boss) SELECT * FROM up',
  // NULLs: UNION treats NULLs as equal, so the NULL row is produced once.
  'WITH RECURSIVE t(n) AS (SELECT NULL::int UNION SELECT n FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n, m) AS (SELECT 1, NULL::int UNION SELECT n + 1, m FROM t WHERE n < 3) SELECT * FROM t ORDER BY n',
  // Empty non-recursive term and empty step.
  'WITH RECURSIVE t(n) AS (SELECT src FROM e WHERE src > 100 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 7 UNION ALL SELECT n FROM t WHERE false) SELECT * FROM t',
  // Types: the non-recursive term fixes them; literals become text.
  "WITH RECURSIVE t(a, b) AS (SELECT 'x', 1 UNION ALL SELECT a || 'y', b + 1 FROM t WHERE b < 3) SELECT * FROM t",
  'WITH RECURSIVE t(n) AS (SELECT 1.5 UNION ALL SELECT n + 1 FROM t WHERE n < 4) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1::bigint UNION ALL SELECT n * 3 FROM t WHERE n < 1000000000000) SELECT max(n) FROM t',
  // Used twice, joined, inside a scalar subquery, next to a plain CTE, with ORDER BY/LIMIT outside.
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t a JOIN t b ON a.n <= b.n ORDER BY 1, 2',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5), u AS (SELECT n * 2 AS m FROM t) SELECT sum(m) FROM u',
  'SELECT src, (WITH RECURSIVE t(n) AS (SELECT e.src UNION ALL SELECT n + 1 FROM t WHERE n < 4) SELECT count(*) FROM t) FROM e ORDER BY src',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t LIMIT 4',
  'WITH RECURSIVE x AS (SELECT 1 AS a), y AS (SELECT a FROM x) SELECT * FROM y',
  // Errors.
  'WITH RECURSIVE t AS (SELECT 1 FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 INTERSECT SELECT n FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t1.n FROM t t1, t t2) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT (SELECT max(n) FROM t) + 1 FROM e) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1.5 FROM t WHERE n < 3) SELECT * FROM t',
  'WITH RECURSIVE t(n, m) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n, n FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM t) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT e.src FROM e LEFT JOIN t ON t.n = e.src) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT e.src FROM t FULL JOIN e ON t.n = e.src) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 LIMIT 1) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT row_number() OVER () FROM t) SELECT * FROM t',
  // FOR UPDATE on the union was ignored: the step ran to the 54000 row cap (over HTTP, then a 503).
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t FOR UPDATE) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t FOR SHARE) SELECT * FROM t',
  // Allowed: the reference on the preserved side of an outer join; DISTINCT and LIMIT inside the term.
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT e.dst FROM t LEFT JOIN e ON t.n = e.src WHERE n < 3) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT DISTINCT n + 1 FROM t WHERE n < 3) SELECT * FROM t',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 LIMIT 1)) SELECT * FROM t',
];

describe('WITH RECURSIVE differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('parameters in both terms', async () => {
    const q =
      'WITH RECURSIVE t(n) AS (SELECT $1::int UNION ALL SELECT n + $2 FROM t WHERE n < 20) SELECT * FROM t';
    expect(await diff(pair, q, [3, 4])).toBeUndefined();
    expect(await diff(pair, q, [30, 1])).toBeUndefined();
  });
  test('a runaway recursion fails with 54000 instead of hanging', async () => {
    const sql = 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t';
    await expect(pair.engine.query(sql)).rejects.toMatchObject({ code: '54000' });
  }, 60_000);
  test('UNION dedup state counts against the memory budget (53200, not a crash)', async () => {
    const sql =
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t WHERE n < 50000) SELECT count(*) FROM t';
    await expect(pair.engine.query(sql, [], { memoryLimit: 200_000 })).rejects.toMatchObject({
      code: '53200',
    });
    const ok = await pair.engine.query(sql);
    expect(ok.rows).toEqual([[50000n]]);
  }, 60_000);
  test('EXPLAIN shows the recursive union over a work table scan', async () => {
    const r = await pair.engine.query(
      'EXPLAIN WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t',
    );
    const text = r.rows.map((x) => x[0]).join('\n');
    expect(text).toContain('Recursive Union (t)');
    expect(text).toMatch(/-> WorkTable Scan on t/);
  });
});
