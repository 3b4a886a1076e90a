/**
 * @module engine/functions/scalar
 * Built-in scalar functions (math, string), resolved by name and argument
 * types at bind time. Date/time functions live in ./datetime-functions.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { checkInt, checkInt64 } from '../types/cast.ts';
import {
  decAbs,
  decimalToString,
  decRound,
  decTrunc,
  isNumericSpecial,
  NUMERIC_INF,
  numericSign,
  numericSpecialArith,
  parseDecimal,
} from '../types/numeric.ts';
import { isFloatType, isIntegerType, isNumericType, type SqlType } from '../types/values.ts';
import { isArrayFunctionName, resolveArrayFunction } from './array-functions.ts';
import { resolveByteaFunction } from './bytea-functions.ts';
import { resolveDatetimeFunction } from './datetime-functions.ts';
import { resolveDegreeTrig } from './degree-trig.ts';
import { resolveFloatSend } from './float-send.ts';
import { outputText, resolveFormatFunction } from './format-functions.ts';
import { resolveIntervalFunction } from './interval-functions.ts';
import { likeEscape } from './like-match.ts';
import { MATH_FUNCS } from './math-functions.ts';
import { resolveToNumber } from './number-input.ts';
import { resolveNumericMath } from './numeric-functions.ts';
import { floatPower, type Resolved } from './operators.ts';
import { resolveRegexFunction, resolveRegexSubstring } from './regex-functions.ts';
import { resolveSettingFunction } from './setting-functions.ts';
import { isStringFunctionName, resolveStringFunction } from './string-functions.ts';
import { checkTextLength } from './value-limits.ts';
import { resolveZoneFunction } from './zone-functions.ts';

const mk = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

const norm = (t: SqlType): SqlType => (t === 'unknown' ? 'text' : t);

function floatFn(name: string, f: (x: number) => number, check?: (x: number) => void) {
  return (args: readonly SqlType[]): Resolved | undefined => {
    if (args.length !== 1) return undefined;
    if (!isNumericType(args[0]) && args[0] !== 'unknown') return undefined;
    return {
      impl: mk(name, (x: number) => {
        check?.(x);
        return f(x);
      }),
      type: 'float64',
      argTypes: ['float64'],
    };
  };
}

/** PostgreSQL's dexp: a finite argument whose result is infinite or zero is out of range. */
function floatExp(x: number): number {
  const r = Math.exp(x);
  if (!Number.isFinite(x)) return r;
  if (r === Infinity) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (r === 0) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return r;
}

/** rint(): round half to even, as PostgreSQL's float round(). */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type Resolver = (args: readonly SqlType[]) => Resolved | undefined;

const FUNCS: Record<string, Resolver> = {
  abs: ([t]) => {
    if (t === 'int16' || t === 'int32')
      return { impl: mk('abs', (x: number) => checkInt(t, Math.abs(x))), type: t, argTypes: [t] };
    if (t === 'int64')
      return { impl: mk('abs', (x: bigint) => checkInt64(x < 0n ? -x : x)), type: t, argTypes: [t] };
    if (t === 'numeric')
      return {
        impl: mk('abs', (x: string) => (x === 'NaN' ? x : decimalToString(decAbs(parseDecimal(x))))),
        type: t,
        argTypes: [t],
      };
    if (isFloatType(t) || t === 'unknown')
      return {
        impl: mk('abs', Math.abs),
        type: norm(t) === 'text' ? 'float64' : t,
        argTypes: [t === 'unknown' ? 'float64' : t],
      };
    return undefined;
  },
  round: (args) => {
    const t = args[0];
    if (args.length === 2 || t === 'numeric') {
      return {
        impl: mk('round', (x: string, n?: number) => decimalToString(decRound(parseDecimal(x), n ?? 0))),
        type: 'numeric',
        argTypes: args.length === 2 ? ['numeric', 'int32'] : ['numeric'],
      };
    }
    if (isNumericType(t) || t === 'unknown')
      return { impl: mk('round', rint), type: 'float64', argTypes: ['float64'] };
    return undefined;
  },
  trunc: (args) => {
    if (args.length === 2 || args[0] === 'numeric') {
      return {
        impl: mk('trunc', (x: string, n?: number) => decimalToString(decTrunc(parseDecimal(x), n ?? 0))),
        type: 'numeric',
        argTypes: args.length === 2 ? ['numeric', 'int32'] : ['numeric'],
      };
    }
    return { impl: mk('trunc', Math.trunc), type: 'float64', argTypes: ['float64'] };
  },
  floor: ([t]) =>
    t === 'numeric'
      ? { impl: mk('floor', (x: string) => decimalToString(floorDec(x, false))), type: t, argTypes: [t] }
      : { impl: mk('floor', Math.floor), type: 'float64', argTypes: ['float64'] },
  ceil: ([t]) =>
    t === 'numeric'
      ? { impl: mk('ceil', (x: string) => decimalToString(floorDec(x, true))), type: t, argTypes: [t] }
      : { impl: mk('ceil', (x: number) => Math.ceil(x) + 0), type: 'float64', argTypes: ['float64'] },
  sqrt: floatFn('sqrt', Math.sqrt, (x) => {
    if (x < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  }),
  ln: floatFn('ln', Math.log, (x) => {
    if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
    if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  }),
  exp: floatFn('exp', floatExp),
  // power(numeric, numeric) is resolved first, by resolveNumericMath.
  power: () => ({ impl: mk('power', floatPower), type: 'float64', argTypes: ['float64', 'float64'] }),
  mod: ([a, b]) => {
    const t =
      a === 'int64' || b === 'int64' ? 'int64' : a === 'numeric' || b === 'numeric' ? 'numeric' : 'int32';
    return modResolved(t);
  },
  lower: () => ({ impl: mk('lower', (s: string) => mapCase(s, false)), type: 'text', argTypes: ['text'] }),
  upper: () => ({ impl: mk('upper', (s: string) => mapCase(s, true)), type: 'text', argTypes: ['text'] }),
  // length(bytea) counts bytes: see bytea-functions.
  length: () => ({ impl: mk('length', (s: string) => [...s].length), type: 'int32', argTypes: ['text'] }),
  substr: (args) => ({
    impl: mk('substr', (s: string, from: number, len?: number) => {
      const chars = [...s];
      if (len !== undefined && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
      const start = from - 1;
      const end = len === undefined ? chars.length : start + len;
      return chars.slice(Math.max(0, start), Math.max(0, end)).join('');
    }),
    type: 'text',
    argTypes: args.length === 3 ? ['text', 'int32', 'int32'] : ['text', 'int32'],
  }),
  strpos: () => ({
    impl: mk(
      'strpos',
      (s: string, sub: string) =>
        [...s.slice(0, Math.max(0, s.indexOf(sub)))].length + (s.indexOf(sub) < 0 ? 0 : 1),
    ),
    type: 'int32',
    argTypes: ['text', 'text'],
  }),
  replace: () => ({
    impl: mk('replace', (s: string, a: string, b: string) => (a === '' ? s : s.split(a).join(b))),
    type: 'text',
    argTypes: ['text', 'text', 'text'],
  }),
  btrim: (args) => trimFn('btrim', args.length, true, true),
  ltrim: (args) => trimFn('ltrim', args.length, true, false),
  rtrim: (args) => trimFn('rtrim', args.length, false, true),
  concat: (args) => ({
    impl: mk(
      'concat',
      (...xs: unknown[]) => xs.map((x, i) => (x === null ? '' : outputText(x, norm(args[i])))).join(''),
      false,
    ),
    type: 'text',
    argTypes: args.map(norm),
  }),
  split_part: () => ({
    impl: mk('split_part', (s: string, d: string, n: number) => {
      if (n === 0) throw new SqlError(SqlState.invalidParameterValue, 'field position must not be zero');
      const parts = d === '' ? [s] : s.split(d);
      const idx = n > 0 ? n - 1 : parts.length + n;
      return parts[idx] ?? '';
    }),
    type: 'text',
    argTypes: ['text', 'text', 'int32'],
  }),
  starts_with: () => ({
    impl: mk('starts_with', (s: string, p: string) => s.startsWith(p)),
    type: 'bool',
    argTypes: ['text', 'text'],
  }),
  left: () => ({
    impl: mk('left', (s: string, n: number) => {
      const c = [...s];
      return c.slice(0, n < 0 ? Math.max(0, c.length + n) : n).join('');
    }),
    type: 'text',
    argTypes: ['text', 'int32'],
  }),
  right: () => ({
    impl: mk('right', (s: string, n: number) => {
      const c = [...s];
      return c.slice(n < 0 ? Math.min(c.length, -n) : Math.max(0, c.length - n)).join('');
    }),
    type: 'text',
    argTypes: ['text', 'int32'],
  }),
  repeat: () => ({
    impl: mk('repeat', (s: string, n: number) => {
      checkTextLength(s.length * Math.max(0, n), 'repeat()');
      return s.repeat(Math.max(0, n));
    }),
    type: 'text',
    argTypes: ['text', 'int32'],
  }),
  reverse: () => ({
    impl: mk('reverse', (s: string) => [...s].reverse().join('')),
    type: 'text',
    argTypes: ['text'],
  }),
  sign: ([t]) =>
    t === 'numeric'
      ? {
          impl: mk('sign', (x: string) => (x === 'NaN' ? x : String(numericSign(x)))),
          type: t,
          argTypes: [t],
        }
      : { impl: mk('sign', (x: number) => Math.sign(x) + 0), type: 'float64', argTypes: ['float64'] },
};
// LIKE ... ESCAPE e: rewrite the pattern to backslash escapes, as PostgreSQL's like_escape does.
FUNCS.like_escape = () => ({
  impl: mk('like_escape', (p: string, e: string) => {
    if ([...e].length > 1) throw new SqlError('22025', 'invalid escape string');
    let out = '';
    for (let i = 0; i < p.length; i++) {
      const ch = p[i];
      if (e !== '' && ch === e && i + 1 < p.length) out += `\\${p[++i]}`;
      else if (ch === '\\') out += '\\\\';
      else out += ch;
    }
    return out;
  }),
  type: 'text',
  argTypes: ['text', 'text'],
});
FUNCS.ceiling = FUNCS.ceil;
FUNCS.pow = FUNCS.power;
FUNCS.char_length = FUNCS.length;
FUNCS.character_length = FUNCS.length;
FUNCS.substring = FUNCS.substr;
FUNCS.position = FUNCS.strpos;

/**
 * Character-wise case mapping like the C library's towupper/towlower (what
 * PostgreSQL uses): one code point maps to one, so 'ß' stays a single letter.
 */
function mapCase(s: string, up: boolean): string {
  let out = '';
  for (const ch of s) {
    const m = up ? ch.toUpperCase() : ch.toLowerCase();
    out += [...m].length === 1 ? m : ch === 'ß' ? 'ẞ' : ch;
  }
  return out;
}

function modResolved(t: SqlType): Resolved {
  if (t === 'int64') {
    return {
      impl: mk('mod', (x: bigint, y: bigint) => {
        if (y === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero');
        return x % y;
      }),
      type: t,
      argTypes: [t, t],
    };
  }
  if (t === 'numeric') {
    return {
      impl: mk('mod', (x: string, y: string) => {
        const a = parseDecimal(x);
        const b = parseDecimal(y);
        if (b.int === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero');
        const s = Math.max(a.scale, b.scale);
        const ai = a.int * 10n ** BigInt(s - a.scale);
        const bi = b.int * 10n ** BigInt(s - b.scale);
        return decimalToString({ int: ai % bi, scale: s });
      }),
      type: t,
      argTypes: [t, t],
    };
  }
  return {
    impl: mk('mod', (x: number, y: number) => {
      if (y === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
      return (x % y) + 0;
    }),
    type: 'int32',
    argTypes: ['int32', 'int32'],
  };
}

function floorDec(x: string, ceil: boolean) {
  const d = parseDecimal(x);
  const t = decTrunc(d, 0);
  const exact = t.int * 10n ** BigInt(d.scale) === d.int;
  if (exact) return t;
  if (ceil && d.int > 0n) return { int: t.int + 1n, scale: 0 };
  if (!ceil && d.int < 0n) return { int: t.int - 1n, scale: 0 };
  return t;
}

function trimFn(name: string, n: number, left: boolean, right: boolean): Resolved {
  return {
    impl: mk(name, (s: string, chars?: string) => {
      const set = new Set(chars ?? ' ');
      const c = [...s];
      let a = 0;
      let b = c.length;
      if (left) while (a < b && set.has(c[a])) a++;
      if (right) while (b > a && set.has(c[b - 1])) b--;
      return c.slice(a, b).join('');
    }),
    type: 'text',
    argTypes: n === 2 ? ['text', 'text'] : ['text'],
  };
}

/** Functions that return a NaN or ±Infinity first argument unchanged, as PostgreSQL's numeric versions do. */
const KEEPS_SPECIAL = new Set(['abs', 'round', 'trunc', 'floor', 'ceil', 'ceiling']);

/**
 * Numeric functions of numeric arguments return NaN for a NaN argument (round,
 * trunc, floor, mod, …); abs / round / trunc / floor / ceil keep ±Infinity
 * (abs: +Infinity), mod(±Infinity, y) is NaN and mod(x, ±Infinity) is x.
 */
function propagateSpecial(name: string, r: Resolved | undefined): Resolved | undefined {
  if (r?.type !== 'numeric' || !r.argTypes.includes('numeric')) return r;
  const f = r.impl.fn;
  const keeps = KEEPS_SPECIAL.has(name);
  const fn = (...xs: unknown[]) => {
    if (xs.includes('NaN')) return 'NaN';
    if (!xs.some((x) => typeof x === 'string' && isNumericSpecial(x))) return f(...xs);
    if (name === 'mod') return numericSpecialArith('%', xs[0] as string, xs[1] as string);
    if (keeps && typeof xs[0] === 'string' && isNumericSpecial(xs[0]))
      return name === 'abs' ? NUMERIC_INF : xs[0];
    return f(...xs);
  };
  return { ...r, impl: { ...r.impl, fn } };
}

/** Resolves a scalar function by name and argument types; undefined if unknown. */
export function resolveFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  if (isArrayFunctionName(name)) return resolveArrayFunction(name, args);
  const bytes = resolveByteaFunction(name, args);
  if (bytes) return bytes;
  const regex = name === 'substring' ? resolveRegexSubstring(args) : resolveRegexFunction(name, args);
  if (regex) return regex;
  if (name === 'like_escape' && args.length === 2)
    return {
      impl: { name, strict: true, fn: likeEscape as (...a: unknown[]) => unknown },
      type: 'text',
      argTypes: ['text', 'text'],
    };
  const formatted = resolveFormatFunction(name, args);
  if (formatted) return formatted;
  if (isStringFunctionName(name)) return resolveStringFunction(name, args);
  if (name === 'to_number') return resolveToNumber(args);
  const exact =
    resolveNumericMath(name, args) ?? resolveDegreeTrig(name, args) ?? resolveFloatSend(name, args);
  if (exact) return exact;
  const r = FUNCS[name] ?? MATH_FUNCS[name];
  if (r) return propagateSpecial(name, r(args));
  return (
    resolveIntervalFunction(name, args) ??
    resolveDatetimeFunction(name, args) ??
    resolveZoneFunction(name, args) ??
    resolveSettingFunction(name, args)
  );
}

export { isIntegerType };
