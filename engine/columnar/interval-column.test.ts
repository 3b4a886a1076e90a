/** Interval columns round-trip through the chunk codec exactly, infinities included. */
import { describe, expect, test } from 'vitest';
import { INTERVAL_INFINITY, INTERVAL_NEG_INFINITY } from '../types/datetime.ts';
import type { FlatVector, Interval } from '../vector.ts';
import { encodeColumn } from './column-codec.ts';
import { decodeColumn } from './column-decoder.ts';

describe('interval column codec', () => {
  test('finite extremes and ±infinity decode to what was encoded', () => {
    const values: Interval[] = [
      { months: 1, days: 2, micros: 3 },
      { months: -2147483648, days: -2147483648, micros: -(2 ** 53) + 1 },
      { months: 2147483647, days: 2147483647, micros: 2 ** 53 - 1 },
      INTERVAL_INFINITY,
      INTERVAL_NEG_INFINITY,
      { months: 0, days: 0, micros: 0 },
    ];
    const enc = encodeColumn('interval', { values }, values.length);
    const dec = decodeColumn('interval', enc.bytes, values.length) as FlatVector;
    expect(Array.from(dec.values as Interval[])).toEqual(values);
  });
});
