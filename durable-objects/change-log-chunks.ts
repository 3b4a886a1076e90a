/**
 * @module durable-objects/change-log-chunks
 * Reading the rows of a bulk-load entry: the entry holds chunk references, and
 * a reader pages through each chunk's rows here while the entry is retained.
 */
import { planeJson } from '../engine/distributed/row-json.ts';
import type { Row } from '../engine/distributed/table-schema.ts';
import { SqlError } from '../engine/errors.ts';
import { logGap, prunedThrough, READ_LOG_BYTES } from './change-log.ts';
import { chunkRows } from './change-log-images.ts';
import type { Meter } from './shard-storage.ts';

/** A page of a referenced chunk's rows. */
export interface ChunkPage {
  readonly rows: Row[];
  /** Rows in the chunk. */
  readonly rowCount: number;
  /** Where the next page starts (`rowCount` when done). */
  readonly nextOffset: number;
}

/**
 * Rows `offset` … of chunk `chunkId` as the bulk-load entry `lsn` wrote them,
 * at most `limit` and `READ_LOG_BYTES` (at least one). 58P01 when the entry
 * was already removed by retention, 22023 when it does not reference the chunk.
 */
export function readLogChunk(
  m: Meter,
  lsn: number,
  chunkId: number,
  offset: number,
  limit: number,
): ChunkPage {
  const ref = m.all(`SELECT 1 FROM change_log_chunks WHERE chunk_id = ? AND lsn = ?`, chunkId, lsn);
  if (ref.length === 0) {
    const pruned = prunedThrough(m);
    if (lsn <= pruned) throw logGap(lsn, pruned);
    throw new SqlError('22023', `log entry ${lsn} does not reference chunk ${chunkId}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1)
    throw new SqlError('22023', `invalid chunk offset ${offset} or limit ${limit}`);
  const rowCount = m.all<{ n: number }>(`SELECT row_count AS n FROM chunks WHERE id = ?`, chunkId)[0].n;
  const rows: Row[] = [];
  let bytes = 0;
  for (const row of chunkRows(m, chunkId, offset, limit)) {
    const size = planeJson(row).length;
    if (rows.length > 0 && bytes + size > READ_LOG_BYTES) break;
    rows.push(row);
    bytes += size;
  }
  return { rows, rowCount, nextOffset: offset + rows.length };
}
