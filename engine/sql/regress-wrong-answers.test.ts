/**
 * Differential tests (PGlite) for the classes of wrong answers the PostgreSQL
 * regression replay found: statements PostgreSQL rejects that the engine used to
 * answer, and answers that differed. One case list per cause.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE a (i int, t text);
CREATE TABLE b (i int, u text);
INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, NULL), (NULL, 'nil');
INSERT INTO b VALUES (1, 'x'), (3, 'z'), (4, 'w'), (NULL, 'n');
CREATE TABLE by (v bytea, k int);
INSERT INTO by VALUES ('\\xff', 1), (NULL, 2), ('\\xaa', 3), ('\\x00', 4);
`;

const CASES: Record<string, string[]> = {
  // A column alias list longer than the item's columns is 42P10, for tables, subqueries, joins and CTEs.
  'column alias count': [
    'SELECT * FROM a AS f(p, q, r)',
    'SELECT * FROM (TABLE a) AS s (p, q, r)',
    'SELECT * FROM (SELECT 1) s(x, y)',
    'SELECT * FROM (a CROSS JOIN b) ss(p, q, r, s, t)',
    'WITH x(n, m) AS (SELECT 1) SELECT * FROM x',
    'SELECT * FROM a AS f(p) ORDER BY 1, 2',
  ],
  // A join's AS alias hides the joined tables; USING (…) AS names the merged columns.
  'join aliases': [
    "SELECT * FROM (a JOIN b USING (i)) AS x WHERE a.t = 'one'",
    'SELECT x.* FROM (a JOIN b USING (i)) AS x ORDER BY 1',
    'SELECT * FROM (a JOIN b USING (i)) AS x(k, l) WHERE x.k > 1',
    'SELECT * FROM (a JOIN b ON a.i = b.i) AS x(p, q, r) ORDER BY 1',
    'SELECT * FROM (a FULL JOIN b USING (i)) AS j(k) ORDER BY 1, 2, 3',
    'SELECT j.i, x.i, y.u FROM a x JOIN b y USING (i) AS j ORDER BY 1',
    'SELECT x.i, x.t, a.i FROM (a JOIN b USING (i)) x JOIN a ON x.i = a.i ORDER BY 1',
    'SELECT * FROM a x JOIN (a y CROSS JOIN b z) j ON x.i = z.i',
  ],
  // One name twice in one FROM level is 42712.
  'duplicate table names': [
    'SELECT * FROM a, a',
    'SELECT * FROM a x, b x',
    'SELECT * FROM a x JOIN b x ON true',
    'SELECT * FROM a JOIN (b JOIN a USING (i)) ON true',
    'SELECT * FROM a x JOIN b y USING (i) AS x',
    'SELECT * FROM a x, LATERAL (SELECT x.i) x',
    'SELECT count(*) FROM a x, (SELECT * FROM a x) y',
    'SELECT count(*) FROM a JOIN a x USING (i)',
  ],
  // string_agg is (text, text) or (bytea, bytea).
  'string_agg forms': [
    "SELECT string_agg(v, '') FROM by",
    'SELECT string_agg(v, NULL) FROM by',
    "SELECT string_agg(v, '\\xee'::bytea ORDER BY k DESC) FROM by",
    "SELECT k % 2, string_agg(v, '\\x01') FROM by GROUP BY 1",
    "SELECT string_agg(v, ',') FROM (VALUES (1), (2)) t(v)",
    'SELECT string_agg(t, 1) FROM a',
    "SELECT string_agg(v, 'x'::text) FROM by",
    "SELECT string_agg(t, ',' ORDER BY t) FROM a",
  ],
  // || is text || text, text || anynonarray or anynonarray || text: one side must be text.
  'text concatenation forms': [
    'SELECT 3 || 4.0',
    'SELECT true || false',
    "SELECT 3 || 'a', 'a' || 4.0, i || t, t || i FROM a",
    "SELECT date '2020-01-01' || 'x', 1 || NULL, NULL || NULL",
    'SELECT i || i FROM a',
  ],
  // exp() of a finite float whose result is infinite or zero is out of range (22003).
  'exp range': [
    'SELECT exp(-746::float8)',
    'SELECT exp(710::float8)',
    'SELECT exp(-1e300::float8)',
    "SELECT exp(-720::float8), exp(-708::float8), exp('-inf'::float8), exp('inf'::float8), exp('nan'::float8)",
    'SELECT exp(i::float8 * -400) FROM a',
  ],
  // With DISTINCT, every ORDER BY expression of an aggregate must be one of its arguments.
  'DISTINCT aggregate sort keys': [
    "SELECT string_agg(DISTINCT i::text, ',' ORDER BY i) FROM a",
    "SELECT string_agg(DISTINCT t, ',' ORDER BY t DESC) FROM a",
    "SELECT string_agg(DISTINCT t, ',' ORDER BY ',') FROM a",
    'SELECT array_agg(DISTINCT i ORDER BY i DESC NULLS LAST) FROM a',
    'SELECT array_agg(DISTINCT i ORDER BY t) FROM a',
  ],
};

describe.each(Object.entries(CASES))('%s vs PGlite', (_name, queries) => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(queries)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
