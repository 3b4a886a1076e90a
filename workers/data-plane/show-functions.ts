/**
 * @module workers/data-plane/show-functions
 * `show_shards(table)` and `show_chunks(table)`: per-shard and per-chunk
 * sizes and storage tiers, gathered from every shard of the table, plus the
 * Timescale-style chunk names that drop_chunks and tier_chunk also use.
 */
import { tableRanges } from '../../durable-objects/catalog-do.ts';
import { type DistTable, formatTimestampUs } from '../../engine/distributed/table-schema.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import type { StatementResult } from './statement-result.ts';

/** Timescale-style chunk name for a time bucket. */
export function chunkName(t: DistTable, bucket: number): string {
  return t.hypertable ? `_hyper_${t.name}_${formatTimestampUs(bucket)}` : `_chunk_${t.name}`;
}

/** show_shards: one row per shard of `t` (hash range, rows, chunks, bytes, tier). */
export async function showShards(
  cluster: Cluster,
  t: DistTable,
  stats: StatsCollector,
): Promise<StatementResult> {
  const ranges = tableRanges(t);
  const names = cluster.shardsOf(t);
  const infos = await Promise.all(names.map((s) => cluster.shard(s).tableInfo(t.name)));
  const rows = infos.map((info, i) => {
    stats.touch(names[i]);
    const chunkRows = info.chunks.reduce((s, c) => s + c.rows, 0);
    const bytes = info.chunks.reduce((s, c) => s + c.bytes, 0);
    const cold = info.chunks.filter((c) => c.tier !== 'warm');
    const tiers = (['warm', 'cold', 'frozen'] as const).filter((x) => info.chunks.some((c) => c.tier === x));
    const tier = tiers.length === 0 ? 'hot' : tiers.join('+');
    return [
      i,
      names[i],
      ranges[i]?.min ?? null,
      ranges[i]?.max ?? null,
      info.hotRows + chunkRows,
      info.hotRows,
      info.chunks.length,
      bytes,
      tier,
      cold.reduce((s, c) => s + c.bytes, 0),
    ];
  });
  return {
    columns: [
      { name: 'shard_index', type: 'integer' },
      { name: 'shard_name', type: 'text' },
      { name: 'hash_min', type: 'integer' },
      { name: 'hash_max', type: 'integer' },
      { name: 'rows', type: 'bigint' },
      { name: 'hot_rows', type: 'bigint' },
      { name: 'chunks', type: 'bigint' },
      { name: 'bytes', type: 'bigint' },
      { name: 'tier', type: 'text' },
      { name: 'cold_bytes', type: 'bigint' },
    ],
    rows,
    rowCount: rows.length,
  };
}

/** show_chunks: one row per chunk of `t` on every shard, ordered by range start then shard. */
export async function showChunks(
  cluster: Cluster,
  t: DistTable,
  stats: StatsCollector,
): Promise<StatementResult> {
  const names = cluster.shardsOf(t);
  const infos = await Promise.all(names.map((s) => cluster.shard(s).tableInfo(t.name)));
  const rows: unknown[][] = [];
  infos.forEach((info, i) => {
    stats.touch(names[i]);
    for (const c of info.chunks) {
      const end = t.hypertable ? formatTimestampUs(c.bucket + t.hypertable.chunkIntervalUs) : null;
      rows.push([
        chunkName(t, c.bucket),
        i,
        c.id,
        t.hypertable ? formatTimestampUs(c.bucket) : null,
        end,
        c.rows,
        c.bytes,
        c.tier,
      ]);
    }
  });
  rows.sort((a, b) => String(a[3]).localeCompare(String(b[3])) || (a[1] as number) - (b[1] as number));
  return {
    columns: [
      { name: 'chunk_name', type: 'text' },
      { name: 'shard_index', type: 'integer' },
      { name: 'chunk_id', type: 'bigint' },
      { name: 'range_start', type: 'timestamptz' },
      { name: 'range_end', type: 'timestamptz' },
      { name: 'rows', type: 'bigint' },
      { name: 'bytes', type: 'bigint' },
      { name: 'tier', type: 'text' },
    ],
    rows,
    rowCount: rows.length,
  };
}
