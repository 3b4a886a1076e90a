/**
 * @module engine/storage/memory-store
 * The default in-memory TableStore: hot segments are columns of JS arrays that
 * INSERT appends to; a full hot segment (SEGMENT_ROWS) is frozen in place into a
 * MemoryChunk with zone maps. Deletes set a bit in the segment's delete bitmap;
 * UPDATE is delete + insert, as in the warm chunk design.
 */
import { SqlError, SqlState } from '../errors.ts';
import { encodeArrayColumns, withArrayColumns } from './array-columns.ts';
import { MemoryChunk, materialize } from './chunk-builder.ts';
import { type ChunkBuilder, encodedChunkBuilder } from './encoded-chunk.ts';
import type {
  ChunkSource,
  ExecVector,
  SegmentView,
  TableData,
  TableDef,
  TableStore,
  ViewDef,
  ZoneMap,
} from './table-store.ts';
import { SEGMENT_ROWS } from './table-store.ts';

/** A hot segment: one growable JS array per column id. */
class HotSource implements ChunkSource {
  readonly cols = new Map<number, unknown[]>();
  rowCount = 0;
  constructor(def: TableDef) {
    for (const c of def.columns) this.cols.set(c.id, []);
  }
  zoneMap(): ZoneMap | undefined {
    return undefined; // hot rows are never pruned
  }
  column(id: number): ExecVector | undefined {
    const values = this.cols.get(id);
    if (!values) return undefined;
    return { kind: 'js', type: 'unknown', length: this.rowCount, values };
  }
}

interface Segment {
  source: ChunkSource;
  hot: HotSource | undefined;
  deleted: Uint8Array | undefined;
}

/** Canonical key text for primary-key lookups. */
export function keyText(values: readonly unknown[]): string {
  let s = '';
  for (const v of values) {
    s +=
      typeof v === 'bigint' ? `${v}n` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    s += '\u0000';
  }
  return s;
}

class MemoryTable implements TableData {
  private segs: Segment[] = [];
  private active: Segment | undefined;
  private pk = new Map<string, number>();

  constructor(
    public def: TableDef,
    private readonly builder: ChunkBuilder | undefined,
  ) {}

  segments(): readonly SegmentView[] {
    return this.segs.map((s) => ({ source: s.source, deleted: s.deleted, hot: s.hot !== undefined }));
  }

  private pkIndexes(): number[] {
    return this.def.primaryKey.map((id) => this.def.columns.findIndex((c) => c.id === id));
  }

  insert(rows: readonly (readonly unknown[])[]): number[] {
    const ids: number[] = [];
    const pkIdx = this.pkIndexes();
    for (const row of rows) {
      const key = pkIdx.length > 0 ? keyText(pkIdx.map((i) => row[i])) : undefined;
      if (key !== undefined && this.pk.has(key)) {
        throw new SqlError(
          SqlState.uniqueViolation,
          `duplicate key value violates unique constraint "${this.def.name}_pkey"`,
        );
      }
      const id = this.append(row);
      if (key !== undefined) this.pk.set(key, id);
      ids.push(id);
    }
    return ids;
  }

  private append(row: readonly unknown[]): number {
    let seg = this.active;
    if (!seg || seg.hot!.rowCount >= SEGMENT_ROWS) {
      if (seg) this.freeze(seg);
      const hot = new HotSource(this.def);
      seg = { source: hot, hot, deleted: undefined };
      this.segs.push(seg);
      this.active = seg;
    }
    const hot = seg.hot!;
    this.def.columns.forEach((c, i) => {
      hot.cols.get(c.id)!.push(row[i] ?? null);
    });
    return this.segs.indexOf(seg) * SEGMENT_ROWS + hot.rowCount++;
  }

  /** Compaction: hot rows become an immutable chunk with zone maps, at the same segment index. */
  private freeze(seg: Segment): void {
    const hot = seg.hot!;
    const cols = encodeArrayColumns(
      this.def.columns.map((c) => ({
        id: c.id,
        name: c.name,
        type: c.type,
        values: hot.cols.get(c.id) ?? [],
      })),
    );
    const built = this.builder?.(hot.rowCount, cols);
    // A frozen segment must stay one chunk so row ids keep their meaning.
    const chunk = built && built.length === 1 ? built[0] : MemoryChunk.fromColumns(hot.rowCount, cols);
    seg.source = withArrayColumns(chunk, this.def.columns);
    seg.hot = undefined;
  }

  appendChunk(chunk: ChunkSource): void {
    const seg: Segment = { source: chunk, hot: undefined, deleted: undefined };
    this.segs.push(seg);
    const pkIdx = this.def.primaryKey;
    if (pkIdx.length > 0) {
      const base = (this.segs.length - 1) * SEGMENT_ROWS;
      const cols = pkIdx.map((id) => materialize(chunk.column(id)!));
      for (let r = 0; r < chunk.rowCount; r++) {
        const key = keyText(cols.map((c) => c[r]));
        if (this.pk.has(key)) {
          throw new SqlError(
            SqlState.uniqueViolation,
            `duplicate key value violates unique constraint "${this.def.name}_pkey"`,
          );
        }
        this.pk.set(key, base + r);
      }
    }
  }

  deleteRow(rowId: number): void {
    const seg = this.segs[Math.floor(rowId / SEGMENT_ROWS)];
    const off = rowId % SEGMENT_ROWS;
    seg.deleted ??= new Uint8Array(SEGMENT_ROWS >> 3);
    seg.deleted[off >> 3] |= 1 << (off & 7);
    if (this.def.primaryKey.length > 0) {
      const row = this.readRow(rowId);
      const key = keyText(this.pkIndexes().map((i) => row[i]));
      if (this.pk.get(key) === rowId) this.pk.delete(key);
    }
  }

  readRow(rowId: number): unknown[] {
    const seg = this.segs[Math.floor(rowId / SEGMENT_ROWS)];
    const off = rowId % SEGMENT_ROWS;
    return this.def.columns.map((c) => {
      const v = seg.source.column(c.id);
      if (!v) return c.default && c.default.kind === 'const' ? c.default.value : null;
      return readOne(v, off);
    });
  }

  truncate(): void {
    this.segs = [];
    this.active = undefined;
    this.pk.clear();
  }

  lookupKey(key: string): number | undefined {
    return this.pk.get(key);
  }

  setDef(def: TableDef): void {
    // New columns get an (empty) array in the active hot segment, back-filled with NULL.
    for (const seg of this.segs) {
      const hot = seg.hot;
      if (!hot) continue;
      for (const c of def.columns) {
        if (!hot.cols.has(c.id)) hot.cols.set(c.id, new Array(hot.rowCount).fill(null));
      }
    }
    this.def = def;
  }
}

/** Reads value `i` of any vector as a JS value. */
export function readOne(v: ExecVector, i: number): unknown {
  if (v.kind === 'js') return v.values[i];
  if (v.kind === 'const') return v.value;
  if (v.nulls && v.nulls[i >> 3] & (1 << (i & 7))) return null;
  if (v.kind === 'dict') return (v.dict.values as ArrayLike<unknown>)[v.codes[i]];
  const x = (v.values as ArrayLike<unknown>)[i];
  return v.type === 'bool' ? x === 1 : x;
}

/** In-memory catalog + data. */
export class MemoryTableStore implements TableStore {
  private readonly tables = new Map<string, MemoryTable>();
  readonly views = new Map<string, ViewDef>();

  /** `encoded: true` stores chunks in engine/columnar's compressed format instead of decoded vectors. */
  constructor(opts: { encoded?: boolean } = {}) {
    this.chunkBuilder = opts.encoded ? encodedChunkBuilder : undefined;
  }

  readonly chunkBuilder: ChunkBuilder | undefined;

  get(name: string): TableData | undefined {
    return this.tables.get(name);
  }

  create(def: TableDef): TableData {
    if (this.tables.has(def.name))
      throw new SqlError(SqlState.duplicateTable, `relation "${def.name}" already exists`);
    const t = new MemoryTable(def, this.chunkBuilder);
    this.tables.set(def.name, t);
    return t;
  }

  drop(name: string): void {
    this.tables.delete(name);
  }

  names(): string[] {
    return [...this.tables.keys()];
  }
}
