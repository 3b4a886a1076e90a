/**
 * Differential tests: SELECT basics against PGlite.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE t (id int PRIMARY KEY, g text, x int, y double precision, n numeric, b boolean, ts timestamp, big bigint);
INSERT INTO t VALUES
 (1, 'a', 10, 1.5, 1.10, true, '2016-01-01 00:00:00', 10000000000),
 (2, 'b', 20, 2.5, 2.20, false, '2016-01-01 01:30:00', -5),
 (3, 'a', NULL, 3.25, NULL, NULL, '2016-01-02 00:00:00', NULL),
 (4, 'c', 40, NULL, 4.00, true, NULL, 7),
 (5, NULL, 50, -1, -0.5, false, '2015-12-31 23:59:59.5', 0),
 (6, 'b', 20, 2.5, 2.2, true, '2016-01-01 01:30:00', 3);
`;

const QUERIES = [
  'SELECT * FROM t',
  'SELECT id, x + 1, x * 2, x - id, x / 3, x % 7 FROM t',
  'SELECT id, y * 2, y / 4, -y FROM t',
  'SELECT id, n + 1, n * n, n / 3, n - 0.25 FROM t',
  'SELECT g, count(*), sum(x), avg(x), min(y), max(y) FROM t GROUP BY g',
  'SELECT g, sum(n), avg(n), sum(big), avg(y) FROM t GROUP BY 1',
  'SELECT count(*), count(x), count(DISTINCT g), sum(x) FROM t',
  'SELECT count(*) FROM t WHERE false',
  'SELECT sum(x), max(g) FROM t WHERE x > 1000',
  'SELECT id FROM t WHERE x > 15 AND y < 3',
  'SELECT id FROM t WHERE x > 15 OR y IS NULL',
  'SELECT id FROM t WHERE NOT (x > 15)',
  "SELECT id FROM t WHERE g IN ('a', 'c')",
  "SELECT id FROM t WHERE g NOT IN ('a', NULL)",
  'SELECT id FROM t WHERE x BETWEEN 15 AND 40',
  'SELECT id, g FROM t ORDER BY g, id',
  'SELECT id, g FROM t ORDER BY g DESC, id',
  'SELECT id, g FROM t ORDER BY g NULLS FIRST, id DESC',
  'SELECT id, y FROM t ORDER BY y DESC NULLS LAST, id LIMIT 3',
  'SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 3',
  'SELECT DISTINCT g FROM t',
  'SELECT DISTINCT ON (g) g, id FROM t ORDER BY g, id DESC',
  'SELECT g, count(*) AS c FROM t GROUP BY g HAVING count(*) > 1 ORDER BY c DESC, g',
  'SELECT x % 20 AS k, count(*) FROM t GROUP BY k',
  "SELECT id, ts, date_trunc('hour', ts) FROM t",
  "SELECT date_trunc('day', ts) AS d, count(*), max(y) FROM t GROUP BY d ORDER BY d",
  "SELECT id, CASE WHEN x > 20 THEN 'big' WHEN x > 10 THEN 'mid' ELSE 'small' END FROM t",
  'SELECT id, COALESCE(x, -1), NULLIF(x, 20), GREATEST(x, 25), LEAST(x, id * 10) FROM t',
  'SELECT id, x::text, y::int, n::double precision, id::numeric / 7 FROM t',
  'SELECT 1 + 1, 7 / 2, 7.0 / 2, -7 % 3, 2 ^ 10',
  "SELECT 'abc' || 'def', lower('AbC'), upper('abc'), length('héllo'), substr('abcdef', 2, 3)",
  "SELECT g, x FROM t WHERE g LIKE 'a%' OR g ILIKE 'B'",
  'SELECT b, bool_and(b), bool_or(b) FROM t GROUP BY b',
  'SELECT id, big * 2, big + id FROM t',
  'SELECT 1/0',
  'SELECT 2147483647 + 1',
  'SELECT id FROM t WHERE id = (SELECT max(id) FROM t)',
  "SELECT id FROM t WHERE x IN (SELECT x FROM t WHERE g = 'b')",
  "SELECT id FROM t WHERE big IN (SELECT x FROM t WHERE g = 'b')",
  'SELECT id FROM t WHERE x NOT IN (SELECT x FROM t WHERE id > 3)',
  'SELECT id FROM t WHERE x <> ALL (SELECT x FROM t WHERE id > 4)',
  'SELECT id, x IN (SELECT x FROM t WHERE id > 3) FROM t',
  "SELECT id FROM t WHERE g LIKE 'a!%' ESCAPE '!' OR g LIKE '_'",
  'SELECT id FROM t t1 WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.x = t1.x AND t2.id <> t1.id)',
  'SELECT a.id, b.id FROM t a JOIN t b ON a.x = b.x AND a.id < b.id',
  'SELECT a.id, b.id FROM t a LEFT JOIN t b ON a.x = b.x + 10',
  'SELECT a.id, b.id FROM t a RIGHT JOIN t b ON a.x = b.x + 10',
  'SELECT a.id, b.id FROM t a FULL JOIN t b ON a.x = b.x + 10',
  'SELECT a.id, b.id FROM t a CROSS JOIN t b WHERE a.id + b.id = 7',
  'SELECT a.id, b.g FROM t a, t b WHERE a.id = b.id AND a.x > 10',
  'WITH c AS (SELECT g, sum(x) s FROM t GROUP BY g) SELECT * FROM c WHERE s > 20',
  'SELECT * FROM (SELECT g, max(y) m FROM t GROUP BY g) s ORDER BY m DESC NULLS LAST, g',
  "SELECT g FROM t UNION SELECT 'z'",
  'SELECT x FROM t UNION ALL SELECT x FROM t',
  'SELECT x FROM t INTERSECT SELECT x FROM t WHERE id > 2',
  'SELECT x FROM t EXCEPT SELECT x FROM t WHERE id > 2',
  'SELECT id, row_number() OVER (ORDER BY id) FROM t',
  'SELECT id, g, rank() OVER (PARTITION BY g ORDER BY x), dense_rank() OVER (ORDER BY x) FROM t',
  'SELECT id, sum(x) OVER (PARTITION BY g), sum(x) OVER (ORDER BY id), avg(y) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t',
  'SELECT id, lag(x) OVER (ORDER BY id), lead(x, 2, 0) OVER (ORDER BY id), first_value(id) OVER (PARTITION BY g ORDER BY id), last_value(id) OVER (PARTITION BY g ORDER BY id) FROM t',
  'SELECT * FROM generate_series(1, 5) AS s(i)',
  "SELECT extract(hour FROM ts), date_part('minute', ts), extract(epoch FROM ts) FROM t",
  "SELECT ts + interval '1 day 2 hours', ts - interval '30 minutes' FROM t",
  "SELECT date_bin('15 minutes', ts, '2000-01-01') FROM t",
  'SELECT stddev(y), variance(y), stddev(x), variance(n) FROM t',
  "SELECT string_agg(g, ',' ORDER BY id) FROM t",
  "SELECT id FROM t WHERE y > 2 AND ts >= '2016-01-01' AND ts < '2016-01-02'",
  'SELECT nosuch FROM t',
  'SELECT * FROM nosuch',
  'SELECT g, x FROM t GROUP BY g',
];

describe('SELECT differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
