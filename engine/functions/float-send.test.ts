/** float4send / float8send (the exact bits of a float as bytea) against PGlite, with the implicit-cast rule. */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

describe('float4send / float8send vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each([
    "SELECT float4send('5e-20'::float4), float4send('67e14'::float4), float4send('NaN'::float4), float4send('-0'::float4)",
    "SELECT float8send('2.2250738585072014E-308'::float8), float8send('-Infinity'::float8), float8send(1.5)",
    'SELECT float4send(1.5::float8)',
  ])('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});

describe('float4 input rounds the decimal once (strtof), not through a double', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each([
    "SELECT float4send('7038531e-32'::float4), float4send('82381273e-35'::float4), float4send('-7038531e-32'::float4)",
    "SELECT float4send('5e-20'::float4), float4send('67e14'::float4), float4send('985e15'::float4), float4send('55895e-16'::float4)",
    "SELECT float4send('702990899e-20'::float4), float4send('3e-23'::float4), float4send('57e18'::float4), float4send('789e-35'::float4)",
  ])('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
