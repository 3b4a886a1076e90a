/**
 * numeric sqrt / exp / ln / log / log10 / power and `^` against PGlite: result
 * values and display scales, NaN / ±Infinity rules and SQLSTATEs, over edge
 * cases and seeded random inputs (huge and tiny exponents, negative bases).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const EDGES = [
  'SELECT sqrt(2.0), sqrt(0.0), sqrt(100::numeric), sqrt(1e-20::numeric), sqrt(123456789012345678901234567890.123)',
  'SELECT sqrt(0.00000001), sqrt(1e100::numeric), sqrt(1.0e-100::numeric)',
  'SELECT exp(1.0), exp(0.0), exp(-1.5), exp(100.5), exp(-100.5), exp(1234.5678), exp(-5999.0), exp(0.0000001)',
  'SELECT exp(5999.9), exp(-5999.9), exp(-6000.0), exp(32.999), exp(-0.5e-10)',
  'SELECT ln(2.0), ln(1.0), ln(0.5), ln(1e100::numeric), ln(1.0001), ln(0.99999), ln(1e-100::numeric)',
  'SELECT ln(1e131071::numeric), ln(1e-16383::numeric), ln(0.9), ln(1.1), ln(1.000000000000000001)',
  'SELECT log(2.0, 8), log(10, 1000), log(1.5, 10.75), log(100.0), log10(2.0), log(0.5, 2.0), log(8, 2)',
  'SELECT log(1.0000001, 2.0), log(1e100::numeric, 1e-100::numeric), log10(1e-10::numeric), log(0.1)',
  'SELECT 2.0 ^ 10, 2.0 ^ -10, 2.5 ^ 0.5, (-2.0) ^ 3, 1.5 ^ 100, 0.9 ^ 1000, 10.0 ^ -2000, 4.0 ^ 0.5, 0.0 ^ 0.5',
  'SELECT power(2.0, 3), power(2, 0.5::numeric), 3.0 ^ 2.5, (-8.0) ^ 3.0, 1.0001 ^ 100000, 0.0 ^ 0',
  'SELECT 1.000001 ^ 1000000, 0.99 ^ 123456, (-1.0) ^ 2147483647, 2.0 ^ 2147483648, 12.5 ^ -7',
  'SELECT 10.0 ^ 131071, 10.0 ^ -16383, 0.5 ^ 1.5e10, 1.5 ^ -1.5e10',
  "SELECT 'NaN'::numeric ^ 0, 1::numeric ^ 'NaN', 'NaN'::numeric ^ 1, 2::numeric ^ 'NaN'",
  "SELECT 'Infinity'::numeric ^ 2, '-Infinity'::numeric ^ 3, '-Infinity'::numeric ^ 2, '-Infinity'::numeric ^ -3",
  "SELECT 0.5 ^ 'Infinity'::numeric, 2::numeric ^ '-Infinity'::numeric, (-1.0) ^ 'Infinity'::numeric, 'Infinity'::numeric ^ -1",
  "SELECT sqrt('NaN'::numeric), sqrt('Infinity'::numeric), exp('-Infinity'::numeric), exp('Infinity'::numeric), ln('Infinity'::numeric)",
  "SELECT log('Infinity'::numeric, 2), log(2, 'Infinity'::numeric), log('Infinity'::numeric, 'Infinity'::numeric), log('NaN'::numeric, 2)",
  'SELECT exp(6000.0)',
  'SELECT 10.0 ^ 131072',
  'SELECT lcm(9999 * (10::numeric)^131068 + (10::numeric^131068 - 1), 2)',
  'SELECT ln(-1.0)',
  'SELECT ln(0.0)',
  "SELECT ln('-Infinity'::numeric)",
  'SELECT sqrt(-1.0)',
  "SELECT sqrt('-Infinity'::numeric)",
  'SELECT 0.0 ^ -1',
  "SELECT 0.0 ^ '-Infinity'::numeric",
  'SELECT (-2.0) ^ 0.5',
  "SELECT '-Infinity'::numeric ^ 0.5",
  'SELECT log(1.0, 2.0)',
  'SELECT log(-2.0, 2.0)',
  'SELECT log(0, 2.0)',
  'SELECT sqrt(2), ln(2), exp(2), power(2, 3), 2 ^ 3, log(2), 2.0::float8 ^ 3.0, power(2.0, 3::float8)',
  // The other numeric functions, beside them: scales and NaN / Infinity.
  "SELECT round('NaN'::numeric, 2), trunc('Infinity'::numeric, 1), round(12.345::numeric, -1), trunc(-12.345, 2), round(1e-20::numeric, 25)",
  "SELECT scale('inf'::numeric), min_scale(0.00), trim_scale(1.0100), div(7.5, 2), mod(-7.5, 2), factorial(20)",
  "SELECT round(5.5::numeric), round(-5.5), trunc(5.99), ceil('-Infinity'::numeric), floor(-0.5), round(-0.5, 0)",
  "SELECT gcd(12.5, 7.50), lcm(1.5, 2.25), gcd('NaN'::numeric, 1), width_bucket(5.35, 0.024, 10.06, 5), mod('Infinity'::numeric, 3)",
  "SELECT div('Infinity'::numeric, 2), div(2, 'Infinity'::numeric), trunc(123.456, -2), round(999.5, -3), scale(1.2300), min_scale(1e10::numeric)",
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

/** A random decimal literal: a few significant digits at a random decimal exponent. */
function randomNumeric(r: () => number, maxExp: number): string {
  const digits = String(1 + Math.floor(r() * 10 ** (1 + Math.floor(r() * 8))));
  const exp = Math.floor((r() * 2 - 1) * maxExp);
  return `${r() < 0.3 ? '-' : ''}${digits}e${exp}`;
}

describe('numeric transcendental functions vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(EDGES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  const SEED = 77031;
  test('random inputs', async () => {
    const r = rng(SEED);
    for (let i = 0; i < 60; i++) {
      const a = randomNumeric(r, 30);
      const b = randomNumeric(r, 3);
      const e = String(Math.floor((r() * 2 - 1) * 40));
      const sql = `SELECT sqrt(abs(${a}::numeric)), exp(${b}::numeric), ln(abs(${a}::numeric)), log10(abs(${a}::numeric)), log(abs(${b}::numeric), abs(${a}::numeric)), ${a}::numeric ^ ${e}::numeric, abs(${a}::numeric) ^ ${b}::numeric`;
      expect(await diff(pair, sql), `seed ${SEED}, ${sql}`).toBeUndefined();
    }
  });
});
