/**
 * @module workers/data-plane/show-functions
 * `show_shards(table)` and `show_chunks(relation, older_than, newer_than)`:
 * per-shard and per-chunk sizes and storage tiers, gathered from every shard
 * of the table, plus the Timescale-style chunk names that drop_chunks and
 * tier_chunk also use. Rows come back typed and raw (timestamps in µs) so
 * they can be returned as they are or queried in FROM (see `show-from`).
 */
import { type EvaluatedArgs, textArg, timePointArg } from '../../engine/distributed/management-args.ts';
import { type DistTable, type DistType, formatTimestampUs } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';

/** Rows of a show_* function: typed columns, values raw (timestamptz as µs, NULL as null). */
export interface ShowRows {
  readonly columns: readonly { readonly name: string; readonly type: DistType }[];
  readonly rows: unknown[][];
}

/** Chunks by time: `olderThanUs` keeps ranges ending at or before it, `newerThanUs` ranges starting at or after it. */
export interface ChunkWindow {
  readonly olderThanUs?: number;
  readonly newerThanUs?: number;
}

/** Timescale-style chunk name for a time bucket. */
export function chunkName(t: DistTable, bucket: number): string {
  return t.hypertable ? `_hyper_${t.name}_${formatTimestampUs(bucket)}` : `_chunk_${t.name}`;
}

/**
 * older_than / newer_than of drop_chunks and show_chunks: intervals count back
 * from `nowUs`, timestamps are absolute. Only hypertables have time ranges.
 */
export function chunkWindow(t: DistTable, args: EvaluatedArgs, nowUs: number): ChunkWindow {
  const older = args.get(1, 'older_than');
  const newer = args.get(2, 'newer_than');
  const given = (a: typeof older) => a !== undefined && a.v !== null;
  if ((given(older) || given(newer)) && !t.hypertable)
    throw new SqlError(SqlState.invalidParameterValue, `table "${t.name}" is not a hypertable`);
  return {
    olderThanUs: given(older) ? timePointArg(older!, 'older_than', nowUs) : undefined,
    newerThanUs: given(newer) ? timePointArg(newer!, 'newer_than', nowUs) : undefined,
  };
}

/** Runs show_shards or show_chunks with evaluated arguments. */
export async function runShowFunction(
  cluster: Cluster,
  fn: string,
  args: EvaluatedArgs,
  stats: StatsCollector,
): Promise<ShowRows> {
  if (fn === 'show_shards') {
    args.only(['table_name']);
    const t = await cluster.table(textArg(args.get(0, 'table_name'), 'table name'));
    stats.lap('plan');
    return showShards(cluster, t, stats);
  }
  if (fn === 'show_chunks') {
    args.only(['relation', 'older_than', 'newer_than']);
    const t = await cluster.table(textArg(args.get(0, 'relation'), 'relation'));
    const window = chunkWindow(t, args, Date.now() * 1000);
    stats.lap('plan');
    return showChunks(cluster, t, stats, window);
  }
  throw new SqlError(SqlState.undefinedFunction, `function ${fn}() does not exist`);
}

/** show_shards: one row per shard of `t` (hash range, live rows, chunks, bytes, tier). */
export async function showShards(cluster: Cluster, t: DistTable, stats: StatsCollector): Promise<ShowRows> {
  const names = cluster.shardsOf(t);
  // Hash ranges from the stored shard map (none for tables that are not hash-distributed).
  const ranges = names.map((s) =>
    t.placement.kind === 'distributed' ? cluster.placementFor(t, s).ranges[0] : undefined,
  );
  const infos = await Promise.all(names.map((s) => cluster.shard(s).tableInfo(t)));
  stats.lap('shards');
  const rows = infos.map((info, i) => {
    stats.touch(names[i]);
    // Chunk rows are live rows (delete bitmaps applied); deleted hot rows are gone already.
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
      { name: 'shard_index', type: 'int32' },
      { name: 'shard_name', type: 'text' },
      { name: 'hash_min', type: 'int32' },
      { name: 'hash_max', type: 'int32' },
      { name: 'rows', type: 'int64' },
      { name: 'hot_rows', type: 'int64' },
      { name: 'chunks', type: 'int64' },
      { name: 'bytes', type: 'int64' },
      { name: 'tier', type: 'text' },
      { name: 'cold_bytes', type: 'int64' },
    ],
    rows,
  };
}

/**
 * show_chunks: one row per chunk of `t` on every shard (within `window`), ordered
 * by range start then shard. `rows` counts live rows (delete bitmaps applied).
 */
export async function showChunks(
  cluster: Cluster,
  t: DistTable,
  stats: StatsCollector,
  window: ChunkWindow = {},
): Promise<ShowRows> {
  const names = cluster.shardsOf(t);
  const infos = await Promise.all(names.map((s) => cluster.shard(s).tableInfo(t)));
  stats.lap('shards');
  const width = t.hypertable?.chunkIntervalUs;
  const rows: unknown[][] = [];
  infos.forEach((info, i) => {
    stats.touch(names[i]);
    for (const c of info.chunks) {
      if (width !== undefined) {
        if (window.olderThanUs !== undefined && c.bucket + width > window.olderThanUs) continue;
        if (window.newerThanUs !== undefined && c.bucket < window.newerThanUs) continue;
      }
      rows.push([
        chunkName(t, c.bucket),
        i,
        c.id,
        width === undefined ? null : c.bucket,
        width === undefined ? null : c.bucket + width,
        c.rows,
        c.bytes,
        c.tier,
      ]);
    }
  });
  rows.sort(
    (a, b) => ((a[3] as number) ?? 0) - ((b[3] as number) ?? 0) || (a[1] as number) - (b[1] as number),
  );
  return {
    columns: [
      { name: 'chunk_name', type: 'text' },
      { name: 'shard_index', type: 'int32' },
      { name: 'chunk_id', type: 'int64' },
      { name: 'range_start', type: 'timestamptz' },
      { name: 'range_end', type: 'timestamptz' },
      { name: 'rows', type: 'int64' },
      { name: 'bytes', type: 'int64' },
      { name: 'tier', type: 'text' },
    ],
    rows,
  };
}
