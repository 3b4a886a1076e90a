/**
 * @module engine/functions/array-functions
 * Scalar functions and operators over one-dimensional arrays (JS arrays whose
 * NULL elements are `null`, lower bound 1): constructors, subscripts and
 * slices, `op ANY/ALL (array)` with PostgreSQL's three-valued logic, `||`,
 * `@>`, `<@`, `&&`, and array_length, cardinality, array_position and friends.
 * Each resolver runs once at bind time; elements compare with the element
 * type's comparator (NULL elements equal each other in `=`, as array_eq does).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { formatText } from '../types/cast.ts';
import {
  type ArrayType,
  arrayOf,
  commonType,
  comparatorFor,
  elemType,
  hashKeyFor,
  isArrayType,
  type SqlType,
} from '../types/values.ts';
import type { Resolved } from './operators.ts';

type Arr = readonly unknown[];

const mk = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

/** ARRAY[e1, e2, …]: NULL elements are kept. */
export const arrayConstructor: ScalarImpl = mk('array', (...xs: unknown[]) => xs, false);

/** a[i]: 1-based; out of range is NULL. */
export const subscriptImpl: ScalarImpl = mk('subscript', (a: Arr, i: number) =>
  i >= 1 && i <= a.length ? a[i - 1] : null,
);

/** a[lo:hi] with either bound omitted (undefined); NULL bounds make the result NULL. */
export function sliceImpl(hasLo: boolean, hasHi: boolean): ScalarImpl {
  return mk(
    'slice',
    (a: Arr | null, ...bounds: (number | null)[]) => {
      if (a === null || bounds.some((b) => b === null)) return null;
      const lo = hasLo ? (bounds[0] as number) : 1;
      const hi = hasHi ? (bounds[hasLo ? 1 : 0] as number) : a.length;
      const from = Math.max(lo, 1);
      const to = Math.min(hi, a.length);
      return from > to ? [] : a.slice(from - 1, to);
    },
    false,
  );
}

/**
 * `x op ANY (a)` (useOr) or `x op ALL (a)`, as ExecEvalScalarArrayOp: a NULL
 * array gives NULL; an empty array gives false (ANY) / true (ALL) even for a
 * NULL x; otherwise a NULL x gives NULL, and NULL comparisons make an
 * undecided result NULL.
 */
export function anyAllImpl(op: ScalarImpl, useOr: boolean): ScalarImpl {
  const f = op.fn;
  return mk(
    useOr ? 'any' : 'all',
    (x: unknown, a: Arr | null) => {
      if (a === null) return null;
      if (a.length === 0) return !useOr;
      if (x === null) return null;
      let sawNull = false;
      for (const e of a) {
        const r = e === null ? null : f(x, e);
        if (r === null) sawNull = true;
        else if (r === useOr) return useOr;
      }
      return sawNull ? null : !useOr;
    },
    false,
  );
}

/** The array type an operand resolves to against `other` (unknown literals adopt the other side). */
function arrayOperands(a: SqlType, b: SqlType): ArrayType | undefined {
  if (isArrayType(a) && b === 'unknown') return a;
  if (isArrayType(b) && a === 'unknown') return b;
  if (!isArrayType(a) || !isArrayType(b)) return undefined;
  const t = commonType(a, b);
  return t === undefined ? undefined : (t as ArrayType);
}

function containsAll(key: (v: unknown) => unknown, a: Arr, b: Arr): boolean {
  const have = new Set<unknown>();
  for (const x of a) if (x !== null) have.add(key(x));
  // NULL elements never match (arraycontains compares with =).
  for (const y of b) if (y === null || !have.has(key(y))) return false;
  return true;
}

/** Array operators: `||` (concatenation, append, prepend), `@>`, `<@`, `&&`; undefined otherwise. */
export function resolveArrayOperator(op: string, a: SqlType, b: SqlType): Resolved | undefined {
  if (!isArrayType(a) && !isArrayType(b)) return undefined;
  if (op === '||') {
    const both = arrayOperands(a, b);
    if (both)
      return {
        impl: mk(
          '||',
          (x: Arr | null, y: Arr | null) => (x === null ? y : y === null ? x : [...x, ...y]),
          false,
        ),
        type: both,
        argTypes: [both, both],
      };
    // Element || array (prepend) or array || element (append); the element may be NULL.
    const arr = (isArrayType(a) ? a : b) as ArrayType;
    const other = isArrayType(a) ? b : a;
    const e = commonType(elemType(arr), other);
    if (e === undefined || isArrayType(e)) return undefined;
    const t = arrayOf(e);
    const append = isArrayType(a);
    return {
      impl: mk(
        '||',
        append
          ? (x: Arr | null, y: unknown) => [...(x ?? []), y]
          : (x: unknown, y: Arr | null) => [x, ...(y ?? [])],
        false,
      ),
      type: t,
      argTypes: append ? [t, e] : [e, t],
    };
  }
  if (op !== '@>' && op !== '<@' && op !== '&&') return undefined;
  const t = arrayOperands(a, b);
  if (!t) return undefined;
  const key = hashKeyFor(elemType(t));
  const fn =
    op === '@>'
      ? (x: Arr, y: Arr) => containsAll(key, x, y)
      : op === '<@'
        ? (x: Arr, y: Arr) => containsAll(key, y, x)
        : (x: Arr, y: Arr) => {
            const have = new Set<unknown>();
            for (const v of x) if (v !== null) have.add(key(v));
            return y.some((v) => v !== null && have.has(key(v)));
          };
  return { impl: mk(op, fn), type: 'bool', argTypes: [t, t] };
}

/** Text of an element as its type's output function writes it (booleans t/f). */
function elemText(t: SqlType): (v: unknown) => string {
  return t === 'bool' ? (v) => (v ? 't' : 'f') : (v) => formatText(v, t);
}

type Resolver = (args: readonly SqlType[]) => Resolved | undefined;

/** Resolvers take the argument types; the first argument must be an array (or an unknown literal). */
const FUNCS: Record<string, Resolver> = {
  unnest: () => {
    // A set-returning function in the select list needs a ProjectSet-style operator the executor lacks.
    throw new SqlError(
      SqlState.featureNotSupported,
      'unnest in the select list is not supported; use it in FROM: SELECT … FROM unnest(array) [WITH ORDINALITY]',
    );
  },
  cardinality: ([t]) =>
    isArrayType(t)
      ? { impl: mk('cardinality', (a: Arr) => a.length), type: 'int32', argTypes: [t] }
      : undefined,
  array_length: ([t, d]) =>
    isArrayType(t) && d !== undefined
      ? {
          impl: mk('array_length', (a: Arr, dim: number) => (dim === 1 && a.length > 0 ? a.length : null)),
          type: 'int32',
          argTypes: [t, 'int32'],
        }
      : undefined,
  array_lower: ([t, d]) =>
    isArrayType(t) && d !== undefined
      ? {
          impl: mk('array_lower', (a: Arr, dim: number) => (dim === 1 && a.length > 0 ? 1 : null)),
          type: 'int32',
          argTypes: [t, 'int32'],
        }
      : undefined,
  array_upper: ([t, d]) =>
    isArrayType(t) && d !== undefined
      ? {
          impl: mk('array_upper', (a: Arr, dim: number) => (dim === 1 && a.length > 0 ? a.length : null)),
          type: 'int32',
          argTypes: [t, 'int32'],
        }
      : undefined,
  array_ndims: ([t]) =>
    isArrayType(t)
      ? { impl: mk('array_ndims', (a: Arr) => (a.length > 0 ? 1 : null)), type: 'int32', argTypes: [t] }
      : undefined,
  array_position: (args) => {
    const t = args[0];
    if (!isArrayType(t) || args.length < 2 || args.length > 3) return undefined;
    const e = elemType(t);
    const cmp = comparatorFor(e);
    // IS NOT DISTINCT FROM: a NULL search value finds the first NULL element.
    return {
      impl: mk(
        'array_position',
        (a: Arr | null, v: unknown, start?: number | null) => {
          if (a === null) return null;
          if (start === null) throw new SqlError('22004', 'initial position must not be null');
          for (let i = Math.max((start ?? 1) - 1, 0); i < a.length; i++) {
            const x = a[i];
            if (x === null ? v === null : v !== null && cmp(x, v) === 0) return i + 1;
          }
          return null;
        },
        false,
      ),
      type: 'int32',
      argTypes: args.length === 3 ? [t, e, 'int32'] : [t, e],
    };
  },
  array_append: ([t, e]) =>
    resolveArrayOperator('||', t, e === 'unknown' && isArrayType(t) ? elemType(t) : e),
  array_prepend: ([e, t]) =>
    resolveArrayOperator('||', e === 'unknown' && isArrayType(t) ? elemType(t) : e, t),
  array_cat: ([a, b]) => (isArrayType(a) || isArrayType(b) ? resolveArrayOperator('||', a, b) : undefined),
  array_remove: ([t]) => {
    if (!isArrayType(t)) return undefined;
    const e = elemType(t);
    const cmp = comparatorFor(e);
    return {
      impl: mk(
        'array_remove',
        (a: Arr | null, v: unknown) =>
          a === null ? null : a.filter((x) => (v === null ? x !== null : x === null || cmp(x, v) !== 0)),
        false,
      ),
      type: t,
      argTypes: [t, e],
    };
  },
  array_to_string: (args) => {
    const t = args[0];
    if (!isArrayType(t) || args.length < 2 || args.length > 3) return undefined;
    const txt = elemText(elemType(t));
    return {
      // Not strict in its third argument: a NULL null_string drops NULL elements, as when absent.
      impl: mk(
        'array_to_string',
        (a: Arr | null, d: string | null, nullStr?: string | null) =>
          a === null || d === null
            ? null
            : a
                .filter((x) => x !== null || (nullStr ?? undefined) !== undefined)
                .map((x) => (x === null ? nullStr : txt(x)))
                .join(d),
        false,
      ),
      type: 'text',
      argTypes: args.length === 3 ? [t, 'text', 'text'] : [t, 'text'],
    };
  },
  string_to_array: (args) => {
    if (args.length < 2 || args.length > 3 || isArrayType(args[0])) return undefined;
    return {
      impl: mk(
        'string_to_array',
        (s: string | null, d: string | null, nullStr?: string | null) => {
          if (s === null) return null;
          if (s === '') return [];
          const parts = d === null ? [...s] : d === '' ? [s] : s.split(d);
          return nullStr === undefined || nullStr === null
            ? parts
            : parts.map((p) => (p === nullStr ? null : p));
        },
        false,
      ),
      type: 'text[]',
      argTypes: args.length === 3 ? ['text', 'text', 'text'] : ['text', 'text'],
    };
  },
};

/** Resolves an array function by name; undefined when the name or argument types do not match. */
export function resolveArrayFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  return FUNCS[name]?.(args);
}

/** True for names this module owns (so a type mismatch reports "function does not exist" cleanly). */
export const isArrayFunctionName = (name: string): boolean => name in FUNCS;
