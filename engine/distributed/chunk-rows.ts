/**
 * @module engine/distributed/chunk-rows
 * Converts between data-plane rows (arrays indexed by column id) and the
 * columnar chunk format of engine/columnar. A chunk column is named `c<id>`,
 * so chunks written before ALTER TABLE stay readable: a column the chunk lacks
 * reads as its default, a dropped column is simply never asked for.
 */
import { type ColumnSchema, type EncodedChunk, encodeChunks } from '../columnar/index.ts';
import type { RowOrderKey } from '../columnar/row-order.ts';
import {
  type ColumnType,
  type FlatVector,
  isNullAt,
  newNullBitmap,
  setNullAt,
  type Vector,
} from '../vector.ts';
import { chunkOrderKeys } from './table-layout.ts';
import { type DistColumn, type DistTable, type DistType, planeInt64, type Row } from './table-schema.ts';

const COLUMN_TYPE: Record<DistType, ColumnType> = {
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  float64: 'float64',
  text: 'text',
  timestamptz: 'timestamptz',
};

/** The chunk column name of a column id. */
export function chunkColumnName(id: number): string {
  return `c${id}`;
}

/** Column id of a chunk column name, or -1 for names this module did not write. */
export function columnIdOf(name: string): number {
  return /^c\d+$/.test(name) ? Number(name.slice(1)) : -1;
}

function vectorOf(col: DistColumn, rows: readonly Row[]): FlatVector {
  const n = rows.length;
  const type = COLUMN_TYPE[col.type];
  let nulls: Uint8Array | undefined;
  const markNull = (i: number) => {
    nulls ??= newNullBitmap(n);
    setNullAt(nulls, i);
  };
  const get = (i: number) => {
    const v = rows[i][col.id];
    return v === undefined ? (col.default ?? null) : v;
  };
  let values: FlatVector['values'];
  switch (col.type) {
    case 'bool':
    case 'int32': {
      const out = col.type === 'bool' ? new Uint8Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) markNull(i);
        else out[i] = Number(v);
      }
      values = out;
      break;
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) markNull(i);
        else out[i] = BigInt(v as number);
      }
      values = out;
      break;
    }
    case 'float64':
    case 'timestamptz': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) markNull(i);
        else out[i] = v as number;
      }
      values = out;
      break;
    }
    case 'text': {
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) {
          markNull(i);
          out[i] = '';
        } else out[i] = v as string;
      }
      values = out;
      break;
    }
  }
  return nulls ? { kind: 'flat', type, length: n, values, nulls } : { kind: 'flat', type, length: n, values };
}

/**
 * Encodes rows of the given (live) columns into one or more chunks (≤ 65,536 rows, blocks ≤ 2 MB),
 * rows inside each chunk ordered by `order` (indexes into `columns`; none: arrival order).
 */
export function encodeRows(
  columns: readonly DistColumn[],
  rows: readonly Row[],
  order: readonly RowOrderKey[] = [],
): EncodedChunk[] {
  const schema: ColumnSchema[] = columns.map((c) => ({
    name: chunkColumnName(c.id),
    type: COLUMN_TYPE[c.type],
  }));
  return encodeChunks(
    schema,
    columns.map((c) => vectorOf(c, rows)),
    rows.length,
    { order },
  );
}

/** Plain JS values of a decoded vector (int64 → number, or bigint beyond ±2^53; bool → boolean; NULL → null). */
export function vectorValues(v: Vector): unknown[] {
  const n = v.length;
  const out: unknown[] = new Array(n);
  if (v.kind === 'const') return out.fill(v.value === undefined ? null : v.value);
  const flat = v.kind === 'dict' ? v.dict : v;
  const vals = flat.values as ArrayLike<unknown>;
  const conv =
    v.type === 'bool'
      ? (x: unknown) => x === 1
      : v.type === 'int64'
        ? (x: unknown) => planeInt64(x as bigint)
        : (x: unknown) => x;
  for (let i = 0; i < n; i++) {
    if (isNullAt(v.nulls, i)) out[i] = null;
    else out[i] = conv(v.kind === 'dict' ? vals[v.codes[i]] : vals[i]);
  }
  return out;
}

/** One encoded chunk of a table's rows, ready to store: its time bucket plus header and column blocks. */
export interface BucketChunk {
  readonly bucket: number;
  readonly rowCount: number;
  readonly header: Uint8Array;
  readonly columns: readonly Uint8Array[];
}

/** Bucket (chunk time range start, µs) of a row: hypertables by time, others all in bucket 0. */
export function bucketOf(t: DistTable, row: Row): number {
  if (!t.hypertable) return 0;
  const v = row[t.hypertable.timeColumnId];
  if (typeof v !== 'number') return 0;
  const w = t.hypertable.chunkIntervalUs;
  return v - (((v % w) + w) % w);
}

/** Groups rows by bucket, keeping input order within a bucket. */
export function groupByBucket(t: DistTable, rows: readonly Row[]): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const r of rows) {
    const b = bucketOf(t, r);
    const list = out.get(b);
    if (list) list.push(r);
    else out.set(b, [r]);
  }
  return out;
}

/**
 * Encodes a table's rows into chunks per time bucket. Pure, so the ingest
 * Worker runs it and ships bytes: the shard (single-threaded per shard) only
 * stores blobs, and the RPC carries compressed blocks instead of JS row arrays.
 * Rows inside each chunk follow the table's layout (see `table-layout`).
 */
export function encodeTableRows(t: DistTable, rows: readonly Row[]): BucketChunk[] {
  const out: BucketChunk[] = [];
  const order = chunkOrderKeys(
    t,
    t.columns.map((c) => c.id),
  );
  for (const [bucket, list] of groupByBucket(t, rows)) {
    for (const c of encodeRows(t.columns, list, order))
      out.push({ bucket, rowCount: c.meta.rowCount, header: c.header, columns: c.columns });
  }
  return out;
}
