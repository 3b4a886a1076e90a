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

const NUM_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses numeric input text; throws 22P02 on bad syntax. */
export function parseDecimal(text: string): Decimal {
  const m = NUM_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new SqlError(
      SqlState.invalidTextRepresentation,
      `invalid input syntax for type numeric: "${text}"`,
    );
  }
  const intPart = m[2] || '0';
  const frac = m[3] ?? '';
  let scale = frac.length;
  let int = BigInt(intPart + frac);
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    if (exp >= scale) {
      int *= 10n ** BigInt(exp - scale);
      scale = 0;
    } else scale -= exp;
  } else if (exp < 0) scale -= exp;
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

/** Canonical numeric text of input text; 'NaN' (any case) is PostgreSQL's numeric NaN. */
export function normalizeNumericText(text: string): string {
  if (/^\s*nan\s*$/i.test(text)) return NUMERIC_NAN;
  return decimalToString(parseDecimal(text));
}

/**
 * Numeric NaN travels as the string 'NaN'. It equals itself and sorts above
 * every number (PostgreSQL's rule); arithmetic with it yields NaN.
 */
export const NUMERIC_NAN = 'NaN';

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

export function decMul(a: Decimal, b: Decimal): Decimal {
  return { int: a.int * b.int, scale: a.scale + b.scale };
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

/** float8 → numeric keeps 15 significant digits (DBL_DIG), as PostgreSQL does. */
export function decFromFloat(v: number): Decimal {
  if (!Number.isFinite(v)) {
    throw new SqlError(SqlState.featureNotSupported, 'cannot convert infinity to numeric in this engine');
  }
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
