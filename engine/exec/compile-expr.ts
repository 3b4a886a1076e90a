/**
 * @module engine/exec/compile-expr
 * Compiles bound expressions into closures `(row) => value` once per query (no
 * eval: workerd forbids code generation). NULL is `null`; AND/OR follow SQL's
 * three-valued logic; strict functions return NULL on any NULL argument.
 */

import { SqlError, SqlState } from '../errors.ts';
import { TIMESCALE_ORIGIN } from '../functions/datetime-functions.ts';
import type { Expr } from '../plan/nodes.ts';
import { castFn } from '../types/cast.ts';
import { intervalMicros, MICROS_PER_DAY, MICROS_PER_SECOND, normalizeUnit } from '../types/datetime.ts';
import { sessionZone } from '../types/datetime-session.ts';
import { comparatorFor, hashKeyFor } from '../types/values.ts';
import type { Interval } from '../vector.ts';
import type { Frame } from './frame.ts';

export type Ev = (i: number) => unknown;

/** Compiles `e` against `frame` (whose getters are swapped per batch). */
export function compileExpr(e: Expr, frame: Frame): Ev {
  switch (e.kind) {
    case 'col': {
      const k = e.index;
      const g = frame.get;
      return (i) => g[k](i);
    }
    case 'outer': {
      const { depth, index } = e;
      const outer = frame.ctx.outer;
      return () => outer[outer.length - depth][index];
    }
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'param': {
      const params = frame.ctx.params;
      const idx = e.index;
      if (idx >= params.length) throw new SqlError('42P02', `there is no parameter $${idx + 1}`);
      const v = normalizeParam(params[idx]);
      return () => v;
    }
    case 'call':
      return compileCall(e, frame);
    case 'and': {
      const args = e.args.map((a) => compileExpr(a, frame));
      return (i) => {
        let sawNull = false;
        for (let k = 0; k < args.length; k++) {
          const v = args[k](i);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const args = e.args.map((a) => compileExpr(a, frame));
      return (i) => {
        let sawNull = false;
        for (let k = 0; k < args.length; k++) {
          const v = args[k](i);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const a = compileExpr(e.arg, frame);
      return (i) => {
        const v = a(i);
        return v === null ? null : !v;
      };
    }
    case 'isnull': {
      const a = compileExpr(e.arg, frame);
      return e.negate ? (i) => a(i) !== null : (i) => a(i) === null;
    }
    case 'istrue': {
      const a = compileExpr(e.arg, frame);
      const want = e.value;
      const neg = e.negate;
      return (i) => (a(i) === want) !== neg;
    }
    case 'distinctfrom': {
      const l = compileExpr(e.left, frame);
      const r = compileExpr(e.right, frame);
      const cmp = comparatorFor(e.left.type);
      const neg = e.negate;
      return (i) => {
        const x = l(i);
        const y = r(i);
        const same = x === null || y === null ? x === y : cmp(x, y) === 0;
        return same === neg;
      };
    }
    case 'case': {
      const whens = e.whens.map((w) => [compileExpr(w.when, frame), compileExpr(w.result, frame)] as const);
      const other = e.otherwise ? compileExpr(e.otherwise, frame) : () => null;
      return (i) => {
        for (let k = 0; k < whens.length; k++) if (whens[k][0](i) === true) return whens[k][1](i);
        return other(i);
      };
    }
    case 'coalesce': {
      const args = e.args.map((a) => compileExpr(a, frame));
      return (i) => {
        for (let k = 0; k < args.length; k++) {
          const v = args[k](i);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'minmax': {
      const args = e.args.map((a) => compileExpr(a, frame));
      const cmp = comparatorFor(e.type);
      const sign = e.op === 'greatest' ? 1 : -1;
      return (i) => {
        let best: unknown = null;
        for (let k = 0; k < args.length; k++) {
          const v = args[k](i);
          if (v !== null && (best === null || sign * cmp(v, best) > 0)) best = v;
        }
        return best;
      };
    }
    case 'in':
      return compileIn(e, frame);
    case 'subquery':
      return compileSubquery(e, frame);
  }
}

function compileCall(e: Extract<Expr, { kind: 'call' }>, frame: Frame): Ev {
  const bucket = bucketWidth(e);
  if (bucket) {
    // Fixed-width time buckets: one floor per row, no interval math.
    const arg = compileExpr(e.args[1], frame);
    const [w, origin] = bucket;
    return (i) => {
      const t = arg(i) as number | null;
      return t === null ? null : origin + Math.floor((t - origin) / w) * w;
    };
  }
  const f = e.impl.fn;
  const args = e.args.map((a) => compileExpr(a, frame));
  if (!e.impl.strict) return (i) => f(...args.map((a) => a(i)));
  switch (args.length) {
    case 0:
      return () => f();
    case 1: {
      const a = args[0];
      return (i) => {
        const x = a(i);
        return x === null ? null : f(x);
      };
    }
    case 2: {
      const [a, b] = args;
      return (i) => {
        const x = a(i);
        if (x === null) return null;
        const y = b(i);
        return y === null ? null : f(x, y);
      };
    }
    default:
      return (i) => {
        const xs = new Array(args.length);
        for (let k = 0; k < args.length; k++) {
          const v = args[k](i);
          if (v === null) return null;
          xs[k] = v;
        }
        return f(...xs);
      };
  }
}

function compileIn(e: Extract<Expr, { kind: 'in' }>, frame: Frame): Ev {
  const arg = compileExpr(e.arg, frame);
  const neg = e.negate;
  const key = hashKeyFor(e.arg.type);
  if (e.list.every((x) => x.kind === 'const')) {
    const set = new Set<unknown>();
    let hasNull = false;
    for (const x of e.list) {
      const v = (x as { value: unknown }).value;
      if (v === null) hasNull = true;
      else set.add(key(v));
    }
    return (i) => {
      const v = arg(i);
      if (v === null) return null;
      if (set.has(key(v))) return !neg;
      return hasNull ? null : neg;
    };
  }
  const list = e.list.map((x) => compileExpr(x, frame));
  const cmp = comparatorFor(e.arg.type);
  return (i) => {
    const v = arg(i);
    if (v === null) return null;
    let sawNull = false;
    for (let k = 0; k < list.length; k++) {
      const x = list[k](i);
      if (x === null) sawNull = true;
      else if (cmp(v, x) === 0) return !neg;
    }
    return sawNull ? null : neg;
  };
}

function compileSubquery(e: Extract<Expr, { kind: 'subquery' }>, frame: Frame): Ev {
  const ctx = frame.ctx;
  const width = frame.get.length;
  const run = (i: number): unknown[][] => {
    if (!e.correlated) return ctx.runPlan(e.plan);
    // Correlated: expose the current row to the subquery as its outer row.
    const row = new Array(width);
    for (let k = 0; k < width; k++) row[k] = frame.get[k](i);
    ctx.outer.push(row);
    try {
      return ctx.runPlan(e.plan);
    } finally {
      ctx.outer.pop();
    }
  };
  let cached: unknown[][] | undefined;
  const rows = (i: number) => (e.correlated ? run(i) : (cached ??= run(i)));
  switch (e.mode) {
    case 'exists':
      return (i) => rows(i).length > 0;
    case 'scalar':
      return (i) => {
        const r = rows(i);
        if (r.length > 1)
          throw new SqlError(
            SqlState.cardinalityViolation,
            'more than one row returned by a subquery used as an expression',
          );
        return r.length === 0 ? null : r[0][0];
      };
    case 'in': {
      const arg = compileExpr(e.arg!, frame);
      const key = hashKeyFor(e.arg!.type);
      let set: Set<unknown> | undefined;
      let hasNull = false;
      return (i) => {
        const v = arg(i);
        if (!set || e.correlated) {
          set = new Set();
          hasNull = false;
          for (const r of rows(i)) {
            if (r[0] === null) hasNull = true;
            else set.add(key(r[0]));
          }
        }
        if (v === null) return set.size === 0 && !hasNull ? false : null;
        if (set.has(key(v))) return true;
        return hasNull ? null : false;
      };
    }
  }
}

const FIXED_UNITS: Record<string, number> = {
  microsecond: 1,
  millisecond: 1000,
  second: MICROS_PER_SECOND,
  minute: 60 * MICROS_PER_SECOND,
  hour: 3600 * MICROS_PER_SECOND,
  day: MICROS_PER_DAY,
};

/** [width µs, origin µs] when a bucketing call has a constant, fixed-width (month-free) width. */
export function bucketWidth(e: Extract<Expr, { kind: 'call' }>): [number, number] | undefined {
  const a = e.args[0];
  if (a?.kind !== 'const' || a.value === null) return undefined;
  const t1 = e.args[1]?.type;
  if (t1 !== 'timestamp' && t1 !== 'timestamptz') return undefined;
  if (e.name === 'date_trunc') {
    // With a zone argument the truncation follows that zone's wall clock: no fixed width.
    if (e.args.length !== 2) return undefined;
    const unit = normalizeUnit(String(a.value));
    // A timestamptz truncates on the session zone's wall clock: fixed widths only in UTC.
    if (t1 === 'timestamptz' && unit !== 'microsecond' && unit !== 'millisecond' && unit !== 'second') {
      const z = sessionZone();
      if (!('fixed' in z) || z.fixed !== 0) return undefined;
    }
    const w = unit ? FIXED_UNITS[unit] : undefined;
    return w ? [w, 0] : undefined;
  }
  const iv = a.value as Interval;
  if (iv.months !== 0) return undefined;
  const w = intervalMicros(iv);
  if (!(w > 0) || !Number.isFinite(w)) return undefined;
  if (e.name === 'time_bucket' && e.args.length === 2) return [w, TIMESCALE_ORIGIN];
  // date_bin(w, ts, origin) and time_bucket(w, ts, origin) bin alike (binMicros) for fixed widths.
  if (
    (e.name === 'date_bin' || e.name === 'time_bucket') &&
    e.args[2]?.kind === 'const' &&
    Number.isFinite(e.args[2].value)
  )
    return [w, e.args[2].value as number];
  return undefined;
}

/** Parameters arrive as JS values; Dates become µs timestamps. */
function normalizeParam(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.getTime() * 1000;
  return v;
}

export { castFn };
