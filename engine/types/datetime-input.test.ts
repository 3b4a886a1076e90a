/**
 * Date/time input in PostgreSQL's formats (month names, MDY numbers, run-together
 * dates and times, Julian days, BC, zone abbreviations, POSIX and IANA zones),
 * BC fields of extract, and date_trunc in a zone: differential tests against
 * PGlite (both sides in UTC), errors compared by SQLSTATE.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const QUERIES = [
  // a special day keeps the time written beside it
  "SELECT timestamp '12:34:56 yesterday' = timestamp 'tomorrow' - interval '2 days - 12:34:56', timestamp 'yesterday 01:02' - timestamp 'yesterday'",
  // dates
  "SELECT date 'March 3, 2011', date '2011-Mar-03', date '03-Mar-2011', date 'Mar-03-2011', date '2011 Mar 03'",
  "SELECT date '3/4/2011', date '03-04-2011', date '03 04 2011', date '2011 03 04', date '2011 04 Mar'",
  "SELECT date '20110304', date '110304', date '2011.063', date 'J2455625', date 'Thursday March 3 2011'",
  "SELECT date '0044-03-15 BC', date 'March 15, 44 BC', date '0001-01-01 AD', date '4714-11-24 BC'",
  "SELECT date '4714-11-23 BC'",
  "SELECT date '5874897-12-31'",
  "SELECT date '5874898-01-01'",
  "SELECT date '13/4/2011'",
  "SELECT date '2011-02-29'",
  "SELECT date '0000-01-01'",
  "SELECT date 'Marchh 3, 2011'",
  "SELECT date '2011-03-'",
  // timestamps
  "SELECT timestamp 'Fri Mar 04 09:10:11.25 2011 PST', timestamp 'Mar 4 9:10PM 2011', timestamp '20110304 091011'",
  "SELECT timestamp '2011.063 09:10:11', timestamp '2011-03-04T09:10:11', timestamp 'J2455625 12:00', timestamp 'Mar 04 09:10:11 0012 BC'",
  "SELECT timestamp '2011-03-04 24:00:00', timestamp '2011-03-04 23:59:60', timestamp '2011-03-04 12:00 am'",
  "SELECT timestamp '2011-03-04 23:59:60.5'",
  "SELECT timestamp '2011-03-04 13:00 pm'",
  "SELECT timestamp '2011-03-04 10:61'",
  "SELECT timestamp '4714-11-23 23:59:59 BC'",
  // timestamptz: abbreviations, numeric, POSIX and IANA zones
  "SELECT timestamptz 'Fri Mar 04 09:10:11 2011 PST', timestamptz '2011-03-04 09:10:11 CEST', timestamptz '2011-03-04 09:10:11 zulu'",
  "SELECT timestamptz '2011/03/04 09:10:11-0330', timestamptz '20110304 091011 +05:30', timestamptz 'J2455625+03'",
  "SELECT timestamptz '2011-03-04 09:10:11 GMT+2', timestamptz '2011-03-04 09:10:11 EST-3:30', timestamptz '2011-03-04 allballs'",
  "SELECT timestamptz '20110704 091011 America/Chicago', timestamptz '2011-01-04 09:10:11 Europe/Paris', timestamptz '2011-07-04 09:10:11 Europe/Paris'",
  "SELECT timestamptz 'Wed Jul 11 10:51:14 America/New_York 2001', timestamptz 'Wed Jul 11 10:51:14 GMT-4 2001', timestamptz 'Wed Jul 11 10:51:14 PST+03:00 2001'",
  "SELECT timestamptz '2011-03-04 09:10:11 Mars/Olympus_Mons'",
  "SELECT timestamptz '2011-03-04 09:10:11 -16'",
  "SELECT timestamptz '2011-03-04 09:10:11 EST EST'",
  "SELECT timestamptz '2011-03-04 09:10:11 bogus'",
  "SELECT timestamptz 'epoch', timestamptz '-infinity', timestamp 'infinity'",
  "SELECT timestamptz 'epoch 2011-03-04'",
  // BC in extract; time fields of a date
  "SELECT extract(year FROM date '0044-03-15 BC'), extract(century FROM date '0100-01-01 BC'), extract(century FROM date '0101-01-01 BC')",
  "SELECT extract(decade FROM date '0005-01-01 BC'), extract(millennium FROM date '1000-01-01 BC'), extract(millennium FROM date '2011-03-04')",
  "SELECT date_part('hour', date '2011-03-04'), date_part('year', date '0044-03-15 BC')",
  "SELECT extract(minute FROM date '2011-03-04')",
  // date_trunc in a zone
  "SELECT date_trunc('day', timestamptz '2011-03-04 22:10:11+00', 'Asia/Tokyo'), date_trunc('month', timestamptz '2011-03-01 02:00+00', 'America/New_York')",
  "SELECT date_trunc('hour', timestamptz '2011-03-04 22:10:11+00', '+03:30'), date_trunc('day', timestamptz '2011-03-04 22:10:11+00', 'PST')",
  "SELECT date_trunc('day', timestamptz '2011-03-04 22:10:11+00', 'Nowhere/Town')",
];

describe('date/time input formats vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
