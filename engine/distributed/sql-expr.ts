/**
 * @module engine/distributed/sql-expr
 * The data plane's small pieces of SQL vocabulary outside expressions (which
 * the engine binds, see `sql-select`, `on-conflict`, `dml-sql`): the stored
 * type a column type name maps to, and the 0A000 error naming an unsupported
 * construct.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { DistType } from './table-schema.ts';

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

/** Maps a PostgreSQL type name to a stored type (0A000 for the rest). */
export function distTypeOf(tn: Node): DistType {
  const t = typeNameOf(tn);
  if (tn.arrayBounds) unsupported('array types');
  switch (t) {
    case 'bool':
    case 'boolean':
      return 'bool';
    case 'int2':
    case 'int4':
    case 'int':
    case 'integer':
    case 'smallint':
      return 'int32';
    case 'int8':
    case 'bigint':
      return 'int64';
    case 'float4':
    case 'float8':
    case 'real':
    case 'double precision':
      return 'float64';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'char':
      return 'text';
    case 'timestamptz':
    case 'timestamp':
      return 'timestamptz';
    default:
      return unsupported(`column type ${t}`);
  }
}
