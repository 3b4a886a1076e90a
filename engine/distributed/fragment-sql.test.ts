/** Fragment → SQL rendering details the differential test does not pin down. */
import { describe, expect, it } from 'vitest';
import { epochMicros, timestampLiteral } from './fragment-sql.ts';

describe('fragment SQL values', () => {
  it('reads epoch seconds back to exact microseconds', () => {
    expect(epochMicros('1451606400.123456')).toBe(1451606400123456);
    expect(epochMicros('-0.000001')).toBe(-1);
    expect(epochMicros('-1.5')).toBe(-1500000);
    expect(epochMicros('42')).toBe(42000000);
  });

  it('writes timestamp literals exact to the microsecond, before 1970 too', () => {
    expect(timestampLiteral(1451606400123456)).toBe('2016-01-01 00:00:00.123456+00');
    expect(timestampLiteral(-1)).toBe('1969-12-31 23:59:59.999999+00');
  });
});
