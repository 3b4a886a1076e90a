/** Interval input forms, compared with PGlite (answers, and errors by SQLSTATE). */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const QUERIES = [
  "SELECT interval '0', interval '5', interval '-5', interval '1.5', interval '0.000001'",
  "SELECT interval '1 2:03', interval '2:03:04.5', interval '3 4:05:06', interval '+1 -2:00', interval '1:2', interval '-1:2:3.5'",
  "SELECT interval '1-2', interval '-1-2', interval '1-2 3 4:05', interval '1-11', interval '10:59:60'",
  "SELECT interval 'P1Y2M3DT4H5M6S', interval 'PT0S', interval 'P0D', interval 'P2W', interval 'PT1.5S', interval 'P1.5Y', interval 'PT'",
  "SELECT interval 'P0001-02-03T04:05:06', interval 'P1Y-2M', interval '@ 1 day ago', interval '1 day ago', interval '1 -2:00 ago'",
  "SELECT interval '1 week 2 days', interval '1 millennium', interval '2 centuries 1 decade', interval '3 microseconds 2 milliseconds'",
  "SELECT '5'::interval + timestamp '2020-01-01', '1-2'::interval * 2, 'P1D'::interval = '1 day'::interval",
  // output: a positive field right after a negative one carries '+'
  "SELECT interval '+1 -1:00:00', interval '-1 +1:00:00', interval '+1-2 -3 +4:05:06.789', interval '-1-2 +3 -4:05:06.789'",
  "SELECT interval '-23 hours 45 min 12.34 sec', interval '-1 day 23 hours 45 min 12.34 sec', interval '-1 year 2 months 1 day 23 hours 45 min 12.34 sec'",
  "SELECT interval '-10 mons 120 days 37:28:21.6567', interval '-1 day', interval '-1 mon -2 days', interval '1 mon -2 days 3 hours'",
  // fractions of years become whole months (rounded half to even), never days
  "SELECT interval 'P1.1Y0M3DT4H5M6S', interval '1.1 years', interval '-1.1 years', interval '0.125 years', interval '0.375 years'",
  "SELECT interval '1.01 decades', interval '2.5 centuries', interval '-0.0417 years', interval '1.5 months', interval 'P0.5M'",
  // errors
  "SELECT interval '1 2'",
  "SELECT interval '1 day 5'",
  "SELECT interval '5 1 day'",
  "SELECT interval 'P'",
  "SELECT interval 'P1H'",
  "SELECT interval '1-13'",
  "SELECT interval '10:61'",
  "SELECT interval 'abc'",
  // PostgreSQL's field masks: a repeated unit is 22007, a field past int32 / int64 is 22015
  "SELECT interval '1 day 1 day'",
  "SELECT interval '5.5 seconds 3 milliseconds'",
  "SELECT interval '1:20:05 5 microseconds'",
  "SELECT interval '2147483648 days'",
  "SELECT interval '-2147483649 years'",
  "SELECT interval '9223372036854775808 microsecond'",
  "SELECT interval '1 week 2147483647 days'",
  "SELECT interval '0.1 millennium 2147483647 months'",
  "SELECT interval '-2147483648 days ago'",
  "SELECT interval 'P2147483648'",
  "SELECT interval 'P0.5W2147483647D'",
  "SELECT interval '2562047788.1:0:54.775807'",
  "SELECT interval '4 millenniums 5 centuries 4 decades 1 year 4 months 4 days 17 minutes 31 seconds'",
  "SELECT interval 'P00021015T103020', interval 'P0002-10-15T10:30:20', interval 'P0002', interval 'P0002-10T1S'",
  "SELECT interval 'P1.Y0M3DT4H5M6S', interval 'P.1Y0M3DT4H5M6S', interval 'P10.5e4Y', interval 'PT-0.1S'",
  "SELECT interval '+infinity', interval '-infinity', interval 'infinity'",
  "SELECT interval '1 day infinity'",
  "SELECT interval 'p1y'",
  // field restrictions and precision: a bare number takes the range's last field; lower fields drop
  "SELECT interval '1' year, interval '2' month, interval '3' day, interval '4' hour, interval '5' minute, interval '6' second",
  "SELECT interval '1-2' year to month, interval '1 2' day to hour, interval '1 2:03' day to hour, interval '1 2:03:04' day to minute",
  "SELECT interval '1 2' minute to second, interval '1 2:03' minute to second, interval '1 -2:03:04' minute to second",
  "SELECT interval '123 11' day",
  "SELECT interval(0) '1 day 01:23:45.6789', interval(2) '1 day 01:23:45.6789', interval '12:34.5678' minute to second(2)",
  "SELECT interval '1 2:03:04.5678' day to second(2), interval '-1.234' second(2), interval '-0.5' second(0)",
  "SELECT '1 year 2 days 03:04:05.678'::interval day to minute, '-1 year -2 days -03:04:05'::interval hour",
  "SELECT interval 'infinity' year, interval(3) '-infinity'",
];

describe('interval input vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('CREATE TABLE tw (w interval minute, d interval day to second(0))');
  });
  test('a literal stored into a restricted column is read with its range', async () => {
    expect(
      await diff(pair, "INSERT INTO tw VALUES ('5', '1 2:03:04.6'), ('1 2', '2') RETURNING w, d"),
    ).toBeUndefined();
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
