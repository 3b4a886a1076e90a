/**
 * @module engine/distributed/table-layout
 * The row order inside a data-plane table's chunks (TimescaleDB compression's
 * segmentby / orderby, see engine/storage/chunk-layout). Ingest in the Worker
 * and compaction in the shard both encode through `chunkOrderKeys`, so every
 * chunk written after `ALTER TABLE … SET (timescaledb.compress_segmentby …)`
 * is clustered. Which rows a chunk holds (its time bucket) never changes, and
 * chunks are self-describing, so chunks written under an older layout stay valid.
 *
 * Default: arrival order. Clustering is opt-in: on TSBS over 8 shards it left
 * one-host queries as fast as arrival order (the shards' time slices already
 * prune well) and made full scans slower (many more, smaller slices), see
 * bench/RESULTS.md. A typical choice is the series key (the distribution
 * column) with time ascending, the order metrics arrive in, so clustering a
 * chunk costs a counting sort and no comparisons.
 */
import type { RowOrderKey } from '../columnar/row-order.ts';
import { type ChunkLayout, layoutFromOptions, type RelOption } from '../storage/chunk-layout.ts';
import type { DistTable } from './table-schema.ts';

/** The layout chunks of `t` are written in (set by ALTER TABLE); undefined for arrival order. */
export function chunkLayoutOf(t: DistTable): ChunkLayout | undefined {
  return t.layout;
}

/** True when chunks of `t` are grouped by a segment-by column (time-ordered slices then prune nothing). */
export function isClustered(t: DistTable): boolean {
  return (chunkLayoutOf(t)?.segmentBy.length ?? 0) > 0;
}

/**
 * Sort keys for `encodeChunks` over chunk columns listed by column id (`columnIds[i]`
 * is the id of vector i); columns the chunk does not hold (dropped) are skipped.
 */
export function chunkOrderKeys(t: DistTable, columnIds: readonly number[]): RowOrderKey[] {
  const layout = chunkLayoutOf(t);
  if (!layout) return [];
  const keys: RowOrderKey[] = [];
  const used = new Set<number>();
  const add = (id: number, desc: boolean) => {
    const column = columnIds.indexOf(id);
    if (column < 0 || used.has(column)) return;
    used.add(column);
    keys.push(desc ? { column, desc } : { column });
  };
  for (const id of layout.segmentBy) add(id, false);
  for (const o of layout.orderBy) add(o.id, o.desc);
  return keys;
}

/**
 * `t` with the layout that `ALTER TABLE … SET (timescaledb.compress_segmentby = '…',
 * timescaledb.compress_orderby = '…')` describes on top of its current one (the
 * default included, so setting only the orderby keeps the default segmentby).
 * Unknown options and columns are SqlErrors (0A000, 42703), as in TimescaleDB.
 */
export function withLayoutOptions(t: DistTable, options: readonly RelOption[]): DistTable {
  if (options.length === 0) return t;
  return { ...t, layout: layoutFromOptions(t, options, chunkLayoutOf(t)) };
}

/** The layout without columns that no longer exist (after DROP COLUMN). */
export function layoutWithoutDropped(t: DistTable): DistTable {
  if (!t.layout) return t;
  const live = new Set(t.columns.map((c) => c.id));
  return {
    ...t,
    layout: {
      segmentBy: t.layout.segmentBy.filter((id) => live.has(id)),
      orderBy: t.layout.orderBy.filter((o) => live.has(o.id)),
    },
  };
}
