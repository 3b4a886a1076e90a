/**
 * @module durable-objects/shard-unique
 * PRIMARY KEY / UNIQUE on one shard: finds which stored rows or write intents
 * hold a set of keys (the `KeyLookup` engine/distributed/unique-keys resolves
 * INSERT, ON CONFLICT and UPDATE with), and applies a resolved write.
 *
 * - hot rows: a partial SQLite expression index per table and constraint on
 *   the key's first column (`json_extract(data, '$[id]')`), probed with IN lists;
 * - chunks (warm, and cold once prefetched): zone maps of the key's first column
 *   prune, then only the key columns of the remaining chunks are decoded, and
 *   rows masked by the delete bitmap are skipped;
 * - write intents: a prepared (undecided) 2PC entry stores the keys it will
 *   write, so two transactions cannot both claim a key.
 *
 * Tables without constraints never reach this module.
 */

import { openChunkParts } from '../engine/columnar/index.ts';
import { compareZoneValues, type ZoneValue } from '../engine/columnar/zone-map.ts';
import {
  type BucketChunk,
  chunkColumnName,
  encodeTableRows,
  vectorValues,
} from '../engine/distributed/chunk-rows.ts';
import { parsePlaneJson, planeJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row, UniqueConstraint } from '../engine/distributed/table-schema.ts';
import { type KeyHolder, type KeyLookup, keyOf, uniqueViolation } from '../engine/distributed/unique-keys.ts';
import { isNullAt } from '../engine/vector.ts';
import { deleteHits } from './shard-ops.ts';
import type { Meter } from './shard-storage.ts';

/** Values bound per IN list (DO SQLite allows 100 parameters per statement). */
const IN_BATCH = 90;

function _sqlText(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A stable short name for a table's key index. */
function indexName(table: number, c: UniqueConstraint): string {
  let h = 0x811c9dc5;
  for (const ch of `${table}\u0000${c.columnIds.join(',')}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return `hot_key_${(h >>> 0).toString(16)}_${c.columnIds[0]}`;
}

/**
 * Creates the indexes the checks probe (idempotent; cheap when they exist). A
 * dropped table's partial index stays: it indexes no row until a table of that
 * name with the same key is created again, and is then the right index.
 */
export function ensureKeyIndexes(m: Meter, t: DistTable): void {
  m.all(`CREATE INDEX IF NOT EXISTS shard_log_prepared ON shard_log (table_id) WHERE state = 'prepared'`);
  for (const c of t.unique ?? [])
    m.all(
      `CREATE INDEX IF NOT EXISTS "${indexName(t.id, c)}" ON hot_rows (json_extract(data, '$[${c.columnIds[0]}]'))
       WHERE table_id = ${Number(t.id)}`,
    );
}

/**
 * A value as SQLite compares it with json_extract's result: booleans are 1 / 0 there, and a
 * value `planeJson` tags (int8 beyond ±2^53, NaN, ±Infinity) is stored as its tag object, which
 * json_extract answers as that object's minified JSON text — `planeJson`'s text of the value.
 */
const bindable = (v: unknown) => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v))) return planeJson(v);
  return v;
};

/** The stored rows and intents of one table on this shard, as a `KeyLookup`. */
export class ShardKeyLookup implements KeyLookup {
  /**
   * `ownTxn`: the transaction whose intent is not a conflict (its own commit);
   * `intents` false ignores every intent.
   */
  constructor(
    private readonly m: Meter,
    private readonly t: DistTable,
    private readonly ownTxn?: string,
    private readonly intents = true,
  ) {
    ensureKeyIndexes(m, t);
  }

  find(c: UniqueConstraint, keys: ReadonlyMap<string, Row>): Map<string, KeyHolder> {
    const out = new Map<string, KeyHolder>();
    if (this.intents) this.findIntents(c, keys, out);
    this.findHot(c, keys, out);
    this.findChunks(c, keys, out);
    return out;
  }

  private findIntents(
    c: UniqueConstraint,
    keys: ReadonlyMap<string, Row>,
    out: Map<string, KeyHolder>,
  ): void {
    const entries = this.m.all<{ batch_id: string; payload: string | null }>(
      `SELECT batch_id, payload FROM shard_log WHERE table_id = ? AND state = 'prepared'`,
      this.t.id,
    );
    for (const e of entries) {
      if (e.batch_id === this.ownTxn || !e.payload) continue;
      const held = (JSON.parse(e.payload) as { keys?: Record<string, string[]> }).keys?.[c.name] ?? [];
      for (const k of held)
        if (keys.has(k) && !out.has(k)) out.set(k, { ref: `i:${e.batch_id}`, row: () => undefined });
    }
  }

  private findHot(c: UniqueConstraint, keys: ReadonlyMap<string, Row>, out: Map<string, KeyHolder>): void {
    const first = c.columnIds[0];
    const probe = [...new Set([...keys.values()].map((r) => bindable(r[first])))];
    for (let i = 0; i < probe.length; i += IN_BATCH) {
      const part = probe.slice(i, i + IN_BATCH);
      const hits = this.m.all<{ rid: number; data: string }>(
        `SELECT rid, data FROM hot_rows WHERE table_id = ${Number(this.t.id)}
         AND json_extract(data, '$[${first}]') IN (${part.map(() => '?').join(', ')})`,
        ...part,
      );
      for (const h of hits) {
        const row = parsePlaneJson<Row>(h.data);
        const k = keyOf(this.withDefaults(row), c.columnIds);
        if (k !== undefined && keys.has(k) && !out.has(k)) out.set(k, { ref: `h:${h.rid}`, row: () => row });
      }
    }
  }

  /** Rows stored before a column was added lack it: they read as its default. */
  private withDefaults(row: Row): Row {
    for (const col of this.t.columns) if (row[col.id] === undefined) row[col.id] = col.default ?? null;
    return row;
  }

  private findChunks(c: UniqueConstraint, keys: ReadonlyMap<string, Row>, out: Map<string, KeyHolder>): void {
    const first = c.columnIds[0];
    let lo: ZoneValue | undefined;
    let hi: ZoneValue | undefined;
    for (const r of keys.values()) {
      const v = r[first];
      if (typeof v !== 'number' && typeof v !== 'string') {
        lo = hi = undefined; // booleans: no useful bounds
        break;
      }
      if (lo === undefined || compareZoneValues(v, lo) < 0) lo = v;
      if (hi === undefined || compareZoneValues(v, hi) > 0) hi = v;
    }
    const chunks = this.m.all<{
      id: number;
      row_count: number;
      header: ArrayBuffer;
      deleted: ArrayBuffer | null;
    }>(`SELECT id, row_count, header, deleted FROM chunks WHERE table_id = ? ORDER BY id`, this.t.id);
    for (const ch of chunks) {
      const reader = openChunkParts(new Uint8Array(ch.header), (i) => this.m.block(ch.id, i));
      const idx = c.columnIds.map((id) => reader.columnIndex(chunkColumnName(id)));
      const zone = idx[0] >= 0 ? reader.columns[idx[0]].zone : undefined;
      if (
        zone &&
        (zone.nullCount === zone.rowCount ||
          (lo !== undefined &&
            hi !== undefined &&
            zone.min !== undefined &&
            zone.max !== undefined &&
            !zone.hasNaN &&
            (compareZoneValues(hi, zone.min) < 0 || compareZoneValues(lo, zone.max) > 0)))
      ) {
        this.m.stats.chunksSkipped++;
        continue;
      }
      this.m.stats.chunksScanned++;
      const values = c.columnIds.map((id, j) => {
        if (idx[j] >= 0) return vectorValues(reader.column(idx[j]));
        const d = this.t.columns.find((x) => x.id === id)?.default ?? null;
        return new Array(ch.row_count).fill(d);
      });
      const deleted = ch.deleted ? new Uint8Array(ch.deleted) : undefined;
      const full = new Map<number, unknown[]>(); // columns decoded for DO UPDATE's full rows
      const probe: Row = [];
      for (let r = 0; r < ch.row_count; r++) {
        if (deleted && isNullAt(deleted, r)) continue;
        for (let j = 0; j < c.columnIds.length; j++) probe[c.columnIds[j]] = values[j][r];
        const k = keyOf(probe, c.columnIds);
        if (k === undefined || !keys.has(k) || out.has(k)) continue;
        out.set(k, { ref: `c:${ch.id}:${r}`, row: () => this.chunkRow(reader, full, r) });
      }
    }
  }

  /** One full row of a chunk (ON CONFLICT DO UPDATE reads the row it replaces). */
  private chunkRow(reader: ReturnType<typeof openChunkParts>, full: Map<number, unknown[]>, r: number): Row {
    const row: Row = new Array(this.t.nextColumnId).fill(null);
    for (const col of this.t.columns) {
      const i = reader.columnIndex(chunkColumnName(col.id));
      if (i < 0) {
        row[col.id] = col.default ?? null;
        continue;
      }
      let values = full.get(i);
      if (!values) full.set(i, (values = vectorValues(reader.column(i))));
      row[col.id] = values[r];
    }
    return row;
  }
}

/** Removes the stored rows a resolved write replaces (refs `h:<rid>` and `c:<chunk>:<offset>`). */
export function removeReplaced(m: Meter, refs: readonly string[]): void {
  deleteHits(m, { ...positionsOf(refs), rows: [] });
}

/** Row references (`h:rid`, `c:chunk:offset`) as hot rids and chunk offsets. */
export function positionsOf(refs: readonly string[]): { hot: number[]; chunks: Map<number, number[]> } {
  const hot: number[] = [];
  const chunks = new Map<number, number[]>();
  for (const ref of refs) {
    const [kind, a, b] = ref.split(':');
    if (kind === 'h') hot.push(Number(a));
    else if (kind === 'c') chunks.set(Number(a), [...(chunks.get(Number(a)) ?? []), Number(b)]);
  }
  return { hot, chunks };
}

/** A row of a bulk batch refused for its key. */
export interface KeyRejection {
  /** The key's column values, in constraint order. */
  readonly key: (string | number | boolean | null)[];
  readonly reason: string;
}

function keyValues(r: Row, c: UniqueConstraint): KeyRejection['key'] {
  return c.columnIds.map((id) => r[id] as string | number | boolean | null);
}

/**
 * Bulk loads into a table with constraints: rows whose key is already stored,
 * held by a prepared transaction, or repeated earlier in the batch are dropped
 * and reported; the rest are re-encoded when anything was dropped.
 */
export function checkBulkRows(
  m: Meter,
  t: DistTable,
  rows: readonly Row[],
): { keep: boolean[]; rejected: KeyRejection[] } {
  const lookup = new ShardKeyLookup(m, t);
  const rejected: KeyRejection[] = [];
  let keep = rows.map(() => true);
  for (const c of t.unique ?? []) {
    const keys = new Map<string, Row>();
    rows.forEach((r, i) => {
      if (!keep[i]) return;
      const k = keyOf(r, c.columnIds);
      if (k === undefined) return;
      if (keys.has(k)) {
        keep[i] = false;
        rejected.push({ key: keyValues(r, c), reason: uniqueViolation(t, c, r).message });
      } else keys.set(k, r);
    });
    if (keys.size === 0) continue;
    const held = lookup.find(c, keys);
    if (held.size === 0) continue;
    keep = rows.map((r, i) => {
      if (!keep[i]) return false;
      const k = keyOf(r, c.columnIds);
      if (k === undefined || !held.has(k)) return true;
      rejected.push({ key: keyValues(r, c), reason: uniqueViolation(t, c, r).message });
      return false;
    });
  }
  return { keep, rejected };
}

/** Rows of encoded bulk chunks: the columns `ids` (default: all current ones), others NULL. */
export function chunkRows(t: DistTable, chunks: readonly BucketChunk[], ids?: ReadonlySet<number>): Row[] {
  const rows: Row[] = [];
  const wanted = ids ? t.columns.filter((c) => ids.has(c.id)) : t.columns;
  for (const ch of chunks) {
    const reader = openChunkParts(ch.header, (i) => ch.columns[i]);
    const cols = wanted.map((col) => {
      const i = reader.columnIndex(chunkColumnName(col.id));
      return {
        id: col.id,
        values: i >= 0 ? vectorValues(reader.column(i)) : undefined,
        d: col.default ?? null,
      };
    });
    for (let r = 0; r < ch.rowCount; r++) {
      const row: Row = new Array(t.nextColumnId).fill(null);
      for (const c of cols) row[c.id] = c.values ? c.values[r] : c.d;
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Checks a bulk batch (rows, or chunks the Worker encoded) against the table's
 * constraints; returns what to store and the rejections. Chunks are decoded
 * for their key columns only, and re-encoded only when a row was refused.
 */
export function checkBulkBatch(
  m: Meter,
  t: DistTable,
  batch: { rows: Row[]; encoded?: readonly BucketChunk[] },
): { rows: Row[]; encoded?: readonly BucketChunk[]; rejected: KeyRejection[] } {
  if (!batch.encoded) {
    const { keep, rejected } = checkBulkRows(m, t, batch.rows);
    return { rows: batch.rows.filter((_, i) => keep[i]), rejected };
  }
  const keyIds = new Set((t.unique ?? []).flatMap((c) => c.columnIds));
  const { keep, rejected } = checkBulkRows(m, t, chunkRows(t, batch.encoded, keyIds));
  if (rejected.length === 0) return { rows: [], encoded: batch.encoded, rejected };
  const rows = chunkRows(t, batch.encoded).filter((_, i) => keep[i]);
  return { rows: [], encoded: encodeTableRows(t, rows), rejected };
}
