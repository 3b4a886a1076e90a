/**
 * @module engine
 * Public surface of the SQL engine.
 */
export { Database, type QueryResult } from './database.ts';
export { isSqlError, SqlError, SqlState } from './errors.ts';
export { initParser, parseSql } from './sql/parser.ts';
export { MemoryTableStore } from './storage/memory-store.ts';
export type {
  ChunkSource,
  ColumnDef,
  TableData,
  TableDef,
  TableStore,
  ZoneMap,
} from './storage/table-store.ts';
export type { ColumnType, Vector } from './vector.ts';
