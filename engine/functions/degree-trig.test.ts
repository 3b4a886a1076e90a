/**
 * sind / cosd / tand / cotd / asind / acosd / atand / atan2d against PGlite: the
 * regression suite's exact special angles (compared as text, so a last-bit
 * difference fails), out-of-range errors, and seeded random angles.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const EXACT = [
  'SELECT x, sind(x)::text, sind(x) IN (-1,-0.5,0,0.5,1) FROM (VALUES (0), (30), (90), (150), (180), (210), (270), (330), (360)) AS t(x) ORDER BY x',
  'SELECT x, cosd(x)::text, cosd(x) IN (-1,-0.5,0,0.5,1) FROM (VALUES (0), (60), (90), (120), (180), (240), (270), (300), (360)) AS t(x) ORDER BY x',
  'SELECT x, tand(x)::text, cotd(x)::text FROM (VALUES (0), (45), (90), (135), (180), (225), (270), (315), (360)) AS t(x) ORDER BY x',
  'SELECT x, asind(x)::text, acosd(x)::text FROM (VALUES (-1), (-0.5), (0), (0.5), (1)) AS t(x) ORDER BY x',
  "SELECT x, atand(x)::text FROM (VALUES ('-Infinity'::float8), (-1), (0), (1), ('Infinity'::float8)) AS t(x) ORDER BY x",
  'SELECT x::text, y::text, atan2d(y, x)::text FROM (SELECT 10*cosd(a), 10*sind(a) FROM generate_series(0, 360, 90) AS t(a)) AS t(x,y)',
  "SELECT sind(-720), cosd(-45), tand(-135), cotd(-45), sind('NaN'), atan2d('NaN', 1)",
  "SELECT sind('Infinity'::float8)",
  "SELECT cosd('-Infinity'::float8)",
  'SELECT asind(1.5)',
  'SELECT acosd(-2)',
];

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('degree trigonometry vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(EXACT)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test('random angles', async () => {
    const SEED = 9090;
    const r = rng(SEED);
    const xs = Array.from({ length: 40 }, () => ((r() * 2 - 1) * 1000).toFixed(3));
    const us = Array.from({ length: 40 }, () => (r() * 2 - 1).toFixed(4));
    const vals = xs.map((x, i) => `(${i}, ${x}::float8, ${us[i]}::float8)`).join(', ');
    const sql = `SELECT i, sind(x), cosd(x), tand(x), cotd(x), asind(u), acosd(u), atand(x), atan2d(u, x) FROM (VALUES ${vals}) t(i, x, u) ORDER BY i`;
    expect(await diff(pair, sql), `seed ${SEED}`).toBeUndefined();
  });
});
