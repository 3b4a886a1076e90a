/**
 * Differential tests: DDL and DML (and their errors) against PGlite. Each case
 * runs a script in both systems, comparing every statement's outcome, then the
 * table contents.
 */
import { describe, expect, test } from 'vitest';
import { diff, makePair } from './differential-harness.ts';

const CASES: [string, string[], string][] = [
  [
    'insert values, defaults, returning',
    [
      "CREATE TABLE a (id int PRIMARY KEY, name text NOT NULL DEFAULT 'anon', score numeric DEFAULT 1.5, ok boolean)",
      "INSERT INTO a VALUES (1, 'x', 2.25, true) RETURNING *",
      'INSERT INTO a (id) VALUES (2), (3) RETURNING id, name, score',
      "INSERT INTO a VALUES (4, DEFAULT, DEFAULT, NULL) RETURNING name || '!' AS n",
      "INSERT INTO a VALUES (1, 'dup', 0, false)",
      'INSERT INTO a (id, name) VALUES (5, NULL)',
      "INSERT INTO a (id, name) VALUES ('6', 'six')",
      "INSERT INTO a (id, name) VALUES ('x6', 'six')",
    ],
    'SELECT * FROM a',
  ],
  [
    'insert select and on conflict',
    [
      'CREATE TABLE kv (k text PRIMARY KEY, v int NOT NULL, n int DEFAULT 0)',
      "INSERT INTO kv VALUES ('a', 1), ('b', 2)",
      "INSERT INTO kv VALUES ('a', 10), ('c', 3) ON CONFLICT (k) DO NOTHING RETURNING k",
      "INSERT INTO kv VALUES ('a', 100), ('d', 4) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v, n = kv.n + 1 RETURNING k, v, n",
      "INSERT INTO kv VALUES ('b', 7) ON CONFLICT (k) DO UPDATE SET v = excluded.v WHERE kv.v > 5",
      "INSERT INTO kv VALUES ('e', 1), ('e', 2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
      "INSERT INTO kv SELECT k || '2', v * 2 FROM kv WHERE v < 100",
      "INSERT INTO kv VALUES ('a', 1) ON CONFLICT (v) DO NOTHING",
      "INSERT INTO kv VALUES ('zz', 1) ON CONFLICT DO NOTHING RETURNING *",
    ],
    'SELECT * FROM kv',
  ],
  [
    'update and delete',
    [
      'CREATE TABLE u (id int PRIMARY KEY, x int, y text, CHECK (x >= 0))',
      "INSERT INTO u SELECT g, g * 10, 'r' || g FROM generate_series(1, 20) g",
      'UPDATE u SET x = x + 1 WHERE id % 3 = 0 RETURNING id, x',
      "UPDATE u SET y = upper(y), x = 0 WHERE y LIKE 'r1%'",
      'UPDATE u SET x = -1 WHERE id = 2',
      'UPDATE u SET nosuch = 1',
      'DELETE FROM u WHERE x > 150 RETURNING id',
      'DELETE FROM u WHERE id IN (SELECT id FROM u WHERE x = 0 AND id > 15)',
      'UPDATE u SET id = id + 100 WHERE id < 3',
      'CREATE TABLE adj (id int, delta int)',
      'INSERT INTO adj VALUES (4, 1), (5, 2), (5, 2), (99, 9)',
      'UPDATE u SET x = u.x + a.delta FROM adj a WHERE a.id = u.id RETURNING u.id, x',
      'DELETE FROM u USING adj WHERE adj.id = u.id AND adj.delta = 1 RETURNING u.id',
      'UPDATE u SET y = adj.delta::text FROM adj WHERE adj.id > 100',
    ],
    'SELECT * FROM u',
  ],
  [
    'alter, truncate, drop',
    [
      'CREATE TABLE t (a int, b text)',
      "INSERT INTO t VALUES (1, 'one'), (2, 'two')",
      'ALTER TABLE t ADD COLUMN c double precision DEFAULT 0.5',
      "INSERT INTO t VALUES (3, 'three', 3.5)",
      'ALTER TABLE t RENAME COLUMN b TO label',
      'SELECT a, label, c FROM t ORDER BY a',
      'ALTER TABLE t DROP COLUMN label',
      'SELECT * FROM t ORDER BY a',
      'ALTER TABLE t ADD COLUMN a int',
      'CREATE TABLE t (z int)',
      'CREATE TABLE IF NOT EXISTS t (z int)',
      'TRUNCATE t',
      'SELECT count(*) FROM t',
      'DROP TABLE t',
      'SELECT * FROM t',
      'DROP TABLE IF EXISTS t',
      'DROP TABLE t',
    ],
    'SELECT 1',
  ],
  [
    'types round trip',
    [
      'CREATE TABLE ty (i2 smallint, i4 int, i8 bigint, r real, d double precision, n numeric, t text, vc varchar(10), b bytea, u uuid, dt date, ts timestamp, tz timestamptz, iv interval, bo bool)',
      "INSERT INTO ty VALUES (1, 2, 9007199254740993, 1.5, 0.1, 123.4500, 'héllo', 'v', '\\x0102ff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2024-02-29', '2024-02-29 13:14:15.5', '2024-02-29 13:14:15+02', '1 year 2 mons 3 days 04:05:06', true)",
      'INSERT INTO ty (i2) VALUES (32767)',
      'INSERT INTO ty (i2) VALUES (32768)',
      'INSERT INTO ty (i8) VALUES (9223372036854775807)',
      'SELECT i8 + 1 FROM ty WHERE i8 = 9223372036854775807',
      "SELECT dt + 1, dt - date '2024-01-01', ts - tz, iv * 2, iv / 2, -iv FROM ty WHERE dt IS NOT NULL",
      'SELECT n * 2, n / 3, round(n, 1), trunc(n), floor(n), ceil(n), abs(-n) FROM ty WHERE n IS NOT NULL',
      "SELECT extract(year FROM dt), extract(dow FROM ts), date_trunc('month', tz), date_trunc('week', ts) FROM ty WHERE dt IS NOT NULL",
      'SELECT b, u, r::text, d::text, iv::text FROM ty WHERE b IS NOT NULL',
    ],
    'SELECT * FROM ty',
  ],
];

describe('DDL/DML differential vs PGlite', () => {
  test.each(CASES)('%s', async (_name, script, check) => {
    const pair = await makePair('');
    for (const sql of script) expect(await diff(pair, sql), sql).toBeUndefined();
    expect(await diff(pair, check), check).toBeUndefined();
  });
});
