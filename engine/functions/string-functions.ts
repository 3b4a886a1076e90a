/**
 * @module engine/functions/string-functions
 * Text functions beyond the basics in ./scalar (chr, ascii, lpad/rpad,
 * initcap, translate …), with PostgreSQL's UTF-8 semantics: lengths and
 * positions count code points, not UTF-16 units.
 */
import { SqlError } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import type { SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';
import { checkTextLength } from './value-limits.ts';

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

/** chr(int): the character with that code point; PostgreSQL's errors for 0, negatives, surrogates. */
function chr(n: number): string {
  if (n < 0) throw new SqlError('22023', 'character number must be positive');
  if (n === 0) throw new SqlError('54000', 'null character not permitted');
  if (n > 0x10ffff) throw new SqlError('54000', 'requested character too large for encoding');
  if (n >= 0xd800 && n <= 0xdfff) throw new SqlError('54000', 'requested character not valid for encoding');
  return String.fromCodePoint(n);
}

/** lpad/rpad: fill to `len` code points with `fill` (default one space); truncates when longer. */
function pad(left: boolean) {
  return (s: string, len: number, fill = ' '): string => {
    const chars = [...s];
    const n = Math.max(0, len);
    if (chars.length >= n) return chars.slice(0, n).join('');
    const f = [...fill];
    if (f.length === 0) return s;
    checkTextLength(n, left ? 'lpad()' : 'rpad()');
    let padding = '';
    for (let i = 0; i < n - chars.length; i++) padding += f[i % f.length];
    return left ? padding + s : s + padding;
  };
}

/** initcap: upper-cases the first letter of each alphanumeric run, lower-cases the rest. */
function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const ch of s) {
    const alnum = /[\p{L}\p{N}]/u.test(ch);
    const m = inWord ? ch.toLowerCase() : ch.toUpperCase();
    out += [...m].length === 1 ? m : ch;
    inWord = alnum;
  }
  return out;
}

/** translate(s, from, to): maps each character of `from` to the one at the same place in `to`, or drops it. */
function translate(s: string, from: string, to: string): string {
  const f = [...from];
  const t = [...to];
  const map = new Map<string, string>();
  for (let i = 0; i < f.length; i++) if (!map.has(f[i])) map.set(f[i], t[i] ?? '');
  let out = '';
  for (const ch of s) out += map.has(ch) ? map.get(ch) : ch;
  return out;
}

type Resolver = (args: readonly SqlType[]) => Resolved | undefined;

const text1 =
  (name: string, fn: (s: string) => unknown, type: SqlType): Resolver =>
  (args) =>
    args.length === 1 ? { impl: mk(name, fn), type, argTypes: ['text'] } : undefined;

const STRING_FUNCS: Record<string, Resolver> = {
  chr: (args) =>
    args.length === 1 ? { impl: mk('chr', chr), type: 'text', argTypes: ['int32'] } : undefined,
  ascii: text1('ascii', (s) => s.codePointAt(0) ?? 0, 'int32'),
  initcap: text1('initcap', initcap, 'text'),
  lpad: (args) =>
    args.length === 2 || args.length === 3
      ? {
          impl: mk('lpad', pad(true)),
          type: 'text',
          argTypes: args.length === 3 ? ['text', 'int32', 'text'] : ['text', 'int32'],
        }
      : undefined,
  rpad: (args) =>
    args.length === 2 || args.length === 3
      ? {
          impl: mk('rpad', pad(false)),
          type: 'text',
          argTypes: args.length === 3 ? ['text', 'int32', 'text'] : ['text', 'int32'],
        }
      : undefined,
  translate: (args) =>
    args.length === 3
      ? { impl: mk('translate', translate), type: 'text', argTypes: ['text', 'text', 'text'] }
      : undefined,
};

/** Whether `name` is one of this module's functions. */
export function isStringFunctionName(name: string): boolean {
  return Object.hasOwn(STRING_FUNCS, name);
}

/** Resolves one of this module's functions; undefined when the arguments do not fit. */
export function resolveStringFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  return STRING_FUNCS[name]?.(args);
}
