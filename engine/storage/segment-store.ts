/**
 * @module engine/storage/segment-store
 * A read-only TableStore over segments someone else owns — the adapter a
 * Durable Object uses to run the engine's vectorized executor over its own
 * storage (chunk headers and column blocks in SQLite, hot rows as a hot
 * segment). Tables are given as a definition plus a `segments()` callback, so
 * the owner decides when blocks are fetched (lazily, per column, through
 * `openChunkParts`). Mutations are refused: writes go through the owner's log.
 */
import type { ChunkReader } from '../columnar/index.ts';
import { SqlError, SqlState } from '../errors.ts';
import { EncodedChunkSource } from './encoded-chunk.ts';
import type {
  ChunkSource,
  ExecVector,
  SegmentView,
  TableData,
  TableDef,
  TableStore,
  ZoneMap,
} from './table-store.ts';

/** A table as the owner exposes it: its definition and its current segments. */
export interface SegmentTable {
  readonly def: TableDef;
  segments(): readonly SegmentView[];
}

const readOnly = (): never => {
  throw new SqlError(SqlState.featureNotSupported, 'this table store is read-only');
};

class ReadOnlyTable implements TableData {
  constructor(private readonly table: SegmentTable) {}
  get def(): TableDef {
    return this.table.def;
  }
  segments(): readonly SegmentView[] {
    return this.table.segments();
  }
  insert(): number[] {
    return readOnly();
  }
  appendChunk(): void {
    readOnly();
  }
  deleteRow(): void {
    readOnly();
  }
  readRow(): unknown[] {
    return readOnly();
  }
  truncate(): void {
    readOnly();
  }
  lookupKey(): number | undefined {
    return undefined; // no primary-key index: the planner falls back to a scan
  }
  setDef(): void {
    readOnly();
  }
}

/** A read-only store over `tables` (looked up by exact name). */
export class SegmentTableStore implements TableStore {
  private readonly tables = new Map<string, ReadOnlyTable>();

  constructor(tables: Iterable<SegmentTable>) {
    for (const t of tables) this.tables.set(t.def.name, new ReadOnlyTable(t));
  }

  get(name: string): TableData | undefined {
    return this.tables.get(name);
  }
  create(): TableData {
    return readOnly();
  }
  drop(): void {
    readOnly();
  }
  names(): string[] {
    return [...this.tables.keys()];
  }
}

/** A hot segment over plain JS column values (by column id); never pruned by zone maps. */
export class JsHotSource implements ChunkSource {
  constructor(
    readonly rowCount: number,
    private readonly cols: ReadonlyMap<number, readonly unknown[]>,
  ) {}
  zoneMap(): ZoneMap | undefined {
    return undefined;
  }
  column(id: number): ExecVector | undefined {
    const values = this.cols.get(id);
    return values ? { kind: 'js', type: 'unknown', length: this.rowCount, values } : undefined;
  }
}

/**
 * A warm segment over an opened encoded chunk. `idOf` maps the chunk's column
 * names to column ids (-1 for columns the table no longer has); a column the
 * chunk predates reads as the column default (the scan substitutes it).
 */
export function encodedSegment(
  reader: ChunkReader,
  idOf: (name: string) => number,
  deleted?: Uint8Array,
): SegmentView {
  const ids = reader.columns.map((c) => idOf(c.name));
  return { source: new EncodedChunkSource(reader, ids), deleted, hot: false };
}
