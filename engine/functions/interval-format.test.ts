/**
 * to_char(interval, text) against PGlite: seeded intervals (negative fields,
 * hours past a day, microseconds) through every supported pattern, FM and TH,
 * PostgreSQL's 22007 for calendar-only patterns, NULL for infinity; and the
 * template's backslash rule (outside quotes it escapes only a double quote),
 * shared with to_char(timestamp).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';
import { Prng } from '../testing/prng.ts';

const PATTERNS = [
  'HH24:MI:SS.US',
  'HH HH12 AM a.m. FMHH12 hh24th',
  'YYYY YYY YY Y FMYYYY FMYY Y,YYY CC FMCC',
  'MM DD DDD Q FMMM FMDD FMDDD ddth',
  'SSSS SSSSS MS US FF1 FF3 FF6 FMMS',
  '"days:" DD \\"q\\" \\HH "in \\"quotes\\""',
];

/** Seeded interval literals, with mixed signs and magnitudes. */
function intervals(seed: number, n: number): string[] {
  const r = new Prng(seed);
  const sign = () => (r.chance(0.3) ? '-' : '');
  return Array.from(
    { length: n },
    () =>
      `${sign()}${r.int(3000)} mons ${sign()}${r.int(400)} days ${sign()}${r.int(100)}:${r.int(60)}:${r.int(60)}.${String(r.int(1_000_000)).padStart(6, '0')}`,
  );
}

const QUERIES = [
  ...intervals(7, 24).map(
    (iv, i) => `SELECT to_char(interval '${iv}', '${PATTERNS[i % PATTERNS.length].replace(/'/g, "''")}')`,
  ),
  "SELECT to_char(interval '0', 'HH12 Q MM'), to_char(interval '12 hours', 'AM'), to_char(interval '-13 hours', 'PM HH12')",
  "SELECT to_char(interval 'infinity', 'HH24'), to_char(interval '-infinity', 'YYYY'), to_char(NULL::interval, 'HH')",
  'SELECT to_char(timestamp \'2020-01-01 10:00\', \'a\\\\b \\HH "x\\"y" \\"\')',
  // errors
  "SELECT to_char(interval '1 day', 'Month')",
  "SELECT to_char(interval '1 day', 'DY')",
  "SELECT to_char(interval '1 day', 'D')",
  "SELECT to_char(interval '1 day', 'BC')",
  "SELECT to_char(interval '1 day', 'TZ')",
];

describe('to_char(interval) vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
