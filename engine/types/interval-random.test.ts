/**
 * Random intervals (seeded; the seed is in each test's name to replay) compared with PGlite:
 * input in PostgreSQL's forms, output, × / ÷ float8, justify_*, extract, comparison and
 * grouping on the 30-day-month value.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SEED = Number(process.env.INTERVAL_SEED ?? 20261207);

/** mulberry32: a small deterministic generator. */
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

const UNITS = [
  'years',
  'mons',
  'weeks',
  'days',
  'hours',
  'mins',
  'secs',
  'ms',
  'us',
  'decades',
  'y',
  'd',
  'h',
];

/** One interval literal: unit fields in a random order (each once), maybe a time, maybe 'ago'. */
function intervalText(r: () => number): string {
  const int = (n: number) => Math.floor(r() * n) - Math.floor(n / 2);
  const parts: string[] = [];
  const used = new Set<string>();
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const u = UNITS[Math.floor(r() * UNITS.length)];
    const canon = u === 'y' ? 'years' : u === 'd' ? 'days' : u === 'h' ? 'hours' : u;
    if (used.has(canon)) continue;
    used.add(canon);
    const frac = r() < 0.3 ? `.${Math.floor(r() * 1000)}` : '';
    parts.push(`${int(200)}${frac} ${u}`);
  }
  if (r() < 0.4 && !used.has('hours') && !used.has('mins') && !used.has('secs')) {
    const sign = r() < 0.3 ? '-' : '';
    parts.push(
      `${sign}${Math.floor(r() * 30)}:${Math.floor(r() * 60)}:${Math.floor(r() * 60)}.${Math.floor(r() * 1e6)}`,
    );
  }
  if (r() < 0.15) parts.push('ago');
  return parts.join(' ');
}

const FACTORS = ['0.3', '8.2', '-1.7', '10', '100', '0.001', '3', '-0.5', '1e-3', '7.25'];

function queries(seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < 24; i++) {
    const a = intervalText(r);
    const b = intervalText(r);
    const f = FACTORS[Math.floor(r() * FACTORS.length)];
    out.push(
      `SELECT x, x * ${f}, x / ${f}, justify_hours(x), justify_days(x), justify_interval(x), x < y, x = y, -x, x + y ` +
        `FROM (SELECT interval '${a}' AS x, interval '${b}' AS y) s`,
    );
    out.push(
      `SELECT extract(epoch FROM x), extract(second FROM x), extract(minute FROM x), extract(hour FROM x), ` +
        `extract(day FROM x), extract(month FROM x), extract(quarter FROM x), extract(year FROM x), date_part('epoch', x) ` +
        `FROM (SELECT interval '${a}' AS x) s`,
    );
  }
  return out;
}

describe(`random intervals vs PGlite (seed ${SEED})`, () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(queries(SEED))('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('equal spans group together: 1 mon = 30 days = 720 hours', async () => {
    const values =
      "(VALUES (interval '1 mon'), (interval '30 days'), (interval '720 hours'), (interval '1 day'), " +
      "(interval '24 hours'), (interval '-1 mon 30 days'), (interval '0')) v(x)";
    expect(await diff(pair, `SELECT count(*) AS n FROM ${values} GROUP BY x ORDER BY n`)).toBeUndefined();
    expect(await diff(pair, `SELECT count(DISTINCT x) FROM ${values}`)).toBeUndefined();
    expect(await diff(pair, `SELECT x FROM ${values} ORDER BY x, x::text`)).toBeUndefined();
  });
});
