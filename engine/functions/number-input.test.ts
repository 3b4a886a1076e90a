/** to_number(text, picture) against PGlite: the regression suite's cases plus seeded random text/picture pairs. */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const CASES: [string, string][] = [
  ['-34,338,492', '99G999G999'],
  ['-34,338,492.654,878', '99G999G999D999G999'],
  ['<564646.654564>', '999999.999999PR'],
  ['0.00001-', '9.999999S'],
  ['5.01-', 'FM9.999999S'],
  ['5.01-', 'FM9.999999MI'],
  ['5 4 4 4 4 8 . 7 8', '9 9 9 9 9 9 . 9 9'],
  ['.01', 'FM9.99'],
  ['.0', '99999999.99999999'],
  ['0', '99.99'],
  ['.-01', 'S99.99'],
  ['.01-', '99.99S'],
  [' . 0 1-', ' 9 9 . 9 9 S'],
  ['34,50', '999,99'],
  ['123,000', '999G'],
  ['123456', '999G999'],
  ['$1234.56', 'L9,999.99'],
  ['$1234.56', 'L99,999.99'],
  ['$1,234.56', 'L99,999.99'],
  ['1234.56', 'L99,999.99'],
  ['1,234.56', 'L99,999.99'],
  ['42nd', '99th'],
  ['12345', '99'],
  ['-12', 'S99'],
  ['+12', 'S99'],
  ['12-', '99MI'],
  ['12+', '99PL'],
  ['-12', 'SG99'],
  ['123', '99V9'],
  ['12', '9V99'],
  ['', '999'],
  ['abc', '999'],
  ['-', '9'],
  ['1.5', '9.9EEEE'],
  ['1', ''],
  ['12.345', '99.99'],
  ['12.3', '00.00'],
  ['1,2,3', '9,9,9'],
  ['<12>', '99PR'],
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

/** Random numbers printed by to_char-like pictures, read back with random pictures. */
function randomCases(seed: number, n: number): [string, string][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const int = Math.floor(r() * 10 ** Math.floor(r() * 7)).toLocaleString('en-US');
    const frac = r() < 0.6 ? `.${Math.floor(r() * 1000)}` : '';
    const text = `${pick(['', '-', '+', ' ', '<', '$'])}${int}${frac}${pick(['', '', '-', '+', '>', ' '])}`;
    let pic = pick(['', 'FM', 'S', 'L', 'SG', 'PL']);
    for (let j = 0; j < 1 + Math.floor(r() * 8); j++) pic += pick(['9', '9', '0', 'G', ',']);
    if (r() < 0.6) pic += pick(['.', 'D']) + '9'.repeat(Math.floor(r() * 4));
    if (!/S|PL/.test(pic)) pic += pick(['', 'S', 'MI', 'PR', 'PL']);
    out.push([text, pic]);
  }
  return out;
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

describe('to_number vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  const SEED = 424242;
  test.each([...CASES, ...randomCases(SEED, 60)])('to_number(%j, %j)', async (text, pic) => {
    const sql = `SELECT to_number(${lit(text)}, ${lit(pic)})`;
    expect(await diff(pair, sql), `seed ${SEED}`).toBeUndefined();
  });
  test('roman numerals are refused for input (PostgreSQL 17; 18 reads them)', async () => {
    await expect(pair.engine.query("SELECT to_number('XIV', 'RN')")).rejects.toMatchObject({ code: '0A000' });
  });
});
