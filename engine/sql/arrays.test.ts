/**
 * Arrays: differential tests against PGlite (real PostgreSQL) for array
 * literals and text I/O, ARRAY[] constructors, casts, subscripts and slices,
 * `op ANY/ALL (array)` three-valued logic, comparison and ordering, `||`,
 * containment, array functions, unnest and array_agg — errors by SQLSTATE.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE t (id int, n int, s text, x double precision, m numeric, d date, b boolean);
INSERT INTO t VALUES
 (1, 3, 'a', 1.5, 1.50, '2020-01-01', true),
 (2, NULL, 'b c', NULL, NULL, NULL, NULL),
 (3, 1, 'NULL', -2, 7, '1999-12-31', false),
 (4, 2, '', 0, 0.001, '2016-02-29', true),
 (5, 3, 'q"\\', 3.25, -2, '2000-01-01', NULL);
`;

const QUERIES = [
  // Literals, constructors and text output.
  'SELECT ARRAY[1, 2, 3]',
  'SELECT ARRAY[1, NULL, 3]',
  "SELECT ARRAY['a b', 'c\"d', '', 'NULL', 'null', 'x\\y', '{', 'p,q']",
  "SELECT '{1,2,NULL}'::int[], '{}'::int[], '{ 1 , 2 }'::int[]",
  'SELECT \'{a,"b c",NULL,"NULL",""}\'::text[]',
  'SELECT \'{"a\\\\b","q\\"", x\\ y }\'::text[]',
  "SELECT '{1.5,NaN,-Infinity}'::float8[], '{1.50,-0.0}'::numeric[]",
  "SELECT '{t,f,NULL}'::bool[], ARRAY[true, false]",
  "SELECT '{2020-01-01,1999-12-31}'::date[], ARRAY['2020-01-01 10:00:00'::timestamp]",
  "SELECT ARRAY['2020-01-01 10:00:00+02'::timestamptz], ARRAY[interval '1 day 2 hours']",
  "SELECT ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid], ARRAY['\\x0102'::bytea]",
  'SELECT ARRAY[1::smallint, 2::smallint], ARRAY[1::bigint, 9007199254740993], ARRAY[1, 2.5]',
  'SELECT ARRAY[]::int[], ARRAY[]::text[], cardinality(ARRAY[]::int[])',
  "SELECT ARRAY[1, 2]::text[], ARRAY['1', '2']::int[], '{1,2}'::int[]::text",
  'SELECT ARRAY[1.6, 2.4]::int[], ARRAY[n, id] FROM t ORDER BY id',
  'SELECT ARRAY[s, NULL] FROM t ORDER BY id',
  'SELECT ARRAY[x, m::float8] FROM t ORDER BY id',
  // Subscripts and slices.
  'SELECT (ARRAY[10, 20, 30])[1], (ARRAY[10, 20, 30])[3], (ARRAY[10, 20, 30])[0], (ARRAY[10, 20, 30])[4]',
  'SELECT (ARRAY[10, 20, 30])[-1], (ARRAY[10, 20, 30])[NULL::int], (NULL::int[])[1]',
  'SELECT (ARRAY[10, 20, 30])[2:3], (ARRAY[10, 20, 30])[:2], (ARRAY[10, 20, 30])[2:]',
  'SELECT (ARRAY[10, 20, 30])[3:2], (ARRAY[10, 20, 30])[0:10], (ARRAY[10, 20, 30])[5:6]',
  "SELECT ('{a,b,c}'::text[])[id] FROM t ORDER BY id",
  'SELECT (ARRAY[id, n, id * 2])[2:3] FROM t ORDER BY id',
  // ANY / ALL three-valued logic.
  'SELECT 1 = ANY(ARRAY[1, 2]), 3 = ANY(ARRAY[1, 2]), 3 = ANY(ARRAY[1, NULL]), 1 = ANY(ARRAY[1, NULL])',
  "SELECT NULL::int = ANY(ARRAY[1]), NULL::int = ANY('{}'::int[]), 1 = ANY(NULL::int[]), NULL::int = ALL('{}'::int[])",
  'SELECT 3 <> ALL(ARRAY[1, 2]), 1 <> ALL(ARRAY[1, 2]), 3 <> ALL(ARRAY[1, NULL]), 1 <> ALL(ARRAY[1, NULL])',
  'SELECT 5 > ALL(ARRAY[1, 2]), 5 > ANY(ARRAY[7, 9]), 5 >= ALL(ARRAY[5, NULL]), 2 < ANY(ARRAY[1, 3])',
  'SELECT id FROM t WHERE n = ANY(ARRAY[1, 3]) ORDER BY id',
  "SELECT id FROM t WHERE s = ANY('{a,b c,zz}') ORDER BY id",
  'SELECT id FROM t WHERE n <> ALL(ARRAY[1, 3]) ORDER BY id',
  "SELECT id, n = ANY('{3,NULL}'::int[]), n <> ALL('{3,NULL}'::int[]) FROM t ORDER BY id",
  "SELECT id FROM t WHERE s LIKE ANY(ARRAY['a%', '%c']) ORDER BY id",
  'SELECT 1.5 = ANY(ARRAY[1, 2]), 2 = ANY(ARRAY[1.0, 2.0])',
  // Comparison, equality, ordering.
  'SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] = ARRAY[1, 2, 3], ARRAY[1, NULL] = ARRAY[1, NULL]',
  'SELECT ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2] < ARRAY[1, 2, 0], ARRAY[2] > ARRAY[1, 9], ARRAY[1, NULL] > ARRAY[1, 5]',
  "SELECT '{}'::int[] < ARRAY[1], ARRAY[1] <> ARRAY[1], ARRAY['a'] < ARRAY['b'], ARRAY[1] = '{1}'",
  'SELECT ARRAY[id % 2, n] AS k FROM t ORDER BY k, id',
  'SELECT ARRAY[id % 2, n] AS k FROM t ORDER BY k DESC NULLS LAST, id',
  'SELECT DISTINCT ARRAY[n] FROM t',
  'SELECT ARRAY[n % 2], count(*) FROM t GROUP BY 1',
  'SELECT max(ARRAY[n, id]), min(ARRAY[n, id]) FROM t',
  'SELECT ARRAY[1, 2] IS DISTINCT FROM ARRAY[1, 2], ARRAY[1] IS DISTINCT FROM NULL',
  // || and containment.
  'SELECT ARRAY[1, 2] || ARRAY[3], ARRAY[1, 2] || 3, 0 || ARRAY[1, 2], ARRAY[1] || NULL::int',
  "SELECT ARRAY['a'] || '{b,c}', ARRAY[1, 2] || '{}'::int[], NULL::int[] || ARRAY[1]",
  'SELECT ARRAY[1, 2] || 2.5, ARRAY[1.5] || ARRAY[2]',
  'SELECT ARRAY[1, 2, 3] @> ARRAY[2, 3], ARRAY[1, 2] @> ARRAY[4], ARRAY[1] @> ARRAY[]::int[], ARRAY[1, NULL] @> ARRAY[NULL::int]',
  'SELECT ARRAY[2] <@ ARRAY[1, 2], ARRAY[1, 2] && ARRAY[2, 5], ARRAY[1, 2] && ARRAY[3], ARRAY[NULL::int] && ARRAY[NULL::int]',
  "SELECT id FROM t WHERE ARRAY[n] <@ '{1,2}' ORDER BY id",
  // Functions.
  "SELECT array_length(ARRAY[1, 2, 3], 1), array_length(ARRAY[1], 2), array_length('{}'::int[], 1), cardinality(ARRAY[1, NULL])",
  "SELECT array_lower(ARRAY[5, 6], 1), array_upper(ARRAY[5, 6], 1), array_upper('{}'::int[], 1), array_ndims(ARRAY[1])",
  "SELECT array_position(ARRAY['a', 'b', 'a'], 'a'), array_position(ARRAY['a', 'b', 'a'], 'a', 2), array_position(ARRAY[1, NULL], NULL), array_position(ARRAY[1], 5)",
  'SELECT array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2, 3]), array_remove(ARRAY[1, 2, 1, NULL], 1)',
  "SELECT array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY['a', NULL], '-', '*'), array_to_string(ARRAY[true, false], ' ')",
  "SELECT string_to_array('a,b,,c', ','), string_to_array('a b', NULL), string_to_array('', ','), string_to_array('x,y', ',', 'y')",
  'SELECT id, cardinality(ARRAY[n, id]) FROM t ORDER BY id',
  // unnest in FROM.
  'SELECT * FROM unnest(ARRAY[1, 2, NULL])',
  "SELECT u FROM unnest('{a,b}'::text[]) AS u ORDER BY u DESC",
  'SELECT * FROM unnest(ARRAY[10, 20]) WITH ORDINALITY',
  'SELECT x, n FROM unnest(ARRAY[10, 20]) WITH ORDINALITY AS u(x, n) ORDER BY n DESC',
  'SELECT count(*) FROM unnest(ARRAY[]::int[])',
  'SELECT t.id FROM t JOIN unnest(ARRAY[1, 3]) AS k(v) ON t.id = k.v ORDER BY t.id',
  // array_agg round trips.
  'SELECT array_agg(n ORDER BY id) = ARRAY[3, NULL, 1, 2, 3] FROM t',
  'SELECT (array_agg(s ORDER BY id))[2], cardinality(array_agg(id)) FROM t',
  'SELECT * FROM unnest((SELECT array_agg(id ORDER BY id DESC) FROM t)) WITH ORDINALITY',
  'SELECT array_agg(d ORDER BY id), array_agg(b ORDER BY id) FROM t',
  // Errors (SQLSTATE must match PostgreSQL's).
  "SELECT '{1,2'::int[]",
  "SELECT '1,2'::int[]",
  "SELECT '{1,,2}'::int[]",
  "SELECT '{a}'::int[]",
  "SELECT '{1} x'::int[]",
  "SELECT '{99999999999}'::int[]",
  'SELECT ARRAY[]',
  "SELECT ARRAY[1, 'x']",
  'SELECT (1)[1]',
  'SELECT ARRAY[1] = ARRAY[true]',
  'SELECT 1 = ANY(1)',
  'SELECT ARRAY[1, 2]::date[]',
  'SELECT array_position(ARRAY[1], 1, NULL)',
  "SELECT ARRAY['a'] || 'b'",
];

describe('arrays differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('array parameters (JS arrays and array text)', async () => {
    expect(await diff(pair, 'SELECT id FROM t WHERE n = ANY($1) ORDER BY id', [[1, 3]])).toBeUndefined();
    expect(
      await diff(pair, 'SELECT id FROM t WHERE s <> ALL($1) ORDER BY id', [['a', 'NULL']]),
    ).toBeUndefined();
    expect(await diff(pair, 'SELECT $1::int[], cardinality($1::int[])', ['{4,NULL,5}'])).toBeUndefined();
  });
  test('arrays reach results as JS arrays, int64 elements as bigint', async () => {
    const r = await pair.engine.query("SELECT ARRAY[1::bigint, NULL], '{2020-01-01}'::date[]");
    expect(r.columns.map((c) => c.type)).toEqual(['int64[]', 'date[]']);
    expect(r.rows[0]).toEqual([[1n, null], ['2020-01-01']]);
  });
  test('unsupported array forms are 0A000 with a clear message', async () => {
    for (const sql of [
      'SELECT ARRAY[ARRAY[1, 2], ARRAY[3, 4]]',
      "SELECT '{{1,2},{3,4}}'::int[]",
      "SELECT '[0:1]={1,2}'::int[]",
      'SELECT (ARRAY[1, 2])[1][1]',
      'CREATE TABLE arr (a int[][])',
      'SELECT * FROM unnest(ARRAY[1], ARRAY[2])',
    ]) {
      await expect(pair.engine.query(sql), sql).rejects.toMatchObject({ code: '0A000' });
    }
  });
});
