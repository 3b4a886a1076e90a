/**
 * @module engine/distributed/ingest-encode
 * Routes a table-shaped ingest batch to shards and encodes each shard's rows
 * into columnar chunks once, in the Worker. The distribution key is hashed
 * once per distinct dictionary value (not per row); rows are grouped by shard,
 * sliced like `bulkWrite` slices (≤ `sliceRows` rows per shard batch, each its
 * own idempotent batch id), then by time bucket; columns are gathered straight
 * from typed arrays (text as dictionary codes) into the chunk encoder, which
 * orders each chunk's rows by the table's layout (see `table-layout`).
 */

import { encodeChunks } from '../columnar/index.ts';
import type { ColumnType, FlatVector, Vector } from '../vector.ts';
import type { BucketChunk } from './chunk-rows.ts';
import { chunkColumnName } from './chunk-rows.ts';
import type { ColumnValues, TableBatch } from './ingest-columns.ts';
import { initialMap, mapShards, type ShardMap, shardOfValue } from './shard-map.ts';
import { chunkOrderKeys } from './table-layout.ts';

/** Shard index → its batches (each ≤ `sliceRows` rows), each a list of encoded bucket chunks. */
export type ShardChunks = Map<number, BucketChunk[][]>;

/** Shard of every row, as an index into `mapShards(map)` (-1 for rejected rows). */
export function shardOfRows(tb: TableBatch, map: ShardMap = initialMap(tb.table.shardCount)): Int32Array {
  const t = tb.table;
  const out = new Int32Array(tb.rows).fill(-1);
  const place = t.placement;
  const dist =
    place.kind === 'distributed'
      ? tb.columns[t.columns.findIndex((c) => c.id === place.columnId)]
      : undefined;
  if (!dist) {
    for (let r = 0; r < tb.rows; r++) if (tb.accepted[r]) out[r] = 0;
    return out;
  }
  const index = new Map(mapShards(map).map((s, i) => [s, i]));
  const shardForValue = (v: unknown) => index.get(shardOfValue(map, v)) ?? -1;
  if (dist.column.type === 'text') {
    const byCode = new Int32Array(dist.dict.length).fill(-1);
    for (let r = 0; r < tb.rows; r++) {
      if (!tb.accepted[r]) continue;
      const c = dist.codes[r];
      if (byCode[c] < 0) byCode[c] = shardForValue(dist.dict[c]);
      out[r] = byCode[c];
    }
    return out;
  }
  for (let r = 0; r < tb.rows; r++) {
    if (!tb.accepted[r]) continue;
    const v = dist.num[r];
    out[r] = shardForValue(dist.column.type === 'bool' ? v === 1 : v);
  }
  return out;
}

/** Encodes the accepted rows of `tb` per shard. */
export function encodeForShards(
  tb: TableBatch,
  sliceRows = 65_536,
  map: ShardMap = initialMap(tb.table.shardCount),
): ShardChunks {
  const shardOf = shardOfRows(tb, map);
  const perShard = new Map<number, number[]>();
  for (let r = 0; r < tb.rows; r++) {
    const s = shardOf[r];
    if (s < 0) continue;
    const list = perShard.get(s);
    if (list) list.push(r);
    else perShard.set(s, [r]);
  }
  const out: ShardChunks = new Map();
  for (const [shard, rows] of perShard) {
    const slices: BucketChunk[][] = [];
    for (let i = 0; i < rows.length; i += sliceRows)
      slices.push(encodeSlice(tb, rows.slice(i, i + sliceRows)));
    out.set(shard, slices);
  }
  return out;
}

/** Bucket (chunk time range start, µs) per row, as `bucketOf` computes it. */
function bucketsOf(tb: TableBatch, rows: readonly number[]): Map<number, Uint32Array> {
  const h = tb.table.hypertable;
  const groups = new Map<number, number[]>();
  const time = h ? tb.columns[tb.table.columns.findIndex((c) => c.id === h.timeColumnId)] : undefined;
  for (const r of rows) {
    let b = 0;
    if (h && time && !time.nulls[r]) {
      const v = time.num[r];
      const w = h.chunkIntervalUs;
      b = v - (((v % w) + w) % w);
    }
    const g = groups.get(b);
    if (g) g.push(r);
    else groups.set(b, [r]);
  }
  return new Map([...groups].map(([b, g]) => [b, Uint32Array.from(g)]));
}

function encodeSlice(tb: TableBatch, rows: readonly number[]): BucketChunk[] {
  const schema = tb.table.columns.map((c) => ({ name: chunkColumnName(c.id), type: c.type as ColumnType }));
  const order = chunkOrderKeys(
    tb.table,
    tb.table.columns.map((c) => c.id),
  );
  const out: BucketChunk[] = [];
  for (const [bucket, sel] of bucketsOf(tb, rows)) {
    const vectors = tb.columns.map((c) => gather(c, sel, tb.rows));
    for (const c of encodeChunks(schema, vectors, sel.length, { order }))
      out.push({ bucket, rowCount: c.meta.rowCount, header: c.header, columns: c.columns });
  }
  return out;
}

/** The rows `sel` of one column as an encoder vector (text stays dictionary-coded when that pays). */
function gather(c: ColumnValues, sel: Uint32Array, total: number): Vector {
  const n = sel.length;
  const type = c.column.type as ColumnType;
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    if (c.nulls[sel[i]]) {
      nulls ??= new Uint8Array((n + 7) >> 3);
      nulls[i >> 3] |= 1 << (i & 7);
    }
  }
  const flat = (values: FlatVector['values']): FlatVector =>
    nulls ? { kind: 'flat', type, length: n, values, nulls } : { kind: 'flat', type, length: n, values };
  switch (c.column.type) {
    case 'float64':
    case 'timestamptz': {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = c.num[sel[i]];
      return flat(v);
    }
    case 'int32': {
      const v = new Int32Array(n);
      for (let i = 0; i < n; i++) v[i] = c.num[sel[i]];
      return flat(v);
    }
    case 'bool': {
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) v[i] = c.num[sel[i]];
      return flat(v);
    }
    case 'int64': {
      const v = new BigInt64Array(n);
      for (let i = 0; i < n; i++) v[i] = BigInt(c.num[sel[i]]);
      return flat(v);
    }
    case 'text': {
      // A dictionary much larger than the rows would force a dictionary block; plain strings decide for themselves.
      if (c.dict.length * 2 > total) {
        const v: string[] = new Array(n);
        for (let i = 0; i < n; i++) v[i] = c.nulls[sel[i]] ? '' : c.dict[c.codes[sel[i]]];
        return flat(v);
      }
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = c.codes[sel[i]];
      const dict: FlatVector = { kind: 'flat', type, length: c.dict.length, values: c.dict };
      return nulls
        ? { kind: 'dict', type, length: n, codes, dict, nulls }
        : { kind: 'dict', type, length: n, codes, dict };
    }
  }
}
