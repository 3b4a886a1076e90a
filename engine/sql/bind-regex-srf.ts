/**
 * @module engine/sql/bind-regex-srf
 * Types a call of a set-returning regular-expression function, in the select
 * list or in FROM: `regexp_matches(text, text [, text])` returns setof text[],
 * `regexp_split_to_table(text, text [, text])` setof text. Arguments must be
 * text (or untyped literals), as PostgreSQL resolves them; anything else is
 * 42883. The rows come from engine/functions/regex-functions.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { arrayOf, pgTypeName, type SqlType } from '../types/values.ts';
import { coerce } from './bind-expr.ts';

/** The call's coerced arguments and row type. */
export function regexSetCall(
  name: string,
  bound: readonly Expr[],
  location?: number,
): { args: Expr[]; type: SqlType } {
  if (bound.length < 2 || bound.length > 3 || bound.some((a) => a.type !== 'text' && a.type !== 'unknown'))
    throw new SqlError(
      SqlState.undefinedFunction,
      `function ${name}(${bound.map((a) => pgTypeName(a.type)).join(', ')}) does not exist`,
      location === undefined || location < 0 ? undefined : location + 1,
    );
  return {
    args: bound.map((a) => coerce(a, 'text', false, location)),
    type: name === 'regexp_matches' ? arrayOf('text') : 'text',
  };
}
