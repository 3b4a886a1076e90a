/**
 * @module durable-objects/catalog-changes
 * The table-definition changes the catalog accepts, as pure functions from
 * the stored DistTable to the new one: CREATE/ALTER TABLE, placement,
 * hypertable settings, retention and tiering policies. Each validates its
 * request and throws the SqlError PostgreSQL (or TimescaleDB/Citus) would;
 * CatalogDO persists the result and bumps the version.
 */
import { buildHashRanges } from '../engine/distributed/hash-ranges.ts';
import type { ColumnSpec, ConstraintSpec } from '../engine/distributed/sql-statements.ts';
import { layoutWithoutDropped, withLayoutOptions } from '../engine/distributed/table-layout.ts';
import type { DistColumn, DistTable, Placement } from '../engine/distributed/table-schema.ts';
import { nameConstraints } from '../engine/distributed/unique-keys.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import type { RelOption } from '../engine/storage/chunk-layout.ts';

/**
 * A new local (single-shard) table; column ids are positions. PRIMARY KEY /
 * UNIQUE constraints are named as PostgreSQL names them; PRIMARY KEY columns become NOT NULL.
 */
export function newTable(
  id: number,
  name: string,
  columns: ColumnSpec[],
  constraints: ConstraintSpec[] = [],
): DistTable {
  const unique = nameConstraints(
    name,
    constraints,
    columns.map((c, id) => ({ id, name: c.name })),
  );
  const keyIds = new Set(unique.filter((c) => c.primary).flatMap((c) => c.columnIds));
  return {
    id,
    version: 0, // the catalog stores it as version 1
    name,
    columns: columns.map((c, i) => ({ ...c, id: i, notNull: c.notNull || keyIds.has(i) })),
    nextColumnId: columns.length,
    placement: { kind: 'local' },
    shardCount: 1,
    ...(unique.length > 0 ? { unique } : {}),
  };
}

/**
 * ALTER TABLE ADD / DROP COLUMN: ids are never reused, so stored rows need no rewrite.
 * `options` (SET (timescaledb.compress_segmentby …)) change the row order of chunks written from now on.
 */
export function alteredTable(
  t: DistTable,
  add: ColumnSpec[],
  drop: string[],
  options: RelOption[],
): DistTable {
  const name = t.name;
  let columns = [...t.columns];
  let next = t.nextColumnId;
  for (const d of drop) {
    const col = columns.find((c) => c.name === d);
    if (!col)
      throw new SqlError(SqlState.undefinedColumn, `column "${d}" of relation "${name}" does not exist`);
    if (t.placement.kind === 'distributed' && t.placement.columnId === col.id) {
      throw new SqlError(SqlState.featureNotSupported, 'cannot drop the distribution column');
    }
    if (t.hypertable?.timeColumnId === col.id) {
      throw new SqlError(SqlState.featureNotSupported, 'cannot drop the time column of a hypertable');
    }
    columns = columns.filter((c) => c !== col);
  }
  // As in PostgreSQL, dropping a column drops the constraints that include it.
  const live = new Set(columns.map((c) => c.id));
  const unique = t.unique?.filter((u) => u.columnIds.every((id) => live.has(id)));
  for (const a of add) {
    if (columns.some((c) => c.name === a.name)) {
      throw new SqlError(SqlState.duplicateColumn, `column "${a.name}" of relation "${name}" already exists`);
    }
    if (a.notNull && a.default === undefined) {
      // Existing rows would violate it; PostgreSQL also refuses this on a non-empty table.
      throw new SqlError(SqlState.featureNotSupported, 'ADD COLUMN … NOT NULL needs a DEFAULT');
    }
    columns.push({ ...a, id: next++ });
  }
  const keys = unique && unique.length > 0 ? { unique } : { unique: undefined };
  return withLayoutOptions(layoutWithoutDropped({ ...t, ...keys, columns, nextColumnId: next }), options);
}

/**
 * create_distributed_table / create_reference_table. Only empty tables can
 * change placement (moving existing rows between shards is not implemented).
 */
export function placedTable(
  t: DistTable,
  placement: Placement,
  shardCount: number,
  isEmpty: boolean,
): DistTable {
  if (t.placement.kind !== 'local') {
    throw new SqlError(SqlState.featureNotSupported, `table "${t.name}" is already ${t.placement.kind}`);
  }
  if (!isEmpty)
    throw new SqlError(SqlState.featureNotSupported, 'distributing a table that already holds rows');
  // Citus's rule and wording: shards enforce keys locally, so equal keys must land on one shard.
  if (placement.kind === 'distributed' && t.unique?.some((u) => !u.columnIds.includes(placement.columnId)))
    throw new SqlError(
      SqlState.featureNotSupported,
      `cannot create constraint on "${t.name}"\nDETAIL: Distributed relations cannot have UNIQUE, EXCLUDE, or ` +
        'PRIMARY KEY constraints that do not include the partition column (with an equality operator if EXCLUDE).',
    );
  buildHashRanges(shardCount);
  return { ...t, placement, shardCount };
}

/** What create_hypertable asks for (validated by `hypertable`). */
export interface HypertableSpec {
  readonly timeColumn: string;
  readonly chunkIntervalUs: number;
  /** partitioning_column / number_partitions: distribute by that column over that many shards. */
  readonly partition?: { readonly column: string; readonly shardCount: number };
}

/** Most shards a table may have (`buildHashRanges`). */
export const MAX_SHARDS = 1024;

/**
 * Checks a create_hypertable request against the table as TimescaleDB would,
 * without changing anything; returns the time and partitioning columns.
 */
export function checkHypertable(
  t: DistTable,
  spec: HypertableSpec,
): { time: DistColumn; partition?: DistColumn } {
  const col = t.columns.find((c) => c.name === spec.timeColumn);
  if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${spec.timeColumn}" does not exist`);
  if (col.type !== 'timestamptz')
    throw new SqlError(
      SqlState.invalidParameterValue,
      `invalid type for dimension "${spec.timeColumn}": the time column must be timestamp with time zone`,
    );
  if (!(Number.isFinite(spec.chunkIntervalUs) && spec.chunkIntervalUs > 0))
    throw new SqlError(
      SqlState.invalidParameterValue,
      'invalid interval: chunk_time_interval must be positive',
    );
  if (!spec.partition) return { time: col };
  const { column, shardCount } = spec.partition;
  const part = t.columns.find((c) => c.name === column);
  if (!part) throw new SqlError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS)
    throw new SqlError(
      SqlState.invalidParameterValue,
      `invalid number of partitions: must be between 1 and ${MAX_SHARDS}`,
    );
  const p = t.placement;
  if (p.kind === 'reference' || (p.kind === 'distributed' && p.columnId !== part.id))
    throw new SqlError(
      SqlState.featureNotSupported,
      `table "${t.name}" is already ${p.kind === 'reference' ? 'a reference table' : 'distributed by another column'}`,
    );
  return { time: col, partition: part };
}

/**
 * create_hypertable: the time column (made NOT NULL, as TimescaleDB does),
 * chunk interval and id, and — with a partitioning column on a local table —
 * the distribution, all in one definition so the catalog applies them at once.
 */
export function hypertable(t: DistTable, spec: HypertableSpec, id: number, isEmpty: boolean): DistTable {
  if (t.hypertable)
    throw new SqlError(SqlState.featureNotSupported, `table "${t.name}" is already a hypertable`);
  const { time, partition } = checkHypertable(t, spec);
  const columns = t.columns.map((c) => (c.id === time.id ? { ...c, notNull: true } : c));
  const h: DistTable = {
    ...t,
    columns,
    hypertable: { timeColumnId: time.id, chunkIntervalUs: spec.chunkIntervalUs, id },
  };
  if (!partition || t.placement.kind !== 'local') return h;
  return placedTable(h, { kind: 'distributed', columnId: partition.id }, spec.partition!.shardCount, isEmpty);
}

/** 22023 for a policy interval that is zero or negative (it would drop or move everything at once). */
export function nonPositive(param: string): SqlError {
  return new SqlError(
    SqlState.invalidParameterValue,
    `invalid value for parameter ${param}: the interval must be positive`,
  );
}

/**
 * add_retention_policy (µs) / remove_retention_policy (undefined); undefined when
 * `lenient` (if_not_exists / if_exists) turns the request into a no-op.
 */
export function withRetention(
  t: DistTable,
  retentionUs: number | undefined,
  lenient: boolean,
): DistTable | undefined {
  if (!t.hypertable)
    throw new SqlError(SqlState.invalidParameterValue, `table "${t.name}" is not a hypertable`);
  if (retentionUs !== undefined && !(retentionUs > 0)) throw nonPositive('drop_after');
  if (retentionUs === undefined && t.retentionUs === undefined) {
    if (lenient) return undefined;
    throw new SqlError('42704', `retention policy not found for hypertable "${t.name}"`);
  }
  // As TimescaleDB: a second policy is refused; if_not_exists keeps the existing one.
  if (retentionUs !== undefined && t.retentionUs !== undefined) {
    if (lenient) return undefined;
    throw new SqlError('42710', `retention policy already exists for hypertable "${t.name}"`);
  }
  return { ...t, retentionUs };
}

/**
 * add_tiering_policy / remove_tiering_policy; undefined when `lenient`
 * (if_not_exists / if_exists) turns the request into a no-op.
 */
export function withTiering(
  t: DistTable,
  moveAfterUs: number | undefined,
  lenient: boolean,
  freezeAfterUs: number | undefined,
): DistTable | undefined {
  const name = t.name;
  if (!t.hypertable)
    throw new SqlError(SqlState.invalidParameterValue, `table "${name}" is not a hypertable`);
  if (moveAfterUs !== undefined && !(moveAfterUs > 0)) throw nonPositive('move_after');
  if (freezeAfterUs !== undefined && !(moveAfterUs !== undefined && freezeAfterUs >= moveAfterUs))
    throw new SqlError(SqlState.invalidParameterValue, 'freeze_after must be at least move_after');
  if (moveAfterUs !== undefined && t.tierAfterUs !== undefined) {
    if (lenient) return undefined;
    throw new SqlError('42710', `tiering policy already exists for hypertable "${name}"`);
  }
  if (moveAfterUs === undefined && t.tierAfterUs === undefined) {
    if (lenient) return undefined;
    throw new SqlError('42704', `tiering policy not found for hypertable "${name}"`);
  }
  return { ...t, tierAfterUs: moveAfterUs, freezeAfterUs };
}
