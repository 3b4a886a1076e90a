/**
 * @module engine/distributed/table-schema
 * The catalog's view of a table (columns with stable ids, distribution,
 * hypertable settings) and coercion of incoming values to column types.
 *
 * Rows travel as arrays indexed by column id, so ALTER TABLE never rewrites
 * stored data: a dropped column's slot is ignored, a new column's slot is
 * missing in old rows and reads as its default (or NULL).
 *
 * In-memory values: bool → boolean; int32/int64/float64 → number (int64 beyond
 * 2^53 is rejected rather than rounded); text → string; timestamptz → integral
 * microseconds since the epoch.
 */
import type { ChunkLayout } from '../storage/chunk-layout.ts';
import { formatText } from '../types/cast.ts';
import type { TypMod } from '../types/typmod.ts';
import { pgTypeName } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import { CoercionError, coerceToColumn } from './column-types.ts';
import type { Point, Rejection } from './line-protocol.ts';
import type { RawRecord } from './record-formats.ts';

/** How shards store a column's values (derived from its declared type; see `column-types`). */
export type DistType = 'bool' | 'int32' | 'int64' | 'float64' | 'text' | 'timestamptz';

/** A column with an id that survives drops and renames of others. */
export interface DistColumn {
  readonly id: number;
  readonly name: string;
  /** The stored representation. */
  readonly type: DistType;
  /** The declared engine type when it is not `type` itself (absent in catalogs older than declared types). */
  readonly sqlType?: ColumnType;
  /** numeric(p,s), varchar(n), timestamp(p): enforced on every write. */
  readonly typmod?: TypMod;
  readonly notNull: boolean;
  /** Literal default (already coerced), or undefined for NULL. */
  readonly default?: unknown;
}

/** How a table is placed on shards. */
export type Placement =
  | { readonly kind: 'local' }
  | { readonly kind: 'distributed'; readonly columnId: number }
  | { readonly kind: 'reference' };

/**
 * A PRIMARY KEY or UNIQUE constraint, enforced by the shards (per shard, so a
 * distributed table's constraints must include its distribution column).
 * NULLs are distinct, as in PostgreSQL; PRIMARY KEY columns are NOT NULL.
 */
export interface UniqueConstraint {
  /** PostgreSQL's name: `t_pkey`, `t_a_b_key`, or the one given with CONSTRAINT. */
  readonly name: string;
  readonly columnIds: readonly number[];
  readonly primary: boolean;
}

/** A table as the catalog stores it. */
export interface DistTable {
  /**
   * Immutable, assigned by the CatalogDO at CREATE TABLE and never reused: shards key
   * every per-table thing by it, so a rename touches no shard data and a table dropped
   * and created again under the same name starts empty.
   */
  readonly id: number;
  /** Bumped by every change of this table's definition or placement; shards refuse older ones (40001). */
  readonly version: number;
  /**
   * The name a table had when ids were introduced: a shard still holding its data under
   * that name adopts it for this id on first contact (see durable-objects/shard-tables).
   */
  readonly legacyName?: string;
  readonly name: string;
  readonly columns: readonly DistColumn[];
  readonly nextColumnId: number;
  readonly placement: Placement;
  /** Shards the table is spread over (1 for local and reference tables). */
  readonly shardCount: number;
  /** `id`: the hypertable_id create_hypertable returned (absent on hypertables made before ids existed). */
  readonly hypertable?: {
    readonly timeColumnId: number;
    readonly chunkIntervalUs: number;
    readonly id?: number;
  };
  readonly retentionUs?: number;
  /** Tiering policy: chunks whose time range ended this long ago move to R2 (cold tier). */
  readonly tierAfterUs?: number;
  /** Frozen tier: chunks whose time range ended this long ago become Parquet objects in R2. */
  readonly freezeAfterUs?: number;
  /**
   * Row order inside chunks (TimescaleDB compress_segmentby / compress_orderby), as set by
   * `ALTER TABLE … SET (…)`; undefined means the default of `chunkLayoutOf` (see `table-layout`).
   */
  readonly layout?: ChunkLayout;
  /** PRIMARY KEY / UNIQUE constraints (absent: none, and inserts check nothing). */
  readonly unique?: readonly UniqueConstraint[];
}

/** A row indexed by column id (holes for dropped or later-added columns). */
export type Row = unknown[];

export { CoercionError, coerceToColumn } from './column-types.ts';

/** Prefixes a coercion error's reason with its column, keeping the engine's code and wording. */
function inColumn(e: CoercionError, name: string): CoercionError {
  return new CoercionError(`column "${name}": ${e.message}`, e.code, e.pgMessage);
}

const INT32 = 2 ** 31;

/** Parses a timestamp: number = µs since epoch, string = ISO 8601 / PostgreSQL style (UTC when no zone). */
export function parseTimestampUs(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^-?\d+$/.test(s)) return Number(s);
    const m =
      /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
        s,
      );
    if (m) {
      const zone = m[4] ? (m[4].toUpperCase() === 'Z' ? 'Z' : normalizeZone(m[4])) : 'Z';
      const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
      if (!Number.isNaN(ms)) {
        const frac = m[3] ? Number(m[3].slice(1).padEnd(6, '0')) : 0;
        return ms * 1000 + frac;
      }
    }
  }
  throw new CoercionError(`invalid timestamp ${JSON.stringify(v)}`);
}

function normalizeZone(z: string): string {
  const d = z.replace(':', '');
  return `${d.slice(0, 3)}:${d.length > 3 ? d.slice(3, 5) : '00'}`;
}

/** Formats µs since epoch as ISO 8601 UTC with microseconds when non-zero. */
export function formatTimestampUs(us: number): string {
  // PostgreSQL's spelling for the infinities; years a JS Date cannot hold (past ±275760,
  // which PostgreSQL's 294276 AD exceeds) in PostgreSQL's text form instead of a RangeError.
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity';
  const ms = Math.floor(us / 1000);
  if (Math.abs(ms) > 8.64e15) return formatText(us, 'timestamptz');
  const iso = new Date(ms).toISOString();
  const micro = us - ms * 1000;
  return micro === 0 ? iso : `${iso.slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}

/** Coerces one value to `type`; null/undefined pass through as null. */
/**
 * The plane's int8 value: a number within ±2^53 (exact in a double; the common case costs
 * nothing), a bigint beyond. Every int8 the plane stores or returns goes through here.
 */
export function planeInt64(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/**
 * A numeric result (decimal text) as a plane value: an integer exactly (`planeInt64`: sum of
 * int8 partials beyond ±2^53 stay bigints, so merging them stays exact), a fraction as a number.
 */
export function planeNumeric(text: string): number | bigint {
  return /^-?\d+$/.test(text) ? planeInt64(BigInt(text)) : Number(text);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function coerceValue(v: unknown, type: DistType): unknown {
  if (v === null || v === undefined) return null;
  // Fast paths for what ingest sends most: already-typed values.
  if (type === 'float64' && typeof v === 'number') return v;
  if (type === 'text' && typeof v === 'string') return v;
  if (type === 'timestamptz' && typeof v === 'number' && Number.isInteger(v)) return v;
  switch (type) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(t|true|1|yes|on)$/i.test(v.trim())) return true;
      if (typeof v === 'string' && /^(f|false|0|no|off)$/i.test(v.trim())) return false;
      break;
    case 'int32':
    case 'int64': {
      if (
        type === 'int64' &&
        (typeof v === 'bigint' || (typeof v === 'string' && /^\s*[-+]?\d{16,}\s*$/.test(v)))
      ) {
        const b = BigInt(typeof v === 'string' ? v.trim() : v);
        if (b < INT64_MIN || b > INT64_MAX) throw new CoercionError(`bigint ${b} out of range`);
        return planeInt64(b);
      }
      const n = typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v;
      if (typeof n === 'number' && Number.isInteger(n)) {
        if (type === 'int32' && (n < -INT32 || n >= INT32))
          throw new CoercionError(`integer ${n} out of range`);
        if (!Number.isSafeInteger(n))
          throw new CoercionError(`bigint ${n} is beyond ±2^53 as a number (inexact): send it as a string`);
        return n;
      }
      break;
    }
    case 'float64': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n === 'number' && !Number.isNaN(n)) return n;
      if (typeof v === 'string' && /^\s*nan\s*$/i.test(v)) return Number.NaN;
      break;
    }
    case 'text':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      break;
    case 'timestamptz':
      return parseTimestampUs(v);
  }
  throw new CoercionError(`invalid input syntax for type ${pgTypeName(type)}: ${JSON.stringify(v)}`);
}

/** Live (not dropped) column by name. */
export function columnByName(t: DistTable, name: string): DistColumn | undefined {
  return t.columns.find((c) => c.name === name);
}

const columnIndexes = new WeakMap<DistTable, Map<string, DistColumn>>();

/** Name → column, built once per table definition (ingest looks up every value). */
function columnIndex(t: DistTable): Map<string, DistColumn> {
  let m = columnIndexes.get(t);
  if (!m) {
    m = new Map(t.columns.map((c) => [c.name, c]));
    columnIndexes.set(t, m);
  }
  return m;
}

/** Builds a complete row from a name→value map, applying defaults and NOT NULL; throws CoercionError. */
export function rowFromNamed(t: DistTable, values: Readonly<Record<string, unknown>>): Row {
  const row: Row = new Array(t.nextColumnId).fill(undefined);
  const index = columnIndex(t);
  for (const key in values) {
    const col = index.get(key);
    if (!col) throw new CoercionError(`column "${key}" does not exist`);
    try {
      row[col.id] = coerceToColumn(values[key], col);
    } catch (e) {
      if (e instanceof CoercionError) throw inColumn(e, key);
      throw e;
    }
  }
  for (const col of t.columns) {
    if (row[col.id] === undefined) row[col.id] = col.default ?? null;
    if (col.notNull && row[col.id] === null)
      throw new CoercionError(
        `null value in column "${col.name}" of relation "${t.name}" violates not-null constraint`,
      );
  }
  if (t.placement.kind === 'distributed' && row[t.placement.columnId] === null) {
    throw new CoercionError('distribution column value cannot be NULL');
  }
  for (let i = 0; i < row.length; i++) if (row[i] === undefined) row[i] = null;
  return row;
}

/** Converts records to rows, rejecting (whole) records that do not fit the schema. */
export function rowsFromRecords(
  t: DistTable,
  records: readonly RawRecord[],
): { rows: Row[]; rejected: Rejection[] } {
  const rows: Row[] = [];
  const rejected: Rejection[] = [];
  for (const r of records) {
    try {
      rows.push(rowFromNamed(t, r.values));
    } catch (e) {
      if (!(e instanceof CoercionError)) throw e;
      rejected.push({ line: r.line, reason: e.message });
    }
  }
  return { rows, rejected };
}

/**
 * Line-protocol points to rows: tags and fields map to columns of the same
 * name, the timestamp to column `time` (now when absent). Points of another
 * measurement are rejected. Builds rows directly (no intermediate records):
 * this is the ingest hot path.
 */
export function rowsFromPoints(
  t: DistTable,
  points: readonly Point[],
  nowUs: number,
): { rows: Row[]; rejected: Rejection[] } {
  const rows: Row[] = [];
  const rejected: Rejection[] = [];
  const index = columnIndex(t);
  const time = index.get('time');
  const put = (row: Row, key: string, v: unknown) => {
    const col = index.get(key);
    if (!col) throw new CoercionError(`column "${key}" does not exist`);
    try {
      row[col.id] = coerceToColumn(v, col);
    } catch (e) {
      if (e instanceof CoercionError) throw inColumn(e, key);
      throw e;
    }
    // The columnar line-protocol path holds numbers as doubles (see `ingest-columns`).
    if (typeof row[col.id] === 'bigint')
      throw new CoercionError(
        `column "${key}": bigint values beyond ±2^53 cannot be written by line protocol; use JSON, NDJSON or CSV`,
      );
  };
  for (const p of points) {
    if (p.measurement !== t.name) {
      rejected.push({
        line: p.line,
        reason: `measurement "${p.measurement}" does not match table "${t.name}"`,
      });
      continue;
    }
    try {
      const row: Row = new Array(t.nextColumnId).fill(undefined);
      for (const k in p.tags) put(row, k, p.tags[k]);
      for (const k in p.fields) put(row, k, p.fields[k]);
      if (!time) throw new CoercionError('table has no "time" column for the point timestamp');
      put(row, 'time', p.timeUs ?? nowUs);
      for (const col of t.columns) {
        if (row[col.id] === undefined) row[col.id] = col.default ?? null;
        if (col.notNull && row[col.id] === null) {
          throw new CoercionError(
            `null value in column "${col.name}" of relation "${t.name}" violates not-null constraint`,
          );
        }
      }
      if (t.placement.kind === 'distributed' && row[t.placement.columnId] === null) {
        throw new CoercionError('distribution column value cannot be NULL');
      }
      for (let i = 0; i < row.length; i++) if (row[i] === undefined) row[i] = null;
      rows.push(row);
    } catch (e) {
      if (!(e instanceof CoercionError)) throw e;
      rejected.push({ line: p.line, reason: e.message });
    }
  }
  return { rows, rejected };
}
