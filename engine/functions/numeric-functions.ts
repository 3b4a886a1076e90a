/**
 * @module engine/functions/numeric-functions
 * The exact numeric versions of sqrt, exp, ln, log10, log(x), log(b, x), power /
 * pow and the `^` operator, chosen the way PostgreSQL's overload resolution does:
 * a numeric argument with no float argument picks numeric (log(b, x) exists only
 * for numeric, so integers go there too); anything else stays with float8.
 * NaN and ±Infinity follow numeric.c (POSIX pow(3) rules for power); the values
 * themselves come from engine/types/numeric-math.
 */
import { SqlError } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import {
  decAdd,
  decCmp,
  decimalToString,
  isNumericSpecial,
  NUMERIC_INF,
  NUMERIC_NAN,
  NUMERIC_NEG_INF,
  numericSign,
  parseDecimal,
} from '../types/numeric.ts';
import {
  checkNumericRange,
  expScale,
  expToScale,
  lnScale,
  lnToScale,
  logBase,
  powerDecimal,
  sqrtScale,
  sqrtToScale,
} from '../types/numeric-math.ts';
import { isFloatType, isIntegerType, type SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

const logNegative = () => new SqlError('2201E', 'cannot take logarithm of a negative number');
const logZero = () => new SqlError('2201E', 'cannot take logarithm of zero');

function numericSqrt(x: string): string {
  if (x === NUMERIC_NEG_INF || (!isNumericSpecial(x) && numericSign(x) < 0))
    throw new SqlError('2201F', 'cannot take square root of a negative number');
  if (isNumericSpecial(x)) return x;
  const d = parseDecimal(x);
  return decimalToString(sqrtToScale(d, sqrtScale(d)));
}

function numericExp(x: string): string {
  if (x === NUMERIC_NEG_INF) return '0';
  if (isNumericSpecial(x)) return x;
  const d = parseDecimal(x);
  return decimalToString(checkNumericRange(expToScale(d, expScale(d))));
}

function checkLogArg(x: string): void {
  const s = numericSign(x);
  if (s < 0) throw logNegative();
  if (s === 0) throw logZero();
}

function numericLn(x: string): string {
  if (x === NUMERIC_NAN) return x;
  checkLogArg(x);
  if (isNumericSpecial(x)) return x;
  const d = parseDecimal(x);
  return decimalToString(lnToScale(d, lnScale(d)));
}

function numericLog(b: string, x: string): string {
  if (b === NUMERIC_NAN || x === NUMERIC_NAN) return NUMERIC_NAN;
  checkLogArg(b);
  checkLogArg(x);
  if (b === NUMERIC_INF) return x === NUMERIC_INF ? NUMERIC_NAN : '0';
  if (x === NUMERIC_INF) return NUMERIC_INF;
  return decimalToString(logBase(parseDecimal(b), parseDecimal(x)));
}

const isOne = (v: string) => !isNumericSpecial(v) && decCmp(parseDecimal(v), { int: 1n, scale: 0 }) === 0;
const isIntegral = (v: string) => {
  if (v === NUMERIC_NAN) return false;
  if (isNumericSpecial(v)) return true;
  const d = parseDecimal(v);
  return d.scale === 0 || d.int % 10n ** BigInt(d.scale) === 0n;
};

/** numeric_power: POSIX pow(3) rules for NaN and infinities, then power_var. */
export function numericPower(x: string, y: string): string {
  if (x === NUMERIC_NAN) return !isNumericSpecial(y) && numericSign(y) === 0 ? '1' : NUMERIC_NAN;
  if (y === NUMERIC_NAN) return isOne(x) ? '1' : NUMERIC_NAN;
  const s1 = numericSign(x);
  const s2 = numericSign(y);
  if (s1 === 0 && s2 < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (!isNumericSpecial(x) && !isNumericSpecial(y))
    return decimalToString(checkNumericRange(powerDecimal(parseDecimal(x), parseDecimal(y))));
  if (s1 < 0 && !isIntegral(y))
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (isOne(x) || s2 === 0) return '1';
  if (s1 === 0 && s2 > 0) return '0';
  if (isNumericSpecial(y)) {
    if (!isNumericSpecial(x) && decCmp(parseDecimal(x), { int: -1n, scale: 0 }) === 0) return '1';
    const absGtOne = isNumericSpecial(x) || decCmp(absDec(x), { int: 1n, scale: 0 }) > 0;
    return absGtOne === s2 > 0 ? NUMERIC_INF : '0';
  }
  if (x === NUMERIC_INF) return s2 > 0 ? NUMERIC_INF : '0';
  if (s2 < 0) return '0';
  const d = parseDecimal(y);
  const odd = d.scale === 0 ? d.int % 2n !== 0n : (d.int / 10n ** BigInt(d.scale)) % 2n !== 0n;
  return odd ? NUMERIC_NEG_INF : NUMERIC_INF;
}

function absDec(x: string) {
  const d = parseDecimal(x);
  return d.int < 0n ? { int: -d.int, scale: d.scale } : d;
}

const exactOk = (t: SqlType) => isIntegerType(t) || t === 'numeric' || t === 'unknown';

/** Whether PostgreSQL resolves these arguments to the numeric overload of a float8/numeric pair. */
export function picksNumeric(args: readonly SqlType[]): boolean {
  return args.includes('numeric') && !args.some(isFloatType) && args.every(exactOk);
}

function unary(name: string, f: (x: string) => string) {
  return (args: readonly SqlType[]): Resolved | undefined =>
    args.length === 1 && picksNumeric(args)
      ? { impl: mk(name, f), type: 'numeric', argTypes: ['numeric'] }
      : undefined;
}

const power = (args: readonly SqlType[]): Resolved | undefined =>
  args.length === 2 && picksNumeric(args)
    ? { impl: mk('power', numericPower), type: 'numeric', argTypes: ['numeric', 'numeric'] }
    : undefined;

/** Numeric versions by function name; each answers undefined when the float8 version applies. */
const NUMERIC_MATH: Record<string, (args: readonly SqlType[]) => Resolved | undefined> = {
  sqrt: unary('sqrt', numericSqrt),
  exp: unary('exp', numericExp),
  ln: unary('ln', numericLn),
  log10: unary('log10', (x) => numericLog('10', x)),
  log: (args) => {
    if (args.length === 1) return unary('log', (x) => numericLog('10', x))(args);
    if (args.length === 2 && args.every(exactOk))
      return { impl: mk('log', numericLog), type: 'numeric', argTypes: ['numeric', 'numeric'] };
    return undefined;
  },
  power,
  pow: power,
  // The internal increment numeric.sql calls directly: specials unchanged.
  numeric_inc: (args) =>
    args.length === 1 && args[0] === 'numeric'
      ? {
          impl: mk('numeric_inc', (x: string) =>
            isNumericSpecial(x) ? x : decimalToString(decAdd(parseDecimal(x), { int: 1n, scale: 0 })),
          ),
          type: 'numeric',
          argTypes: ['numeric'],
        }
      : undefined,
};

/** The numeric overload of a math function, or undefined (not one of them, or float8 applies). */
export function resolveNumericMath(name: string, args: readonly SqlType[]): Resolved | undefined {
  return Object.hasOwn(NUMERIC_MATH, name) ? NUMERIC_MATH[name](args) : undefined;
}

/** numeric ^ numeric, when PostgreSQL picks it over float8 ^ float8. */
export function resolveNumericPowerOperator(a: SqlType, b: SqlType): Resolved | undefined {
  return power([a, b]);
}
