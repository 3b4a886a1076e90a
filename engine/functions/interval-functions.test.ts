/** Interval functions, aggregates and arithmetic edge cases, compared with PGlite (answers, and errors by SQLSTATE). */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const QUERIES = [
  // interval × / ÷ float8: cascaded fractions rounded as interval_mul does
  "SELECT interval '1 mon' * 0.3, interval '14 mon 3 days' * 8.2, interval '-14 days 12 hours' / 10, interval '1 day' / 3",
  "SELECT interval '1 day' / 0",
  "SELECT interval 'infinity' * 0",
  "SELECT interval '1 day' * 'infinity'::float8, interval '-1 day' * 'infinity'::float8, interval '1 day' / 'infinity'::float8",
  "SELECT interval 'infinity' / 'infinity'::float8",
  "SELECT interval '2147483647 months' * 2",
  "SELECT - interval '-2147483648 months'",
  "SELECT - interval '-2147483648 days -1 mon', interval '-2147483648 days' + interval '0'",
  // justify_*
  "SELECT justify_hours(interval '6 months 3 days 52 hours 3 minutes 2 seconds'), justify_days(interval '6 months 36 days 5 hours 4 minutes 3 seconds'), justify_interval(interval '1 month -1 hour')",
  "SELECT justify_hours(interval '2147483647 days 24 hrs')",
  "SELECT justify_days(interval '2147483647 months 30 days')",
  "SELECT justify_interval(interval '-2147483648 days -24 hrs'), justify_interval(interval '2147483647 months 30 days -24 hrs')",
  "SELECT justify_interval(interval '2147483647 months -30 days 1440 hrs')",
  "SELECT justify_hours(interval 'infinity'), justify_days(interval '-infinity'), justify_interval(interval 'infinity')",
  // make_interval, named and positional
  'SELECT make_interval(years := 1, months := -1, weeks := 5, days := -7, hours := 25, mins := -180), make_interval(1, 2, 3), make_interval()',
  'SELECT make_interval(hours := -2, mins := -10, secs := -25.3), make_interval(secs := 7e12)',
  "SELECT make_interval(secs := 'inf')",
  'SELECT make_interval(years := 2147483647)',
  // hashing and comparison on the 30-day-month value
  "SELECT interval_hash('30 days'::interval) = interval_hash('1 month'::interval), interval_hash('30 days'), interval_hash('-1 day'), interval_hash('infinity'), interval_hash('-infinity'), interval_hash('1 year 3 mons 00:00:00.5')",
  "SELECT interval '1 mon' = interval '30 days', interval '1 day' = interval '24 hours', interval '2147483647 days' > interval '-2147483648 mons', isfinite(interval 'infinity'), isfinite(interval '1 day')",
  // extract / date_part
  "SELECT extract(quarter FROM interval '-7 mons'), extract(epoch FROM interval '1 year 2 mons 3 days 04:05:06.789'), extract(second FROM interval '-1 min -2.5 sec'), date_part('epoch', interval '-5 years 1 day')",
  "SELECT extract(hour FROM interval 'infinity'), extract(month FROM interval '-infinity'), date_part('day', interval '-infinity'), extract(week FROM interval '-20 days')",
  "SELECT extract(fortnight FROM interval '2 days')",
  "SELECT extract(timezone FROM interval '2 days')",
  "SELECT extract(dow FROM interval '2 days')",
  // sum / avg: infinities counted apart, overflow is 22008
  "SELECT sum(x), avg(x) FROM (VALUES (interval '1 mon'), (interval '2 days 3 hours'), (interval '-1.5 sec')) v(x)",
  "SELECT sum(x), avg(x) FROM (VALUES (interval 'infinity'), (interval '1 day')) v(x)",
  "SELECT sum(x) FROM (VALUES (interval 'infinity'), (interval '-infinity')) v(x)",
  "SELECT avg(x) FROM (VALUES (interval '-infinity'), (interval 'infinity')) v(x)",
  "SELECT sum(x) FROM (VALUES (interval '2147483647 days'), (interval '1 day')) v(x)",
  "SELECT g, sum(x), avg(x) FROM (VALUES (1, interval '1 mon'), (1, interval '1 day'), (2, interval '-infinity'), (2, interval '1 day')) v(g, x) GROUP BY g ORDER BY g",
  "SELECT pg_input_is_valid('1.5 weeks', 'interval'), pg_input_is_valid('garbage', 'interval'), pg_input_is_valid('@ 30 eons ago', 'interval'), pg_input_is_valid('2147483648 days', 'interval')",
  // age
  "SELECT age(timestamp '2020-03-01', timestamp '2019-01-31'), age(timestamp '2001-04-10', timestamp '1957-06-13'), age(timestamp '1957-06-13', timestamp '2001-04-10')",
  "SELECT age(date '2020-03-01', date '2019-01-31'), age(timestamptz '2020-01-31 10:00:00.5+00', timestamptz '2019-03-31 23:59:59.75+00')",
  "SELECT age(timestamp 'infinity', timestamp '2000-01-01'), age(timestamp '2000-01-01', timestamp 'infinity'), age(timestamp '-infinity', timestamp '2000-01-01')",
  "SELECT age(timestamp 'infinity', timestamp 'infinity')",
  "SELECT age(timestamp '0044-03-15 BC', timestamp '2000-02-29 12:00'), age(timestamp '2000-01-01') > interval '20 years'",
];

describe('interval functions vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
