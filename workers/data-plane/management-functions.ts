/**
 * @module workers/data-plane/management-functions
 * The Citus / Timescale management functions, called as `SELECT fn(…)`:
 * create_distributed_table, create_reference_table, create_hypertable,
 * drop_chunks, add_retention_policy, remove_retention_policy,
 * add_tiering_policy, remove_tiering_policy, tier_chunk, freeze_chunk, show_shards,
 * show_chunks (those two in show-functions). Each returns rows like any query.
 */
import { parseIntervalUs } from '../../engine/distributed/sql-expr.ts';
import type { FunctionCall, IntervalArg } from '../../engine/distributed/sql-statements.ts';
import { type DistTable, parseTimestampUs } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { type Cluster, tableOf } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import { chunkName, showChunks, showShards } from './show-functions.ts';
import type { StatementResult } from './statement-result.ts';

const DAY_US = 86_400_000_000;

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '')
    throw new SqlError(SqlState.invalidParameterValue, `${what} must be a non-empty string`);
  return v;
}

function intervalUs(v: unknown, what: string): number {
  if (v && typeof v === 'object' && 'intervalUs' in v) return (v as IntervalArg).intervalUs;
  if (typeof v === 'string') return parseIntervalUs(v);
  if (typeof v === 'number' && v > 0) return v; // Timescale accepts integer µs for timestamp columns
  throw new SqlError(SqlState.invalidParameterValue, `${what} must be an interval`);
}

function scalar(name: string, type: string, value: unknown): StatementResult {
  return { columns: [{ name, type }], rows: [[value]], rowCount: 1 };
}

async function isEmpty(cluster: Cluster, t: DistTable): Promise<boolean> {
  const infos = await Promise.all(cluster.shardsOf(t).map((s) => cluster.shard(s).tableInfo(t.name)));
  return infos.every((i) => i.hotRows === 0 && i.chunks.length === 0);
}

/** Runs one management function. `defaultShards` is the database's default shard count. */
export async function runManagementFunction(
  cluster: Cluster,
  call: FunctionCall,
  defaultShards: number,
  stats: StatsCollector,
): Promise<StatementResult> {
  const catalog = cluster.catalog();
  const arg = (i: number, name: string) => (call.named[name] !== undefined ? call.named[name] : call.args[i]);
  if (call.name === 'tier_chunk' || call.name === 'freeze_chunk')
    return tierChunk(cluster, call.name, str(arg(0, 'chunk_name'), 'chunk name'), stats);
  const table = await cluster.table(
    str(arg(0, call.name === 'create_hypertable' ? 'relation' : 'table_name'), 'table name'),
  );
  const snap = await cluster.snapshot();
  switch (call.name) {
    case 'create_distributed_table': {
      const column = str(arg(1, 'distribution_column'), 'distribution column');
      const col = table.columns.find((c) => c.name === column);
      if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${column}" does not exist`);
      const count = Number(call.named.shard_count ?? defaultShards);
      const colocate = call.named.colocate_with;
      if (colocate !== undefined && colocate !== 'default' && colocate !== 'none') {
        const other = tableOf(snap, str(colocate, 'colocate_with'));
        if (other.shardCount !== count)
          throw new SqlError(
            SqlState.invalidParameterValue,
            `cannot colocate with "${other.name}": shard counts differ`,
          );
      }
      if (!Number.isInteger(count) || count < 1 || count > 1024)
        throw new SqlError(SqlState.invalidParameterValue, 'shard_count must be in 1..1024');
      const placed = await catalog.place(
        table.name,
        { kind: 'distributed', columnId: col.id },
        count,
        await isEmpty(cluster, table),
      );
      await pushTable(cluster, placed as unknown as DistTable, cluster.shardsOf(table));
      return scalar(call.name, 'void', '');
    }
    case 'create_reference_table': {
      const placed = await catalog.place(table.name, { kind: 'reference' }, 1, await isEmpty(cluster, table));
      await pushTable(cluster, placed as unknown as DistTable, cluster.shardsOf(table));
      return scalar(call.name, 'void', '');
    }
    case 'create_hypertable': {
      const timeColumn = str(arg(1, 'time_column_name'), 'time column');
      const interval =
        call.named.chunk_time_interval === undefined
          ? DAY_US
          : intervalUs(call.named.chunk_time_interval, 'chunk_time_interval');
      if (!(await isEmpty(cluster, table)))
        throw new SqlError(
          SqlState.featureNotSupported,
          'create_hypertable on a table that already holds rows',
        );
      let t = (await catalog.setHypertable(table.name, timeColumn, interval)) as unknown as DistTable;
      const part = call.named.partitioning_column;
      if (part !== undefined && t.placement.kind === 'local') {
        const col = t.columns.find((c) => c.name === part);
        if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${String(part)}" does not exist`);
        t = (await catalog.place(
          t.name,
          { kind: 'distributed', columnId: col.id },
          Number(call.named.number_partitions ?? defaultShards),
          true,
        )) as unknown as DistTable;
      }
      await pushTable(cluster, t, cluster.shardsOf(table));
      return {
        columns: [
          { name: 'hypertable_id', type: 'integer' },
          { name: 'table_name', type: 'text' },
          { name: 'created', type: 'boolean' },
        ],
        rows: [[1, t.name, true]],
        rowCount: 1,
      };
    }
    case 'drop_chunks': {
      const older = arg(1, 'older_than');
      const cutoff =
        typeof older === 'string' && !/^\s*\d+\s*\w+\s*$/.test(older)
          ? parseTimestampUs(older)
          : Date.now() * 1000 - intervalUs(older, 'older_than');
      if (!table.hypertable)
        throw new SqlError(SqlState.invalidParameterValue, `table "${table.name}" is not a hypertable`);
      const dropped = new Set<number>();
      await Promise.all(
        cluster.shardsOf(table).map(async (s) => {
          stats.touch(s);
          for (const b of await cluster.shard(s).dropChunks(table, cutoff)) dropped.add(b);
        }),
      );
      const rows = [...dropped].sort((a, b) => a - b).map((b) => [chunkName(table, b)]);
      return { columns: [{ name: 'drop_chunks', type: 'text' }], rows, rowCount: rows.length };
    }
    case 'add_retention_policy': {
      const t = await catalog.setRetention(table.name, intervalUs(arg(1, 'drop_after'), 'drop_after'));
      await pushTable(cluster, t as unknown as DistTable);
      return scalar(call.name, 'integer', 1000);
    }
    case 'remove_retention_policy': {
      const t = await catalog.setRetention(table.name, undefined, call.named.if_exists === true);
      await pushTable(cluster, t as unknown as DistTable);
      return scalar(call.name, 'void', '');
    }
    case 'add_tiering_policy': {
      const moveAfter = intervalUs(arg(1, 'move_after'), 'move_after');
      const freeze = call.named.freeze_after;
      const freezeAfter = freeze === undefined ? undefined : intervalUs(freeze, 'freeze_after');
      const t = await catalog.setTiering(
        table.name,
        moveAfter,
        call.named.if_not_exists === true,
        freezeAfter,
      );
      await pushTable(cluster, t as unknown as DistTable);
      return scalar(call.name, 'integer', 1001);
    }
    case 'remove_tiering_policy': {
      const t = await catalog.setTiering(table.name, undefined, call.named.if_exists === true);
      await pushTable(cluster, t as unknown as DistTable);
      return scalar(call.name, 'void', '');
    }
    case 'compact_table': {
      // Orochi-specific: run the alarm's compaction now (hot rows → chunks, small chunks merged).
      const results = await Promise.all(
        cluster.shardsOf(table).map(async (s) => {
          const r = await cluster.shard(s).compact();
          stats.add(s, r.stats);
          return r.chunksWritten;
        }),
      );
      return scalar(
        call.name,
        'bigint',
        results.reduce((a, b) => a + b, 0),
      );
    }
    case 'show_shards':
      return showShards(cluster, table, stats);
    case 'show_chunks':
      return showChunks(cluster, table, stats);
    default:
      throw new SqlError(SqlState.featureNotSupported, `function ${call.name}() is not supported`);
  }
}

/** Sends a changed definition to every shard of the table (their alarms act on it). */
/**
 * Pushes a changed table definition, with the catalog version it was changed at,
 * to its shards (and `alsoTo`, e.g. the shards of its previous placement), so
 * Workers still caching an older catalog are told to refetch by the shards.
 */
export async function pushTable(
  cluster: Cluster,
  t: DistTable,
  alsoTo: readonly string[] = [],
): Promise<void> {
  const { version } = await cluster.refresh();
  const names = new Set([...cluster.shardsOf(t), ...alsoTo]);
  await Promise.all([...names].map((s) => cluster.shard(s).updateTable(t, version)));
}

/**
 * tier_chunk('_hyper_<table>_<range start>'): moves that chunk (its part on
 * every shard) to R2 now; `_chunk_<table>` moves every warm chunk of a plain
 * table. freeze_chunk: the same to the frozen tier (Parquet). Returns the
 * number of shard chunks moved.
 */
async function tierChunk(
  cluster: Cluster,
  fn: 'tier_chunk' | 'freeze_chunk',
  name: string,
  stats: StatsCollector,
): Promise<StatementResult> {
  const m = /^_hyper_(.+)_(\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/.exec(name) ?? /^_chunk_(.+)$/.exec(name);
  const t = m ? (await cluster.snapshot()).tables.find((x) => x.name === m[1]) : undefined;
  if (!m || !t || (m[2] === undefined) !== (t.hypertable === undefined))
    throw new SqlError(SqlState.undefinedTable, `chunk "${name}" does not exist`);
  const bucket = m[2] === undefined ? undefined : parseTimestampUs(m[2]);
  const moved = await Promise.all(
    cluster.shardsOf(t).map(async (s) => {
      stats.touch(s);
      return cluster.shard(s).tierChunks(t, bucket, {}, fn === 'freeze_chunk' ? 'frozen' : 'cold');
    }),
  );
  return scalar(
    fn,
    'integer',
    moved.reduce((a, b) => a + b, 0),
  );
}
