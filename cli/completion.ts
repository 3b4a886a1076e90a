/**
 * @module cli/completion
 * Tab completion for the SQL shell: keywords, and the table and column
 * names `information_schema.columns` lists over the API.
 */
import type { OrochiApi } from './api.ts';

export const SQL_KEYWORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP BY',
  'ORDER BY',
  'HAVING',
  'LIMIT',
  'OFFSET',
  'INSERT INTO',
  'VALUES',
  'UPDATE',
  'SET',
  'DELETE FROM',
  'CREATE TABLE',
  'DROP TABLE',
  'ALTER TABLE',
  'ADD COLUMN',
  'EXPLAIN',
  'ANALYZE',
  'JOIN',
  'LEFT JOIN',
  'INNER JOIN',
  'ON',
  'AND',
  'OR',
  'NOT',
  'NULL',
  'IS',
  'IN',
  'EXISTS',
  'DISTINCT',
  'AS',
  'ASC',
  'DESC',
  'UNION',
  'WITH',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'create_distributed_table',
  'create_reference_table',
  'create_hypertable',
  'show_shards',
  'show_chunks',
  'time_bucket',
];

/** Table name → its column names. */
export type SchemaNames = Map<string, string[]>;

/** Reads every table's columns; an error leaves completion to keywords only. */
export async function fetchSchemaNames(api: OrochiApi): Promise<SchemaNames> {
  const names: SchemaNames = new Map();
  try {
    const res = await api.sql('SELECT table_name, column_name FROM information_schema.columns');
    for (const [t, c] of res.rows ?? []) {
      const cols = names.get(String(t)) ?? [];
      cols.push(String(c));
      names.set(String(t), cols);
    }
  } catch {
    /* a key without read access, or an older server: keywords still complete */
  }
  return names;
}

/**
 * readline's completer: candidates for the word before the cursor. Keywords
 * match case-insensitively and keep the case typed; after `table.` only that
 * table's columns are offered.
 */
export function complete(line: string, schema: SchemaNames): [string[], string] {
  const word = /[\w.]*$/.exec(line)![0];
  const dot = word.lastIndexOf('.');
  if (dot >= 0) {
    const table = word.slice(0, dot);
    const prefix = word.slice(dot + 1);
    const cols = schema.get(table) ?? [];
    return [cols.filter((c) => c.startsWith(prefix)).map((c) => `${table}.${c}`), word];
  }
  if (word === '') return [[], word];
  const lower = word.toLowerCase();
  const lowerTyped = word === lower;
  const keywords = SQL_KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower)).map((k) =>
    lowerTyped ? k.toLowerCase() : k.toUpperCase(),
  );
  const tables = [...schema.keys()].filter((t) => t.startsWith(word));
  const columns = [...new Set([...schema.values()].flat())].filter((c) => c.startsWith(word));
  return [[...new Set([...tables, ...columns, ...keywords])].sort(), word];
}
