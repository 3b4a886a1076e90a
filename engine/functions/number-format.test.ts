/**
 * to_char over numeric, int4, int8, float4 and float8 against PGlite: the
 * regression suite's pictures plus seeded random pictures and values.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const NUMERIC_VALUES = [
  '0',
  '-0.5',
  '0.5',
  '4.2',
  '-4.2',
  '7799461.4119',
  '-34338492.215397047',
  '4.31',
  '-24926804.045047420',
  '93901.57763026',
  '-83028485',
  '74881',
  '-0.00001',
  '1.2e-5',
  '4.2e9',
  '9.9999',
  '999.995',
  '-999.995',
  '12345678901234567890.123',
  'NaN',
  'Infinity',
  '-Infinity',
  '1',
  '11',
  '12',
  '13',
  '21',
  '111',
  '3999',
  '4000',
];
const INT_VALUES = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '11',
  '12',
  '13',
  '22',
  '123',
  '-456',
  '4567',
  '2147483647',
  '-2147483648',
];
const INT8_VALUES = [...INT_VALUES, '4567890123456789', '-4567890123456789', '9223372036854775807'];
const FLOAT_VALUES = [
  '0',
  '-0',
  '0.5',
  '1.5',
  '2.5',
  '-2.5',
  '0.125',
  '1234.5678',
  '-34.84',
  '1e-10',
  '1.2345e20',
  '12345678901',
  '123456789012345678',
  'NaN',
  'Infinity',
  '-Infinity',
  '3.14159',
  '-0.0001',
];

const PICTURES = [
  '9G999G999G999G999G999',
  '9G999G999G999G999G999D999G999G999G999G999',
  '9999999999999999.999999999999999PR',
  '9999999999999999.999999999999999S',
  'MI9999999999999999.999999999999999',
  'FMS9999999999999999.999999999999999',
  'FM9999999999999999.999999999999999THPR',
  'SG9999999999999999.999999999999999th',
  '0999999999999999.999999999999999',
  'S0999999999999999.999999999999999',
  'FM0999999999999999.999999999999999',
  'FM9999999999999999.099999999999999',
  'FM9999999999990999.990999999999999',
  'FM0999999999999999.999909999999999',
  'FM9999999990999999.099999999999999',
  'L9999999999999999.099999999999999',
  'FM9999999999999999.99999999999999',
  'S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9',
  '999999SG9999999999',
  '99999 "text" 9999 "9999" 999 "\\"text between quote marks\\"" 9999',
  '9.999EEEE',
  '9.99EEEE',
  '99.9EEEE',
  'MI9999999999.99',
  'MI99.99',
  'FM999.9',
  'FM999.',
  'FM999',
  'foo999',
  'f\\oo999',
  'f\\\\oo999',
  'f\\"oo999',
  'f"ool"999',
  'f"\\ool"999',
  'FM9999999999D9999900000000000000000',
  'RN',
  'FMRN',
  'rn',
  '999th',
  '999TH',
  'FM999th',
  '9999V99',
  'S9999V9',
  '9,999.99',
  '99.99PL',
  'PL99.99',
  'FMPL99.99',
  'SG99',
  '9.9MI',
  'FM9.9MI',
  '00.00',
  '0000',
  'FM00.00',
  '.99',
  'FM.99',
  '9.',
  '$999,999.00',
  'L999',
  'B999',
  'FM999PR',
  '999PR',
  'S9',
  '9S',
  'FM9S',
  '99D99',
];

/** Deterministic generator (mulberry32), so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPictures(seed: number, n: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let p = pick(['', '', 'FM', 'S', 'MI', 'SG', 'PL', 'FMS']);
    const pre = 1 + Math.floor(r() * 8);
    for (let j = 0; j < pre; j++) p += pick(['9', '9', '9', '0', ',', 'G']);
    if (r() < 0.7) {
      p += pick(['.', 'D']);
      const post = Math.floor(r() * 6);
      for (let j = 0; j < post; j++) p += pick(['9', '9', '0']);
    }
    if (!/S|MI|SG|PL/.test(p)) p += pick(['', '', 'S', 'MI', 'PR', 'PL', 'SG']);
    out.push(p);
  }
  return out;
}

function randomValues(seed: number, n: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const digits = Math.floor(r() * 10);
    const sign = r() < 0.4 ? '-' : '';
    const int = Math.floor(r() * 10 ** digits).toString();
    const frac = Math.floor(r() * 1e6)
      .toString()
      .padStart(6, '0')
      .slice(0, Math.floor(r() * 7));
    out.push(sign + int + (frac ? `.${frac}` : ''));
  }
  return out;
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

describe('to_char(number, text) vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  const SEED = 20261207;
  const pictures = [...PICTURES, ...randomPictures(SEED, 40)];
  const numerics = [...NUMERIC_VALUES, ...randomValues(SEED + 1, 30)];
  test.each(pictures)('%s', async (pic) => {
    const rows = (vals: string[], type: string) =>
      vals.map((v, i) => `(${i}, ${lit(v)}::${type})`).join(', ');
    const q = (vals: string[], type: string) =>
      `SELECT i, to_char(v, ${lit(pic)}) FROM (VALUES ${rows(vals, type)}) t(i, v) ORDER BY i`;
    expect(await diff(pair, q(numerics, 'numeric')), `numeric, seed ${SEED}`).toBeUndefined();
    expect(await diff(pair, q(INT_VALUES, 'int4'))).toBeUndefined();
    expect(await diff(pair, q(INT8_VALUES, 'int8'))).toBeUndefined();
    expect(await diff(pair, q(FLOAT_VALUES, 'float8'))).toBeUndefined();
    expect(await diff(pair, q(FLOAT_VALUES, 'float4'))).toBeUndefined();
  });
  test.each(['9.9.9', '9V9.9', 'SS9', 'S9MI', 'PR9', '9EEEE9', 'FM9EEEE', '9EEEEEEEE', 'MIS9', '9PRS'])(
    'picture error %s',
    async (pic) => {
      expect(await diff(pair, `SELECT to_char(1.5, ${lit(pic)})`)).toBeUndefined();
    },
  );
  test('errors and edge values', async () => {
    for (const sql of [
      "SELECT to_char('NaN'::numeric, 'RN')",
      "SELECT to_char('Infinity'::numeric, 'RN')",
      "SELECT to_char(1e10::numeric, 'RN')",
      "SELECT to_char(2147483647, '9999999999V9')",
      "SELECT to_char(12::int2, '999')",
      "SELECT to_char(1.5, '')",
    ])
      expect(await diff(pair, sql), sql).toBeUndefined();
  });
});
