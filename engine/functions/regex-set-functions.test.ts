/**
 * regexp_matches and regexp_split_to_table as set-returning functions, in the
 * select list (lock-step with other SRFs, NULL arguments give no rows) and in
 * FROM (WITH ORDINALITY, column aliases), compared with PGlite; flag and
 * argument-type errors by SQLSTATE.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SETUP = `
CREATE TABLE r (id int, s text, p text);
INSERT INTO r VALUES (1, 'foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)'), (2, 'a1b22c333', '\\d+'),
  (3, 'the quick  brown fox', '\\s+'), (4, NULL, 'x'), (5, 'abc', NULL), (6, '', 'a*'), (7, 'AbAB', 'a(b)?');
`;

const QUERIES = [
  "SELECT regexp_matches('foobarbequebaz', '(bar)(beque)')",
  "SELECT regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)', 'g')",
  "SELECT regexp_matches('foo', '(x)?o', 'g'), 1",
  "SELECT regexp_matches('abc', '', 'g')",
  "SELECT regexp_matches('abc', 'B', 'gi'), regexp_matches('xyz', 'q')",
  "SELECT id, regexp_matches(s, p, 'g') FROM r",
  "SELECT id, regexp_matches(s, p, 'ig'), generate_series(1, 2) FROM r",
  'SELECT id, regexp_split_to_table(s, p) FROM r',
  "SELECT regexp_split_to_table('the quick brown fox', '\\s*'), 'x'",
  "SELECT foo, length(foo) FROM regexp_split_to_table('the quick brown fox jumps over the lazy dog', '\\s+') AS foo",
  "SELECT * FROM regexp_matches('a1b22c333', '\\d+', 'g') WITH ORDINALITY AS m(arr, n)",
  "SELECT m[1], count(*) FROM r, regexp_matches(r.s, '([aeiou])', 'g') AS m GROUP BY 1",
  "SELECT (regexp_matches('foobarbequebaz', '(bar)(beque)'))[2]",
  "SELECT regexp_matches(NULL, 'a')",
  // errors
  "SELECT regexp_matches('abc', 'b', 'gz')",
  "SELECT regexp_split_to_table('abc', 'b', 'g')",
  "SELECT regexp_matches(5, 'a')",
  "SELECT regexp_split_to_table('a')",
  "SELECT regexp_matches('a', '(')",
];

describe('regexp_matches / regexp_split_to_table vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
