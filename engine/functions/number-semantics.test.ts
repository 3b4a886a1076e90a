/**
 * Number types against PostgreSQL (PGlite): integer input syntaxes (0x / 0o /
 * 0b, underscores) and their range errors, float input range errors, float
 * power's special cases, numeric ±Infinity, integer bit operators, gcd / lcm,
 * the hyperbolic functions, numeric scale functions, width_bucket and
 * pg_input_is_valid. Each statement's text answer, or its SQLSTATE, must match.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { formatText } from '../types/cast.ts';
import type { SqlType } from '../types/values.ts';

const CASES = [
  // integer input
  "SELECT '0x7FFF'::int2::text",
  "SELECT '0x8000'::int2::text",
  "SELECT '-0b1000000000000000'::int2::text",
  "SELECT '-0o100001'::int2::text",
  "SELECT ' 1_000 '::int4::text",
  "SELECT '0x_1E_ff'::int4::text",
  "SELECT '1__0'::int4::text",
  "SELECT '_10'::int4::text",
  "SELECT '10_'::int8::text",
  "SELECT '0x'::int8::text",
  "SELECT '-0x8000000000000000'::int8::text",
  "SELECT '0x8000000000000000'::int8::text",
  "SELECT '40000'::int2::text",
  "SELECT '0b102'::int4::text",
  // float input and casts
  "SELECT '3e39'::float4::text",
  "SELECT '-3e-50'::float4::text",
  "SELECT '1e-40'::float4::text",
  "SELECT '5e310'::float8::text",
  "SELECT '-2e-330'::float8::text",
  "SELECT '0.0e-500'::float8::text",
  "SELECT ' -INF '::float8::text",
  "SELECT '+inFinity'::float4::text",
  'SELECT (1e300::float8)::float4::text',
  'SELECT (1e-300::float8)::float4::text',
  "SELECT ('1e30'::float4 * '1e30'::float4)::text",
  "SELECT ('1e-30'::float4 * '1e-30'::float4)::text",
  "SELECT ('1e-300'::float8 / '1e300'::float8)::text",
  "SELECT ('1e-200'::float8 * '1e-200'::float8)::text",
  // power
  "SELECT power(1::float8, 'NaN'::float8)::text",
  "SELECT power('NaN'::float8, 0::float8)::text",
  "SELECT power(-1::float8, '-inf'::float8)::text",
  "SELECT power(0.5::float8, 'inf'::float8)::text",
  'SELECT power(-8::float8, 0.5::float8)::text',
  'SELECT (2::float8 ^ 2000::float8)::text',
  'SELECT (2::float8 ^ -2000::float8)::text',
  'SELECT (0::float8 ^ -1::float8)::text',
  'SELECT (2 ^ 10)::text',
  // numeric infinity and input
  "SELECT ' -inFinity '::numeric::text",
  "SELECT 'inf'::numeric + 'inf'::numeric",
  "SELECT ('inf'::numeric - 'inf'::numeric)::text",
  "SELECT ('-inf'::numeric * 0)::text",
  "SELECT ('-inf'::numeric * -2.5)::text",
  "SELECT (5 / 'inf'::numeric)::text",
  "SELECT ('inf'::numeric / 0)::text",
  "SELECT ('inf'::numeric / -3)::text",
  "SELECT ('inf'::numeric % 3)::text",
  "SELECT (7.5 % '-inf'::numeric)::text",
  "SELECT (-('inf'::numeric))::text",
  "SELECT abs('-inf'::numeric)::text, round('inf'::numeric, 2)::text, floor('-inf'::numeric)::text",
  "SELECT 'inf'::numeric > 1e100, 'inf'::numeric < 'NaN'::numeric, '-inf'::numeric < -1e100",
  "SELECT 'inf'::numeric::float8::text, '-inf'::float8::numeric::text",
  "SELECT 'inf'::numeric::int4",
  "SELECT '-inf'::numeric::int8",
  "SELECT 'inf'::numeric(5,2)",
  "SELECT 'NaN'::numeric(3,3)::text",
  "SELECT '+nan'::numeric::text",
  "SELECT '1_000.000_1e1_0'::numeric::text",
  "SELECT '-0x_dead_BEEF'::numeric::text",
  "SELECT '0o17_7'::numeric::text",
  "SELECT '1e1001'::numeric::text",
  "SELECT '1e-1000'::numeric::text",
  "SELECT '12._3'::numeric::text",
  "SELECT '1.2e3_'::numeric::text",
  "SELECT sign('-inf'::numeric)::text, sign(-2.5)::text, sign(0.0)::text",
  "SELECT sum(v)::text, avg(v)::text FROM (VALUES (1.5), ('inf'::numeric), (2)) s(v)",
  "SELECT sum(v)::text FROM (VALUES ('-inf'::numeric), ('inf'::numeric)) s(v)",
  "SELECT max(v)::text, min(v)::text FROM (VALUES ('-inf'::numeric), ('NaN'), (1e10)) s(v)",
  "SELECT 'inf'::numeric::float4::text, '-inf'::numeric::float4::text, 'NaN'::numeric::float4::text",
  'SELECT trim_scale((0.5 - 1e-16383) * (0.5 + 1e-16383))::text',
  // The accumulators square exactly: the 1e-16383 terms decide the rounding here.
  'SELECT trim_scale(var_pop(v) * 1e1000)::text FROM (VALUES (3e-500), (-3e-500), (4e-500 - 1e-16383), (-4e-500 + 1e-16383)) s(v)',
  "SELECT ('nan'::float8 / 0::float8)::text, ('nan'::float4 / 0::float4)::text",
  "SELECT power('-inf'::float8, 2.5::float8)",
  "SELECT power('-inf'::float8, 3::float8)::text, power('-inf'::float8, -3::float8)::text",
  // an untyped literal beside a number is that number type, not an interval
  "SELECT ('2.5'::float4 * '-1')::text, (3::float8 * '0.5')::text, (2 * '21')::text, (1.5 * '2')::text",
  // function-style casts and float math
  'SELECT float8(9007199254740993::int8)::text, int4(2.5::float8)::text, int2(-1.5)::text, float4(0.1)::text',
  'SELECT int4(3000000000::int8)',
  'SELECT log(1000)::text, log10(0.001::float8)::text, cbrt(27::float8)::text, round(pi()::numeric, 12)::text',
  'SELECT log(0::float8)',
  'SELECT log10(-1)',
  'SELECT degrees(pi())::text, radians(180)::text, degrees(1e308::float8)',
  'SELECT round(sin(1)::numeric, 12)::text, round(acos(0.5)::numeric, 12)::text, atan2(1, 1)::text, cot(0::float8)::text',
  "SELECT sin('inf'::float8)",
  'SELECT asin(1.5::float8)',
  // bit operators
  'SELECT (5 & 3)::text, (5 | 3)::text, (5 # 3)::text',
  'SELECT (1::int2 << 15)::text, (-32768::int2 >> 3)::text, (1 << 33)::text, (-8 >> 1)::text',
  'SELECT (1::int8 << 63)::text, (1::int8 << 65)::text, (-9223372036854775808::int8 >> 70)::text',
  'SELECT (6::int8 & 3::int2)::text, (6::int2 # 5::int2)::text',
  'SELECT (~5)::text, (~(-32768)::int2)::text, (~0::int8)::text',
  // gcd / lcm
  'SELECT gcd(-330, 462)::text, lcm(-330, 462)::text, gcd(0, 0)::text, lcm(0, 5)::text',
  'SELECT gcd(-2147483648, 0)',
  'SELECT lcm(2147483647, 2147483646)',
  'SELECT gcd(-9223372036854775808::int8, 6::int8)::text',
  'SELECT gcd((-9223372036854775808)::int8, 0::int8)',
  'SELECT gcd(330.30, 462.0)::text, lcm(1.5, 0.4)::text, gcd(5.0, 0::numeric)::text',
  "SELECT gcd('inf'::numeric, 3)::text",
  // hyperbolic
  'SELECT round(sinh(1)::numeric, 10)::text, round(atanh(0.5)::numeric, 10)::text',
  'SELECT sinh(1000)',
  'SELECT acosh(0.5)',
  'SELECT atanh(1)::text, atanh(-1)::text',
  'SELECT atanh(1.5)',
  "SELECT tanh('inf'::float8)::text, cosh('-inf'::float8)::text",
  // numeric scale functions, div, factorial
  'SELECT scale(12.3400)::text, min_scale(12.3400)::text, trim_scale(12.3400)::text, trim_scale(100)::text',
  "SELECT scale('NaN'::numeric), min_scale('inf'::numeric), trim_scale('-inf'::numeric)::text",
  'SELECT div(17.5, 4)::text, div(-17.5, 4)::text, div(7, 0.5)::text',
  'SELECT div(1, 0)',
  "SELECT div('inf'::numeric, -2)::text, div(3, 'inf'::numeric)::text",
  'SELECT factorial(20)::text, factorial(0)::text',
  'SELECT factorial(-1)',
  // width_bucket
  'SELECT width_bucket(5.35, 0.024, 10.06, 5)::text, width_bucket(5.35::float8, 0.024, 10.06, 5)::text',
  'SELECT width_bucket(-1, 10, 0, 4)::text, width_bucket(11, 10, 0, 4)::text, width_bucket(3, 10, 0, 4)::text',
  "SELECT width_bucket('inf'::numeric, 0, 10, 3)::text, width_bucket('-inf'::float8, 0, 10, 3)::text",
  'SELECT width_bucket(1, 1, 1, 3)',
  'SELECT width_bucket(1.0, 0, 2, 0)',
  "SELECT width_bucket(1::float8, 0, 'inf'::float8, 3)",
  'SELECT width_bucket(0.9999999, 0, 1, 2147483647)::text, width_bucket(1.0, 0, 1, 2147483647)',
  // pg_input_is_valid
  "SELECT pg_input_is_valid('12', 'int2'), pg_input_is_valid('99999', 'int2'), pg_input_is_valid('x', 'float8')",
  "SELECT pg_input_is_valid('1e400', 'float8'), pg_input_is_valid('123.45', 'numeric(5,2)'), pg_input_is_valid('1234.5', 'numeric(5,2)')",
  // Exact numeric math (once refused rather than answered with a double's digits).
  'SELECT 1.2 ^ 345',
  'SELECT (1.5 ^ 2)::text',
  'SELECT 2 ^ 0.5::numeric',
  'SELECT log(2.5)',
  'SELECT log(10.0, 1000.0)',
];

interface Outcome {
  rows?: string[][];
  code?: string;
}

describe('number types match PostgreSQL', () => {
  let db: Database;
  let pg: PGlite;
  beforeAll(async () => {
    db = await Database.create();
    pg = new PGlite();
  });
  afterAll(() => pg.close());

  async function outcomes(sql: string): Promise<[Outcome, Outcome]> {
    let theirs: Outcome;
    try {
      const r = await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' });
      theirs = { rows: (r.rows as unknown as unknown[][]).map((row) => row.map((v) => String(v))) };
    } catch (e) {
      theirs = { code: (e as { code: string }).code };
    }
    let ours: Outcome;
    try {
      const r = await db.query(sql);
      ours = {
        rows: r.rows.map((row) =>
          row.map((v, i) => (typeof v === 'string' ? v : formatText(v, r.columns[i].type as SqlType))),
        ),
      };
    } catch (e) {
      ours = { code: (e as { code: string }).code };
    }
    return [ours, theirs];
  }

  test.each(CASES)('%s', async (sql) => {
    const [ours, theirs] = await outcomes(sql);
    expect(ours).toEqual(theirs);
  });
});
