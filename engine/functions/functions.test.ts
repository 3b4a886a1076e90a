/**
 * Differential tests: scalar functions, casts, date/time arithmetic, aggregates
 * and parameters against PGlite.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SETUP = `
CREATE TABLE f (id int, s text, x double precision, n numeric, i bigint, ts timestamptz, d date, iv interval, r real, sm smallint);
INSERT INTO f VALUES
 (1, '  Hello World  ', 2.5, 10.125, 100, '2016-01-01 10:20:30.123456+00', '2016-02-28', '1 day 02:03:04', 1.25, 7),
 (2, 'a,b,,c', -3.75, -0.005, -7, '2016-03-15 23:59:59+00', '2016-12-31', '-3 hours', -0.5, -3),
 (3, '', 0, 0, 0, '1999-12-31 00:00:00+00', '2000-01-01', '2 mons 1 day', 0, 0),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (5, 'ÄÖü straße', 1e10, 123456789.987654321, 9223372036854775807, '2024-02-29 12:00:00+00', '2024-02-29', '90 minutes', 3.5, 32000);
`;

const QUERIES = [
  'SELECT id, abs(x), round(x), round(n, 2), floor(x), ceil(x), floor(n), ceil(n), sqrt(abs(x)), power(x, 2), exp(x / 1e10), ln(id) FROM f',
  'SELECT id, mod(id, 3), mod(i, 5), mod(n, 0.1), sign(x), trunc(x), trunc(n, 1), abs(i % 1000), abs(sm) FROM f',
  "SELECT id, lower(s), upper(s), length(s), substr(s, 3), substr(s, 2, 4), position('o' in s), replace(s, 'l', 'L') FROM f",
  "SELECT id, trim(s), ltrim(s), rtrim(s), trim(both 'x' from 'xxaxx'), concat(s, '-', id, NULL), s || id, split_part(s, ',', 2), split_part(s, ',', -1), starts_with(s, '  H') FROM f",
  "SELECT id, left(s, 3), right(s, 2), repeat('ab', id), reverse(s), s LIKE '%o%', s ILIKE '%WORLD%', s NOT LIKE 'a%' FROM f",
  "SELECT id, x::numeric, n::int, n::bigint, x::real, r::double precision, i::text, id::bool, '42'::int + 1, '3.5'::numeric * 2, CAST(x AS int) FROM f",
  "SELECT id, ts::date, d::timestamp, ts::text, d::text, iv::text, (ts + iv), (d + iv), (d + 7), (d - 1), ts - interval '1 month' FROM f",
  'SELECT id, extract(year FROM ts), extract(month FROM d), extract(day FROM ts), extract(hour FROM ts), extract(minute FROM ts), extract(second FROM ts), extract(dow FROM d), extract(doy FROM d), extract(week FROM d), extract(quarter FROM ts), extract(epoch FROM ts) FROM f',
  "SELECT id, date_part('hour', ts), date_trunc('minute', ts), date_trunc('month', ts), date_trunc('year', d), date_trunc('quarter', ts), date_trunc('week', ts) FROM f",
  "SELECT id, date_bin('1 hour', ts, '2000-01-01'), date_bin('15 minutes', ts, '2016-01-01 00:07:00+00') FROM f",
  'SELECT id, to_timestamp(1451606400 + id * 3600.5) FROM f',
  "SELECT id, extract(epoch FROM iv), extract(hour FROM iv), extract(minute FROM iv), extract(second FROM iv), extract(day FROM iv), extract(month FROM iv), date_part('hour', iv) FROM f",
  "SELECT id, iv * 2, iv / 3, iv + interval '1 hour', -iv, interval '1 day' - iv FROM f",
  "SELECT '2016-01-01 00:00:00'::timestamp - '2015-12-30 12:00:00'::timestamp, '2016-03-01'::date - '2016-02-01'::date",
  "SELECT '1 year 2 months 3 weeks 4 days 5 hours 6 minutes 7.5 seconds'::interval, '-1 day +02:00'::interval, '@ 3 days ago'::interval",
  'SELECT count(*), sum(x), avg(x), sum(n), avg(n), sum(i), avg(i), min(s), max(s), min(ts), max(d), sum(iv), avg(iv), sum(r), sum(sm) FROM f WHERE id < 5',
  'SELECT stddev_samp(x), stddev_pop(x), var_samp(x), var_pop(x), stddev(n), variance(i) FROM f WHERE id < 5',
  "SELECT string_agg(s, '|' ORDER BY id), count(DISTINCT s), sum(DISTINCT sm), count(*) FILTER (WHERE x > 0) FROM f",
  "SELECT CASE id WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, COALESCE(s, 'none'), NULLIF(id, 3), GREATEST(x, 0, n), LEAST(s, 'b') FROM f",
  'SELECT id, x > 0 AND s IS NULL, x > 0 OR s IS NULL, NOT (x > 0), x IS DISTINCT FROM 0, s IS NOT DISTINCT FROM NULL, (x > 0) IS TRUE, (x > 0) IS NOT FALSE, (x > 0) IS UNKNOWN FROM f',
  'SELECT id FROM f WHERE s IN (SELECT s FROM f WHERE id > 3)',
  'SELECT id FROM f WHERE s NOT IN (SELECT s FROM f WHERE id > 3)',
  'SELECT id, (SELECT max(x) FROM f f2 WHERE f2.id < f.id) FROM f',
  'SELECT * FROM generate_series(10, 1, -3) g',
  "SELECT * FROM generate_series('2016-01-01'::timestamptz, '2016-01-02', '6 hours')",
  'SELECT g, count(*) FROM generate_series(1, 100) g, f WHERE g % 10 = f.id GROUP BY g ORDER BY g',
  'SELECT x::int FROM f WHERE id = 5',
  "SELECT 'x'::text < 'y', 'B' < 'a', 'é' > 'z', 'abc' < 'abd'",
  'SELECT 0.1 + 0.2, 1e300 * 1e10, 10 / 4, 10 / 4.0, -7 / 2, 7 % -3, 2 ^ 0.5::float8, 100000 * 100000',
  'SELECT i * 2 FROM f WHERE id = 5',
  'SELECT sm * 2 FROM f WHERE id = 5',
  'SELECT sum(i) FROM f',
  "SELECT 'infinity'::timestamptz > now(), '-infinity'::timestamp, 'today'::timestamptz <= now(), 'yesterday'::timestamp < 'tomorrow'::timestamp, now() - 'now'::timestamptz",
];

describe('functions differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('parameters', async () => {
    expect(await diff(pair, 'SELECT id FROM f WHERE id > $1 AND s <> $2', [1, 'x'])).toBeUndefined();
    expect(await diff(pair, 'SELECT $1::int + id, $2 || s FROM f', ['5', 'p'])).toBeUndefined();
  });
});

const ARRAY_SETUP = `
CREATE TABLE a (id int, g text, n int, s text, x double precision, b boolean, m numeric, ts timestamptz);
INSERT INTO a VALUES
 (1, 'p', 3, 'plain', 1.5, true, 1.50, '2016-01-01 10:00:00+00'),
 (2, 'p', 1, 'b c', -0.25, false, -2, NULL),
 (3, 'q', NULL, NULL, NULL, NULL, NULL, '2020-02-29 00:00:00+00'),
 (4, 'q', 2, '', 1e20, true, 0.001, NULL),
 (5, 'q', 2, 'NULL', 0, NULL, 7, NULL),
 (6, 'r', 10, 'a"q\\b', NULL, false, NULL, NULL),
 (7, 'r', 9, '{x,y}', 2, true, 3, NULL),
 (8, 's', NULL, 'null', NULL, NULL, NULL, NULL),
 (9, 's', 4, 'tab	here', 3, NULL, NULL, NULL);
`;

const ARRAY_QUERIES = [
  'SELECT array_agg(n ORDER BY id) FROM a',
  'SELECT array_agg(n ORDER BY id)::text FROM a',
  'SELECT array_agg(s ORDER BY id) FROM a',
  'SELECT array_agg(s ORDER BY id)::text FROM a',
  'SELECT g, array_agg(n ORDER BY n DESC NULLS LAST, id) FROM a GROUP BY g ORDER BY g',
  'SELECT g, array_agg(s ORDER BY s NULLS FIRST) FROM a GROUP BY g ORDER BY g',
  'SELECT array_agg(x ORDER BY id), array_agg(b ORDER BY id), array_agg(m ORDER BY id) FROM a',
  'SELECT array_agg(ts ORDER BY id) FROM a WHERE ts IS NOT NULL',
  'SELECT array_agg(DISTINCT n ORDER BY n), array_agg(DISTINCT g ORDER BY g) FROM a',
  'SELECT g, array_agg(DISTINCT s ORDER BY s) FROM a GROUP BY g ORDER BY g',
  'SELECT array_agg(id ORDER BY id) FILTER (WHERE n > 2) FROM a',
  'SELECT array_agg(n) FROM a WHERE id < 0',
  'SELECT g, array_agg(n) FROM a WHERE id < 0 GROUP BY g',
  'SELECT g, array_agg(id ORDER BY id) FILTER (WHERE n IS NULL) FROM a GROUP BY g ORDER BY g',
  'SELECT array_agg(n) FROM a WHERE id = 3',
  "SELECT array_agg('x y' ORDER BY id) FROM a WHERE id < 3",
  "SELECT array_agg('x y'::text ORDER BY id), array_agg(NULL::int) FROM a WHERE id < 3",
  'SELECT array_agg(NULL) FROM a',
  'SELECT id, array_agg(n) OVER (ORDER BY id) FROM a ORDER BY id',
  'SELECT g, count(*), array_agg(id ORDER BY id DESC) FROM a GROUP BY g HAVING count(*) > 1 ORDER BY g',
];

describe('array_agg differential vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(ARRAY_SETUP);
  });
  test.each(ARRAY_QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('array_agg returns a real array (JS array in results, int[] type)', async () => {
    const r = await pair.engine.query('SELECT array_agg(n ORDER BY id) FROM a WHERE id < 4');
    expect(r.columns[0].type).toBe('int32[]');
    expect(r.rows[0][0]).toEqual([3, 1, null]);
  });
});
