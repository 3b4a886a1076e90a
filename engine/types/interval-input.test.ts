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
];

/** Field restrictions and precision change how the text is read: refused until the parser reads them. */
const RESTRICTED = [
  "SELECT interval '1' year",
  "SELECT interval '1 2:03' day to hour",
  "SELECT interval(2) '1.234'",
  "SELECT '1'::interval minute",
];

describe('interval field restrictions', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(RESTRICTED)('%s is 0A000, never read unrestricted', async (sql) => {
    await expect(pair.engine.query(sql)).rejects.toMatchObject({ code: '0A000' });
  });
});

describe('interval input vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
