/**
 * LATERAL: differential tests against PGlite (real PostgreSQL) for LATERAL
 * subqueries ("last N per host"), CROSS JOIN LATERAL, LEFT JOIN LATERAL ... ON,
 * implicit LATERAL function calls in FROM (unnest, generate_series), NULL and
 * empty right sides, aggregates on the right, LATERAL inside a correlated
 * subquery (references two levels out) and PostgreSQL's errors; plus EXPLAIN.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE h (host text, n int, at text);
INSERT INTO h VALUES ('a', 2, '{1,2}'), ('b', 0, '{}'), ('c', NULL, NULL), ('d', 3, '{5,NULL}');
CREATE TABLE m (host text, ts int, val double precision);
INSERT INTO m VALUES ('a', 1, 1.5), ('a', 2, 2.5), ('a', 3, 0.5), ('b', 1, 9), ('d', 5, NULL), ('d', 4, 4),
  ('x', 1, 1), (NULL, 7, 7);
CREATE TABLE none (host text, n int);
`;

const QUERIES = [
  // t.* of an enclosing query's table expands to outer references (join.sql:1776).
  'SELECT * FROM h, LATERAL (SELECT h.*, m.ts FROM m WHERE m.host = h.host) s ORDER BY 1, 2, 3, 4, 5, 6, 7',
  'SELECT (SELECT h.* FROM m LIMIT 1) FROM h',
  'SELECT * FROM h, LATERAL (SELECT nosuch.* FROM m) s',
  'SELECT h.host, (SELECT count(*) FROM (SELECT h.* FROM m WHERE m.host = h.host) q) FROM h ORDER BY 1',
  // Last N per host.
  'SELECT h.host, s.ts, s.val FROM h, LATERAL (SELECT ts, val FROM m WHERE m.host = h.host ORDER BY ts DESC LIMIT 2) s ORDER BY 1, 2',
  'SELECT h.host, s.ts FROM h CROSS JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host ORDER BY ts LIMIT 1) s ORDER BY 1',
  'SELECT h.host, s.ts FROM h LEFT JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host ORDER BY ts LIMIT 1) s ON true ORDER BY 1',
  'SELECT h.host, s.ts FROM h LEFT JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host) s ON s.ts > h.n ORDER BY 1, 2',
  'SELECT h.host, s.ts FROM h JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host) s ON s.ts >= 2 ORDER BY 1, 2',
  // Aggregates and expressions on the right; NULL outer values.
  'SELECT h.host, s.c, s.mx FROM h, LATERAL (SELECT count(*) AS c, max(val) AS mx FROM m WHERE m.host = h.host) s ORDER BY 1',
  'SELECT * FROM h, LATERAL (SELECT h.n * 2 AS d, h.host IS NULL AS z) s ORDER BY 1',
  'SELECT a.host, s.host FROM h a, LATERAL (SELECT b.host FROM h b WHERE b.n < a.n) s ORDER BY 1, 2',
  'SELECT h.host, s.* FROM h, LATERAL (SELECT * FROM m WHERE m.host = h.host AND m.val IS NULL) s',
  // Implicit LATERAL function calls.
  'SELECT h.host, u FROM h, unnest(h.at::int[]) u ORDER BY 1, 2',
  'SELECT h.host, u, o FROM h, unnest(h.at::int[]) WITH ORDINALITY AS x(u, o) ORDER BY 1, 3',
  'SELECT h.host, g FROM h, generate_series(1, h.n) g ORDER BY 1, 2',
  'SELECT h.host, g FROM h LEFT JOIN LATERAL generate_series(1, h.n) g ON g > 1 ORDER BY 1, 2',
  'SELECT h.host, g FROM h CROSS JOIN LATERAL generate_series(h.n, 3) g ORDER BY 1, 2',
  'SELECT host, g FROM h, generate_series(1, 2) g ORDER BY 1, 2',
  // Empty left or right sides.
  'SELECT * FROM none, LATERAL (SELECT m.ts FROM m WHERE m.host = none.host) s',
  'SELECT h.host, s.ts FROM h, LATERAL (SELECT ts FROM m WHERE m.host = h.host AND false) s',
  // Inside subqueries and aggregated above.
  'SELECT host, (SELECT sum(g) FROM generate_series(1, h.n) g) FROM h ORDER BY 1',
  "SELECT host, (SELECT string_agg(x.host || s.ts, ',' ORDER BY x.host, s.ts) FROM h x, LATERAL (SELECT ts FROM m WHERE m.host = x.host AND m.ts <= h.n) s) FROM h ORDER BY 1",
  'SELECT h.host, sum(s.val) FROM h, LATERAL (SELECT val FROM m WHERE m.host = h.host ORDER BY ts DESC LIMIT 2) s GROUP BY h.host ORDER BY 1',
  // WHERE on the left row (pushed below the apply) and on both sides.
  "SELECT h.host, s.ts FROM h, LATERAL (SELECT ts FROM m WHERE m.host = h.host) s WHERE h.host <> 'a' AND s.ts > h.n ORDER BY 1, 2",
  "SELECT h.host, s.ts FROM h LEFT JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host LIMIT 1) s ON true WHERE h.host IN ('b', 'c') ORDER BY 1",
  // Errors.
  'SELECT * FROM h, (SELECT h.n) s',
  'SELECT h.host, s.mx FROM h RIGHT JOIN LATERAL (SELECT max(ts) mx FROM m WHERE m.host = h.host) s ON true',
  'SELECT * FROM h FULL JOIN LATERAL (SELECT h.n) s ON true',
  'SELECT * FROM h, LATERAL (SELECT nosuch FROM m WHERE m.host = h.host) s',
];

describe('LATERAL differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('parameters inside the LATERAL side and explicit LATERAL function calls', async () => {
    const q =
      'SELECT h.host, s.ts FROM h, LATERAL (SELECT ts FROM m WHERE m.host = h.host AND m.ts > $1 ORDER BY ts LIMIT $2) s ORDER BY 1, 2';
    expect(await diff(pair, q, [1, 1])).toBeUndefined();
    expect(await diff(pair, q, [0, 5])).toBeUndefined();
    expect(
      await diff(pair, 'SELECT h.host, g FROM h, LATERAL generate_series(h.n, $1::int) g ORDER BY 1, 2', [2]),
    ).toBeUndefined();
    expect(await diff(pair, 'SELECT * FROM LATERAL (SELECT 1 AS one) s')).toBeUndefined();
  });
  test('EXPLAIN shows a lateral nested loop re-running the right side', async () => {
    const r = await pair.engine.query(
      'EXPLAIN SELECT * FROM h LEFT JOIN LATERAL (SELECT ts FROM m WHERE m.host = h.host LIMIT 1) s ON true',
    );
    const lines = r.rows.map((x) => String(x[0]));
    const at = lines.findIndex((l) => l.includes('Nested Loop Lateral left'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1).join('\n')).toMatch(/Seq Scan on h[\s\S]*Limit[\s\S]*Seq Scan on m/);
  });
  test('a WHERE predicate on the left row is pushed below the apply', async () => {
    const r = await pair.engine.query(
      "EXPLAIN SELECT * FROM h, LATERAL (SELECT ts FROM m WHERE m.host = h.host) s WHERE h.host = 'a'",
    );
    const text = r.rows.map((x) => String(x[0])).join('\n');
    expect(text).toMatch(/Nested Loop Lateral inner\n\s*-> Seq Scan on h[^\n]*\n\s*Filter: \(host = 'a'/);
  });
});
