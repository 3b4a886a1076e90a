/**
 * @module workers/data-plane/management-functions
 * The Citus / Timescale management functions, called as `SELECT fn(…)`:
 * create_distributed_table, create_reference_table, create_hypertable,
 * drop_chunks, add_retention_policy, remove_retention_policy,
 * add_tiering_policy, remove_tiering_policy, tier_chunk, freeze_chunk,
 * compact_table, show_shards and show_chunks (those two in show-functions).
 * Arguments are evaluated by the engine and read by type (see
 * `management-args`); every argument is checked before anything changes.
 * Each returns rows like any query.
 */
import { checkHypertable, MAX_SHARDS, nonPositive } from '../../durable-objects/catalog-changes.ts';
import {
  boolArg,
  type EvaluatedArgs,
  evaluateArgs,
  intArg,
  intervalArg,
  textArg,
} from '../../engine/distributed/management-args.ts';
import type { FunctionCall } from '../../engine/distributed/sql-statements.ts';
import { type DistTable, parseTimestampUs } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { type Cluster, tableOf } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import { chunkName, chunkWindow, runShowFunction } from './show-functions.ts';
import { type StatementResult, toStatementResult } from './statement-result.ts';

const DAY_US = 86_400_000_000;

/** What a management function needs from its call. */
export interface ManagementCall {
  readonly cluster: Cluster;
  readonly params: readonly unknown[];
  readonly defaultShards: number;
  readonly stats: StatsCollector;
}

function scalar(name: string, type: string, value: unknown): StatementResult {
  return { columns: [{ name, type }], rows: [[value]], rowCount: 1 };
}

async function isEmpty(cluster: Cluster, t: DistTable): Promise<boolean> {
  const infos = await Promise.all(cluster.shardsOf(t).map((s) => cluster.shard(s).tableInfo(t)));
  return infos.every((i) => i.hotRows === 0 && i.chunks.length === 0);
}

/** An optional argument (absent or NULL → undefined). */
function opt<T>(
  a: EvaluatedArgs,
  i: number,
  name: string,
  read: (v: NonNullable<ReturnType<EvaluatedArgs['get']>>) => T,
) {
  const v = a.get(i, name);
  return v === undefined || v.v === null ? undefined : read(v);
}

/** Runs one management function (`text` is the statement's SQL, which the argument nodes point into). */
export async function runManagementFunction(
  call: ManagementCall,
  fn: FunctionCall,
  text: string,
): Promise<StatementResult> {
  const { cluster, stats } = call;
  const a = await evaluateArgs(fn.name, fn, text, call.params);
  if (fn.name === 'show_shards' || fn.name === 'show_chunks') {
    const r = await runShowFunction(cluster, fn.name, a, stats);
    const result = toStatementResult(r.columns, r.rows);
    stats.lap('format');
    return result;
  }
  if (fn.name === 'tier_chunk' || fn.name === 'freeze_chunk')
    return tierChunk(
      cluster,
      fn.name,
      textArg(a.only(['chunk', 'chunk_name']).get(0, 'chunk') ?? a.get(-1, 'chunk_name'), 'chunk'),
      stats,
    );
  const tableArg = [
    'create_hypertable',
    'drop_chunks',
    'add_retention_policy',
    'remove_retention_policy',
  ].includes(fn.name)
    ? 'relation'
    : fn.name.endsWith('tiering_policy')
      ? 'hypertable'
      : 'table_name';
  const table = await cluster.table(textArg(a.get(0, tableArg), 'table name'));
  const catalog = cluster.catalog();
  switch (fn.name) {
    case 'create_distributed_table': {
      a.only(['table_name', 'distribution_column', 'distribution_type', 'colocate_with', 'shard_count']);
      const column = textArg(a.get(1, 'distribution_column'), 'distribution_column');
      const col = table.columns.find((c) => c.name === column);
      if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${column}" does not exist`);
      const type = opt(a, 2, 'distribution_type', (v) => textArg(v, 'distribution_type'));
      if (type !== undefined && type !== 'hash')
        throw new SqlError(
          SqlState.featureNotSupported,
          `distribution_type "${type}" (only hash is supported)`,
        );
      const count = opt(a, 4, 'shard_count', (v) => intArg(v, 'shard_count')) ?? call.defaultShards;
      if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
        throw new SqlError(SqlState.invalidParameterValue, `shard_count must be between 1 and ${MAX_SHARDS}`);
      const colocate = opt(a, 3, 'colocate_with', (v) => textArg(v, 'colocate_with'));
      if (colocate !== undefined && colocate !== 'default' && colocate !== 'none') {
        const other = tableOf(await cluster.snapshot(), colocate);
        if (other.shardCount !== count)
          throw new SqlError(
            SqlState.invalidParameterValue,
            `cannot colocate with "${other.name}": shard counts differ`,
          );
      }
      const empty = await isEmpty(cluster, table);
      stats.lap('plan');
      const placed = await catalog.place(table.name, { kind: 'distributed', columnId: col.id }, count, empty);
      await pushTable(cluster, placed as unknown as DistTable, cluster.shardsOf(table));
      return done(stats, scalar(fn.name, 'void', ''));
    }
    case 'create_reference_table': {
      a.only(['table_name']);
      const empty = await isEmpty(cluster, table);
      stats.lap('plan');
      const placed = await catalog.place(table.name, { kind: 'reference' }, 1, empty);
      await pushTable(cluster, placed as unknown as DistTable, cluster.shardsOf(table));
      return done(stats, scalar(fn.name, 'void', ''));
    }
    case 'create_hypertable':
      return createHypertable(call, table, a);
    case 'drop_chunks': {
      a.only(['relation', 'older_than', 'newer_than', 'verbose']);
      const window = chunkWindow(table, a, Date.now() * 1000);
      if (window.olderThanUs === undefined && window.newerThanUs === undefined)
        throw new SqlError(
          SqlState.invalidParameterValue,
          'invalid time range for dropping chunks: specify older_than or newer_than',
        );
      stats.lap('plan');
      const dropped = new Set<number>();
      await Promise.all(
        cluster.shardsOf(table).map(async (s) => {
          stats.touch(s);
          for (const b of await cluster.shard(s).dropChunks(table, window.olderThanUs, window.newerThanUs))
            dropped.add(b);
        }),
      );
      stats.lap('shards');
      const rows = [...dropped].sort((x, y) => x - y).map((b) => [chunkName(table, b)]);
      return done(stats, { columns: [{ name: 'drop_chunks', type: 'text' }], rows, rowCount: rows.length });
    }
    case 'add_retention_policy': {
      a.only(['relation', 'drop_after', 'if_not_exists']);
      const dropAfter = a.get(1, 'drop_after');
      if (!dropAfter) throw new SqlError(SqlState.invalidParameterValue, 'drop_after is required');
      const us = intervalArg(dropAfter, 'drop_after');
      if (!(us > 0)) throw nonPositive('drop_after');
      const ifNotExists = opt(a, 2, 'if_not_exists', (v) => boolArg(v, 'if_not_exists')) ?? false;
      stats.lap('plan');
      // The catalog refuses a second policy (42710) or, with if_not_exists, keeps the first.
      await pushTable(
        cluster,
        (await catalog.setRetention(table.name, us, ifNotExists)) as unknown as DistTable,
      );
      return done(stats, scalar(fn.name, 'integer', 1000));
    }
    case 'remove_retention_policy': {
      a.only(['relation', 'if_exists']);
      const ifExists = opt(a, 1, 'if_exists', (v) => boolArg(v, 'if_exists')) ?? false;
      stats.lap('plan');
      const t = await catalog.setRetention(table.name, undefined, ifExists);
      await pushTable(cluster, t as unknown as DistTable);
      return done(stats, scalar(fn.name, 'void', ''));
    }
    case 'add_tiering_policy': {
      a.only(['hypertable', 'move_after', 'if_not_exists', 'freeze_after']);
      const moveArg = a.get(1, 'move_after');
      if (!moveArg) throw new SqlError(SqlState.invalidParameterValue, 'move_after is required');
      const moveAfter = intervalArg(moveArg, 'move_after');
      if (!(moveAfter > 0)) throw nonPositive('move_after');
      const freezeAfter = opt(a, 3, 'freeze_after', (v) => intervalArg(v, 'freeze_after'));
      if (freezeAfter !== undefined && !(freezeAfter > 0)) throw nonPositive('freeze_after');
      const ifNotExists = opt(a, 2, 'if_not_exists', (v) => boolArg(v, 'if_not_exists')) ?? false;
      stats.lap('plan');
      const t = await catalog.setTiering(table.name, moveAfter, ifNotExists, freezeAfter);
      await pushTable(cluster, t as unknown as DistTable);
      return done(stats, scalar(fn.name, 'integer', 1001));
    }
    case 'remove_tiering_policy': {
      a.only(['hypertable', 'if_exists']);
      const ifExists = opt(a, 1, 'if_exists', (v) => boolArg(v, 'if_exists')) ?? false;
      stats.lap('plan');
      const t = await catalog.setTiering(table.name, undefined, ifExists);
      await pushTable(cluster, t as unknown as DistTable);
      return done(stats, scalar(fn.name, 'void', ''));
    }
    case 'compact_table': {
      // Orochi-specific: run the alarm's compaction now (hot rows → chunks, small chunks merged).
      a.only(['table_name']);
      stats.lap('plan');
      const results = await Promise.all(
        cluster.shardsOf(table).map(async (s) => {
          const r = await cluster.shard(s).compact();
          stats.add(s, r.stats);
          return r.chunksWritten;
        }),
      );
      stats.lap('shards');
      return done(
        stats,
        scalar(
          fn.name,
          'bigint',
          results.reduce((x, y) => x + y, 0),
        ),
      );
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `function ${fn.name}() is not supported`);
  }
}

/** Charges building the answer to `format`. */
function done(stats: StatsCollector, r: StatementResult): StatementResult {
  stats.lap('format');
  return r;
}

/**
 * create_hypertable(relation, time_column_name, partitioning_column, number_partitions,
 * chunk_time_interval => …, if_not_exists => …): every argument is checked first, then
 * the catalog applies time column, NOT NULL, id and distribution in one transaction.
 */
async function createHypertable(
  call: ManagementCall,
  table: DistTable,
  a: EvaluatedArgs,
): Promise<StatementResult> {
  const { cluster, stats } = call;
  a.only([
    'relation',
    'time_column_name',
    'partitioning_column',
    'number_partitions',
    'chunk_time_interval',
    'if_not_exists',
    'migrate_data',
    'create_default_indexes',
  ]);
  const timeColumn = textArg(a.get(1, 'time_column_name'), 'time_column_name');
  const chunkIntervalUs =
    opt(a, 6, 'chunk_time_interval', (v) => intervalArg(v, 'chunk_time_interval', true)) ?? DAY_US;
  const column = opt(a, 2, 'partitioning_column', (v) => textArg(v, 'partitioning_column'));
  const partitions = opt(a, 3, 'number_partitions', (v) => intArg(v, 'number_partitions'));
  if (partitions !== undefined && column === undefined)
    throw new SqlError(SqlState.invalidParameterValue, 'number_partitions requires a partitioning_column');
  const ifNotExists = opt(a, 8, 'if_not_exists', (v) => boolArg(v, 'if_not_exists')) ?? false;
  if (opt(a, 10, 'migrate_data', (v) => boolArg(v, 'migrate_data')))
    throw new SqlError(
      SqlState.featureNotSupported,
      'create_hypertable with migrate_data (create it on an empty table)',
    );
  const spec = {
    timeColumn,
    chunkIntervalUs,
    partition: column === undefined ? undefined : { column, shardCount: partitions ?? call.defaultShards },
  };
  const result = (id: number | undefined, created: boolean): StatementResult => ({
    columns: [
      { name: 'hypertable_id', type: 'integer' },
      { name: 'table_name', type: 'text' },
      { name: 'created', type: 'boolean' },
    ],
    rows: [[id ?? null, table.name, created]],
    rowCount: 1,
  });
  if (table.hypertable && ifNotExists) return done(stats, result(table.hypertable.id, false));
  checkHypertable(table, spec); // 22023 / 42703 before anything changes
  if (!table.hypertable && !(await isEmpty(cluster, table)))
    throw new SqlError(
      SqlState.featureNotSupported,
      `table "${table.name}" is not empty: create_hypertable needs an empty table (migrate_data is not supported)`,
    );
  stats.lap('plan');
  const r = (await cluster.catalog().createHypertable(table.name, spec, true, ifNotExists)) as unknown as {
    table: DistTable;
    created: boolean;
  };
  if (r.created) await pushTable(cluster, r.table, cluster.shardsOf(table));
  stats.lap('shards');
  return done(stats, result(r.table.hypertable?.id, r.created));
}

/**
 * Pushes a changed table definition, with the catalog version it was changed at
 * and each shard's ranges of the map, to its shards (and `alsoTo`, e.g. the shards
 * of its previous placement), so requests planned with an older definition are
 * refused there and Workers still caching an older catalog refetch.
 */
export async function pushTable(
  cluster: Cluster,
  t: DistTable,
  alsoTo: readonly string[] = [],
): Promise<void> {
  const { version } = await cluster.refresh();
  const names = new Set([...cluster.shardsOf(t), ...alsoTo]);
  const mine = new Set(cluster.shardsOf(t));
  await Promise.all(
    [...names].map((s) =>
      cluster.shard(s).updateTable(t, version, mine.has(s) ? cluster.placementFor(t, s) : undefined),
    ),
  );
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
  stats.lap('plan');
  const moved = await Promise.all(
    cluster.shardsOf(t).map(async (s) => {
      stats.touch(s);
      return cluster.shard(s).tierChunks(t, bucket, {}, fn === 'freeze_chunk' ? 'frozen' : 'cold');
    }),
  );
  stats.lap('shards');
  return done(
    stats,
    scalar(
      fn,
      'integer',
      moved.reduce((x, y) => x + y, 0),
    ),
  );
}
