/**
 * @module engine/storage/encoded-chunk
 * Adapts engine/columnar's compressed chunks to the executor's ChunkSource:
 * zone maps come from the chunk header (no block is read to prune), and each
 * column block is decoded only when a scan asks for it (the reader caches it).
 */
import {
  type ChunkReader,
  type ZoneMap as ColumnarZone,
  encodeChunks,
  openChunkParts,
} from '../columnar/index.ts';
import type { ColumnType, Vector } from '../vector.ts';
import { isVector, vectorFromValues } from './chunk-builder.ts';
import type { ChunkSource, ExecVector, ZoneMap } from './table-store.ts';

/** Builds chunk sources from JS-valued columns (by column id). */
export type ChunkBuilder = (
  rowCount: number,
  cols: readonly { id: number; name: string; type: ColumnType; values: ArrayLike<unknown> | Vector }[],
) => ChunkSource[];

export class EncodedChunkSource implements ChunkSource {
  private readonly index = new Map<number, number>();

  constructor(
    private readonly reader: ChunkReader,
    ids: readonly number[],
  ) {
    for (let i = 0; i < ids.length; i++) this.index.set(ids[i], i);
  }

  get rowCount(): number {
    return this.reader.rowCount;
  }

  zoneMap(id: number): ZoneMap | undefined {
    const i = this.index.get(id);
    if (i === undefined) return undefined;
    const col = this.reader.columns[i];
    const z: ColumnarZone = col.zone;
    if (col.type === 'bool') {
      // The chunk format keeps boolean bounds as 0/1; the executor compares JS booleans.
      const b = (v: unknown) => (v === undefined || v === null ? v : Boolean(v));
      return { min: b(z.min), max: b(z.max), nullCount: z.nullCount, rowCount: z.rowCount };
    }
    // NaN sorts above every number in PostgreSQL: a NaN-bearing block has no usable max.
    return { min: z.min, max: z.hasNaN ? Number.NaN : z.max, nullCount: z.nullCount, rowCount: z.rowCount };
  }

  column(id: number): ExecVector | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.reader.column(i);
  }

  selectEqual(id: number, values: readonly string[]): Uint32Array | undefined {
    const i = this.index.get(id);
    if (i === undefined || !TEXT_LIKE.has(this.reader.columns[i].type)) return undefined;
    return this.reader.filterIn(i, values);
  }

  gather(id: number, sel: Uint32Array): ExecVector | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.reader.gather(i, sel);
  }

  /**
   * Drops the decoded columns; their arrays are recycled by the next decode
   * (columnar/decode-buffers), so call it only when no query still reads them.
   */
  evict(): void {
    this.reader.evict();
  }
}

const TEXT_LIKE: ReadonlySet<ColumnType> = new Set<ColumnType>(['text', 'uuid', 'json']);

/** Encodes columns with the versioned chunk format (splitting blocks over 2 MB) and opens them for reading. */
export const encodedChunkBuilder: ChunkBuilder = (rowCount, cols) => {
  const vectors: Vector[] = cols.map((c) =>
    isVector(c.values) ? c.values : vectorFromValues(c.type, c.values),
  );
  const chunks = encodeChunks(
    cols.map((c) => ({ name: c.name, type: c.type })),
    vectors,
    rowCount,
  );
  const ids = cols.map((c) => c.id);
  return chunks.map(
    (ch) =>
      new EncodedChunkSource(
        openChunkParts(ch.header, (i) => ch.columns[i]),
        ids,
      ),
  );
};
