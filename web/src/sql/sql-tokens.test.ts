import { describe, expect, it } from 'vitest';
import { tokenize } from './sql-tokens.ts';

const kinds = (sql: string) =>
  tokenize(sql)
    .filter((t) => t.kind !== 'plain')
    .map((t) => [t.kind, t.text]);

describe('tokenize', () => {
  it('classifies keywords, functions, strings, numbers, identifiers and comments', () => {
    expect(kinds(`SELECT avg(x), 'it''s' , 1.5e3, "Col" FROM t -- done`)).toEqual([
      ['keyword', 'SELECT'],
      ['function', 'avg'],
      ['string', "'it''s'"],
      ['number', '1.5e3'],
      ['ident', '"Col"'],
      ['keyword', 'FROM'],
      ['comment', '-- done'],
    ]);
  });

  it('starts a comment right after punctuation, and keeps keywords inside strings as string', () => {
    expect(kinds(`(1)-- c`)).toEqual([
      ['number', '1'],
      ['comment', '-- c'],
    ]);
    expect(kinds(`'select /* no */'`)).toEqual([['string', "'select /* no */'"]]);
  });

  it('never loses or adds a character, even for unterminated input', () => {
    // The overlay relies on this: highlighted text must line up with the textarea.
    const alphabet = `sel ct'"-/*$\n\t;(),.0123456789_é😀`;
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const s = Array.from(
        { length: Math.floor(rand() * 40) },
        () => alphabet[Math.floor(rand() * alphabet.length)],
      ).join('');
      expect(
        tokenize(s)
          .map((t) => t.text)
          .join(''),
      ).toBe(s);
    }
  });
});
