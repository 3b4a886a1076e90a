/**
 * @module engine/distributed/management-args
 * Arguments of the Citus/TimescaleDB management functions, evaluated by the
 * engine — anything a constant SELECT list may hold: casts, `now()`,
 * arithmetic, `$n` parameters — and kept typed, so `interval '2 days'` and
 * `'2026-11-05'::timestamptz` are told apart by their type, as TimescaleDB
 * tells them apart. Messages name types as PostgreSQL spells them.
 */
import { Database } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { PgNode } from '../sql/parser.ts';
import {
  addInterval,
  intervalMicros,
  MICROS_PER_DAY,
  parseInterval,
  parseTimestamptz,
} from '../types/datetime.ts';
import { pgTypeName, type ValueType } from '../types/values.ts';
import type { Interval } from '../vector.ts';

/** One evaluated argument: its SQL type and its executor value (null for NULL). */
export interface TypedValue {
  readonly type: ValueType;
  readonly v: unknown;
}

/** A function call's arguments as parsed (expression nodes), before evaluation. */
export interface CallArgs {
  readonly args: readonly PgNode[];
  readonly named: Readonly<Record<string, PgNode>>;
}

/** Evaluated arguments, looked up by position or by name (`name => value` wins). */
export class EvaluatedArgs {
  constructor(
    readonly fn: string,
    readonly positional: readonly TypedValue[],
    readonly named: Readonly<Record<string, TypedValue>>,
  ) {}

  /** The argument named `name`, else the one at position `i` (undefined when absent; -1 means named only). */
  get(i: number, name: string): TypedValue | undefined {
    return this.named[name] ?? (i >= 0 ? this.positional[i] : undefined);
  }

  /** Refuses named arguments this function does not take (42883, as PostgreSQL does). */
  only(names: readonly string[]): this {
    for (const k in this.named)
      if (!names.includes(k))
        throw new SqlError(SqlState.undefinedFunction, `function ${this.fn}() has no parameter named "${k}"`);
    return this;
  }
}

let evaluator: Database | undefined;

/**
 * Evaluates every argument with the engine: one `SELECT arg1, arg2, …` over no
 * table, run from the parsed nodes (`sql` is the text their locations point into).
 */
export async function evaluateArgs(
  fn: string,
  call: CallArgs,
  sql: string,
  params: readonly unknown[],
): Promise<EvaluatedArgs> {
  const names = Object.keys(call.named);
  const nodes = [...call.args, ...names.map((n) => call.named[n])];
  if (nodes.length === 0) return new EvaluatedArgs(fn, [], {});
  evaluator ??= await Database.create();
  const stmt = {
    SelectStmt: {
      targetList: nodes.map((val) => ({ ResTarget: { val, location: -1 } })),
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  };
  const r = evaluator.runParsed(stmt, sql, params, { raw: true });
  const values = r.columns.map((c, i) => ({ type: c.type, v: r.rows[0][i] ?? null }));
  const named: Record<string, TypedValue> = {};
  names.forEach((n, k) => {
    named[n] = values[call.args.length + k];
  });
  return new EvaluatedArgs(fn, values.slice(0, call.args.length), named);
}

const isInteger = (t: ValueType) => t === 'int16' || t === 'int32' || t === 'int64';

function wrongType(what: string, want: string, got: TypedValue): never {
  throw new SqlError(
    SqlState.invalidParameterValue,
    `${what} must be ${want}, not ${got.v === null ? 'NULL' : pgTypeName(got.type)}`,
  );
}

/** A text argument (a table, column or chunk name); 22023 when NULL, empty or not text. */
export function textArg(a: TypedValue | undefined, what: string): string {
  if (a === undefined || a.v === null)
    throw new SqlError(SqlState.invalidParameterValue, `${what} cannot be NULL`);
  if (a.type !== 'text' || typeof a.v !== 'string') wrongType(what, 'text', a);
  if (a.v === '') throw new SqlError(SqlState.invalidParameterValue, `${what} cannot be empty`);
  return a.v;
}

/** An integer argument (an untyped literal such as '4' is read as one, as PostgreSQL would). */
export function intArg(a: TypedValue, what: string): number {
  if (a.v === null) throw new SqlError(SqlState.invalidParameterValue, `${what} cannot be NULL`);
  if (isInteger(a.type)) return Number(a.v);
  if (a.type === 'text' && /^\s*[+-]?\d+\s*$/.test(String(a.v))) return Number(a.v);
  return wrongType(what, 'an integer', a);
}

/** A boolean argument (untyped 'true' / 'false' literals too). */
export function boolArg(a: TypedValue, what: string): boolean {
  if (a.type === 'bool' && typeof a.v === 'boolean') return a.v;
  if (a.type === 'text' && typeof a.v === 'string') {
    const s = a.v.trim().toLowerCase();
    if (['true', 't', 'yes', 'on', '1'].includes(s)) return true;
    if (['false', 'f', 'no', 'off', '0'].includes(s)) return false;
  }
  return wrongType(what, 'a boolean', a);
}

/**
 * An interval argument in µs (months count 30 days, as the engine compares
 * intervals). `integerUs`: an integer counts microseconds (TimescaleDB's
 * chunk_time_interval on a timestamp column). Untyped text is read as an interval.
 */
export function intervalArg(a: TypedValue, what: string, integerUs = false): number {
  if (a.v === null) throw new SqlError(SqlState.invalidParameterValue, `${what} cannot be NULL`);
  if (a.type === 'interval') return intervalMicros(a.v as Interval);
  if (a.type === 'text') return intervalMicros(parseInterval(String(a.v)));
  if (integerUs && isInteger(a.type)) return Number(a.v);
  return wrongType(what, integerUs ? 'an interval or an integer (microseconds)' : 'an interval', a);
}

/**
 * A point in time for a timestamptz time column (µs since the epoch): an
 * interval counts back from `nowUs` (TimescaleDB's older_than => interval '7
 * days'), a timestamp, timestamptz or date is absolute. Untyped text is read as
 * an interval when it parses as one, else as a timestamp.
 */
export function timePointArg(a: TypedValue, what: string, nowUs: number): number {
  if (a.v === null) throw new SqlError(SqlState.invalidParameterValue, `${what} cannot be NULL`);
  switch (a.type) {
    case 'interval':
      return addInterval(nowUs, a.v as Interval, -1);
    case 'timestamptz':
    case 'timestamp': // no zone: read as UTC, the data plane's session zone
      return a.v as number;
    case 'date':
      return (a.v as number) * MICROS_PER_DAY;
    case 'text': {
      const s = String(a.v);
      let iv: Interval | undefined;
      try {
        iv = parseInterval(s);
      } catch {
        return parseTimestamptz(s);
      }
      return addInterval(nowUs, iv, -1);
    }
    default:
      throw new SqlError(
        SqlState.invalidParameterValue,
        `invalid time argument type "${pgTypeName(a.type)}" for ${what}: ` +
          'use an interval, or a value of type timestamp with time zone',
      );
  }
}
