/**
 * @module engine/exec/operator
 * The pull-based operator interface and the streaming operators: filter,
 * project, values, limit and generate_series. Materializing operators
 * (aggregate, sort, join, window, set operations) live in their own files.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Plan } from '../plan/nodes.ts';
import type { ExecVector } from '../storage/table-store.ts';
import { addInterval, intervalInfinity, intervalMicros } from '../types/datetime.ts';
import {
  type Decimal,
  decAdd,
  decCmp,
  decimalToString,
  isNumericSpecial,
  NUMERIC_NAN,
  parseDecimal,
} from '../types/numeric.ts';
import type { Interval } from '../vector.ts';
import { compileExpr, type Ev } from './compile-expr.ts';
import { compileSelection } from './filter-kernels.ts';
import { type ExecBatch, type ExecContext, type Frame, rowsToBatch, setFrameBatch } from './frame.ts';

/** An operator yields batches until it returns null. */
export interface Operator {
  next(): ExecBatch | null;
}

export const BATCH_ROWS = 65536;

export function newFrame(width: number, ctx: ExecContext): Frame {
  return { get: new Array(width), ctx };
}

export function filterOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'filter' }>,
  ctx: ExecContext,
): Operator {
  const frame = newFrame(plan.input.schema.length, ctx);
  const f = compileSelection(plan.predicate, frame);
  return {
    next() {
      for (;;) {
        const b = input.next();
        if (!b) return null;
        setFrameBatch(frame, b);
        const sel = f(b);
        if (sel.length > 0) return { length: b.length, cols: b.cols, sel, count: sel.length };
      }
    },
  };
}

export function projectOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'project' }>,
  ctx: ExecContext,
): Operator {
  const frame = newFrame(plan.input.schema.length, ctx);
  const evs: Ev[] = plan.exprs.map((e) => compileExpr(e, frame));
  const direct = plan.exprs.map((e) => (e.kind === 'col' ? e.index : -1));
  return {
    next() {
      const b = input.next();
      if (!b) return null;
      setFrameBatch(frame, b);
      const n = b.count;
      const sel = b.sel;
      const cols: ExecVector[] = evs.map((ev, k) => {
        if (!sel && direct[k] >= 0) return b.cols[direct[k]];
        const out = new Array(n);
        if (sel) for (let j = 0; j < n; j++) out[j] = ev(sel[j]);
        else for (let i = 0; i < n; i++) out[i] = ev(i);
        return { kind: 'js', type: plan.exprs[k].type, length: n, values: out };
      });
      return { length: n, cols, count: n };
    },
  };
}

export function valuesOperator(plan: Extract<Plan, { kind: 'values' }>, ctx: ExecContext): Operator {
  let done = false;
  return {
    next() {
      if (done) return null;
      done = true;
      const frame = newFrame(0, ctx);
      const rows = plan.rows.map((r) => r.map((e) => compileExpr(e, frame)(0)));
      const b = rowsToBatch(rows, plan.schema.length);
      // A zero-column VALUES row still counts as one row (SELECT without FROM).
      return { ...b, length: rows.length, count: rows.length };
    },
  };
}

/** Evaluates a constant LIMIT/OFFSET expression. */
export function constInt(
  e: Plan extends never ? never : Parameters<typeof compileExpr>[0] | undefined,
  ctx: ExecContext,
): number | undefined {
  if (!e) return undefined;
  const v = compileExpr(e, newFrame(0, ctx))(0);
  if (v === null) return undefined;
  const n = Number(v);
  if (n < 0) throw new SqlError('2201W', 'LIMIT must not be negative');
  return n;
}

export function limitOperator(
  input: Operator,
  plan: Extract<Plan, { kind: 'limit' }>,
  ctx: ExecContext,
): Operator {
  const limit = constInt(plan.limit, ctx) ?? Infinity;
  let skip = constInt(plan.offset, ctx) ?? 0;
  let left = limit;
  return {
    next() {
      while (left > 0) {
        const b = input.next();
        if (!b) return null;
        let sel = b.sel;
        const n = b.count;
        if (skip >= n) {
          skip -= n;
          continue;
        }
        if (skip > 0 || n - skip > left) {
          const all = sel ?? Uint32Array.from({ length: b.length }, (_, i) => i);
          sel = all.subarray(skip, skip + Math.min(left, n - skip));
          skip = 0;
        }
        const count = sel ? sel.length : n;
        left -= count;
        return { length: b.length, cols: b.cols, sel, count };
      }
      return null;
    },
  };
}

/** Returned by a `ValueCursor` when it has no more values. */
export const END: unique symbol = Symbol('end');

/** Values of a set-returning function one at a time, so consumers can stop early (LIMIT). */
export interface ValueCursor {
  next(): unknown | typeof END;
}

/**
 * generate_series(start, stop[, step]) over integers or timestamps as a lazy
 * cursor: an infinite stop ('infinity') is fine under LIMIT, and the statement
 * budget stops it otherwise. Step checks follow PostgreSQL (22023).
 */
export function seriesCursor(type: string, args: readonly unknown[]): ValueCursor {
  if (args.some((a) => a === null)) return { next: () => END };
  if (type === 'numeric') return numericSeries(args as string[]);
  const isTime = type === 'timestamp' || type === 'timestamptz';
  let cur = args[0] as number | bigint;
  const stop = args[1] as number | bigint;
  const step = (args[2] ?? (type === 'int64' ? 1n : 1)) as number | bigint | Interval;
  let up: boolean;
  if (isTime) {
    const iv = step as Interval;
    if (intervalInfinity(iv) !== 0)
      throw new SqlError(SqlState.invalidParameterValue, 'step size cannot be infinite');
    const span = intervalMicros(iv);
    if (span === 0) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
    up = span > 0;
  } else {
    if (step === 0 || step === 0n)
      throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
    up = (step as number | bigint) > 0;
  }
  let done = false;
  let first = true;
  return {
    next() {
      if (done) return END;
      // Advance only when another value is asked for: a LIMIT never steps past the timestamp range.
      if (!first) {
        if (isTime) cur = addInterval(cur as number, step as Interval);
        else cur = (cur as number) + (step as number);
      }
      first = false;
      if (up ? cur > stop : cur < stop) {
        done = true;
        return END;
      }
      return cur;
    },
  };
}

/** generate_series over numeric: NaN / ±Infinity bounds and steps are refused (22023), as PostgreSQL. */
function numericSeries(args: readonly string[]): ValueCursor {
  const what = ['start value', 'stop value', 'step size'];
  args.forEach((a, i) => {
    if (isNumericSpecial(a))
      throw new SqlError(
        SqlState.invalidParameterValue,
        `${what[i]} cannot be ${a === NUMERIC_NAN ? 'NaN' : 'infinity'}`,
      );
  });
  const stop = parseDecimal(args[1]);
  const step = parseDecimal(args[2] ?? '1');
  if (step.int === 0n) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  const up = step.int > 0n;
  let cur: Decimal | undefined;
  return {
    next() {
      cur = cur === undefined ? parseDecimal(args[0]) : decAdd(cur, step);
      const c = decCmp(cur, stop);
      if (up ? c > 0 : c < 0) return END;
      return decimalToString(cur);
    },
  };
}

/** generate_series(start, stop[, step]) over integers or timestamps, in batches. */
export function seriesOperator(plan: Extract<Plan, { kind: 'function' }>, ctx: ExecContext): Operator {
  const frame = newFrame(0, ctx);
  const args = plan.args.map((a) => compileExpr(a, frame)(0));
  const type = plan.schema[0].type;
  const cursor = seriesCursor(type, args);
  let done = false;
  return {
    next() {
      if (done) return null;
      const out: unknown[] = [];
      while (out.length < BATCH_ROWS) {
        const v = cursor.next();
        if (v === END) {
          done = true;
          break;
        }
        out.push(v);
      }
      if (out.length === 0) return null;
      return {
        length: out.length,
        cols: [{ kind: 'js', type, length: out.length, values: out }],
        count: out.length,
      };
    },
  };
}
