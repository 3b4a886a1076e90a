/**
 * @module cli/parquet-batches
 * Reads a Parquet file (hyparquet) a slice of rows at a time and turns each
 * slice into an NDJSON body for the ingest route. Parquet needs random
 * access (its footer holds the schema and row groups), so it is read from a
 * file, never from stdin.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { Batch } from './text-batches.ts';

/** JSON for one value the way the ingest route reads it: 64-bit integers beyond ±2^53 as strings, dates as ISO text. */
function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  return v;
}

/** Row count of the file (from its footer), for the progress bar. */
export async function parquetRowCount(path: string): Promise<number> {
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
  return Number(meta.num_rows);
}

/** Yields NDJSON batches of at most `rowsPerBatch` rows; `offset` is the first row's index. */
export async function* parquetBatches(path: string, rowsPerBatch: number): AsyncGenerator<Batch> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const total = Number(metadata.num_rows);
  const encoder = new TextEncoder();
  let index = 0;
  for (let rowStart = 0; rowStart < total; rowStart += rowsPerBatch) {
    const rowEnd = Math.min(total, rowStart + rowsPerBatch);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
    let text = '';
    for (const r of rows) text += `${JSON.stringify(r, jsonValue)}\n`;
    yield {
      index: index++,
      offset: rowStart,
      rows: rows.length,
      lineOffset: rowStart,
      body: encoder.encode(text),
    };
  }
}
