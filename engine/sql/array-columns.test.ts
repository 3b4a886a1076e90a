/**
 * Array-typed table columns: differential tests against PGlite for storage
 * (INSERT from array text and ARRAY[], NULL elements, empty arrays), subscripts,
 * slices, operators and functions over columns, UPDATE, GROUP BY / ORDER BY,
 * CREATE TABLE AS; then the same answers after the hot rows were compacted into
 * chunks (plain and encoded), where array columns are stored as array text.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { MemoryTableStore } from '../storage/memory-store.ts';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE at (id int, i int[], t text[], f float8[], n numeric[], d date[], b bool[], ts timestamptz[]);
INSERT INTO at VALUES
 (1, '{1,2,3}', '{a,"b c",NULL,"NULL",""}', '{0.1,1e300,-0.5}', '{1.50,-2}', '{2020-01-01}', '{t,f,NULL}', '{"2024-01-01 10:00:00+00"}'),
 (2, ARRAY[4,5], ARRAY['x'], NULL, ARRAY[0.001], NULL, ARRAY[true], NULL),
 (3, '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (5, '{1,2,3}', '{q,"x\\\\y","{"}', '{NaN,Infinity}', '{7}', '{1999-12-31,2016-02-29}', '{f}', '{}');
`;

const QUERIES = [
  'SELECT * FROM at ORDER BY id',
  'SELECT id, i[1], i[3], i[0], t[2], f[1], n[1], d[2], b[3] FROM at ORDER BY id',
  'SELECT id, i[2:3], t[:2], t[2:], i[5:6] FROM at ORDER BY id',
  'SELECT id, array_length(i, 1), cardinality(t), array_upper(f, 1), array_lower(i, 1) FROM at ORDER BY id',
  'SELECT id, i || 9, 0 || i, i || ARRAY[7, 8], t || NULL::text FROM at ORDER BY id',
  "SELECT id FROM at WHERE i @> '{2}' ORDER BY id",
  'SELECT id FROM at WHERE ARRAY[1] <@ i ORDER BY id',
  "SELECT id FROM at WHERE i && '{5,9}' ORDER BY id",
  'SELECT id FROM at WHERE 3 = ANY (i) ORDER BY id',
  "SELECT id FROM at WHERE 'x' <> ALL (t) ORDER BY id",
  "SELECT id FROM at WHERE i = '{1,2,3}' ORDER BY id",
  "SELECT id FROM at WHERE i > '{1,2}' ORDER BY id",
  'SELECT i, count(*) FROM at GROUP BY i ORDER BY i',
  'SELECT DISTINCT t FROM at ORDER BY t',
  'SELECT id, i FROM at ORDER BY i DESC NULLS LAST, id',
  'SELECT id, unnest(i) FROM at ORDER BY id, 2',
  'SELECT a.id, b.id FROM at a JOIN at b ON a.i = b.i AND a.id < b.id',
  "SELECT array_to_string(t, ',', '*'), array_position(i, 2) FROM at ORDER BY id",
  'SELECT i::text, t::text, f::text[] FROM at ORDER BY id',
];

describe('array columns vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('writes', async () => {
    const p = await makePair(SETUP);
    for (const sql of [
      'UPDATE at SET i = i || id WHERE id < 3',
      "UPDATE at SET i[2] = 22, t[3] = 'x' WHERE id = 1",
      'UPDATE at SET i[7] = 7 WHERE id = 1',
      'UPDATE at SET i[1] = 9 WHERE id = 4',
      'UPDATE at SET i[2] = 4.6 WHERE id = 5',
      'UPDATE at SET i[NULL] = 1 WHERE id = 5',
      'UPDATE at SET i[1] = 1, i[2] = 2 WHERE id = 5',
      'SELECT id, i, t FROM at ORDER BY id',
      "UPDATE at SET t = '{new}' WHERE t IS NULL",
      "INSERT INTO at (id, i) VALUES (6, '{1,NULL}')",
      "INSERT INTO at (id, i) VALUES (7, '{1,x}')",
      "INSERT INTO at (id, i) VALUES (8, '{1,2')",
      'CREATE TABLE at2 AS SELECT id, i, t FROM at WHERE id <> 4',
      'SELECT * FROM at2 ORDER BY id',
      'DELETE FROM at WHERE i @> ARRAY[4]',
      'SELECT id, i, t FROM at ORDER BY id',
    ])
      expect(await diff(p, sql), sql).toBeUndefined();
  });
  test('refusals', async () => {
    const db = await Database.create();
    await db.exec(
      "CREATE TABLE m0 (id int, i int[]); INSERT INTO m0 VALUES (1, '{1}'), (2, '{}'), (3, NULL)",
    );
    for (const sql of [
      'CREATE TABLE m (x int[][])',
      'CREATE TABLE m (x varchar(5)[])',
      // Would move the lower bound (PostgreSQL answers [0:1]={7,1} and [2:2]={7}).
      'UPDATE m0 SET i[0] = 7 WHERE id = 1',
      'UPDATE m0 SET i[2] = 7 WHERE id IN (2, 3)',
      "UPDATE m0 SET i[1:2] = '{1,2}'",
    ])
      await expect(db.query(sql)).rejects.toMatchObject({ code: '0A000' });
  });
});

describe('array columns after compaction', () => {
  // 70,000 rows: the first 65,536 are frozen into a chunk, the rest stay hot.
  const FILL =
    "INSERT INTO big SELECT g, ARRAY[g, g % 7], ARRAY['v' || (g % 5), NULL] FROM generate_series(1, 70000) g";
  const CHECKS = [
    'SELECT count(*), sum(i[1]), sum(i[2]), count(t[2]) FROM big',
    'SELECT t, count(*) FROM big GROUP BY t ORDER BY t',
    "SELECT id, i, t FROM big WHERE id IN (1, 65536, 65537, 70000) OR i @> '{69999}' ORDER BY id",
  ];
  test.each([false, true])('encoded chunks: %s', async (encoded) => {
    const pair = await makePair('CREATE TABLE big (id int, i int[], t text[])');
    const db = await Database.create({ store: new MemoryTableStore({ encoded }) });
    await db.exec('CREATE TABLE big (id int, i int[], t text[])');
    await db.exec(FILL);
    await pair.engine.exec(FILL);
    await pair.pg.exec(FILL);
    expect(
      db.store
        .get('big')!
        .segments()
        .some((s) => !s.hot),
    ).toBe(true);
    for (const sql of CHECKS) {
      expect(await diff(pair, sql), sql).toBeUndefined();
      expect((await db.query(sql)).rows, sql).toEqual((await pair.engine.query(sql)).rows);
    }
    await db.exec('UPDATE big SET i = i || 0 WHERE id = 2');
    expect((await db.query('SELECT i FROM big WHERE id = 2')).rows).toEqual([[[2, 2, 0]]]);
  });
});
