/**
 * @module engine/functions/degree-trig
 * Trigonometric functions in degrees (sind, cosd, tand, cotd, asind, acosd,
 * atand, atan2d) as PostgreSQL's float.c computes them: the argument is reduced
 * to the first quadrant and the result scaled by the function's value at 30°,
 * 45° or 60°, so the special angles come out exact (sind(30) = 0.5, tand(45) = 1).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { isFloatType, isIntegerType, type SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';

/** float.c's RADIANS_PER_DEGREE (0.0174532925199432957692) is this double. */
const RADIANS_PER_DEGREE = Math.PI / 180;
const SIN_30 = Math.sin(30 * RADIANS_PER_DEGREE);
const ONE_MINUS_COS_60 = 1 - Math.cos(60 * RADIANS_PER_DEGREE);
const ASIN_0_5 = Math.asin(0.5);
const ACOS_0_5 = Math.acos(0.5);
const ATAN_1_0 = Math.atan(1);

const sind0to30 = (x: number) => Math.sin(x * RADIANS_PER_DEGREE) / SIN_30 / 2;
const cosd0to60 = (x: number) => 1 - (1 - Math.cos(x * RADIANS_PER_DEGREE)) / ONE_MINUS_COS_60 / 2;
const sindQ1 = (x: number) => (x <= 30 ? sind0to30(x) : cosd0to60(90 - x));
const cosdQ1 = (x: number) => (x <= 60 ? cosd0to60(x) : sind0to30(90 - x));
const TAN_45 = sindQ1(45) / cosdQ1(45);
const COT_45 = cosdQ1(45) / sindQ1(45);
const asindQ1 = (x: number) =>
  x <= 0.5 ? (Math.asin(x) / ASIN_0_5) * 30 : 90 - (Math.acos(x) / ACOS_0_5) * 60;
const acosdQ1 = (x: number) =>
  x <= 0.5 ? 90 - (Math.asin(x) / ASIN_0_5) * 30 : (Math.acos(x) / ACOS_0_5) * 60;

const outOfRange = () => new SqlError(SqlState.numericValueOutOfRange, 'input is out of range');

/** The argument reduced to [0, 90] degrees with the sign the function's symmetries give. */
function reduce(x: number, odd: (a: number) => boolean): [number, number] {
  if (!Number.isFinite(x)) throw outOfRange();
  let a = x % 360;
  let sign = 1;
  if (a < 0) {
    a = -a;
    if (odd(0)) sign = -sign;
  }
  if (a > 180) {
    a = 360 - a;
    if (odd(360)) sign = -sign;
  }
  if (a > 90) {
    a = 180 - a;
    if (odd(180)) sign = -sign;
  }
  return [a, sign];
}

/** Which reflections flip the sign: about 0 (negation), 360 - x, 180 - x. */
const flips = (neg: boolean, r360: boolean, r180: boolean) => (p: number) =>
  p === 0 ? neg : p === 360 ? r360 : r180;

const zeroNotMinus = (r: number) => (r === 0 ? 0 : r);

const FUNCS: Record<string, (x: number, y?: number) => number> = {
  sind: (x) => {
    if (Number.isNaN(x)) return x;
    const [a, s] = reduce(x, flips(true, true, false));
    return s * sindQ1(a);
  },
  cosd: (x) => {
    if (Number.isNaN(x)) return x;
    const [a, s] = reduce(x, flips(false, false, true));
    return s * cosdQ1(a);
  },
  tand: (x) => {
    if (Number.isNaN(x)) return x;
    const [a, s] = reduce(x, flips(true, true, true));
    return zeroNotMinus(s * (sindQ1(a) / cosdQ1(a) / TAN_45));
  },
  cotd: (x) => {
    if (Number.isNaN(x)) return x;
    const [a, s] = reduce(x, flips(true, true, true));
    return zeroNotMinus(s * (cosdQ1(a) / sindQ1(a) / COT_45));
  },
  asind: (x) => {
    if (Number.isNaN(x)) return x;
    if (x < -1 || x > 1) throw outOfRange();
    return x >= 0 ? asindQ1(x) : -asindQ1(-x);
  },
  acosd: (x) => {
    if (Number.isNaN(x)) return x;
    if (x < -1 || x > 1) throw outOfRange();
    return x >= 0 ? acosdQ1(x) : 90 + asindQ1(-x);
  },
  atand: (x) => (Number.isNaN(x) ? x : (Math.atan(x) / ATAN_1_0) * 45),
  atan2d: (y, x) =>
    Number.isNaN(y) || Number.isNaN(x as number) ? Number.NaN : (Math.atan2(y, x as number) / ATAN_1_0) * 45,
};

const numberArg = (t: SqlType) => isIntegerType(t) || isFloatType(t) || t === 'numeric' || t === 'unknown';

/** Resolves a degree-based trigonometric function of float8 arguments; undefined for other names. */
export function resolveDegreeTrig(name: string, args: readonly SqlType[]): Resolved | undefined {
  const f = Object.hasOwn(FUNCS, name) ? FUNCS[name] : undefined;
  const arity = name === 'atan2d' ? 2 : 1;
  if (!f || args.length !== arity || !args.every(numberArg)) return undefined;
  const impl: ScalarImpl = { name, strict: true, fn: f as (...a: unknown[]) => unknown };
  return { impl, type: 'float64', argTypes: args.map(() => 'float64') };
}
