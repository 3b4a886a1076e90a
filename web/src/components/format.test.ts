import { describe, expect, it } from 'vitest';
import { describeUserAgent, fmtNumber, fmtTimestampText } from './format.ts';

describe('describeUserAgent', () => {
  it('names browser and OS', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome 156 on Linux');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      ),
    ).toBe('Safari 17 on macOS');
    expect(describeUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('fmtNumber and fmtTimestampText', () => {
  it('shows no float noise and groups by locale', () => {
    expect(fmtNumber(0.1 + 0.2, 'plain')).toBe('0.3');
    expect(fmtNumber(1234567.5, 'plain')).toBe('1234567.5');
    expect(fmtNumber(1234567)).toMatch(/^1\D?234\D?567$/);
    expect(fmtNumber(Number.NaN)).toBe('NaN');
  });

  it('drops a zero fraction from ISO times and keeps a real one', () => {
    expect(fmtTimestampText('2024-01-01T00:00:00.000Z')).toBe('2024-01-01T00:00:00Z');
    expect(fmtTimestampText('2024-01-01T00:00:00.120Z')).toBe('2024-01-01T00:00:00.120Z');
    expect(fmtTimestampText('2024-01-01 00:00:00.000+00')).toBe('2024-01-01 00:00:00+00');
    expect(fmtTimestampText('hello.000Z')).toBe('hello.000Z');
  });
});
