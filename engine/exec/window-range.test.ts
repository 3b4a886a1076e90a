/**
 * RANGE frames with `offset PRECEDING` / `offset FOLLOWING` against PGlite (real
 * PostgreSQL): seeded frames over integer, float (NaN, ±Infinity), numeric (NaN,
 * ±Infinity), date, timestamp, timestamptz and interval sort keys with ties and NULLs,
 * ascending and descending, NULLS FIRST and LAST, with EXCLUDE; plus PostgreSQL's errors
 * (offset type, negative, NaN and NULL offsets, variables, two ORDER BY keys, text keys).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';
import { Prng } from '../testing/prng.ts';

const SETUP = `
CREATE TABLE r (id int, g int, i int, b bigint, f float8, n numeric, d date, ts timestamp, tz timestamptz, iv interval);
INSERT INTO r VALUES
  (1, 1, 1, 1, 1.5, 1.5, '2024-01-01', '2024-01-01 00:00', '2024-01-01 00:00+00', '1 day'),
  (2, 1, 1, 1, 1.5, 1.5, '2024-01-01', '2024-01-01 00:00', '2024-01-01 00:00+00', '1 day'),
  (3, 1, 2, 2, 2.25, 2.25, '2024-01-02', '2024-01-01 06:00', '2024-01-01 06:00+00', '1 day 6 hours'),
  (4, 1, 4, 4, 'Infinity', 'Infinity', '2024-01-05', '2024-01-02 00:00', '2024-01-02 00:00+00', '1 mon'),
  (5, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 1, 7, 7, 'NaN', 'NaN', '2024-02-01', '2024-02-29 12:00', '2024-02-29 12:00+00', '2 mons'),
  (7, 1, -3, -3, '-Infinity', '-Infinity', '2023-12-25', '2023-12-31 23:59:59', '2023-12-31 23:59:59+00', '-1 day'),
  (8, 2, 10, 9223372036854775800, 10, 10, '2024-03-01', '2024-03-01', '2024-03-01+00', '10 days'),
  (9, 2, 12, -9223372036854775800, 12.5, 12.5, '2024-03-03', '2024-03-03', '2024-03-03+00', '12 days'),
  (10, 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (11, 2, 12, 12, 12.5, 12.5, '2024-03-03', '2024-03-03', '2024-03-03+00', '12 days'),
  (12, 3, 5, 5, 5, 5, '2024-05-05', '2024-05-05', '2024-05-05+00', '5 days');
`;

/** Sort key columns and offsets of their in_range type. */
const KEYS: [string, string[]][] = [
  ['i', ['0', '1', '2', '5', "'3'", '1::int2', '2::bigint']],
  ['b', ['0', '1', '3', '9223372036854775807']],
  ['f', ['0', '0.5', '1', "'Infinity'", '1::float4', '2']],
  ['n', ['0', '0.75', '1', "'Infinity'", '3']],
  ['d', ["'1 day'", "'0 days'", "interval '3 days'", "'1 mon'", "'12 hours'"]],
  ['ts', ["'6 hours'", "'1 day'", "'0'", "'1 mon'"]],
  ['tz', ["'6 hours'", "'1 day'", "'2 days'"]],
  ['iv', ["'1 day'", "'0'", "'5 days'", "'1 mon'"]],
];
const DIRS = ['', ' DESC', ' NULLS FIRST', ' DESC NULLS LAST'];
const EXCLUDES = ['', '', ' EXCLUDE CURRENT ROW', ' EXCLUDE GROUP', ' EXCLUDE TIES'];
/** Calls whose value does not depend on the order of peer rows. */
const CALLS = ['sum(id)', 'count(*)', 'min(id)', 'max(id)', 'count(i)'];

function rangeQueries(seed: number, n: number): string[] {
  const r = new Prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[r.int(xs.length)];
  const out: string[] = [];
  for (let q = 0; q < n; q++) {
    const [key, offsets] = pick(KEYS);
    const bound = (side: 'start' | 'end') => {
      const k = r.int(5);
      if (k === 0) return side === 'start' ? 'UNBOUNDED PRECEDING' : 'UNBOUNDED FOLLOWING';
      if (k === 1) return 'CURRENT ROW';
      return `${pick(offsets)} ${k % 2 === 0 ? 'PRECEDING' : 'FOLLOWING'}`;
    };
    let start = bound('start');
    let end = bound('end');
    if (!/\d|'/.test(start) && !/\d|'/.test(end)) start = `${pick(offsets)} PRECEDING`;
    const part = r.int(2) === 0 ? 'PARTITION BY g ' : '';
    const call = pick(CALLS);
    out.push(
      `SELECT id, ${call} OVER (${part}ORDER BY ${key}${pick(DIRS)} RANGE BETWEEN ${start} AND ${end}${pick(EXCLUDES)}) FROM r`,
    );
    if (start === 'UNBOUNDED PRECEDING') end = 'CURRENT ROW';
  }
  return out;
}

const ERRORS = [
  'SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN -1 PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN NULL PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN CURRENT ROW AND NULL FOLLOWING) FROM r',
  'SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN i PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY i, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY i::text RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r',
  'SELECT sum(id) OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r',
  "SELECT sum(id) OVER (ORDER BY i RANGE BETWEEN '1 day'::interval PRECEDING AND CURRENT ROW) FROM r",
  "SELECT sum(id) OVER (ORDER BY f RANGE BETWEEN 'NaN' PRECEDING AND CURRENT ROW) FROM r",
  "SELECT sum(id) OVER (ORDER BY f RANGE BETWEEN '-1' PRECEDING AND CURRENT ROW) FROM r",
  "SELECT sum(id) OVER (ORDER BY n RANGE BETWEEN 'NaN' PRECEDING AND CURRENT ROW) FROM r",
  'SELECT sum(id) OVER (ORDER BY n RANGE BETWEEN 1.5::float8 PRECEDING AND CURRENT ROW) FROM r',
  "SELECT sum(id) OVER (ORDER BY ts RANGE BETWEEN '-1 day' PRECEDING AND CURRENT ROW) FROM r",
  "SELECT sum(id) OVER (ORDER BY iv RANGE BETWEEN '-1 day' PRECEDING AND CURRENT ROW) FROM r",
  // Offsets written as other constant expressions.
  'SELECT id, sum(id) OVER (ORDER BY i RANGE BETWEEN 1 + 1 PRECEDING AND CURRENT ROW) FROM r',
];

describe('RANGE frames with offsets vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(rangeQueries(42, 150))('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test.each(ERRORS)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
