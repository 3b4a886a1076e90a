/**
 * @module engine/distributed/constant-fold
 * Constant folding of bound expressions with the engine's own implementations:
 * parameters become the constants they are and calls over constants are
 * evaluated, so the data plane reads values the engine computes — the
 * distribution values a WHERE pins (`host = $1` is `CAST($1 AS text)` when a
 * string) and the constants DDL and SET take (`DEFAULT 1 + 1`).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { PER_STATEMENT } from './expr-sql.ts';

/**
 * `e` with parameters and calls over constants folded. Not `strict`: an error leaves the call
 * as it is (whoever evaluates it raises it); `strict`: the engine's error is thrown.
 */
export function foldConstants(e: Expr, params: readonly unknown[], strict = false): Expr {
  const f = (x: Expr) => foldConstants(x, params, strict);
  if (e.kind === 'param') return { kind: 'const', value: params[e.index] ?? null, type: e.type };
  if (e.kind === 'or' || e.kind === 'and') return { ...e, args: e.args.map(f) };
  if (e.kind === 'in') return { ...e, arg: f(e.arg), list: e.list.map(f) };
  if (e.kind !== 'call' || PER_STATEMENT.has(e.name)) return e;
  const args = e.args.map(f);
  if (!args.every((x) => x.kind === 'const')) return { ...e, args };
  const values = args.map((x) => (x as { value: unknown }).value);
  if (e.impl.strict && values.some((v) => v === null)) return { kind: 'const', value: null, type: e.type };
  try {
    return { kind: 'const', value: e.impl.fn(...values), type: e.type };
  } catch (err) {
    if (strict) throw err;
    return { ...e, args };
  }
}

/** The value of a bound expression that must be constant (0A000 naming `what` when it is not). */
export function constantOf(e: Expr, params: readonly unknown[], what: string): unknown {
  const c = foldConstants(e, params, true);
  if (c.kind !== 'const')
    throw new SqlError(SqlState.featureNotSupported, `${what} other than a constant is not supported`);
  return c.value;
}
