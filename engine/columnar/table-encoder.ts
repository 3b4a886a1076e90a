/**
 * @module engine/columnar/table-encoder
 * Whole-table encoding with the numbers the benchmark reports (bytes per row,
 * encode throughput, codec per column).
 */

import type { Vector } from '../vector.ts';
import { type EncodedChunk, type EncodeOptions, encodeChunks } from './chunk-encoder.ts';
import type { ColumnSchema } from './chunk-format.ts';

/** Size and speed of an {@link encodeTable} run. */
export interface TableEncodeStats {
  readonly rows: number;
  readonly chunks: number;
  /** Header plus block bytes over all chunks (the split form, as stored in a Durable Object). */
  readonly bytes: number;
  readonly bytesPerRow: number;
  /** Bytes per column over all chunks, in schema order. */
  readonly columnBytes: readonly number[];
  readonly encodeMs: number;
  readonly rowsPerSecond: number;
}

/** Encodes `rowCount` rows into chunks (see `encodeChunks`) and measures the result. */
export function encodeTable(
  schema: readonly ColumnSchema[],
  columns: readonly Vector[],
  rowCount: number,
  options: EncodeOptions = {},
): { chunks: EncodedChunk[]; stats: TableEncodeStats } {
  const t0 = performance.now();
  const chunks = encodeChunks(schema, columns, rowCount, options);
  const encodeMs = performance.now() - t0;
  const columnBytes = schema.map(() => 0);
  let bytes = 0;
  for (const c of chunks) {
    bytes += c.header.length;
    c.columns.forEach((b, i) => {
      columnBytes[i] += b.length;
      bytes += b.length;
    });
  }
  return {
    chunks,
    stats: {
      rows: rowCount,
      chunks: chunks.length,
      bytes,
      bytesPerRow: rowCount === 0 ? 0 : bytes / rowCount,
      columnBytes,
      encodeMs,
      rowsPerSecond: encodeMs > 0 ? rowCount / (encodeMs / 1000) : 0,
    },
  };
}
