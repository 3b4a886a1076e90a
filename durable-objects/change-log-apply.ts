/**
 * @module durable-objects/change-log-apply
 * Applies change-log entries to a shard, in LSN order: how a log is replayed
 * into another shard. Deterministic: no clock is read (rows are stored at the
 * entry's commit time), and rows are found by their images, not positions
 * (positions differ between shards): a before image removes one stored row
 * equal to it. The applied changes are logged on this shard with the source's
 * transaction ids and commit times.
 */
import type { ChangeEntry } from '../engine/distributed/change-entry.ts';
import { encodeTableRows } from '../engine/distributed/chunk-rows.ts';
import { planeJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { SqlError } from '../engine/errors.ts';
import { commitStamp, logBulk, logDdl, logDrop, logDroppedBuckets, logRows } from './change-log.ts';
import { rowImage } from './change-log-images.ts';
import { insertHot } from './shard-log.ts';
import { enforceRetention, knownTables } from './shard-maintenance.ts';
import { deleteHits } from './shard-ops.ts';
import { matchRows } from './shard-scan.ts';
import { dropTableData, insertChunks, type Meter } from './shard-storage.ts';
import { forgetTable, rememberTable } from './shard-tables.ts';

/**
 * Applies one entry (call inside a transaction, entries in LSN order). A bulk
 * entry's rows come from `chunkRows` (read from the source with `readLogChunk`).
 * Throws XX001 when a before image matches no stored row: the log and this shard diverged.
 */
export function applyChange(m: Meter, e: ChangeEntry, chunkRows: (chunkId: number) => Row[]): void {
  const s = commitStamp(e.txnId, e.commitMs);
  const c = e.change;
  if (c.kind === 'ddl') {
    if (c.op !== 'drop') logDdl(m, s, c.def!, rememberTable(m, c.def!));
    else {
      const t = knownTables(m).find((k) => k.id === e.tableId);
      logDrop(m, s, e.tableId);
      dropTableData(m, e.tableId);
      if (t) forgetTable(m, t);
    }
    return;
  }
  const t = knownTables(m).find((k) => k.id === e.tableId);
  if (!t) throw new SqlError('XX001', `log replay: table "${e.table}" has no definition at LSN ${e.lsn}`);
  switch (c.kind) {
    case 'insert':
      logRows(m, s, t, 'insert', [], c.after);
      insertHot(m, t, c.after, e.commitMs);
      return;
    case 'delete':
    case 'update': {
      const after = c.kind === 'update' ? c.after : undefined;
      removeImages(m, t, c.before, e.lsn);
      logRows(m, s, t, c.kind, c.before, after ?? []);
      if (after) insertHot(m, t, after, e.commitMs);
      return;
    }
    case 'bulk': {
      const ids = c.chunks.flatMap((ref) =>
        insertChunks(m, t, encodeTableRows(t, chunkRows(ref.id)), e.commitMs),
      );
      logBulk(m, s, t, ids);
      return;
    }
    case 'drop_buckets': {
      const w = t.hypertable?.chunkIntervalUs ?? 0;
      for (const b of c.buckets) enforceRetention(m, t, b + w, b);
      logDroppedBuckets(m, s, t, c.buckets);
      return;
    }
  }
}

/** Removes one stored row equal to each image. */
function removeImages(m: Meter, t: DistTable, images: readonly Row[], lsn: number): void {
  const all = matchRows(
    m,
    t.id,
    t.columns.map((c) => c.id),
  );
  // Positions in the order matchRows lists its rows: hot rows, then chunk offsets chunk by chunk.
  const pos: ({ rid: number } | { chunk: number; offset: number })[] = all.hot.map((rid) => ({ rid }));
  for (const [chunk, offsets] of all.chunks) for (const offset of offsets) pos.push({ chunk, offset });
  const byImage = new Map<string, number[]>();
  all.rows.forEach((row, i) => {
    const k = planeJson(rowImage(t, row));
    const list = byImage.get(k);
    if (list) list.push(i);
    else byImage.set(k, [i]);
  });
  const hot: number[] = [];
  const chunks = new Map<number, number[]>();
  for (const img of images) {
    const i = byImage.get(planeJson(rowImage(t, img)))?.pop();
    if (i === undefined)
      throw new SqlError('XX001', `log replay: a row removed at LSN ${lsn} is not stored in "${t.name}"`);
    const p = pos[i];
    if ('rid' in p) hot.push(p.rid);
    else chunks.set(p.chunk, [...(chunks.get(p.chunk) ?? []), p.offset]);
  }
  deleteHits(m, { hot, chunks, rows: [] });
}
