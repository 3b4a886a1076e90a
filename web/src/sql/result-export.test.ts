import { describe, expect, it } from 'vitest';
import { toCsv, toTsv } from './result-export.ts';

const cols = [
  { name: 'a', type: 'text' },
  { name: 'b', type: 'jsonb' },
];

describe('result export', () => {
  it('quotes CSV fields with commas, quotes and newlines (RFC 4180) and prints NULL as empty', () => {
    expect(
      toCsv(cols, [
        ['x,y', { k: '"v"' }],
        ['line\nbreak', null],
      ]),
    ).toBe('a,b\r\n"x,y","{""k"":""\\""v\\""""}"\r\n"line\nbreak",\r\n');
  });
  it('flattens tabs and newlines for TSV', () => {
    expect(toTsv(cols, [['x\ty', 'p\nq']])).toBe('a\tb\nx y\tp q');
  });
});
