/**
 * GROUPING SETS, ROLLUP, CUBE and GROUPING(): differential tests against
 * PGlite (real PostgreSQL) over NULL keys, empty inputs, several grouping
 * items (cross product), duplicate sets, HAVING/ORDER BY/window over grouped
 * rows and PostgreSQL's errors; plus EXPLAIN of the grouping-sets node.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE s (r text, c text, y int, v int, x double precision);
INSERT INTO s VALUES ('n', 'a', 2020, 10, 1.5), ('n', 'b', 2020, 20, NULL), ('s', 'a', 2021, 5, 2.25),
  ('s', NULL, 2021, 7, -1), (NULL, 'a', NULL, 1, 0), ('n', 'a', 2021, 3, 4);
CREATE TABLE empty (a int, b int);
`;

const QUERIES = [
  'SELECT r, c, sum(v) FROM s GROUP BY ROLLUP(r, c) ORDER BY 1, 2, 3',
  'SELECT r, c, sum(v), count(*), grouping(r, c) FROM s GROUP BY CUBE(r, c)',
  'SELECT r, y, count(*), avg(x) FROM s GROUP BY GROUPING SETS ((r), (y), ())',
  'SELECT r, c, y, sum(v) FROM s GROUP BY r, ROLLUP(c, y)',
  'SELECT r, c, y, sum(v) FROM s GROUP BY CUBE(r), ROLLUP(c), GROUPING SETS ((y), ())',
  'SELECT r, c, sum(v) FROM s GROUP BY GROUPING SETS ((r, c), r, r)',
  'SELECT r, c, count(DISTINCT y), max(v) FILTER (WHERE v > 5) FROM s GROUP BY ROLLUP((r, c))',
  "SELECT r || '!', sum(v), min(x) FROM s GROUP BY CUBE(r || '!')",
  'SELECT y % 2 AS parity, sum(v) FROM s GROUP BY ROLLUP(parity)',
  'SELECT r, sum(v) FROM s GROUP BY ROLLUP(1)',
  // Two select-list entries of one expression are two grouping columns when named apart.
  'SELECT r AS a1, r AS a2, count(*) FROM s GROUP BY a1, ROLLUP(a2)',
  'SELECT r AS a1, r AS a2, count(*) FROM s GROUP BY CUBE(1, 2)',
  'SELECT r AS a1, r AS a2, count(*) FROM s GROUP BY r, ROLLUP(r)',
  'SELECT v + 1 AS a, v + 1 AS b FROM s GROUP BY ROLLUP(v + 1, b)',
  // GROUPING(): bit order, in HAVING and ORDER BY, with plain GROUP BY.
  'SELECT r, c, grouping(c, r), grouping(r), grouping(c) FROM s GROUP BY GROUPING SETS ((r), (c), (r, c), ())',
  'SELECT r, sum(v) FROM s GROUP BY ROLLUP(r) HAVING grouping(r) = 1 OR sum(v) > 10',
  'SELECT r, sum(v) AS t FROM s GROUP BY ROLLUP(r) ORDER BY grouping(r), r',
  'SELECT r, grouping(r) FROM s GROUP BY r',
  "SELECT CASE WHEN grouping(r) = 1 THEN 'total' ELSE r END AS k, sum(v) FROM s GROUP BY ROLLUP(r) ORDER BY 1",
  // Windows and DISTINCT over grouped rows.
  'SELECT r, sum(v), rank() OVER (ORDER BY sum(v) DESC) FROM s GROUP BY ROLLUP(r)',
  'SELECT DISTINCT sum(v) FROM s GROUP BY GROUPING SETS ((r), (r))',
  'SELECT r, count(*) OVER (PARTITION BY grouping(r)) FROM s GROUP BY ROLLUP(r)',
  'SELECT r, generate_series(1, grouping(r) + 1) FROM s GROUP BY ROLLUP(r)',
  // Empty inputs: () still yields one row, keyed sets none.
  'SELECT count(*), sum(a) FROM empty GROUP BY ()',
  'SELECT a, count(*) FROM empty GROUP BY ROLLUP(a)',
  'SELECT a, b, count(*) FROM empty GROUP BY CUBE(a, b)',
  'SELECT r, count(*) FROM s WHERE v > 100 GROUP BY GROUPING SETS ((r), ())',
  // Errors.
  'SELECT grouping(v) FROM s GROUP BY r',
  'SELECT grouping(r) FROM s',
  'SELECT r, c FROM s GROUP BY ROLLUP(r)',
  'SELECT sum(grouping(r)) FROM s GROUP BY r',
  'SELECT r FROM s WHERE grouping(r) = 0 GROUP BY r',
  'SELECT 1 FROM s GROUP BY CUBE(v, v, v, v, v, v, v, v, v, v, v, v, v)',
];

describe('GROUPING SETS differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('the held input counts against the memory budget (53200)', async () => {
    const sql = 'SELECT g % 7, g % 3, count(*) FROM generate_series(1, 20000) g GROUP BY CUBE(g % 7, g % 3)';
    await expect(pair.engine.query(sql, [], { memoryLimit: 100_000 })).rejects.toMatchObject({
      code: '53200',
    });
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('output column names follow PostgreSQL', async () => {
    const r = await pair.engine.query('SELECT r, grouping(r), sum(v) FROM s GROUP BY ROLLUP(r)');
    expect(r.columns.map((c) => c.name)).toEqual(['r', 'grouping', 'sum']);
    const p = await pair.pg.query('SELECT r, grouping(r), sum(v) FROM s GROUP BY ROLLUP(r)');
    expect(p.fields.map((f) => f.name)).toEqual(['r', 'grouping', 'sum']);
  });
  test('EXPLAIN lists the grouping sets', async () => {
    const r = await pair.engine.query('EXPLAIN SELECT r, c, sum(v) FROM s GROUP BY ROLLUP(r, c)');
    const text = r.rows.map((x) => x[0]).join('\n');
    expect(text).toContain('GroupingSets: sets [(r, c), (r), ()] aggs [sum]');
    expect(text).toMatch(/-> Seq Scan on s/);
  });
});
