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
    fc.integer({ min: -62_135_596_800_000_000, max: 253_402_300_799_999_999 }), // years 0001–9999
    fc.integer({ min: 1_451_606_400_000_000, max: 1_451_692_800_000_000 }), // one day of 2016
    fc.constantFrom(
      0,
      -1,
      1,
      999,
      1000,
      -1000,
      -86_400_000_000,
      253_402_300_800_000_000,
      -62_167_219_200_000_001,
    ),
  );
  fc.assert(
    fc.property(fc.array(us, { minLength: 1, maxLength: 20 }), (values) => {
      const format = timestampFormatter(); // one formatter over a sequence: its day cache is exercised
      for (const v of values) expect(format(v)).toBe(formatTimestampUs(v));
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
