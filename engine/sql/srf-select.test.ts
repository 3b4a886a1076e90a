/**
 * Set-returning functions in the select list (unnest, generate_series):
 * differential tests against PGlite (real PostgreSQL 10+ semantics) for
 * lock-step evaluation with NULL padding, rows vanishing on empty results,
 * NULL arguments, SRFs over aggregates, ORDER BY/DISTINCT/LIMIT above them
 * and PostgreSQL's errors; plus EXPLAIN of the project-set node.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE s (id int, r text, v int, at text);
INSERT INTO s VALUES (1, 'n', 10, '{1,2}'), (2, 'n', 20, '{3}'), (3, 's', 5, '{}'), (4, 's', 7, NULL),
  (5, NULL, 1, '{4,NULL,6}');
CREATE TABLE empty (a int, at text);
`;

const QUERIES = [
  'SELECT generate_series(1, 3)',
  'SELECT unnest(ARRAY[1, 2])',
  'SELECT id, unnest(at::int[]) FROM s',
  'SELECT id, unnest(at::int[]) AS e FROM s ORDER BY id, e',
  // Lock-step: shorter results padded with NULL; all-empty rows vanish.
  "SELECT generate_series(1, 3), unnest(ARRAY['a', 'b'])",
  'SELECT id, unnest(at::int[]), generate_series(1, 2) FROM s ORDER BY 1, 3',
  'SELECT id, generate_series(1, v / 5) AS g FROM s ORDER BY id, g',
  'SELECT v, generate_series(v, 12, 4) FROM s ORDER BY 1, 2',
  // NULL arguments and empty inputs.
  'SELECT unnest(NULL::int[])',
  'SELECT generate_series(1, NULL::int)',
  'SELECT generate_series(1, 0)',
  'SELECT unnest(at::int[]) FROM empty',
  // Inside expressions, over aggregates and with DISTINCT/ORDER BY/LIMIT/windows.
  'SELECT unnest(at::int[]) + 1 AS x, v FROM s ORDER BY x',
  'SELECT abs(unnest(ARRAY[-1, 2]))',
  'SELECT DISTINCT unnest(at::int[]) FROM s',
  'SELECT count(*), unnest(ARRAY[1, 2]) FROM s',
  'SELECT r, unnest(array_agg(v ORDER BY v)) FROM s GROUP BY r ORDER BY 1, 2',
  'SELECT generate_series(1, 3) AS g ORDER BY g DESC',
  'SELECT generate_series(1, 10) LIMIT 3',
  'SELECT unnest(ARRAY[1, 2]), row_number() OVER ()',
  "SELECT generate_series('2020-01-01'::timestamp, '2020-01-02', '12 hours')",
  'SELECT (SELECT count(*) FROM s) + generate_series(1, 2)',
  // SRF arguments reading an enclosing query's row (the subquery is correlated).
  'SELECT id, (SELECT max(u) FROM (SELECT unnest(s.at::int[]) AS u) q) FROM s ORDER BY id',
  'SELECT id, (SELECT count(*) FROM (SELECT generate_series(1, s.v)) q) FROM s ORDER BY id',
  'SELECT *, unnest(at::int[]) FROM s ORDER BY id',
  // Errors.
  'SELECT sum(unnest(ARRAY[1]))',
  'SELECT CASE WHEN true THEN unnest(ARRAY[1]) END',
  'SELECT coalesce(unnest(ARRAY[1]), 0)',
  'SELECT unnest(NULL)',
  'SELECT unnest(1)',
  'SELECT generate_series(1, 2, 0)',
  'SELECT generate_series(1)',
];

describe('select-list set-returning functions differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('output names follow PostgreSQL (after * expansion too)', async () => {
    const r = await pair.engine.query('SELECT *, unnest(at::int[]), generate_series(1, 2) AS g FROM s');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'r', 'v', 'at', 'unnest', 'g']);
  });
  test('grouping by an SRF output is not supported: 0A000, not a wrong answer', async () => {
    const sql = 'SELECT unnest(ARRAY[1, 2]) AS u, count(*) GROUP BY u';
    await expect(pair.engine.query(sql)).rejects.toMatchObject({ code: '0A000' });
  });
  test('EXPLAIN shows the project-set node', async () => {
    const r = await pair.engine.query('EXPLAIN SELECT id, unnest(at::int[]) FROM s');
    const text = r.rows.map((x) => x[0]).join('\n');
    expect(text).toMatch(/-> ProjectSet: unnest\(/);
  });
});
