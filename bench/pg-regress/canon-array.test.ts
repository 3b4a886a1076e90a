/**
 * The regression replay's array/bytea canonicalization and EXPLAIN detection:
 * PostgreSQL's array text and the engine's JS arrays agree when their elements
 * do, and an empty string, a NULL and the text 'NULL' stay three different things.
 */
import { describe, expect, test } from 'vitest';
import { byteaHex, canonArray, parseArrayText } from './canon-array.ts';
import { isExplain } from './statements.ts';

const el = (x: unknown) => (x === null ? '∅' : String(x));

describe('parseArrayText', () => {
  test('elements, quotes, escapes, NULL and nesting', () => {
    expect(parseArrayText('{1,NULL,3}')).toEqual(['1', null, '3']);
    expect(parseArrayText('{"",a,"NULL","b \\"c\\"","x,y"}')).toEqual(['', 'a', 'NULL', 'b "c"', 'x,y']);
    expect(parseArrayText('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('[0:1]={1,2}')).toBeUndefined();
    expect(parseArrayText('{1,2')).toBeUndefined();
  });
});

describe('canonArray', () => {
  test('PostgreSQL text and JS arrays agree element by element', () => {
    expect(canonArray('{1,NULL,3}', 1007, el)).toBe(canonArray([1, null, 3], 1007, el));
    expect(canonArray('{1,2,3,""}', 1009, el)).toBe(canonArray(['1', '2', '3', ''], 1009, el));
    expect(canonArray('{{1,2},{3,4}}', 1007, el)).toBe(
      canonArray(
        [
          [1, 2],
          [3, 4],
        ],
        1007,
        el,
      ),
    );
  });

  test('a real difference stays one', () => {
    expect(canonArray('{""}', 1009, el)).not.toBe(canonArray([null], 1009, el));
    expect(canonArray('{"NULL"}', 1009, el)).not.toBe(canonArray([null], 1009, el));
    expect(canonArray('{1,2}', 1007, el)).not.toBe(canonArray([2, 1], 1007, el));
    expect(canonArray('{"a,b"}', 1009, el)).not.toBe(canonArray(['a', 'b'], 1009, el));
    expect(canonArray('{{1,2}}', 1007, el)).not.toBe(canonArray([1, 2], 1007, el));
  });

  test('text that is not an array literal is left to the caller', () => {
    expect(canonArray('[1:2]={1,2}', 1007, el)).toBeUndefined();
    expect(canonArray(42, 1007, el)).toBeUndefined();
  });
});

test('bytea as hex', () => {
  expect(byteaHex(new Uint8Array([0xde, 0xad, 0x00, 0x0f]))).toBe('\\xdead000f');
});

test('isExplain looks past leading comments only', () => {
  expect(isExplain('-- plan\n-- of a join\nEXPLAIN (costs off) SELECT 1')).toBe(true);
  expect(isExplain('/* c */ explain select 1')).toBe(true);
  expect(isExplain("SELECT 'explain'")).toBe(false);
  expect(isExplain('-- explain\nSELECT 1')).toBe(false);
});
