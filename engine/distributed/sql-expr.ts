/**
 * @module engine/distributed/sql-expr
 * The data plane's small pieces of SQL vocabulary outside expressions (which
 * the engine binds, see `sql-select`, `on-conflict`, `dml-sql`): a type
 * name as written (column types are the engine's, see `column-types`), and the
 * 0A000 error naming an unsupported construct.
 */
import { SqlError, SqlState } from '../errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Raises 0A000 with a message naming the unsupported SQL construct (never a parser node). */
export function unsupported(what: string): never {
  throw new SqlError(SqlState.featureNotSupported, `${what} is not supported`);
}

/** The name of a type in a TypeName node, lower-case, without `pg_catalog.`. */
export function typeNameOf(tn: Node): string {
  const names = (tn.names as Node[]).map((n) => n.String.sval as string);
  return names[names.length - 1].toLowerCase();
}
