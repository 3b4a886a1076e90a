/**
 * @module engine/functions/bytea-functions
 * Binary-string functions with PostgreSQL's semantics: `bytea` values are
 * bytes, never their `\x…` text (so substr, trim, position and length count
 * bytes), plus encode/decode, get/set_byte and _bit, md5 and the SHA-2
 * digests (node:crypto: Node and workerd's nodejs_compat), overlay for text
 * and bytea, and the byte counts of text (octet_length, bit_length).
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { parseByteaEscape, parseByteaHex } from '../types/cast.ts';
import type { SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';
import { checkTextLength } from './value-limits.ts';

type Bytes = Uint8Array;
type Resolver = (args: readonly SqlType[]) => Resolved | undefined;

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

const utf8 = new TextEncoder();
const isBytea = (t: SqlType | undefined) => t === 'bytea';
/** An argument that is bytea, or an untyped literal read as bytea. */
const byteaLike = (t: SqlType | undefined) => t === 'bytea' || t === 'unknown';

function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  checkTextLength(out.length, 'bytea');
  return out;
}

/** substr(bytes, from [, count]) with PostgreSQL's clamping (positions from 1, may start before it). */
function substrBytes(s: Bytes, from: number, count?: number): Bytes {
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const start = from - 1;
  const end = count === undefined ? s.length : start + count;
  return s.slice(Math.max(0, start), Math.max(0, Math.min(s.length, end)));
}

function indexOf(s: Bytes, sub: Bytes): number {
  outer: for (let i = 0; i + sub.length <= s.length; i++) {
    for (let j = 0; j < sub.length; j++) if (s[i + j] !== sub[j]) continue outer;
    return i;
  }
  return -1;
}

function trimBytes(left: boolean, right: boolean) {
  return (s: Bytes, set: Bytes): Bytes => {
    const drop = new Set(set);
    let a = 0;
    let b = s.length;
    if (left) while (a < b && drop.has(s[a])) a++;
    if (right) while (b > a && drop.has(s[b - 1])) b--;
    return s.slice(a, b);
  };
}

/** overlay(s placing r from p [for n]): the generic rule over text (code points) and bytes. */
function overlay<T extends { length: number }>(
  sub: (s: T, from: number, count?: number) => T,
  join: (...parts: T[]) => T,
) {
  return (s: T, r: T, p: number, n?: number): T => {
    const count = n ?? r.length;
    // The head is substr(s, 1, p - 1): a start before 1 has a negative length. A negative count
    // makes the tail start earlier (PostgreSQL repeats those characters).
    if (p < 1) throw new SqlError('22011', 'negative substring length not allowed');
    return join(sub(s, 1, p - 1), r, sub(s, p + count));
  };
}

const codePoints = (s: string) => [...s];
const textOverlay = overlay<string[]>(
  (s, from, count) => {
    const start = from - 1;
    const end = count === undefined ? s.length : start + count;
    return s.slice(Math.max(0, start), Math.max(0, end));
  },
  (...parts) => parts.flat(),
);

function decodeBase64(s: string): Bytes {
  const clean = s.replace(/[ \t\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1)
    throw new SqlError(SqlState.invalidParameterValue, 'invalid base64 end sequence');
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** encode(bytes, format): hex, base64 (76-character lines, as PostgreSQL) or escape. */
function encode(b: Bytes, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex':
      return Buffer.from(b).toString('hex');
    case 'base64':
      return (
        Buffer.from(b)
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\n');
    case 'escape': {
      let out = '';
      for (const x of b)
        out +=
          x === 92
            ? '\\\\'
            : x === 0 || x >= 0x80
              ? `\\${x.toString(8).padStart(3, '0')}`
              : String.fromCharCode(x);
      return out;
    }
  }
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${format}"`);
}

function decode(s: string, format: string): Bytes {
  switch (format.toLowerCase()) {
    case 'hex':
      return parseByteaHex(s);
    case 'base64':
      return decodeBase64(s);
    case 'escape':
      return parseByteaEscape(s);
  }
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${format}"`);
}

function checkIndex(n: number, limit: number): void {
  if (n < 0 || n >= limit)
    throw new SqlError('2202E', `index ${n} out of valid range, 0..${Math.max(limit - 1, 0)}`);
}

const digest = (algorithm: string) => (b: Bytes) => new Uint8Array(createHash(algorithm).update(b).digest());

/** Functions over bytea arguments (or untyped literals read as bytea). */
const BYTEA_FUNCS: Record<string, Resolver> = {
  length: ([t]) =>
    isBytea(t)
      ? { impl: mk('length', (b: Bytes) => b.length), type: 'int32', argTypes: ['bytea'] }
      : undefined,
  octet_length: ([t]) =>
    isBytea(t)
      ? { impl: mk('octet_length', (b: Bytes) => b.length), type: 'int32', argTypes: ['bytea'] }
      : {
          impl: mk('octet_length', (s: string) => utf8.encode(s).length),
          type: 'int32',
          // octet_length(character) counts the padding (bpcharoctetlen); length() does not.
          argTypes: [t === 'bpchar' ? 'bpchar' : 'text'],
        },
  bit_length: ([t]) =>
    isBytea(t)
      ? { impl: mk('bit_length', (b: Bytes) => 8 * b.length), type: 'int32', argTypes: ['bytea'] }
      : {
          impl: mk('bit_length', (s: string) => 8 * utf8.encode(s).length),
          type: 'int32',
          argTypes: ['text'],
        },
  substr: (args) =>
    isBytea(args[0])
      ? {
          impl: mk('substr', substrBytes),
          type: 'bytea',
          argTypes: args.length === 3 ? ['bytea', 'int32', 'int32'] : ['bytea', 'int32'],
        }
      : undefined,
  position: ([a, b]) =>
    isBytea(a) || isBytea(b)
      ? {
          impl: mk('position', (s: Bytes, sub: Bytes) => indexOf(s, sub) + 1),
          type: 'int32',
          argTypes: ['bytea', 'bytea'],
        }
      : undefined,
  btrim: ([a, b]) =>
    isBytea(a) && byteaLike(b)
      ? { impl: mk('btrim', trimBytes(true, true)), type: 'bytea', argTypes: ['bytea', 'bytea'] }
      : undefined,
  ltrim: ([a, b]) =>
    isBytea(a) && byteaLike(b)
      ? { impl: mk('ltrim', trimBytes(true, false)), type: 'bytea', argTypes: ['bytea', 'bytea'] }
      : undefined,
  rtrim: ([a, b]) =>
    isBytea(a) && byteaLike(b)
      ? { impl: mk('rtrim', trimBytes(false, true)), type: 'bytea', argTypes: ['bytea', 'bytea'] }
      : undefined,
  overlay: (args) => {
    if (args.length < 3 || args.length > 4) return undefined;
    const ints: SqlType[] = args.length === 4 ? ['int32', 'int32'] : ['int32'];
    if (isBytea(args[0]) || isBytea(args[1]))
      return {
        impl: mk('overlay', overlay<Bytes>(substrBytes, concat)),
        type: 'bytea',
        argTypes: ['bytea', 'bytea', ...ints],
      };
    return {
      impl: mk('overlay', (s: string, r: string, p: number, n?: number) =>
        textOverlay(codePoints(s), codePoints(r), p, n).join(''),
      ),
      type: 'text',
      argTypes: ['text', 'text', ...ints],
    };
  },
  encode: ([a]) =>
    byteaLike(a) ? { impl: mk('encode', encode), type: 'text', argTypes: ['bytea', 'text'] } : undefined,
  decode: () => ({ impl: mk('decode', decode), type: 'bytea', argTypes: ['text', 'text'] }),
  get_byte: () => ({
    impl: mk('get_byte', (b: Bytes, n: number) => {
      checkIndex(n, b.length);
      return b[n];
    }),
    type: 'int32',
    argTypes: ['bytea', 'int32'],
  }),
  set_byte: () => ({
    impl: mk('set_byte', (b: Bytes, n: number, v: number) => {
      checkIndex(n, b.length);
      const out = b.slice();
      out[n] = v & 0xff;
      return out;
    }),
    type: 'bytea',
    argTypes: ['bytea', 'int32', 'int32'],
  }),
  get_bit: () => ({
    impl: mk('get_bit', (b: Bytes, bit: bigint) => {
      const n = Number(bit);
      checkIndex(n, b.length * 8);
      return (b[n >> 3] >> (n & 7)) & 1;
    }),
    type: 'int32',
    argTypes: ['bytea', 'int64'],
  }),
  set_bit: () => ({
    impl: mk('set_bit', (b: Bytes, bit: bigint, v: number) => {
      const n = Number(bit);
      checkIndex(n, b.length * 8);
      if (v !== 0 && v !== 1) throw new SqlError(SqlState.invalidParameterValue, 'new bit must be 0 or 1');
      const out = b.slice();
      out[n >> 3] = v ? out[n >> 3] | (1 << (n & 7)) : out[n >> 3] & ~(1 << (n & 7));
      return out;
    }),
    type: 'bytea',
    argTypes: ['bytea', 'int64', 'int32'],
  }),
  md5: ([t]) =>
    isBytea(t)
      ? {
          impl: mk('md5', (b: Bytes) => createHash('md5').update(b).digest('hex')),
          type: 'text',
          argTypes: ['bytea'],
        }
      : {
          impl: mk('md5', (s: string) => createHash('md5').update(utf8.encode(s)).digest('hex')),
          type: 'text',
          argTypes: ['text'],
        },
  sha224: () => ({ impl: mk('sha224', digest('sha224')), type: 'bytea', argTypes: ['bytea'] }),
  sha256: () => ({ impl: mk('sha256', digest('sha256')), type: 'bytea', argTypes: ['bytea'] }),
  sha384: () => ({ impl: mk('sha384', digest('sha384')), type: 'bytea', argTypes: ['bytea'] }),
  sha512: () => ({ impl: mk('sha512', digest('sha512')), type: 'bytea', argTypes: ['bytea'] }),
};
BYTEA_FUNCS.substring = BYTEA_FUNCS.substr;

/**
 * Resolves `name` when it is one of this module's functions and the arguments
 * fit; undefined lets the text functions of ./scalar resolve it instead.
 */
export function resolveByteaFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  return Object.hasOwn(BYTEA_FUNCS, name) ? BYTEA_FUNCS[name](args) : undefined;
}

/** `bytea || bytea` (an untyped literal beside a bytea is a bytea), or undefined. */
export function resolveByteaConcat(a: SqlType, b: SqlType): Resolved | undefined {
  if (!(isBytea(a) && byteaLike(b)) && !(isBytea(b) && byteaLike(a))) return undefined;
  return {
    impl: mk('||', (x: Bytes, y: Bytes) => concat(x, y)),
    type: 'bytea',
    argTypes: ['bytea', 'bytea'],
  };
}
