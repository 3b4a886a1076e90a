/**
 * @module engine/functions/number-format
 * to_char(number, picture) for numeric, int2/int4, int8, float4 and float8, as
 * PostgreSQL's numeric_to_char / int4_to_char / int8_to_char / float4_to_char /
 * float8_to_char print the number before NUM_processor merges it into the
 * picture (engine/functions/number-template). Floats are printed as C's printf
 * prints them: the exact binary value rounded half to even.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import {
  type Decimal,
  decimalToString,
  decMul,
  decRound,
  exactDouble,
  isNumericSpecial,
  parseDecimal,
} from '../types/numeric.ts';
import { isFloatType, isIntegerType, type SqlType } from '../types/values.ts';
import { F, type NumDesc, type NumNode, parseNumberPicture } from './number-picture.ts';
import { numberToPicture } from './number-template.ts';
import type { Resolved } from './operators.ts';

const pow10 = (n: number) => 10n ** BigInt(n);

/** int_to_roman: 1..3999, else fifteen '#' (PostgreSQL 18 fills NaN and out-of-range values too). */
function toRoman(v: bigint | number): string {
  if (v > 3999 || v < 1) return '#'.repeat(15);
  const n = Number(v);
  const tables = [
    ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'],
    ['X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'],
    ['C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'],
  ];
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const place = s.length - i;
    const digit = Number(s[i]);
    if (digit === 0) continue;
    out += place > 3 ? 'M'.repeat(digit) : tables[place - 1][digit - 1];
  }
  return out;
}

/** The picture filled with '#' (the number does not fit), its point placed. */
function overflowFill(d: NumDesc): string {
  const b = [...'#'.repeat(d.pre + d.post + 1)];
  b[d.pre] = '.';
  return b.join('');
}

/** EEEE output for NaN and the infinities. */
function nonFiniteSci(d: NumDesc): string {
  const b = [...'#'.repeat(d.pre + d.post + 6)];
  b[0] = ' ';
  b[d.pre + 1] = '.';
  return b.join('');
}

/** Sign, digits and leading padding of a printed number against the picture. */
function splitSign(d: NumDesc, printed: string): [string, number, string] {
  const neg = printed.startsWith('-');
  const numstr = neg ? printed.slice(1) : printed;
  const p = numstr.indexOf('.');
  const preLen = p < 0 ? numstr.length : p;
  if (preLen < d.pre) return [numstr, d.pre - preLen, neg ? '-' : '+'];
  if (preLen > d.pre) return [overflowFill(d), 0, neg ? '-' : '+'];
  return [numstr, 0, neg ? '-' : '+'];
}

/** numeric_out_sci: one digit before the point, `scale` after (rounded half away from zero), e±NN. */
function numericSci(d: Decimal, scale: number): string {
  const digits = (d.int < 0n ? -d.int : d.int).toString();
  const exponent = d.int === 0n ? 0 : digits.length - 1 - d.scale;
  const sig = decRound({ int: d.int, scale: d.scale + exponent }, Math.max(scale, 0));
  const e = Math.abs(exponent).toString().padStart(2, '0');
  return `${decimalToString(sig)}e${exponent < 0 ? '-' : '+'}${e}`;
}

/** Rounds half to even to `scale` digits (C's printf on the exact value). */
function roundHalfEven(d: Decimal, scale: number): Decimal {
  if (scale >= d.scale) return { int: d.int * pow10(scale - d.scale), scale };
  const f = pow10(d.scale - scale);
  let q = d.int / f;
  const r = d.int % f;
  if (r * 2n > f || (r * 2n === f && q % 2n === 1n)) q += 1n;
  return { int: q, scale };
}

/** C's "%.*f" through PostgreSQL's snprintf (NaN / Infinity spelled out). */
export function printfFixed(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (!Number.isFinite(v)) return `${sign}Infinity`;
  return sign + decimalToString(roundHalfEven(exactDouble(v), prec));
}

/** C's "%+.*e". */
function printfSci(v: number, prec: number): string {
  const sign = v < 0 || Object.is(v, -0) ? '-' : '+';
  const x = exactDouble(v);
  let exponent = x.int === 0n ? 0 : x.int.toString().length - 1 - x.scale;
  let sig = roundHalfEven({ int: x.int, scale: x.scale + exponent }, prec);
  if (sig.int >= pow10(prec + 1)) {
    exponent++;
    sig = roundHalfEven({ int: x.int, scale: x.scale + exponent }, prec);
  }
  const e = Math.abs(exponent).toString().padStart(2, '0');
  return `${sign}${decimalToString(sig)}e${exponent < 0 ? '-' : '+'}${e}`;
}

/** Digits of an integer for the picture: `post` zeros after a point, padding or overflow. */
function intDigits(d: NumDesc, printed: string): [string, number, string] {
  const neg = printed.startsWith('-');
  const digits = neg ? printed.slice(1) : printed;
  const numstr = d.post > 0 ? `${digits}.${'0'.repeat(d.post)}` : digits;
  if (digits.length < d.pre) return [numstr, d.pre - digits.length, neg ? '-' : '+'];
  if (digits.length > d.pre) return [overflowFill(d), 0, neg ? '-' : '+'];
  return [numstr, 0, neg ? '-' : '+'];
}

function numericToChar(v: string, d: NumDesc): [string, number, string] {
  if (d.flag & F.roman) return [toRoman(isNumericSpecial(v) ? 0 : decRound(parseDecimal(v), 0).int), 0, '+'];
  if (d.flag & F.eeee) {
    if (isNumericSpecial(v)) return [nonFiniteSci(d), 0, '+'];
    const s = numericSci(parseDecimal(v), d.post);
    return [s.startsWith('-') ? s : ` ${s}`, 0, '+'];
  }
  if (d.flag & F.multi) d.pre += d.multi;
  // NaN and ±Infinity print as their text (numeric_round and numeric_mul keep them).
  if (isNumericSpecial(v)) return splitSign(d, v);
  let val = parseDecimal(v);
  if (d.flag & F.multi) val = decMul(val, { int: pow10(d.multi), scale: 0 });
  return splitSign(d, decimalToString(decRound(val, d.post)));
}

function int4ToChar(v: number, d: NumDesc): [string, number, string] {
  if (d.flag & F.roman) return [toRoman(v), 0, '+'];
  if (d.flag & F.eeee) {
    // int4_to_char prints through "%+.*e" of the double (half to even), unlike int8's numeric path.
    const s = printfSci(v, d.post);
    return [s.startsWith('+') ? ` ${s.slice(1)}` : s, 0, '+'];
  }
  let x = BigInt(v);
  if (d.flag & F.multi) {
    // C's int32 product, wrapping; the multiplier (int) pow(10, n) saturates past int32 as the
    // reference server's build converts it.
    x = BigInt.asIntN(32, x * (d.multi <= 9 ? pow10(d.multi) : 2147483647n));
    d.pre += d.multi;
  }
  return intDigits(d, x.toString());
}

function int8ToChar(v: bigint, d: NumDesc): [string, number, string] {
  if (d.flag & F.roman) return [toRoman(v), 0, '+'];
  if (d.flag & F.eeee) {
    const s = numericSci({ int: v, scale: 0 }, d.post);
    return [s.startsWith('-') ? s : ` ${s}`, 0, '+'];
  }
  let x = v;
  if (d.flag & F.multi) {
    x *= pow10(d.multi);
    if (d.multi > 18 || x < -9223372036854775808n || x > 9223372036854775807n)
      throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
    d.pre += d.multi;
  }
  return intDigits(d, x.toString());
}

/** float4_to_char (digits = FLT_DIG, 6, and float arithmetic) and float8_to_char (DBL_DIG, 15). */
function floatToChar(v: number, d: NumDesc, single: boolean): [string, number, string] {
  const maxDigits = single ? 6 : 15;
  if (d.flag & F.roman) return [toRoman(Number.isFinite(v) ? rint(v) : 0), 0, '+'];
  if (d.flag & F.eeee) {
    if (!Number.isFinite(v)) return [nonFiniteSci(d), 0, '+'];
    const s = printfSci(v, d.post);
    return [s.startsWith('+') ? ` ${s.slice(1)}` : s, 0, '+'];
  }
  let val = v;
  if (d.flag & F.multi) {
    val = single ? Math.fround(v * Math.fround(10 ** d.multi)) : v * 10 ** d.multi;
    d.pre += d.multi;
  }
  const preLen = printfFixed(Math.abs(val), 0).length;
  if (preLen >= maxDigits) d.post = 0;
  else if (preLen + d.post > maxDigits) d.post = maxDigits - preLen;
  return splitSign(d, printfFixed(val, d.post));
}

/** rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** to_char of a number value of type `t` (int2/int4/int8/numeric/float4/float8). */
export function formatNumber(value: unknown, t: SqlType, fmt: string): string {
  if (fmt === '') return '';
  const { nodes, desc }: { nodes: NumNode[]; desc: NumDesc } = parseNumberPicture(fmt);
  const d = { ...desc };
  const [numstr, outPre, sign] =
    t === 'numeric'
      ? numericToChar(value as string, d)
      : t === 'int64'
        ? int8ToChar(value as bigint, d)
        : isFloatType(t)
          ? floatToChar(value as number, d, t === 'float32')
          : int4ToChar(value as number, d);
  return numberToPicture(nodes, d, numstr, outPre, sign);
}

/** Resolves to_char over a number type; undefined for other types. */
export function resolveNumberToChar(args: readonly SqlType[]): Resolved | undefined {
  if (args.length !== 2) return undefined;
  const t = args[0];
  if (!(isIntegerType(t) || isFloatType(t) || t === 'numeric')) return undefined;
  const argType: SqlType = t === 'int16' ? 'int32' : t;
  const impl: ScalarImpl = {
    name: 'to_char',
    strict: true,
    fn: ((v: unknown, f: string) => formatNumber(v, argType, f)) as (...a: unknown[]) => unknown,
  };
  return { impl, type: 'text', argTypes: [argType, 'text'] };
}
