/**
 * `time [without time zone]` against PostgreSQL (PGlite): time_in's forms (AM/PM, zones
 * that are ignored, dates that are ignored, 24:00:00, rounding to µs and to time(p)),
 * output, comparison, ± interval wrapping at midnight, time − time, date + time, casts
 * and extract / date_part; over hot rows and encoded columnar chunks (`big`).
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../database.ts';
import { diff, type Pair } from '../sql/differential-harness.ts';
import { MemoryTableStore } from '../storage/memory-store.ts';
import { SEGMENT_ROWS } from '../storage/table-store.ts';

const SETUP = [
  'CREATE TABLE t (id int, f time, p time(2))',
  "INSERT INTO t VALUES (1, '00:00', '00:00'), (2, '01:00', '01:00:00.125'), (3, '02:03 PST', '02:03:04.555'), " +
    "(4, '11:59 EDT', '11:59:59.999'), (5, '12:00', '23:59:59.999'), (6, '11:59:59.99 PM', NULL), " +
    "(7, '2003-03-07 15:36:39 America/New_York', '24:00'), (8, '24:00:00', '13:30:25.575401'), (9, NULL, '1:2:3')",
  'CREATE TABLE big (id int, t time)',
  `INSERT INTO big SELECT i, (((i * 37) % 86400) * interval '1 second')::time FROM generate_series(1, ${SEGMENT_ROWS + 500}) AS g(i)`,
].join(';');

let pair: Pair;
beforeAll(async () => {
  const engine = await Database.create({ store: new MemoryTableStore({ encoded: true }) });
  const pg = new PGlite();
  await pg.exec("SET TimeZone = 'UTC'");
  await engine.exec(SETUP);
  await pg.exec(SETUP);
  pair = { engine, pg };
}, 120_000);
afterAll(async () => {
  await pair.pg.close();
});

const SAME_AS_POSTGRES = [
  'SELECT id, f, p FROM t ORDER BY id',
  "SELECT id FROM t WHERE f < '05:06:07' ORDER BY id",
  "SELECT id FROM t WHERE f >= '12:00' ORDER BY id",
  "SELECT id FROM t WHERE f = '24:00' OR f = '00:00' ORDER BY id",
  'SELECT id FROM t ORDER BY f DESC NULLS LAST, id',
  'SELECT max(f), min(f), max(p), count(DISTINCT f) FROM t',
  'SELECT f, count(*) FROM t GROUP BY f ORDER BY f',
  "SELECT id, f + interval '1 hour', f - interval '13 hours', interval '90 minutes' + f FROM t ORDER BY id",
  "SELECT id, f + '00:01', f - '00:01', f - p FROM t ORDER BY id",
  "SELECT id, date '2020-02-29' + f, f + date '1999-12-31' FROM t ORDER BY id",
  'SELECT id, f::text, f::interval, p::varchar, f::time(0) FROM t ORDER BY id',
  'SELECT id, extract(hour FROM f), extract(minute FROM f), extract(second FROM p), extract(millisecond FROM p), extract(microsecond FROM p), extract(epoch FROM p) FROM t ORDER BY id',
  "SELECT id, date_part('second', p), date_part('epoch', f), date_part('hour', f) FROM t ORDER BY id",
  "SELECT '23:59:59.999999'::time, '23:59:59.9999999'::time, '23:59:60'::time, '24:00:00'::time",
  "SELECT '24:00:00.01'::time",
  "SELECT '23:59:60.01'::time",
  "SELECT '24:01:00'::time",
  "SELECT '25:00:00'::time",
  "SELECT '15:36:39 America/New_York'::time",
  "SELECT 'allballs'::time, '1:2'::time, ' 04:05:06.789 '::time, '4:05 am'::time, '12:00 am'::time, '12:30 pm'::time",
  "SELECT '13:00 pm'::time",
  "SELECT '040506'::time, '0405'::time, '040506.789'::time, 'T040506'::time, '1999-01-08 04:05:06'::time",
  "SELECT '15:36:39 EST'::time, '15:36:39+05'::time, '15:36:39 -0800'::time",
  "SELECT '4:05:06 1999-01-08'::time",
  "SELECT '12'::time",
  "SELECT pg_input_is_valid('12:00:00', 'time'), pg_input_is_valid('25:00:00', 'time'), pg_input_is_valid('15:36:39 America/New_York', 'time')",
  "SELECT 'infinity'::time",
  "SELECT 'abc'::time",
  "SELECT '11:59:59.999 PM'::time(2), '10:00:00.5'::time(0), '10:00:00.123456'::time(3)",
  "SELECT time '10:00' + time '01:00'",
  "SELECT time '01:00' - interval '1 day 3 hours', time '23:00' + interval '2 months 3 hours'",
  "SELECT cast(timestamp '2020-01-01 10:11:12.5' as time), cast(timestamptz '2020-01-01 10:11:12+00' as time)",
  "SELECT cast('infinity'::timestamp as time), interval '-1 hour'::time, interval '49 hours 5 minutes'::time",
  "SELECT extract(day FROM time '10:00')",
  "SELECT extract(fortnight FROM time '10:00')",
  "SELECT extract(timezone FROM time '10:00')",
  "SELECT time '10:00' = '10:00:00.000', time '10:00' < time '24:00', time '10:00' = timestamp '2000-01-01 10:00'",
  "SELECT time(7) '10:00'",
  "INSERT INTO t (id, f) VALUES (10, timestamp '2020-05-06 07:08:09')",
  'INSERT INTO t (id, f) VALUES (10, 3)',
  // Frozen columnar chunks.
  "SELECT count(*), min(t), max(t) FROM big WHERE t >= '12:00' AND t < '13:00:00.5'",
  'SELECT extract(hour FROM t) AS h, count(*) FROM big GROUP BY h ORDER BY h',
  "SELECT t, count(*) FROM big WHERE t < '00:01' GROUP BY t ORDER BY t",
];

describe('time', () => {
  for (const sql of SAME_AS_POSTGRES) it(sql, async () => expect(await diff(pair, sql)).toBeUndefined());
});
