/**
 * @module engine/types/numeric-math
 * Exact-representation numeric sqrt / exp / ln / log / power with PostgreSQL's
 * result scales (numeric.c: numeric_sqrt, numeric_exp, numeric_ln, log_var,
 * power_var, power_var_int). Each function picks its display scale from the
 * inputs' weights and display scales exactly as PostgreSQL does, then computes
 * the value on fixed-point bigints with guard digits and rounds half away from
 * zero to that scale. Inputs are finite decimals; the NaN / ±Infinity rules live
 * in engine/functions/numeric-functions.
 */
import { SqlError, SqlState } from '../errors.ts';
import { type Decimal, decCmp, decMul, decRound, decToNumber, divToScale } from './numeric.ts';

/** PostgreSQL's NUMERIC_MIN_SIG_DIGITS, NUMERIC_MAX_DISPLAY_SCALE, NUMERIC_MAX_RESULT_SCALE. */
const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
const MAX_RESULT_SCALE = 2000;
/** numeric.c's literals for log10(e) and ln(10): result scales depend on their exact values. */
// biome-ignore lint/suspicious/noApproximativeNumericConstant: PostgreSQL's literal, not Math.LOG10E
const PG_LOG10_E = 0.434294481903252;
// biome-ignore lint/suspicious/noApproximativeNumericConstant: PostgreSQL's literal, not Math.LN10
const PG_LN_10 = 2.302585092994046;
/** Extra digits carried through every fixed-point computation. */
const GUARD = 12;

const overflow = () => new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
const clampScale = (s: number, ...floors: number[]) => Math.min(Math.max(s, 0, ...floors), MAX_DISPLAY_SCALE);
const pow10 = (n: number) => 10n ** BigInt(n);
const absBig = (v: bigint) => (v < 0n ? -v : v);

/** make_result's range check: more than 131072 digits before the point is 22003. */
export function checkNumericRange(d: Decimal): Decimal {
  if (absBig(d.int).toString().length - d.scale > 131072) throw overflow();
  return d;
}

/** ⌊√v⌋ of a non-negative bigint by Newton's iteration from an upper bound. */
export function isqrt(v: bigint): bigint {
  if (v < 2n) return v;
  let x = 1n << BigInt(Math.ceil(v.toString(16).length * 2)); // ≥ √v
  for (;;) {
    const y = (x + v / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** √d rounded half up to `scale` digits (d ≥ 0): ⌊√⌋ at scale+1 digits, then round, which is exact rounding. */
export function sqrtToScale(d: Decimal, scale: number): Decimal {
  const shift = 2 * scale + 2 - d.scale;
  const v = shift >= 0 ? d.int * pow10(shift) : d.int / pow10(-shift);
  return divToScale({ int: isqrt(v), scale: scale + 1 }, { int: 1n, scale: 0 }, scale);
}

/** The value as PostgreSQL's NumericVar holds it: base-10000 digits (stripped) and the first one's weight. */
export function nbaseDigits(d: Decimal): { weight: number; digits: number[] } {
  if (d.int === 0n) return { weight: 0, digits: [] };
  const s = absBig(d.int).toString();
  const intDigits = s.length - d.scale;
  const lead = (((4 - (intDigits % 4)) % 4) + 4) % 4;
  let body = '0'.repeat(lead) + s;
  body += '0'.repeat((4 - (body.length % 4)) % 4);
  const digits: number[] = [];
  for (let i = 0; i < body.length; i += 4) digits.push(Number(body.slice(i, i + 4)));
  let weight = (intDigits + lead) / 4 - 1;
  while (digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits[digits.length - 1] === 0) digits.pop();
  return { weight, digits };
}

const ONE: Decimal = { int: 1n, scale: 0 };

/** PostgreSQL's estimate_ln_dweight: the decimal weight of ln(d), from its leading digits. */
export function estimateLnDweight(d: Decimal): number {
  if (d.int <= 0n) return 0;
  if (decCmp(d, { int: 9n, scale: 1 }) >= 0 && decCmp(d, { int: 11n, scale: 1 }) <= 0) {
    const x = { int: d.int - pow10(d.scale), scale: d.scale };
    if (x.int === 0n) return 0;
    const nb = nbaseDigits(x);
    return nb.weight * 4 + Math.trunc(Math.log10(nb.digits[0]));
  }
  const nb = nbaseDigits(d);
  let digits = nb.digits[0];
  let dweight = nb.weight * 4;
  if (nb.digits.length > 1) {
    digits = digits * 10000 + nb.digits[1];
    dweight -= 4;
  }
  const ln = Math.log(digits) + dweight * PG_LN_10;
  return Math.trunc(Math.log10(Math.abs(ln)));
}

/** ln(m)·10^g for m (at scale g) in [1, 10): square roots down to [1, 1.1), then 2·atanh((m-1)/(m+1)). */
function lnSmall(m: bigint, g: number): bigint {
  const one = pow10(g);
  const lim = (one * 11n) / 10n;
  let fact = 2n;
  let x = m;
  while (x >= lim) {
    x = isqrt(x * one);
    fact *= 2n;
  }
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let sum = z;
  let pw = z;
  for (let i = 3n; ; i += 2n) {
    pw = (pw * z2) / one;
    const t = pw / i;
    if (t === 0n) break;
    sum += t;
  }
  return sum * fact;
}

let ln10Cache: { g: number; v: bigint } = { g: 0, v: 0n };
/** ln(10)·10^g, cached at the largest precision asked for. */
function ln10(g: number): bigint {
  if (ln10Cache.g < g) ln10Cache = { g: g + 20, v: lnSmall(pow10(g + 21), g + 20) };
  return ln10Cache.v / pow10(ln10Cache.g - g);
}

/** ln(x) (x > 0) at `scale` fractional digits, a few units of the last guard digit off at most. */
function lnFixed(x: Decimal, scale: number): Decimal {
  const digits = absBig(x.int).toString().length;
  const k = digits - 1 - x.scale; // x = m·10^k with 1 ≤ m < 10
  const g = scale + GUARD + String(Math.abs(k)).length;
  const m = g >= digits - 1 ? x.int * pow10(g - (digits - 1)) : x.int / pow10(digits - 1 - g);
  let r = lnSmall(m, g);
  if (k !== 0) r += BigInt(k) * ln10(g);
  return { int: r, scale: g };
}

/** ln(x) rounded to `scale` digits (x > 0). */
export function lnToScale(x: Decimal, scale: number): Decimal {
  if (decCmp(x, ONE) === 0) return { int: 0n, scale };
  return decRound(lnFixed(x, scale), scale);
}

/** e^a (a ≥ 0) at scale ≥ `scale` digits, relative error below 10^-(scale + decimal weight of the result). */
function expPos(a: Decimal, scale: number): Decimal {
  const av = decToNumber(a);
  let n = 0;
  for (let v = av; v > 0.001; v /= 2) n++;
  const s = scale + Math.floor(av * Math.LOG10E) + 1 + Math.ceil(n * 0.302) + GUARD;
  const one = pow10(s);
  const x = s >= a.scale ? a.int * pow10(s - a.scale) : a.int / pow10(a.scale - s);
  const r = x >> BigInt(n);
  let sum = one + r;
  let term = r;
  for (let i = 2n; ; i++) {
    term = (term * r) / one / i;
    if (term === 0n) break;
    sum += term;
  }
  for (let j = 0; j < n; j++) sum = (sum * sum) / one;
  return { int: sum, scale: s };
}

/** e^x rounded to `scale` digits; |x| ≥ 6000 overflows (x > 0) or is zero, as exp_var. */
export function expToScale(x: Decimal, scale: number): Decimal {
  const xv = decToNumber(x);
  if (Math.abs(xv) >= MAX_RESULT_SCALE * 3) {
    if (xv > 0) throw overflow();
    return { int: 0n, scale };
  }
  if (x.int >= 0n) return decRound(expPos(x, scale), scale);
  const a = { int: -x.int, scale: x.scale };
  const c = Math.floor(-xv * Math.LOG10E); // e^a ≥ 10^c
  if (c > scale + 1) return { int: 0n, scale };
  return divToScale(ONE, expPos(a, Math.max(scale - 2 * c, 0)), scale);
}

/** Display scale of sqrt(d) (numeric_sqrt). */
export function sqrtScale(d: Decimal): number {
  const sweight = nbaseDigits(d).weight * 2 + 1;
  return clampScale(MIN_SIG_DIGITS - sweight, d.scale);
}

/** Display scale of exp(d) (numeric_exp). */
export function expScale(d: Decimal): number {
  let val = decToNumber(d) * PG_LOG10_E;
  val = Math.min(Math.max(val, -MAX_RESULT_SCALE), MAX_RESULT_SCALE);
  return clampScale(MIN_SIG_DIGITS - Math.trunc(val), d.scale);
}

/** Display scale of ln(d) (numeric_ln). */
export function lnScale(d: Decimal): number {
  return clampScale(MIN_SIG_DIGITS - estimateLnDweight(d), d.scale);
}

/** log_var: log base `b` of `x` (both > 0) with PostgreSQL's result scale; 22012 when b = 1. */
export function logBase(b: Decimal, x: Decimal): Decimal {
  const bw = estimateLnDweight(b);
  const xw = estimateLnDweight(x);
  const rw = xw - bw;
  const rscale = clampScale(MIN_SIG_DIGITS - rw, b.scale, x.scale);
  const lb = decCmp(b, ONE) === 0 ? { int: 0n, scale: 0 } : lnFixed(b, Math.max(rscale + rw - bw, 0) + 8);
  if (lb.int === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  const lx = decCmp(x, ONE) === 0 ? { int: 0n, scale: 0 } : lnFixed(x, Math.max(rscale + rw - xw, 0) + 8);
  return divToScale(lx, lb, rscale);
}

/** A positive value m·10^e carried to a fixed number of significant digits. */
interface SigFloat {
  m: bigint;
  e: number;
}
function sigTrim(v: SigFloat, p: number): SigFloat {
  const extra = v.m.toString().length - p;
  return extra > 0 ? { m: v.m / pow10(extra), e: v.e + extra } : v;
}
function sigToDecimal(v: SigFloat): Decimal {
  return v.e >= 0 ? { int: v.m * pow10(v.e), scale: 0 } : { int: v.m, scale: -v.e };
}

/** power_var_int: base ^ exp for an int32 exponent, with its result scale and overflow/underflow tests. */
export function powerInt(base: Decimal, exp: number, expScale: number): Decimal {
  const nb = nbaseDigits(base);
  let f = 0;
  if (nb.digits.length > 0) {
    let m = nb.digits[0];
    let p = nb.weight * 4;
    for (let i = 1; i < nb.digits.length && i * 4 < 16; i++) {
      m = m * 10000 + nb.digits[i];
      p -= 4;
    }
    f = exp * (Math.log10(m) + p);
  }
  if (f > 32768 * 4) throw overflow();
  if (f + 1 < -MAX_DISPLAY_SCALE) return { int: 0n, scale: MAX_DISPLAY_SCALE };
  const rscale = clampScale(MIN_SIG_DIGITS - Math.trunc(f), base.scale, expScale);
  if (exp === 0) return { int: pow10(rscale), scale: rscale };
  if (base.int === 0n) {
    if (exp < 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
    return { int: 0n, scale: rscale };
  }
  const n = Math.abs(exp);
  const size = absBig(base.int).toString().length * n;
  if (size <= 60000) {
    const p = { int: base.int ** BigInt(n), scale: base.scale * n };
    return exp > 0 ? decRound(p, rscale) : divToScale(ONE, p, rscale);
  }
  // Too many exact digits: repeated squaring to enough significant digits.
  const prec = Math.max(rscale + Math.ceil(Math.abs(f)) + GUARD + String(n).length, GUARD);
  let acc: SigFloat = { m: 1n, e: 0 };
  let sq: SigFloat = sigTrim({ m: absBig(base.int), e: -base.scale }, prec);
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) acc = sigTrim({ m: acc.m * sq.m, e: acc.e + sq.e }, prec);
    if (k > 1) sq = sigTrim({ m: sq.m * sq.m, e: sq.e * 2 }, prec);
  }
  const mag = sigToDecimal(acc);
  const r = exp > 0 ? decRound(mag, rscale) : divToScale(ONE, mag, rscale);
  return base.int < 0n && n % 2 === 1 ? { int: -r.int, scale: r.scale } : r;
}

/** power_var for finite base and exponent (0 ^ negative and the complex case are the caller's checks). */
export function powerDecimal(base: Decimal, exp: Decimal): Decimal {
  const integral = exp.scale === 0 || exp.int % pow10(exp.scale) === 0n;
  if (integral) {
    const e = exp.scale === 0 ? exp.int : exp.int / pow10(exp.scale);
    if (e >= -2147483648n && e <= 2147483647n) return powerInt(base, Number(e), exp.scale);
  }
  if (base.int === 0n) return { int: 0n, scale: MIN_SIG_DIGITS };
  let negResult = false;
  let b = base;
  if (base.int < 0n) {
    if (!integral)
      throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
    const e = exp.int / pow10(exp.scale);
    negResult = e % 2n !== 0n;
    b = { int: -base.int, scale: base.scale };
  }
  const lnDweight = estimateLnDweight(b);
  const localScale = clampScale(8 - lnDweight);
  const approx = decRound(decMul(lnToScale(b, localScale), exp), localScale);
  let val = decToNumber(approx);
  if (Math.abs(val) > MAX_RESULT_SCALE * 3.01) {
    if (val > 0) throw overflow();
    return { int: 0n, scale: MAX_DISPLAY_SCALE };
  }
  val *= PG_LOG10_E;
  const rscale = clampScale(MIN_SIG_DIGITS - Math.trunc(val), b.scale, exp.scale);
  const expDigits = absBig(exp.int).toString().length - exp.scale;
  const l = lnFixed(b, rscale + Math.max(Math.ceil(val), 0) + Math.max(expDigits, 0) + 4);
  const r = expToScale(decMul(l, exp), rscale);
  return negResult ? { int: -r.int, scale: r.scale } : r;
}
