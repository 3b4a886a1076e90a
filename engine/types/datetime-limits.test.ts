/**
 * Infinity and out-of-range date/time values against PostgreSQL (PGlite):
 * each query gives the same rows or the same SQLSTATE as PostgreSQL. These
 * used to hang (infinite generate_series), crash (NaN timestamps rendered as
 * garbage, BigInt conversions of NaN) or answer where PostgreSQL refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await makePair('');
});
afterAll(async () => {
  await pair.pg.close();
});

const SAME_AS_POSTGRES = [
  // 24:00:00 is the end of a day; nothing after it is.
  "SELECT timestamp '1999-12-31 24:00:00'",
  "SELECT timestamptz '1999-12-31 24:00:00+02'",
  "SELECT timestamp '1999-12-31 24:00:01'",
  "SELECT timestamp '1999-12-31 24:00:00.5'",
  "SELECT date '1999-12-31 24:00:00'",
  // timestamp − timestamp with infinities (PostgreSQL 17+: infinite intervals).
  "SELECT timestamp 'infinity' - timestamp 'infinity'",
  "SELECT timestamp '-infinity' - timestamp '-infinity'",
  "SELECT timestamp 'infinity' - timestamp '2000-01-01'",
  "SELECT timestamp '2000-01-01' - timestamp 'infinity'",
  "SELECT timestamp '2000-01-01' - timestamp '-infinity'",
  "SELECT timestamp 'infinity' - timestamp '-infinity'",
  // infinity ± interval.
  "SELECT timestamp 'infinity' + interval '1 month'",
  "SELECT timestamp '-infinity' - interval '1 day'",
  "SELECT timestamptz 'infinity' + interval '1 year 2 days'",
  "SELECT interval '1 mon' + timestamp '-infinity'",
  "SELECT timestamp '2000-01-01' + interval 'infinity'",
  "SELECT timestamp '2000-01-01' - interval 'infinity'",
  "SELECT timestamp 'infinity' + interval 'infinity'",
  "SELECT timestamp 'infinity' - interval 'infinity'",
  "SELECT timestamp '-infinity' + interval 'infinity'",
  // Infinite intervals.
  "SELECT interval 'infinity'",
  "SELECT interval '-infinity'",
  "SELECT interval 'infinity' + interval '1 day'",
  "SELECT interval 'infinity' - interval 'infinity'",
  "SELECT interval 'infinity' + interval '-infinity'",
  "SELECT interval 'infinity' * 2",
  "SELECT interval 'infinity' * -0.5",
  "SELECT interval 'infinity' * 0",
  "SELECT -interval 'infinity'",
  "SELECT interval 'infinity' > interval '1000000 years'",
  // Field overflow.
  "SELECT interval '1 day' * 1e300",
  "SELECT interval '2147483647 days' + interval '1 day'",
  "SELECT interval '2147483647 months' + interval '1 month'",
  "SELECT interval '178000000 years'",
  // Timestamp range (4714 BC .. 294276 AD).
  "SELECT timestamp '294277-01-01'",
  "SELECT timestamptz '294277-01-01 00:00:00+00'",
  "SELECT timestamp '2000-01-01' + interval '300000 years'",
  "SELECT timestamp '2000-01-01' - interval '7000 years'",
  'SELECT to_timestamp(1e20)',
  "SELECT to_timestamp('infinity'::float8)",
  "SELECT to_timestamp('-infinity'::float8)",
  "SELECT to_timestamp('NaN'::float8)",
  // date_trunc / extract / date_part / to_char / date_bin of infinity.
  "SELECT date_trunc('month', timestamp 'infinity')",
  "SELECT date_trunc('day', timestamptz '-infinity')",
  "SELECT date_trunc('week', timestamp 'infinity')",
  "SELECT extract(year from timestamp 'infinity')",
  "SELECT extract(epoch from timestamp '-infinity')",
  "SELECT extract(century from timestamptz 'infinity')",
  "SELECT extract(dow from timestamp 'infinity')",
  "SELECT extract(month from timestamp '-infinity')",
  "SELECT date_part('month', timestamp 'infinity')",
  "SELECT date_part('year', timestamp '-infinity')",
  "SELECT date_part('epoch', timestamp 'infinity')",
  "SELECT to_char(timestamp 'infinity', 'YYYY-MM-DD')",
  "SELECT to_char(timestamptz '-infinity', 'HH24:MI')",
  "SELECT date_bin('15 minutes', timestamp 'infinity', timestamp '2000-01-01')",
  "SELECT date_bin('15 minutes', timestamp '-infinity', timestamp '2000-01-01')",
  "SELECT date_bin('15 minutes', timestamp '2020-01-01 10:07', timestamp 'infinity')",
  "SELECT date_bin('0 minutes', timestamp '2020-01-01 10:07', timestamp '2000-01-01')",
  "SELECT date_bin('-5 minutes', timestamp '2020-01-01 10:07', timestamp '2000-01-01')",
  "SELECT date_bin('1 month', timestamp '2020-01-01 10:07', timestamp '2000-01-01')",
  "SELECT timestamp 'infinity' > timestamp '2000-01-01'",
  "SELECT timestamp '-infinity' < timestamp '2000-01-01'",
  // generate_series: zero, infinite and negative steps; infinite bounds under LIMIT.
  'SELECT generate_series(1, 10, 0)',
  'SELECT * FROM generate_series(1, 3, -1)',
  'SELECT * FROM generate_series(3, 1, -1)',
  'SELECT * FROM generate_series(2147483640, 2147483647, 5)',
  "SELECT generate_series(timestamp '2022-01-01', timestamp '2022-03-01', interval '0 days')",
  "SELECT * FROM generate_series(timestamp '2022-01-01', timestamp '2022-03-01', interval '0 days')",
  "SELECT generate_series(timestamp '2022-01-01', timestamp '2023-01-01', interval 'infinity')",
  "SELECT generate_series(timestamp '2022-01-01', timestamp '2023-01-01', interval '-infinity')",
  "SELECT generate_series(timestamp '2022-01-01', timestamp '2021-10-01', interval '-1 month')",
  "SELECT generate_series(timestamp '2022-01-01', timestamp '2022-03-01', interval '-1 month')",
  "SELECT * FROM generate_series(timestamp '2022-01-01', timestamp '2022-01-01', interval '1 day')",
  "SELECT generate_series('2022-01-01'::timestamp, 'infinity'::timestamp, '1 month') LIMIT 10",
  "SELECT generate_series('2022-01-01'::timestamptz, 'infinity'::timestamptz, '1 hour') LIMIT 5",
  "SELECT generate_series('2022-01-01'::timestamp, '-infinity'::timestamp, '-1 day') LIMIT 3",
  "SELECT generate_series(timestamp 'infinity', timestamp 'infinity', interval '1 day') LIMIT 3",
  "SELECT generate_series(timestamp '-infinity', timestamp '2000-01-01', interval '1 day') LIMIT 3",
  'SELECT generate_series(1, 2147483647) LIMIT 3',
  'SELECT x, generate_series(1, x) FROM (VALUES (1), (3)) v(x) ORDER BY 1, 2',
  'SELECT generate_series(1, 3), generate_series(1, 2) ORDER BY 1',
];

describe('date/time infinities and range limits match PostgreSQL', () => {
  it.each(SAME_AS_POSTGRES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});

describe('where the engine deliberately differs', () => {
  it('generate_series in FROM streams too: LIMIT answers (PostgreSQL materializes it and fails 22008)', async () => {
    const r = await pair.engine.query(
      "SELECT * FROM generate_series(timestamptz '2022-01-01', timestamptz 'infinity', interval '1 month') LIMIT 2",
    );
    expect(r.rows).toEqual([['2022-01-01 00:00:00+00'], ['2022-02-01 00:00:00+00']]);
  });

  it('a series that runs past the timestamp range fails 22008 instead of producing garbage', async () => {
    await expect(
      pair.engine.query(
        "SELECT count(*) FROM generate_series(timestamp '294000-01-01', timestamp 'infinity', interval '1 year')",
      ),
    ).rejects.toMatchObject({ code: '22008' });
  });
});
