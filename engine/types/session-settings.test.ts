/**
 * Session settings against PGlite (real PostgreSQL with tzdata): for each TimeZone
 * (IANA names with DST, half-hour and LMT offsets, POSIX specs, numeric offsets) a
 * seeded set of random instants plus the instants around DST changes, through
 * output, casts, date_trunc, extract, to_char, AT TIME ZONE and interval arithmetic;
 * DateStyle output and input order; IntervalStyle output; SET/SHOW/RESET and the
 * errors of bad names and values. Both sides run the same SET first.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

/** A small seeded generator (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261207;
const ZONES = [
  'America/New_York',
  'Europe/Paris',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Chatham',
  'UTC',
  '+02:00',
  '-13:00',
  '04:15',
  'PST8PDT',
];

/** Random instants 1900..2100 (whole seconds or µs) and the hours around this era's DST changes. */
function instants(r: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 24; i++) {
    const ms = Date.UTC(1900, 0, 1) + Math.floor(r() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1)));
    const frac = r() < 0.3 ? `.${String(Math.floor(r() * 1e6)).padStart(6, '0')}` : '';
    out.push(`${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}${frac}+00`);
  }
  // Spring-forward and fall-back in the US, Europe and the southern hemisphere.
  for (const base of [
    '2024-03-10 06:00',
    '2024-11-03 05:00',
    '2024-03-31 00:00',
    '2024-10-27 00:00',
    '2024-04-06 15:00',
    '2024-10-05 15:00',
  ])
    for (const h of [-1, 0, 1, 2]) {
      const ms = Date.parse(`${base.replace(' ', 'T')}:00Z`) + h * 3_600_000 + 30 * 60_000;
      out.push(`${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00`);
    }
  return out;
}

const EXPRS = [
  't',
  't::timestamp',
  't::date',
  "date_trunc('day', t)",
  "date_trunc('hour', t)",
  "date_trunc('month', t)",
  "date_trunc('week', t)",
  'extract(hour FROM t)',
  'extract(day FROM t)',
  'extract(timezone FROM t)',
  'extract(epoch FROM t)',
  "to_char(t, 'YYYY-MM-DD HH24:MI:SS OF TZH:TZM')",
  "t + interval '1 day'",
  "t - interval '1 month 2 hours'",
  't::timestamp::timestamptz',
  "t AT TIME ZONE 'Asia/Kolkata'",
  "t::timestamp AT TIME ZONE 'America/New_York'",
  "date_trunc('day', t, 'Europe/Paris')",
];

async function both(pair: Pair, sql: string): Promise<void> {
  await pair.engine.exec(sql);
  await pair.pg.exec(sql);
}

describe('TimeZone vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  const r = rng(SEED);
  const cases = ZONES.map((z) => ({ zone: z, values: instants(r) }));
  test.each(cases)('instants in $zone (seed 20261207)', async ({ zone, values }) => {
    await both(pair, `SET TimeZone = '${zone}'`);
    const rows = values.map((v) => `(timestamptz '${v}')`).join(', ');
    const sql = `SELECT ${EXPRS.join(', ')} FROM (VALUES ${rows}) AS v(t)`;
    expect(await diff(pair, sql)).toBeUndefined();
    // Wall-clock input in the zone, including times a DST change skips or repeats.
    const locals = values.map((v) => `('${v.slice(0, -3)}')`).join(', ');
    expect(
      await diff(pair, `SELECT x::timestamptz, x::timestamp::timestamptz FROM (VALUES ${locals}) AS v(x)`),
    ).toBeUndefined();
    expect(await diff(pair, 'SHOW TimeZone')).toBeUndefined();
    await both(pair, 'RESET TimeZone');
  });
});

const SETTING_QUERIES: [string, string][] = [
  ['SET TIME ZONE -8', "SELECT timestamptz '2024-07-01 12:00+00', current_setting('TimeZone')"],
  ["SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE", "SELECT timestamptz '2024-07-01 12:00+00'"],
  ['SET TimeZone = 5.5', "SELECT timestamptz '2024-07-01 12:00+00'"],
  ["SET TimeZone = 'UTC+3'", "SELECT timestamptz '2024-07-01 12:00+00', timestamptz '2024-07-01 12:00'"],
  ['SET DateStyle = ISO, DMY', "SELECT date '1/8/1999', date '08-01-1999', timestamp '1/8/1999 10:00'"],
  ['SET DateStyle = YMD', "SELECT date '99/1/8', date '1999 Jan 08', date '08-Jan-1999'"],
  ['SET DateStyle = MDY', "SELECT date '1/8/1999', date 'Jan-08-1999'"],
  [
    'SET DateStyle = SQL, DMY',
    "SELECT date '2024-07-01', timestamp '2024-07-01 10:11:12.5', timestamptz '0044-03-15 12:00+00 BC'",
  ],
  [
    'SET DateStyle = SQL, MDY',
    "SELECT date '2024-07-01', timestamp '2024-07-01 10:11:12.5', timestamptz '2024-07-01 12:00+00'",
  ],
  [
    'SET DateStyle = Postgres, MDY',
    "SELECT date '2024-07-01', timestamp '2024-07-01 10:11:12', timestamptz '2024-07-01 12:00+00'",
  ],
  [
    'SET DateStyle = Postgres, DMY',
    "SELECT date '2024-07-01', timestamp '2024-07-01 10:11:12', timestamp '0010-02-03 04:05 BC'",
  ],
  [
    'SET DateStyle = German',
    "SELECT date '2024-07-01', timestamp '2024-07-01 10:11:12', current_setting('DateStyle')",
  ],
  [
    'SET IntervalStyle = sql_standard',
    "SELECT interval '1 day 2 hours', interval '-1 year -2 mons', interval '1 year -2 days 3 hours', interval '0', interval '-1 day -02:03:04.5'",
  ],
  [
    'SET IntervalStyle = iso_8601',
    "SELECT interval '1 year 2 days 3 hours 4.5 sec', interval '0', interval '-3 mons -4 min', interval '-0.5 sec'",
  ],
  [
    'SET IntervalStyle = postgres_verbose',
    "SELECT interval '-1 day 2 hours', interval '0', interval '1 sec', interval '-1.5 sec', interval '2 years 3 mons -4 days 01:00:01'",
  ],
  ['SET extra_float_digits = 3', "SELECT current_setting('extra_float_digits')"],
  ['SET application_name = "psql"', 'SHOW application_name'],
  ["SET search_path = '$user', public", 'SELECT 1'],
  ['RESET ALL', 'SHOW DateStyle'],
];

const ERRORS = [
  "SET TimeZone = 'Mars/Olympus'",
  "SET DateStyle = 'nonsense'",
  'SET DateStyle = ISO, Postgres',
  'SET no_such_setting = 1',
  'SHOW no_such_setting',
  'SET extra_float_digits = 7',
  "SET IntervalStyle = 'fancy'",
  'SET enable_seqscan = maybe',
  "SELECT current_setting('no_such_setting')",
];

describe('DateStyle, IntervalStyle and settings vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(SETTING_QUERIES)('%s; %s', async (set, sql) => {
    await both(pair, set);
    expect(await diff(pair, sql)).toBeUndefined();
    await both(pair, 'RESET ALL');
  });
  test.each(ERRORS)('%s fails as in PostgreSQL', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('set_config(…, true) lasts for the statement; false for the session', async () => {
    expect(
      await diff(
        pair,
        "SELECT set_config('TimeZone', 'Asia/Tokyo', true), timestamptz '2024-01-01 00:00+00'",
      ),
    ).toBeUndefined();
    expect(await diff(pair, 'SHOW TimeZone')).toBeUndefined();
    expect(await diff(pair, "SELECT set_config('TimeZone', 'Asia/Tokyo', false)")).toBeUndefined();
    expect(
      await diff(pair, "SELECT timestamptz '2024-01-01 00:00+00', current_setting('TimeZone')"),
    ).toBeUndefined();
    await both(pair, 'RESET ALL');
  });
});
