/**
 * @module durable-objects/change-log-images
 * Reads full row images for the change log: the rows a DELETE / UPDATE /
 * ON CONFLICT removes (by hot rid and chunk offset, before they are removed)
 * and the rows of a chunk a bulk-load entry references. Images are normalized
 * to the table definition (a column a stored row lacks reads as its default),
 * so a row reads the same from the hot store and from a chunk.
 */
import { openChunkParts, readChunkHeader } from '../engine/columnar/index.ts';
import { chunkColumnName, columnIdOf, vectorValues } from '../engine/distributed/chunk-rows.ts';
import { parsePlaneJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row } from '../engine/distributed/table-schema.ts';
import type { Meter } from './shard-storage.ts';

/** Rows by position: hot rids, and chunk offsets per chunk id. */
export interface RowRefs {
  readonly hot: readonly number[];
  readonly chunks: Iterable<readonly [number, readonly number[]]>;
}

/** `row` as the log stores it: every column of `t`, missing values as their default. */
export function rowImage(t: DistTable, row: Row): Row {
  const out: Row = [];
  for (const c of t.columns) {
    const v = row[c.id];
    out[c.id] = v === undefined ? (c.default ?? null) : v;
  }
  return out;
}

/**
 * Full images of the referenced rows, in the order of `refs` (hot rids first,
 * then chunk offsets chunk by chunk), which is the order `matchRows` lists the
 * rows it matched. A cold chunk's blocks must be prefetched (else `ColdBlockMissing`).
 */
export function rowImages(m: Meter, t: DistTable, refs: RowRefs): Row[] {
  const out: Row[] = [];
  if (refs.hot.length > 0) {
    const data = new Map(
      m
        .all<{ rid: number; data: string }>(
          `SELECT rid, data FROM hot_rows WHERE rid IN (SELECT value FROM json_each(?))`,
          JSON.stringify(refs.hot),
        )
        .map((r) => [r.rid, r.data]),
    );
    for (const rid of refs.hot) {
      const d = data.get(rid);
      if (d !== undefined) out.push(rowImage(t, parsePlaneJson<Row>(d)));
    }
  }
  for (const [chunkId, offsets] of refs.chunks) {
    const c = m.all<{ header: ArrayBuffer }>(`SELECT header FROM chunks WHERE id = ?`, chunkId)[0];
    if (!c) continue; // dropped since the rows were matched: nothing is removed from it either
    const reader = openChunkParts(new Uint8Array(c.header), (i) => m.block(chunkId, i));
    const cols = t.columns.map((col) => {
      const idx = reader.columnIndex(chunkColumnName(col.id));
      return idx < 0 ? undefined : vectorValues(reader.column(idx));
    });
    for (const o of offsets) {
      const row: Row = [];
      t.columns.forEach((col, j) => {
        row[col.id] = cols[j] ? cols[j][o] : (col.default ?? null);
      });
      out.push(row);
    }
  }
  return out;
}

/**
 * Rows `offset` … `offset + limit - 1` of a chunk as written (every column the
 * chunk has, by column id; the delete bitmap is ignored: the entry that wrote
 * the chunk wrote all of them, and later deletes are entries of their own).
 */
export function chunkRows(m: Meter, chunkId: number, offset: number, limit: number): Row[] {
  const c = m.all<{ header: ArrayBuffer; row_count: number }>(
    `SELECT header, row_count FROM chunks WHERE id = ?`,
    chunkId,
  )[0];
  if (!c) return [];
  const header = new Uint8Array(c.header);
  const names = readChunkHeader(header).columns.map((col) => col.name);
  const reader = openChunkParts(header, (i) => m.block(chunkId, i));
  const cols = names
    .map((name, idx) => ({ id: columnIdOf(name), idx }))
    .filter((x) => x.id >= 0)
    .map((x) => ({ id: x.id, values: vectorValues(reader.column(x.idx)) }));
  const end = Math.min(c.row_count, offset + limit);
  const out: Row[] = [];
  for (let r = offset; r < end; r++) {
    const row: Row = [];
    for (const col of cols) row[col.id] = col.values[r];
    out.push(row);
  }
  return out;
}
