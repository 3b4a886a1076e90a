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
  // errors
  "SELECT interval '1 2'",
  "SELECT interval '1 day 5'",
  "SELECT interval '5 1 day'",
  "SELECT interval 'P'",
  "SELECT interval 'P1H'",
  "SELECT interval '1-13'",
  "SELECT interval '10:61'",
  "SELECT interval 'abc'",
];

describe('interval input vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
