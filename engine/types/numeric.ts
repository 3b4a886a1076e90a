/**
 * @module engine/types/numeric
 * Exact decimal arithmetic for PostgreSQL `numeric`. Values travel through the
 * engine as canonical decimal strings (see engine/vector); arithmetic works on a
 * scaled bigint so no digit is ever lost to a double. Result scales follow
 * PostgreSQL (add/sub: max scale; mul: sum of scales; div: select_div_scale).
 */
import { SqlError, SqlState } from '../errors.ts';

/** A decimal as `int / 10^scale`. */
export interface Decimal {
  readonly int: bigint;
  readonly scale: number;
}

/** Decimal digits with single underscores between them (PostgreSQL 16 input). */
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUM_RE = new RegExp(
  String.raw`^[ \t\n\r\v\f]*([+-]?)(?:(${DIGITS})(?:\.(${DIGITS})?)?|\.(${DIGITS}))(?:[eE]([+-]?${DIGITS}))?[ \t\n\r\v\f]*$`,
);
/** Non-decimal integers: 0x / 0o / 0b with underscores between digits (a leading one allowed). */
const RADIX_RE =
  /^[ \t\n\r\v\f]*([+-]?)0(?:([xX])((?:_?[0-9a-fA-F])+)|([oO])((?:_?[0-7])+)|([bB])((?:_?[01])+))[ \t\n\r\v\f]*$/;

/** PostgreSQL's numeric limits: 131072 digits before the decimal point, 16383 after. */
const MAX_INT_DIGITS = 131072;
const MAX_SCALE = 16383;

const numericOverflow = () => new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');

function badNumeric(text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
}

/** Parses a 0x / 0o / 0b integer (underscores allowed); undefined when `text` is not one. */
export function parseRadixInteger(text: string): bigint | undefined {
  const m = RADIX_RE.exec(text);
  if (!m) return undefined;
  const body = (m[3] ?? m[5] ?? m[7]).replace(/_/g, '');
  const prefix = m[2] ? '0x' : m[4] ? '0o' : '0b';
  const v = BigInt(prefix + body);
  return m[1] === '-' ? -v : v;
}

/** Parses numeric input text (finite values only); throws 22P02 on bad syntax. */
export function parseDecimal(text: string): Decimal {
  const m = NUM_RE.exec(text);
  if (!m) {
    const r = parseRadixInteger(text);
    if (r === undefined) throw badNumeric(text);
    return { int: r, scale: 0 };
  }
  const under = text.includes('_');
  const intPart = m[2] === undefined ? '0' : under ? m[2].replace(/_/g, '') : m[2];
  const fracRaw = m[3] ?? m[4] ?? '';
  const frac = under ? fracRaw.replace(/_/g, '') : fracRaw;
  let scale = frac.length;
  let int = BigInt(intPart + frac);
  const exp = m[5] ? Number(under ? m[5].replace(/_/g, '') : m[5]) : 0;
  // Checked before 10^exp is built: a huge exponent would never end here.
  if (exp !== 0) {
    if (scale - exp > MAX_SCALE || intPart.length + exp > MAX_INT_DIGITS + 1) {
      if (int !== 0n || scale - exp > MAX_SCALE) throw numericOverflow();
    }
  }
  if (exp > 0) {
    if (exp >= scale) {
      if (int !== 0n) int *= 10n ** BigInt(exp - scale);
      scale = 0;
    } else scale -= exp;
  } else if (exp < 0) scale -= exp;
  if (scale > MAX_SCALE) throw numericOverflow();
  if (exp > 0 && int.toString().length - scale > MAX_INT_DIGITS) throw numericOverflow();
  return { int: m[1] === '-' ? -int : int, scale };
}

/** Canonical text: exactly `scale` fractional digits, as PostgreSQL prints numeric. */
export function decimalToString(d: Decimal): string {
  const neg = d.int < 0n;
  const abs = (neg ? -d.int : d.int).toString();
  if (d.scale <= 0) return (neg ? '-' : '') + abs + '0'.repeat(-d.scale);
  const padded = abs.padStart(d.scale + 1, '0');
  const s = `${padded.slice(0, padded.length - d.scale)}.${padded.slice(padded.length - d.scale)}`;
  return neg ? `-${s}` : s;
}

/** Canonical numeric text of input text: NaN and ±Infinity (any case, `inf` too) are special values. */
export function normalizeNumericText(text: string): string {
  const t = text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '').toLowerCase();
  if (t === 'nan') return NUMERIC_NAN;
  if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return NUMERIC_INF;
  if (t === '-inf' || t === '-infinity') return NUMERIC_NEG_INF;
  return decimalToString(parseDecimal(text));
}

/**
 * Numeric NaN travels as the string 'NaN'. It equals itself and sorts above
 * every number (PostgreSQL's rule); arithmetic with it yields NaN.
 */
export const NUMERIC_NAN = 'NaN';
/** Numeric ±Infinity (PostgreSQL 14+) travel as 'Infinity' / '-Infinity', their text output. */
export const NUMERIC_INF = 'Infinity';
export const NUMERIC_NEG_INF = '-Infinity';

/** Whether a numeric value is NaN or ±Infinity (not a finite decimal). */
export function isNumericSpecial(v: string): boolean {
  return v === NUMERIC_NAN || v === NUMERIC_INF || v === NUMERIC_NEG_INF;
}

/** Sign of a numeric value (NaN: NaN): -1, 0 or 1. */
export function numericSign(v: string): number {
  if (v === NUMERIC_NAN) return Number.NaN;
  if (v === NUMERIC_INF) return 1;
  if (v === NUMERIC_NEG_INF) return -1;
  return v.startsWith('-') ? -1 : /[1-9]/.test(v) ? 1 : 0;
}

/** Sort rank: -Infinity < finite < Infinity < NaN; finite values compare by value. */
export function numericRank(v: string): number {
  return v === NUMERIC_NEG_INF ? -1 : v === NUMERIC_INF ? 1 : v === NUMERIC_NAN ? 2 : 0;
}

/** Compares two numeric values (specials included), PostgreSQL's order. */
export function compareNumeric(a: string, b: string): number {
  const ra = numericRank(a);
  const rb = numericRank(b);
  if (ra !== 0 || rb !== 0) return ra === rb ? 0 : ra < rb ? -1 : 1;
  return decCmp(parseDecimal(a), parseDecimal(b));
}

/**
 * +, -, *, /, % where an argument is NaN or ±Infinity, as PostgreSQL's
 * numeric_add … numeric_mod; undefined when both are finite.
 */
export function numericSpecialArith(op: string, a: string, b: string): string | undefined {
  if (!isNumericSpecial(a) && !isNumericSpecial(b)) return undefined;
  if (a === NUMERIC_NAN || b === NUMERIC_NAN) return NUMERIC_NAN;
  const sa = numericSign(a);
  const sb = numericSign(b);
  const inf = (s: number) => (s > 0 ? NUMERIC_INF : NUMERIC_NEG_INF);
  const aInf = isNumericSpecial(a);
  const bInf = isNumericSpecial(b);
  switch (op) {
    case '+':
      return aInf && bInf ? (sa === sb ? a : NUMERIC_NAN) : aInf ? a : b;
    case '-':
      return aInf && bInf ? (sa !== sb ? a : NUMERIC_NAN) : aInf ? a : inf(-sb);
    case '*':
      return sa === 0 || sb === 0 ? NUMERIC_NAN : inf(sa * sb);
    case '/':
      if (aInf) {
        if (bInf) return NUMERIC_NAN;
        if (sb === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
        return inf(sa * sb);
      }
      return '0';
    case '%':
      if (aInf) {
        if (sb === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
        return NUMERIC_NAN;
      }
      return a;
  }
  return undefined;
}

function rescale(d: Decimal, scale: number): bigint {
  return scale >= d.scale ? d.int * 10n ** BigInt(scale - d.scale) : d.int / 10n ** BigInt(d.scale - scale);
}

export function decAdd(a: Decimal, b: Decimal): Decimal {
  const s = Math.max(a.scale, b.scale);
  return { int: rescale(a, s) + rescale(b, s), scale: s };
}

export function decSub(a: Decimal, b: Decimal): Decimal {
  const s = Math.max(a.scale, b.scale);
  return { int: rescale(a, s) - rescale(b, s), scale: s };
}

/** Exact product (aggregates square values with it, as PostgreSQL's accumulators do). */
export function decMul(a: Decimal, b: Decimal): Decimal {
  return { int: a.int * b.int, scale: a.scale + b.scale };
}

/** The `*` operator (numeric_mul): a product scale past 16383 is rounded to 16383 digits. */
export function decMulOperator(a: Decimal, b: Decimal): Decimal {
  const p = decMul(a, b);
  return p.scale > MAX_SCALE ? decRound(p, MAX_SCALE) : p;
}

export function decCmp(a: Decimal, b: Decimal): number {
  const s = Math.max(a.scale, b.scale);
  const x = rescale(a, s);
  const y = rescale(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rounds half away from zero to `scale` digits (PostgreSQL's numeric rounding). */
export function decRound(d: Decimal, scale: number): Decimal {
  if (scale >= d.scale) return { int: rescale(d, scale), scale };
  const f = 10n ** BigInt(d.scale - scale);
  const neg = d.int < 0n;
  const abs = neg ? -d.int : d.int;
  let q = abs / f;
  if ((abs % f) * 2n >= f) q += 1n;
  return { int: neg ? -q : q, scale };
}

export function decTrunc(d: Decimal, scale: number): Decimal {
  return { int: rescale(d, scale), scale };
}

/** Weight (base-10000 digit position) and first base-10000 digit, as PostgreSQL's NumericVar holds them. */
function weightAndFirst(d: Decimal): [number, number] {
  if (d.int === 0n) return [0, 0];
  const abs = (d.int < 0n ? -d.int : d.int).toString();
  // Digits before the decimal point.
  const intDigits = abs.length - d.scale;
  const w = intDigits > 0 ? Math.floor((intDigits - 1) / 4) : -Math.floor(-intDigits / 4) - 1;
  const groupStart = intDigits - (w + 1) * 4; // index in abs where the leading group starts (may be negative)
  let first = 0;
  for (let i = groupStart; i < groupStart + 4; i++)
    first = first * 10 + (i >= 0 && i < abs.length ? +abs[i] : 0);
  return [w, first];
}

/** Division with PostgreSQL's select_div_scale result scale; 22012 on zero divisor. */
export function decDiv(a: Decimal, b: Decimal): Decimal {
  if (b.int === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  const [w1, f1] = weightAndFirst(a);
  const [w2, f2] = weightAndFirst(b);
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  let rscale = 16 - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  rscale = Math.min(rscale, 1000);
  return divToScale(a, b, rscale);
}

/** a / b rounded half away from zero to `scale` digits. */
export function divToScale(a: Decimal, b: Decimal, scale: number): Decimal {
  // a.int/10^as / (b.int/10^bs) = a.int*10^(bs) / (b.int*10^as)
  const num = a.int * 10n ** BigInt(Math.max(0, b.scale + scale + 1 - a.scale));
  const den = b.int * 10n ** BigInt(Math.max(0, a.scale - b.scale - scale - 1));
  const q = num / den; // scale+1 digits, truncated
  const neg = q < 0n;
  let abs = neg ? -q : q;
  abs = (abs + 5n) / 10n;
  return { int: neg ? -abs : abs, scale };
}

/** Modulo with the sign of the dividend. */
export function decMod(a: Decimal, b: Decimal): Decimal {
  if (b.int === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  const s = Math.max(a.scale, b.scale);
  return { int: rescale(a, s) % rescale(b, s), scale: s };
}

export function decFromBigInt(v: bigint): Decimal {
  return { int: v, scale: 0 };
}

/** The exact decimal value of a finite double's magnitude. */
export function exactDouble(v: number): Decimal {
  const a = Math.abs(v);
  if (Number.isInteger(a)) return { int: BigInt(a), scale: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e = (biased === 0 ? -1074 : biased - 1075) * -1; // a = m / 2^e, e > 0
  return { int: m * 5n ** BigInt(e), scale: e };
}

/** float8 → numeric keeps 15 significant digits (DBL_DIG), as PostgreSQL does; finite values only. */
export function decFromFloat(v: number): Decimal {
  const d = parseDecimal(v.toPrecision(15));
  // strip trailing zeros in the fraction, as float8_numeric does
  let { int, scale } = d;
  while (scale > 0 && int % 10n === 0n) {
    int /= 10n;
    scale--;
  }
  if (scale < 0) {
    int *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { int, scale };
}

export function decToNumber(d: Decimal): number {
  return Number(decimalToString(d));
}

/** Truncates toward zero to a bigint. */
export function decToBigIntRound(d: Decimal): bigint {
  return decRound(d, 0).int;
}

export function decNeg(d: Decimal): Decimal {
  return { int: -d.int, scale: d.scale };
}

export function decAbs(d: Decimal): Decimal {
  return d.int < 0n ? decNeg(d) : d;
}
