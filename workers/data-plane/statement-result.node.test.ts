/**
 * Result formatting at the edge: the per-day timestamp formatter must print
 * exactly what `formatTimestampUs` prints (ISO 8601, microseconds when
 * non-zero), before 1970 and past year 9999 too.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { formatTimestampUs } from '../../engine/distributed/table-schema.ts';
import { timestampFormatter, toStatementResult } from './statement-result.ts';

test('timestampFormatter prints what formatTimestampUs prints', () => {
  const us = fc.oneof(
    // Exact µs integers: years ≈ 1685–2255.
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.integer({ min: 1_451_606_400_000_000, max: 1_451_692_800_000_000 }), // one day of 2016
    fc.constantFrom(
      0,
      -1,
      1,
      999,
      1000,
      -1000,
      -86_400_000_000,
      253_402_300_800 * 1e6, // year 10000: the general formatter's path
      -62_167_219_200 * 1e6 - 1024, // before year 0000
    ),
  );
  fc.assert(
    fc.property(fc.array(us, { minLength: 1, maxLength: 20 }), (values) => {
      // One formatter over a sequence (its day cache is exercised), each value twice (its memo too).
      const format = timestampFormatter();
      for (const v of [...values, ...values.toReversed()]) expect(format(v)).toBe(formatTimestampUs(v));
    }),
    { numRuns: 2000 },
  );
});

test('toStatementResult formats timestamps and non-finite floats per column', () => {
  const rows = [
    [1_451_606_400_000_001, Number.NaN, 'x', 1.5],
    [null, Number.POSITIVE_INFINITY, null, Number.NEGATIVE_INFINITY],
  ];
  const r = toStatementResult(
    [
      { name: 't', type: 'timestamptz' },
      { name: 'f', type: 'float64' },
      { name: 's', type: 'text' },
      { name: 'g', type: 'float64' },
    ],
    rows,
  );
  expect(r.rows).toEqual([
    ['2016-01-01T00:00:00.000001Z', 'NaN', 'x', 1.5],
    [null, 'Infinity', null, '-Infinity'],
  ]);
  expect(r.columns.map((c) => c.type)).toEqual([
    'timestamptz',
    'double precision',
    'text',
    'double precision',
  ]);
});
