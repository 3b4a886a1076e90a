/**
 * @module engine/types/array
 * PostgreSQL's array text format for one-dimensional arrays: array_in
 * (`'{1,"a b",NULL}'`, with double quotes, backslash escapes, the unquoted
 * NULL and whitespace rules) and array_out (elements double-quoted when empty,
 * spelled NULL, or containing braces, commas, quotes, backslashes or
 * whitespace). Element parsing and output are supplied by the caller (cast.ts),
 * so this module stays free of per-type knowledge. Multi-dimensional arrays and
 * explicit bounds (`'[0:1]={…}'`) are refused with 0A000.
 */
import { SqlError, SqlState } from '../errors.ts';

const isSpace = (c: string) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function malformed(s: string, detail: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `malformed array literal: "${s}" (${detail})`);
}

function multiDim(): SqlError {
  return new SqlError(SqlState.featureNotSupported, 'multidimensional arrays are not supported');
}

/** Parses array text into element values; `parseElem` turns one element's text into a value. */
export function parseArrayText(s: string, parseElem: (text: string) => unknown): unknown[] {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s[i])) i++;
  if (s[i] === '[')
    throw new SqlError(SqlState.featureNotSupported, 'array bounds other than [1:n] are not supported');
  if (s[i] !== '{') throw malformed(s, 'Array value must start with "{" or dimension information.');
  i++;
  const out: unknown[] = [];
  while (i < n && isSpace(s[i])) i++;
  if (s[i] === '}') {
    i++;
  } else {
    for (;;) {
      while (i < n && isSpace(s[i])) i++;
      if (i >= n) throw malformed(s, 'Unexpected end of input.');
      if (s[i] === '{') throw multiDim();
      let text = '';
      let quotedOrEscaped = false;
      if (s[i] === '"') {
        quotedOrEscaped = true;
        i++;
        for (;;) {
          if (i >= n) throw malformed(s, 'Unexpected end of input.');
          const c = s[i++];
          if (c === '"') break;
          if (c === '\\') {
            if (i >= n) throw malformed(s, 'Unexpected end of input.');
            text += s[i++];
          } else text += c;
        }
        while (i < n && isSpace(s[i])) i++;
      } else {
        // Unquoted: up to the next delimiter; trailing unescaped whitespace is dropped.
        let keep = 0;
        while (i < n && s[i] !== ',' && s[i] !== '}') {
          const c = s[i++];
          if (c === '"' || c === '{') throw malformed(s, 'Unexpected array element.');
          if (c === '\\') {
            if (i >= n) throw malformed(s, 'Unexpected end of input.');
            text += s[i++];
            quotedOrEscaped = true;
            keep = text.length;
          } else {
            text += c;
            if (!isSpace(c)) keep = text.length;
          }
        }
        text = text.slice(0, keep);
        if (text === '' && !quotedOrEscaped) throw malformed(s, 'Unexpected "," character.');
      }
      out.push(!quotedOrEscaped && /^null$/i.test(text) ? null : parseElem(text));
      if (i >= n) throw malformed(s, 'Unexpected end of input.');
      const d = s[i++];
      if (d === '}') break;
      if (d !== ',') throw malformed(s, `Unexpected "${d}" character.`);
    }
  }
  while (i < n && isSpace(s[i])) i++;
  if (i < n) throw malformed(s, 'Junk after closing right brace.');
  return out;
}

/** array_out: `{e1,e2,…}` with `elemText` giving each non-null element's output. */
export function formatArrayText(arr: readonly unknown[], elemText: (v: unknown) => string): string {
  let out = '{';
  for (let k = 0; k < arr.length; k++) {
    if (k > 0) out += ',';
    const x = arr[k];
    out += x === null || x === undefined ? 'NULL' : quoteArrayElement(elemText(x));
  }
  return `${out}}`;
}

/** One element of array_out, double-quoted when PostgreSQL would quote it. */
export function quoteArrayElement(s: string): string {
  if (s === '' || /^null$/i.test(s) || /[{},"\\ \t\n\r\v\f]/.test(s))
    return `"${s.replace(/["\\]/g, '\\$&')}"`;
  return s;
}

/** Rejects a multi-dimensional array value (an element that is itself an array). */
export function checkOneDimensional(arr: readonly unknown[]): void {
  for (const x of arr) if (Array.isArray(x)) throw multiDim();
}
