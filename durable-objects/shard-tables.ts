/**
 * @module durable-objects/shard-tables
 * What a shard knows about the tables and ranges it holds, and the checks every
 * read, write and prepare passes before touching rows:
 * - `shard_tables`: per table id, the newest definition and version pushed or
 *   carried here, and whether it was dropped. A request planned with an older
 *   table version, or for a dropped table, is refused with 40001 (the Worker
 *   refetches the catalog and plans again), so a stale writer can never put
 *   rows under a table that replaced its own.
 * - the shard's ranges of the shard map and their map version (`_meta`): a
 *   request planned with an older map version is refused, and so is a row
 *   whose distribution hash falls outside the ranges (see engine/distributed/shard-map).
 * - tables a shard held before ids existed keep their rows under a provisional
 *   negative id (schema migration 5) until a request for the catalog's id with
 *   that `legacyName` adopts them.
 */
import type { BucketChunk } from '../engine/distributed/chunk-rows.ts';
import { chunkKeys, foreignHash, type ShardPlacement } from '../engine/distributed/shard-map.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import { SqlError } from '../engine/errors.ts';
import type { Meter } from './shard-storage.ts';

/** SQLSTATE of "not applied, retry" (serialization failure). */
export const RETRY_STATE = '40001';

/** Marks a 40001 for a request planned from a stale catalog or shard map (the Worker refetches and retries). */
export const STALE_CATALOG = 'stale catalog';

/** The id chunks held only by the change log live under (see `change-log`); table ids start at 1. */
export const LOG_HELD_TABLE = 0;

/** Per-table state keyed by `table_id` (kept in step with schema migration 5). */
const PER_TABLE = ['hot_rows', 'chunks', 'cold_chunks', 'shard_log', 'change_log'] as const;

function stale(what: string): SqlError {
  return new SqlError(RETRY_STATE, `${STALE_CATALOG}: ${what}; not applied, retry`);
}

/**
 * Refuses (40001) a request about `t` planned with an older table version than
 * this shard holds, for a dropped table, or with an older shard map version than
 * this shard's ranges; records a newer placement. Call inside a transaction.
 */
export function checkPlanned(m: Meter, t: DistTable, placement: ShardPlacement | undefined): void {
  checkTableVersion(m, t);
  if (placement) notePlacement(m, placement, true);
}

/** Refuses (40001) a request planned with an older version of `t` than this shard holds, or for a dropped `t`. */
export function checkTableVersion(m: Meter, t: DistTable): void {
  adoptLegacy(m, t);
  const row = m.all<{ version: number; dropped: number }>(
    `SELECT version, dropped FROM shard_tables WHERE id = ?`,
    t.id,
  )[0];
  if (row?.dropped) throw stale(`table "${t.name}" (id ${t.id}) was dropped`);
  if (row && row.version > t.version)
    throw stale(
      `planned with version ${t.version} of table "${t.name}", the shard holds version ${row.version}`,
    );
}

/** This shard's ranges and their map version (undefined until a request or push carried them). */
export function shardPlacement(m: Meter): ShardPlacement | undefined {
  const row = m.all<{ value: string }>(`SELECT value FROM _meta WHERE key = 'placement'`)[0];
  return row ? (JSON.parse(row.value) as ShardPlacement) : undefined;
}

/**
 * Records `p` as this shard's ranges when it is newer than what the shard holds;
 * an older one is refused (40001) when `refuse`, else ignored (a late push).
 */
export function notePlacement(m: Meter, p: ShardPlacement, refuse: boolean): void {
  const cur = shardPlacement(m);
  if (cur && cur.version > p.version) {
    if (!refuse) return;
    throw stale(
      `planned with shard map version ${p.version}, this shard's ranges are at version ${cur.version}`,
    );
  }
  if (cur && cur.version === p.version) return;
  // Newer than what this shard knew: the Worker read it from the catalog, which is authoritative.
  m.all(
    `INSERT INTO _meta (key, value) VALUES ('placement', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    JSON.stringify({ version: p.version, ranges: p.ranges }),
  );
}

/**
 * Refuses (40001) rows of a hash-distributed table whose hash is outside `placement`'s
 * ranges (the ones the request was routed with, already checked against this shard's).
 */
export function checkRowsOwned(
  t: DistTable,
  placement: ShardPlacement | undefined,
  rows: readonly Row[],
): void {
  if (t.placement.kind !== 'distributed' || rows.length === 0 || !placement) return;
  const col = t.placement.columnId;
  refuseForeign(
    t,
    foreignHash(
      placement.ranges,
      rows.map((r) => r[col]),
    ),
  );
}

/** `checkRowsOwned` for bulk-loaded chunks (encoded by the Worker): decodes their distribution column. */
export function checkChunksOwned(
  t: DistTable,
  placement: ShardPlacement | undefined,
  chunks: readonly BucketChunk[],
): void {
  if (t.placement.kind !== 'distributed' || !placement || chunks.length === 0) return;
  refuseForeign(t, foreignHash(placement.ranges, chunkKeys(chunks, t.placement.columnId)));
}

function refuseForeign(t: DistTable, hash: number | undefined): void {
  if (hash !== undefined)
    throw stale(`a row of "${t.name}" hashes to ${hash}, outside the ranges this shard owns`);
}

/**
 * Moves the rows a shard held under `t.legacyName` before table ids existed to
 * `t.id`, once (the first request, push or drop for that id). Call inside a transaction.
 */
export function adoptLegacy(m: Meter, t: DistTable): void {
  if (t.legacyName === undefined) return;
  if (m.all(`SELECT 1 FROM shard_tables WHERE id = ?`, t.id).length > 0) return;
  const legacy = m.all<{ id: number }>(`SELECT id FROM shard_legacy_names WHERE name = ?`, t.legacyName)[0];
  if (!legacy) return;
  for (const table of PER_TABLE)
    m.all(`UPDATE ${table} SET table_id = ? WHERE table_id = ?`, t.id, legacy.id);
  m.all(
    `UPDATE shard_log SET payload = json_set(payload, '$.table.id', ?1, '$.op.tableId', ?1)
     WHERE table_id = ?1 AND state = 'prepared' AND json_extract(payload, '$.table') IS NOT NULL`,
    t.id,
  );
  m.all(`UPDATE shard_tables SET id = ? WHERE id = ?`, t.id, legacy.id);
  m.all(`DELETE FROM shard_legacy_names WHERE id = ?`, legacy.id);
}

/**
 * Remembers the newest definition of a table (the alarm has no Worker to ask);
 * never an older version than the one held, never for a dropped table.
 * Returns `create` when the table is new here, `alter` when its definition changed.
 */
export function rememberTable(m: Meter, t: DistTable): 'create' | 'alter' | undefined {
  adoptLegacy(m, t); // before a row for the id exists, or the legacy rows would never be found
  const def = JSON.stringify(t);
  const prior = m.all<{ version: number; dropped: number; def: string }>(
    `SELECT version, dropped, def FROM shard_tables WHERE id = ?`,
    t.id,
  )[0];
  if (prior && (prior.dropped || prior.def === def || prior.version > t.version)) return undefined;
  m.all(
    `INSERT INTO shard_tables (id, name, version, def) VALUES (?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, version = excluded.version, def = excluded.def`,
    t.id,
    t.name,
    t.version,
    def,
  );
  return prior ? 'alter' : 'create';
}

/** Marks `t` dropped here (a stale request for it is then refused); its rows are removed by the caller. */
export function forgetTable(m: Meter, t: DistTable): void {
  m.all(
    `INSERT INTO shard_tables (id, name, version, dropped, def) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT(id) DO UPDATE SET dropped = 1`,
    t.id,
    t.name,
    t.version,
    JSON.stringify(t),
  );
}

/** True when this shard holds a live definition of table `id`. */
export function holdsTable(m: Meter, id: number): boolean {
  return m.all(`SELECT 1 FROM shard_tables WHERE id = ? AND dropped = 0`, id).length > 0;
}
