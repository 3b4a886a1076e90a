/**
 * @module web/sql/catalog
 * The database's tables and columns as CodeMirror's `SQLNamespace`, for
 * completion in the SQL editor. Read through SQL (information_schema), like
 * the Tables page; a database that cannot list its tables completes keywords only.
 */
import { runSql, type SqlValue } from '../api/sql.ts';

export const CATALOG_SQL = `SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = 'public'
ORDER BY table_name, ordinal_position`;

/** `{ table: [column, …] }` from `(table_name, column_name)` rows, columns in their order. */
export function toNamespace(rows: readonly (readonly SqlValue[])[]): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  for (const [table, column] of rows) {
    if (typeof table !== 'string' || typeof column !== 'string') continue;
    const columns = Object.hasOwn(tables, table) ? tables[table] : (tables[table] = []);
    if (!columns.includes(column)) columns.push(column);
  }
  return tables;
}

/** Never rejects: completion without a catalog still offers keywords. */
export async function loadCatalog(database: string): Promise<Record<string, string[]>> {
  try {
    return toNamespace((await runSql(database, CATALOG_SQL)).rows);
  } catch {
    return {};
  }
}
