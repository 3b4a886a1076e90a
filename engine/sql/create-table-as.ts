/**
 * @module engine/sql/create-table-as
 * CREATE TABLE … AS query [WITH [NO] DATA] and SELECT … INTO: the new table's
 * columns are the query's output (names from the optional column list, types
 * from the bound query; untyped literals become text, as in PostgreSQL), and its
 * rows the query's rows. The query is bound and run before the table exists, so
 * a failing statement leaves no table behind.
 */
import type { QueryResult, StatementEnv } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { ColumnDef } from '../storage/table-store.ts';
import { names } from './bind-expr.ts';
import { newColumnId } from './ddl.ts';
import type { PgNode } from './parser.ts';

type DdlResult = Omit<QueryResult, 'stats'>;

const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

/** Creates `into.rel` from `query` (a wrapped SelectStmt without its INTO clause). */
function createFromQuery(env: StatementEnv, into: PgNode, query: PgNode, ifNotExists: boolean): DdlResult {
  const name: string = into.rel.relname;
  if (env.store.get(name) || env.store.views?.get(name)) {
    if (ifNotExists) return { command: 'CREATE TABLE AS', columns: [], rows: [], rowCount: 0 };
    throw err(SqlState.duplicateTable, `relation "${name}" already exists`, into.rel.location);
  }
  if (into.onCommit && into.onCommit !== 'ONCOMMIT_NOOP' && into.onCommit !== 'ONCOMMIT_PRESERVE_ROWS')
    throw err(SqlState.featureNotSupported, 'ON COMMIT DELETE ROWS / DROP is not supported');
  const q = env.binder().bindQuery(query);
  const renamed = names(into.colNames);
  if (renamed.length > q.columns.length)
    throw err(SqlState.syntaxError, 'too many column names were specified');
  const columns: ColumnDef[] = q.columns.map((c, i) => {
    const type = c.type === 'unknown' ? 'text' : c.type;
    return { id: newColumnId(), name: renamed[i] ?? c.name, type, notNull: false };
  });
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw err(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  const rows = into.skipData ? [] : env.run(q.plan);
  const t = env.store.create({ name, columns, primaryKey: [], checks: [] });
  if (rows.length) t.insert(rows);
  return { command: 'SELECT', columns: [], rows: [], rowCount: rows.length };
}

/** Runs CREATE TABLE AS / SELECT INTO; undefined when `stmt` is neither. */
export function createTableAs(env: StatementEnv, stmt: PgNode): DdlResult | undefined {
  const ctas = stmt.CreateTableAsStmt;
  if (ctas) {
    if (ctas.objtype === 'OBJECT_MATVIEW')
      throw err(SqlState.featureNotSupported, 'CREATE MATERIALIZED VIEW is not supported');
    if (!ctas.query?.SelectStmt)
      throw err(SqlState.featureNotSupported, 'CREATE TABLE AS EXECUTE is not supported');
    return createFromQuery(env, ctas.into, ctas.query, ctas.if_not_exists === true);
  }
  const sel = stmt.SelectStmt;
  if (!sel?.intoClause) return undefined;
  const { intoClause, ...rest } = sel;
  return createFromQuery(env, intoClause, { SelectStmt: rest }, false);
}
