/**
 * @module engine/functions/math-functions
 * Integer and numeric math functions with PostgreSQL's semantics: gcd / lcm
 * (22003 when the answer leaves the type), the hyperbolic functions with their
 * domain errors, scale / min_scale / trim_scale / div / factorial on numeric,
 * width_bucket (float8 and numeric) and pg_input_is_valid for the number types and interval.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { castFn, checkInt, checkInt64, parseText } from '../types/cast.ts';
import {
  type Decimal,
  decCmp,
  decimalToString,
  decMul,
  decSub,
  divToScale,
  isNumericSpecial,
  NUMERIC_NAN,
  numericSign,
  parseDecimal,
} from '../types/numeric.ts';
import { checkNumericRange } from '../types/numeric-math.ts';
import { makeTypMod, typmodEnforcer } from '../types/typmod.ts';
import {
  columnTypeFromName,
  isFloatType,
  isIntegerType,
  type SqlType,
  type ValueType,
} from '../types/values.ts';
import type { Resolved } from './operators.ts';

const mk = (name: string, fn: (...a: never[]) => unknown): ScalarImpl => ({
  name,
  strict: true,
  fn: fn as (...a: unknown[]) => unknown,
});

const outOfRange = (what: string) => new SqlError(SqlState.numericValueOutOfRange, `${what} out of range`);

function bigGcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The integer type gcd / lcm run in: int4 for int2/int4, int8 if either is int8; numeric otherwise. */
function gcdType(args: readonly SqlType[]): SqlType | undefined {
  if (args.length !== 2) return undefined;
  const ok = (t: SqlType) => isIntegerType(t) || t === 'numeric' || t === 'unknown';
  if (!ok(args[0]) || !ok(args[1])) return undefined;
  if (args.includes('numeric')) return 'numeric';
  return args.includes('int64') ? 'int64' : 'int32';
}

function numericGcdLcm(lcm: boolean, x: string, y: string): string {
  if (isNumericSpecial(x) || isNumericSpecial(y)) return NUMERIC_NAN;
  const a = parseDecimal(x);
  const b = parseDecimal(y);
  const s = Math.max(a.scale, b.scale);
  const ai = a.int * 10n ** BigInt(s - a.scale);
  const bi = b.int * 10n ** BigInt(s - b.scale);
  const g = bigGcd(ai, bi);
  if (!lcm) return decimalToString({ int: g, scale: s });
  if (ai === 0n || bi === 0n) return decimalToString({ int: 0n, scale: s });
  const l = (ai / g) * bi;
  return decimalToString(checkNumericRange({ int: l < 0n ? -l : l, scale: s }));
}

function gcdLcm(name: 'gcd' | 'lcm') {
  return (args: readonly SqlType[]): Resolved | undefined => {
    const t = gcdType(args);
    if (!t) return undefined;
    const lcm = name === 'lcm';
    if (t === 'numeric')
      return {
        impl: mk(name, (x: string, y: string) => numericGcdLcm(lcm, x, y)),
        type: t,
        argTypes: [t, t],
      };
    const f = (a: bigint, b: bigint): bigint => {
      const g = bigGcd(a, b);
      if (!lcm) return g;
      if (a === 0n || b === 0n) return 0n;
      const l = (a / g) * b;
      return l < 0n ? -l : l;
    };
    if (t === 'int64')
      return {
        impl: mk(name, (x: bigint, y: bigint) => {
          const r = f(x, y);
          if (r > 9223372036854775807n) throw outOfRange('bigint');
          return checkInt64(r);
        }),
        type: t,
        argTypes: [t, t],
      };
    return {
      impl: mk(name, (x: number, y: number) => {
        const r = f(BigInt(x), BigInt(y));
        if (r > 2147483647n) throw outOfRange('integer');
        return checkInt('int32', Number(r));
      }),
      type: t,
      argTypes: [t, t],
    };
  };
}

/** A float8 function of one float8 argument, checked per PostgreSQL (NaN passes through). */
function float1(name: string, f: (x: number) => number): (args: readonly SqlType[]) => Resolved | undefined {
  return (args) => {
    if (args.length !== 1) return undefined;
    const t = args[0];
    // No numeric version exists: numeric arguments are cast to float8, as in PostgreSQL.
    if (!isIntegerType(t) && !isFloatType(t) && t !== 'numeric' && t !== 'unknown') return undefined;
    return { impl: mk(name, f), type: 'float64', argTypes: ['float64'] };
  };
}

const inputOutOfRange = () => new SqlError(SqlState.numericValueOutOfRange, 'input is out of range');

/** Number of fractional digits of a numeric's text (its display scale). */
function displayScale(v: string): number {
  const i = v.indexOf('.');
  return i < 0 ? 0 : v.length - i - 1;
}

/** Strips trailing fractional zeros (trim_scale). */
function trimScale(v: string): string {
  if (!v.includes('.')) return v;
  return v.replace(/0+$/, '').replace(/\.$/, '');
}

function numeric1(name: string, type: SqlType, f: (x: string) => unknown) {
  return (args: readonly SqlType[]): Resolved | undefined => {
    if (args.length !== 1) return undefined;
    const t = args[0];
    if (t !== 'numeric' && !isIntegerType(t) && t !== 'unknown') return undefined;
    return { impl: mk(name, f), type, argTypes: ['numeric'] };
  };
}

function factorial(n: bigint): string {
  if (n < 0n)
    throw new SqlError(SqlState.numericValueOutOfRange, 'factorial of a negative number is undefined');
  // PostgreSQL's numeric holds up to 131072 digits before the point; 32177! has 131070.
  if (n > 32177n) throw new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return r.toString();
}

/** width_bucket(operand, low, high, count) as PostgreSQL's width_bucket_float8 / width_bucket_numeric. */
function widthBucketFloat(x: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw new SqlError('2201G', 'count must be greater than zero');
  if (Number.isNaN(x) || Number.isNaN(lo) || Number.isNaN(hi))
    throw new SqlError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new SqlError('2201G', 'lower and upper bounds must be finite');
  if (lo === hi) throw new SqlError('2201G', 'lower bound cannot equal upper bound');
  let r: number;
  if (lo < hi) {
    if (x < lo) r = 0;
    else if (x >= hi) r = count + 1;
    else {
      r = Math.trunc(
        Number.isFinite(hi - lo)
          ? count * ((x - lo) / (hi - lo))
          : count * ((x / 2 - lo / 2) / (hi / 2 - lo / 2)),
      );
      r = Math.min(r, count - 1) + 1;
    }
  } else {
    if (x > lo) r = 0;
    else if (x <= hi) r = count + 1;
    else {
      r = Math.trunc(
        Number.isFinite(lo - hi)
          ? count * ((lo - x) / (lo - hi))
          : count * ((lo / 2 - x / 2) / (lo / 2 - hi / 2)),
      );
      r = Math.min(r, count - 1) + 1;
    }
  }
  if (r > 2147483647) throw outOfRange('integer');
  return r;
}

function widthBucketNumeric(x: string, lo: string, hi: string, count: number): number {
  if (count <= 0) throw new SqlError('2201G', 'count must be greater than zero');
  if (x === NUMERIC_NAN || lo === NUMERIC_NAN || hi === NUMERIC_NAN)
    throw new SqlError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  if (isNumericSpecial(lo) || isNumericSpecial(hi))
    throw new SqlError('2201G', 'lower and upper bounds must be finite');
  const l = parseDecimal(lo);
  const h = parseDecimal(hi);
  const c = decCmp(l, h);
  if (c === 0) throw new SqlError('2201G', 'lower bound cannot equal upper bound');
  const sx = isNumericSpecial(x) ? numericSign(x) : 0;
  const d = sx === 0 ? parseDecimal(x) : undefined;
  const below = (lower: boolean) =>
    d ? (lower ? decCmp(d, l) < 0 : decCmp(d, l) > 0) : lower ? sx < 0 : sx > 0;
  const atOrPast = (lower: boolean) =>
    d ? (lower ? decCmp(d, h) >= 0 : decCmp(d, h) <= 0) : lower ? sx > 0 : sx < 0;
  const asc = c < 0;
  let r: number;
  if (below(asc)) r = 0;
  else if (atOrPast(asc)) {
    r = count + 1;
    if (r > 2147483647) throw outOfRange('integer');
  } else {
    // floor(count * (x - lo) / (hi - lo)) + 1, exactly.
    const num = decMul(
      { int: BigInt(count), scale: 0 },
      asc ? decSub(d as Decimal, l) : decSub(l, d as Decimal),
    );
    const den = asc ? decSub(h, l) : decSub(l, h);
    const q = divToScale(num, den, 0);
    // divToScale rounds; step back when it rounded up past the true quotient.
    let b = q.int;
    if (decCmp(decMul({ int: b, scale: 0 }, den), num) > 0) b -= 1n;
    r = Math.min(Number(b) + 1, count);
  }
  return r;
}

/** pg_input_is_valid for the number types, bool, interval, time and char(n); other type names are refused (0A000). */
function inputIsValid(text: string, typeName: string): boolean {
  const m = /^\s*([a-z0-9_ ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\))?\s*$/i.exec(typeName);
  const t = m ? columnTypeFromName(m[1]) : undefined;
  if (
    !m ||
    !t ||
    !(
      isIntegerType(t) ||
      isFloatType(t) ||
      t === 'numeric' ||
      t === 'bool' ||
      t === 'interval' ||
      t === 'time' ||
      t === 'bpchar'
    ) ||
    (m[2] && t !== 'numeric' && t !== 'bpchar')
  )
    throw new SqlError(
      SqlState.featureNotSupported,
      `pg_input_is_valid for type "${typeName}" is not supported`,
    );
  try {
    const v = parseText(text, t);
    if (m[2]) {
      const tm = makeTypMod(t, m[1], m[3] === undefined ? [Number(m[2])] : [Number(m[2]), Number(m[3])]);
      if (tm) typmodEnforcer(tm, false)(v);
    }
    return true;
  } catch (e) {
    if (e instanceof SqlError && e.code.startsWith('22')) return false;
    throw e;
  }
}

type Resolver = (args: readonly SqlType[]) => Resolved | undefined;

/** Function-style casts between number types (`float8(x)`, `int4(x)`, `numeric(x)` …). */
function castCall(name: string, to: SqlType): Resolver {
  return (args) => {
    if (args.length !== 1) return undefined;
    const from = args[0];
    const ok =
      isIntegerType(from) || isFloatType(from) || from === 'numeric' || from === 'text' || from === 'unknown';
    if (!ok) return undefined;
    return {
      impl: mk(name, castFn(from, to as ValueType) as (v: never) => unknown),
      type: to,
      argTypes: [from],
    };
  };
}

const logError = (x: number) => {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
};

/** Trigonometric input check: ±Infinity is 22003 in PostgreSQL (NaN passes). */
const finiteInput = (x: number) => {
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) throw inputOutOfRange();
};
const unitInput = (x: number) => {
  if (x < -1 || x > 1) throw inputOutOfRange();
};

/** A float8 → float8 result checked for overflow from a finite input (22003). */
const noOverflow = (r: number, x: number) => {
  if (!Number.isFinite(r) && Number.isFinite(x))
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  return r;
};

/** The functions of this module by name. */
export const MATH_FUNCS: Record<string, Resolver> = {
  int2: castCall('int2', 'int16'),
  int4: castCall('int4', 'int32'),
  int8: castCall('int8', 'int64'),
  float4: castCall('float4', 'float32'),
  float8: castCall('float8', 'float64'),
  // The numeric versions of log10 / log / log(b, x) come first: engine/functions/numeric-functions.
  log10: float1('log10', (x) => {
    logError(x);
    return Math.log10(x);
  }),
  log: (args) => {
    if (args.length !== 1) return undefined;
    return MATH_FUNCS.log10(args);
  },
  cbrt: float1('cbrt', Math.cbrt),
  pi: (args) =>
    args.length === 0 ? { impl: mk('pi', () => Math.PI), type: 'float64', argTypes: [] } : undefined,
  degrees: float1('degrees', (x) => noOverflow(x * (180 / Math.PI), x)),
  radians: float1('radians', (x) => x * (Math.PI / 180)),
  sin: float1('sin', (x) => {
    finiteInput(x);
    return Math.sin(x);
  }),
  cos: float1('cos', (x) => {
    finiteInput(x);
    return Math.cos(x);
  }),
  tan: float1('tan', (x) => {
    finiteInput(x);
    return Math.tan(x);
  }),
  cot: float1('cot', (x) => {
    finiteInput(x);
    return 1 / Math.tan(x);
  }),
  asin: float1('asin', (x) => {
    unitInput(x);
    return Math.asin(x);
  }),
  acos: float1('acos', (x) => {
    unitInput(x);
    return Math.acos(x);
  }),
  atan: float1('atan', Math.atan),
  atan2: (args) =>
    args.length === 2 && args.every((t) => isIntegerType(t) || isFloatType(t) || t === 'unknown')
      ? { impl: mk('atan2', Math.atan2), type: 'float64', argTypes: ['float64', 'float64'] }
      : undefined,
  gcd: gcdLcm('gcd'),
  lcm: gcdLcm('lcm'),
  sinh: float1('sinh', Math.sinh),
  cosh: float1('cosh', Math.cosh),
  tanh: float1('tanh', Math.tanh),
  asinh: float1('asinh', Math.asinh),
  acosh: float1('acosh', (x) => {
    if (x < 1) throw inputOutOfRange();
    return Math.acosh(x);
  }),
  atanh: float1('atanh', (x) => {
    if (x < -1 || x > 1) throw inputOutOfRange();
    return Math.atanh(x);
  }),
  scale: numeric1('scale', 'int32', (x: string) => (isNumericSpecial(x) ? null : displayScale(x))),
  min_scale: numeric1('min_scale', 'int32', (x: string) =>
    isNumericSpecial(x) ? null : displayScale(trimScale(x)),
  ),
  trim_scale: numeric1('trim_scale', 'numeric', (x: string) => (isNumericSpecial(x) ? x : trimScale(x))),
  div: (args) => {
    if (args.length !== 2) return undefined;
    const ok = (t: SqlType) => isIntegerType(t) || t === 'numeric' || t === 'unknown';
    if (!ok(args[0]) || !ok(args[1])) return undefined;
    return {
      impl: mk('div', (x: string, y: string) => {
        if (x === NUMERIC_NAN || y === NUMERIC_NAN) return NUMERIC_NAN;
        const sy = numericSign(y);
        if (isNumericSpecial(x)) {
          if (isNumericSpecial(y)) return NUMERIC_NAN;
          if (sy === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
          return numericSign(x) * sy > 0 ? 'Infinity' : '-Infinity';
        }
        if (isNumericSpecial(y)) return '0';
        if (sy === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
        const a = parseDecimal(x);
        const b = parseDecimal(y);
        // Truncated quotient: a / b toward zero, scale 0.
        const s = Math.max(a.scale, b.scale);
        const q = (a.int * 10n ** BigInt(s - a.scale)) / (b.int * 10n ** BigInt(s - b.scale));
        return decimalToString({ int: q, scale: 0 });
      }),
      type: 'numeric',
      argTypes: ['numeric', 'numeric'],
    };
  },
  factorial: (args) => {
    if (args.length !== 1 || !(isIntegerType(args[0]) || args[0] === 'unknown')) return undefined;
    return { impl: mk('factorial', (n: bigint) => factorial(n)), type: 'numeric', argTypes: ['int64'] };
  },
  width_bucket: (args) => {
    if (args.length !== 4) return undefined;
    const num = (t: SqlType) => isIntegerType(t) || isFloatType(t) || t === 'numeric' || t === 'unknown';
    if (!args.every(num) || isFloatType(args[3]) || args[3] === 'numeric') return undefined;
    const anyFloat = args.slice(0, 3).some(isFloatType);
    const anyNumeric = args.slice(0, 3).some((t) => t === 'numeric');
    if (anyFloat || !anyNumeric)
      return {
        impl: mk('width_bucket', widthBucketFloat),
        type: 'int32',
        argTypes: ['float64', 'float64', 'float64', 'int32'],
      };
    return {
      impl: mk('width_bucket', widthBucketNumeric),
      type: 'int32',
      argTypes: ['numeric', 'numeric', 'numeric', 'int32'],
    };
  },
  pg_input_is_valid: (args) =>
    args.length === 2
      ? { impl: mk('pg_input_is_valid', inputIsValid), type: 'bool', argTypes: ['text', 'text'] }
      : undefined,
};
