/**
 * @module engine/distributed/create-table-as
 * CREATE TABLE … AS query [WITH NO DATA] on the data plane:
 * the statement becomes a `createAs` command; the data plane binds the query
 * with the engine (column names and types, PostgreSQL's errors), creates the
 * table like CREATE TABLE does (a new table is local until distributed), then
 * fills it as INSERT … SELECT. The engine's own CREATE TABLE AS is
 * `engine/sql/create-table-as`; both take the columns from the bound query.
 */
import { SqlError, SqlState } from '../errors.ts';
import { names } from '../sql/coerce.ts';
import type { ValueType } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import { storageTypeOf } from './column-types.ts';
import { unsupported } from './sql-expr.ts';
import type { ColumnSpec, Command } from './sql-statements.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/**
 * The `createAs` command of a CREATE TABLE AS statement; undefined for others. SELECT INTO
 * stays refused here: the fill finds its query's text inside the statement's, and the
 * INTO clause sits in the middle of it.
 */
export function classifyCreateAs(stmt: Node): Command | undefined {
  const c = stmt.CreateTableAsStmt;
  if (!c) return undefined;
  if (c.objtype === 'OBJECT_MATVIEW') unsupported('CREATE MATERIALIZED VIEW');
  if (!c.query?.SelectStmt) unsupported('CREATE TABLE AS EXECUTE');
  const into: Node = c.into;
  const query: Node = c.query;
  if (into.onCommit && into.onCommit !== 'ONCOMMIT_NOOP' && into.onCommit !== 'ONCOMMIT_PRESERVE_ROWS')
    unsupported('ON COMMIT DELETE ROWS / DROP');
  const rel = into.rel;
  if (rel.schemaname && rel.schemaname !== 'public') unsupported(`schema "${rel.schemaname}"`);
  return {
    kind: 'createAs',
    table: rel.relname as string,
    query,
    columnNames: names(into.colNames),
    ifNotExists: Boolean(c.if_not_exists),
    withData: !into.skipData,
  };
}

/** The new table's columns from the bound query's output (untyped literals become text). */
export function createAsColumns(
  bound: readonly { name: string; type: ValueType }[],
  columnNames: readonly string[],
): ColumnSpec[] {
  if (columnNames.length > bound.length)
    throw new SqlError(SqlState.syntaxError, 'too many column names were specified');
  const columns = bound.map((c, i): ColumnSpec => {
    const sqlType = c.type as ColumnType; // array types have no storage type: refused below
    const type = storageTypeOf(sqlType);
    return { name: columnNames[i] ?? c.name, type, ...(sqlType !== type && { sqlType }), notNull: false };
  });
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name))
      throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  return columns;
}
