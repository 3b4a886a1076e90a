/**
 * @module engine/storage/table-store
 * The storage seam of the engine. A table is a list of segments: columnar chunks
 * (immutable column vectors with zone maps, possibly decoded lazily from the
 * chunk format of engine/columnar) and hot segments (recent rows appended by
 * INSERT). Both are read through `ChunkSource`, so the executor scans them alike.
 *
 * Row ids are `segment * SEGMENT_ROWS + offset` and stay stable for the life of
 * a statement: a full hot segment is frozen into a chunk in place.
 */
import type { Expr } from '../plan/nodes.ts';
import type { TypMod } from '../types/typmod.ts';
import type { ArrayType, SqlType } from '../types/values.ts';
import type { ColumnType, Vector } from '../vector.ts';
import type { ChunkLayout } from './chunk-layout.ts';

/** Rows per segment (and per columnar chunk). */
export const SEGMENT_ROWS = 65536;

/** A vector of plain JS values (NULL = null), used by hot segments and materializing operators. */
export interface JsVector {
  readonly kind: 'js';
  /** Computed values may also be arrays (JS arrays of element values). */
  readonly type: ColumnType | `${ColumnType}[]` | 'unknown';
  readonly length: number;
  readonly values: readonly unknown[];
}

/** Any column representation the executor reads. */
export type ExecVector = Vector | JsVector;

export interface ColumnDef {
  /** Stable id: survives renames and other columns being dropped. */
  readonly id: number;
  readonly name: string;
  readonly type: ColumnType | ArrayType;
  readonly notNull: boolean;
  readonly default?: Expr;
  /** numeric(p,s), varchar(n), timestamp(p): enforced on INSERT/UPDATE. */
  readonly typmod?: TypMod;
}

export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** Column ids of the primary key (empty when none). */
  readonly primaryKey: readonly number[];
  readonly checks: readonly { readonly name: string; readonly expr: Expr }[];
  /**
   * Row order inside bulk-loaded chunks (`ALTER TABLE … SET (timescaledb.compress_segmentby
   * = …, timescaledb.compress_orderby = …)`); rows keep insertion order when absent.
   */
  readonly layout?: ChunkLayout;
}

/** Min/max over the non-null values of a column in one chunk. */
export interface ZoneMap {
  readonly min: unknown;
  readonly max: unknown;
  readonly nullCount: number;
  readonly rowCount: number;
}

/**
 * One chunk's columns, decoded on demand. `column(id)` returns undefined for a
 * column the chunk predates (ALTER TABLE ADD COLUMN); the reader substitutes the default.
 */
export interface ChunkSource {
  readonly rowCount: number;
  zoneMap(columnId: number): ZoneMap | undefined;
  column(columnId: number): ExecVector | undefined;
  /**
   * Rows (ascending) whose text-like column equals one of `values`, answered
   * from the encoded block (dictionary codes) without decoding other columns;
   * undefined when this source cannot (then the scan filters decoded vectors).
   */
  selectEqual?(columnId: number, values: readonly string[]): Uint32Array | undefined;
  /** Rows `sel` of a column as a vector of `sel.length` rows (late materialization). */
  gather?(columnId: number, sel: Uint32Array): ExecVector | undefined;
  /** Drops decoded and fetched column data this source caches. */
  evict?(): void;
}

/** A segment as seen by a scan. `deleted` has bit i set when row i was deleted. */
export interface SegmentView {
  readonly source: ChunkSource;
  readonly deleted?: Uint8Array;
  readonly hot: boolean;
}

/** The data of one table. Mutations are synchronous; the store owns durability. */
export interface TableData {
  readonly def: TableDef;
  segments(): readonly SegmentView[];
  /** Appends rows (values ordered like `def.columns`) and returns their row ids. */
  insert(rows: readonly (readonly unknown[])[]): number[];
  /** Appends a whole chunk (bulk load), skipping the hot segment. */
  appendChunk(chunk: ChunkSource): void;
  deleteRow(rowId: number): void;
  /** Reads one row (ordered like `def.columns`). */
  readRow(rowId: number): unknown[];
  truncate(): void;
  /** Primary-key lookup by the key's hash string; undefined when absent or no PK. */
  lookupKey(key: string): number | undefined;
  setDef(def: TableDef): void;
}

/**
 * A (non-materialized) view: its defining query, expanded wherever the view is
 * read, so planners only ever see base tables.
 */
export interface ViewDef {
  readonly name: string;
  /** The CREATE VIEW statement's text: the query's AST locations point into it. */
  readonly sql: string;
  /** The defining query's parse tree (a wrapped SelectStmt). */
  readonly query: unknown;
  /** Output columns (names after the view's column list). */
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
}

/** The catalog of tables plus their data. */
export interface TableStore {
  /** Views by name (absent: the store keeps none, and CREATE VIEW is refused). */
  readonly views?: Map<string, ViewDef>;
  /** How bulk loads and compaction build chunks (default: in-memory decoded vectors). */
  readonly chunkBuilder?: (
    rowCount: number,
    cols: readonly { id: number; name: string; type: ColumnType; values: ArrayLike<unknown> | Vector }[],
  ) => ChunkSource[];
  get(name: string): TableData | undefined;
  create(def: TableDef): TableData;
  drop(name: string): void;
  names(): string[];
}
