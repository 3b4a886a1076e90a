/**
 * @module engine/parquet/parquet-writer
 * A small Parquet writer for the frozen tier: one row group, one data page
 * (v1) per column, PLAIN values, RLE definition levels (every column is
 * OPTIONAL), column statistics (null count; min/max for numbers and
 * timestamps), and GZIP or no compression. Readable by DuckDB, Spark, Arrow.
 *
 * The architecture asks for zstd; there is no zstd in the Workers runtime and
 * a pure-TS zstd compressor is a project of its own, so pages use GZIP (a
 * standard Parquet codec) through the platform's `CompressionStream`.
 *
 * Types: bool → BOOLEAN; int16/int32 → INT32 (INT(16/32)); date → INT32 DATE;
 * int64 → INT64; timestamp/timestamptz → INT64 TIMESTAMP(MICROS, UTC for tz); time → INT64 TIME_MICROS;
 * float32 → FLOAT; float64 → DOUBLE; text/json/uuid → BYTE_ARRAY STRING;
 * bytea → BYTE_ARRAY. numeric and interval are refused (0A000).
 */
import { SqlError, SqlState } from '../errors.ts';
import { type ColumnType, isNullAt, type Vector } from '../vector.ts';
import {
  bin,
  bool,
  encodeStruct,
  i32,
  i64,
  list,
  struct,
  type TField,
  type TValue,
} from './thrift-compact.ts';

/** One column to write. */
export interface ParquetColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly vector: Vector;
}

/** Page compression: GZIP (default) or none. */
export type ParquetCodec = 'gzip' | 'none';

/** Where one column's single data page lies in the file (for range reads). */
export interface ParquetColumnLayout {
  /** Byte offset of the page header. */
  readonly offset: number;
  readonly headerLength: number;
  /** Page body bytes after the header (compressed). */
  readonly bodyLength: number;
}

/** A written file and its per-column page layout. */
export interface ParquetFile {
  readonly bytes: Uint8Array;
  readonly columns: readonly ParquetColumnLayout[];
}

const MAGIC = new TextEncoder().encode('PAR1');
const utf8 = new TextEncoder();

/** Physical type ids (parquet.thrift `Type`). */
const PT = { BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 } as const;

interface Mapping {
  readonly physical: number;
  readonly converted?: number;
  readonly logical?: TValue;
  /** Min/max statistics are meaningful (numeric order = value order). */
  readonly stats: boolean;
}

const timestampLogical = (utc: boolean) => struct([8, struct([1, bool(utc)], [2, struct([2, struct()])])]); // TIMESTAMP(isAdjustedToUTC, MICROS)

function mapping(type: ColumnType): Mapping {
  switch (type) {
    case 'bool':
      return { physical: PT.BOOLEAN, stats: false };
    case 'int16':
      return { physical: PT.INT32, converted: 16, stats: true };
    case 'int32':
      return { physical: PT.INT32, stats: true };
    case 'date':
      return { physical: PT.INT32, converted: 6, stats: true };
    case 'int64':
      return { physical: PT.INT64, stats: true };
    case 'timestamp':
      return { physical: PT.INT64, logical: timestampLogical(false), stats: true };
    case 'timestamptz':
      return { physical: PT.INT64, converted: 10, logical: timestampLogical(true), stats: true };
    case 'time':
      return { physical: PT.INT64, converted: 8, stats: true }; // TIME_MICROS
    case 'float32':
      return { physical: PT.FLOAT, stats: true };
    case 'float64':
      return { physical: PT.DOUBLE, stats: true };
    case 'text':
    case 'bpchar':
    case 'json':
    case 'uuid':
      return { physical: PT.BYTE_ARRAY, converted: 0, logical: struct([1, struct()]), stats: false };
    case 'bytea':
      return { physical: PT.BYTE_ARRAY, stats: false };
    default:
      throw new SqlError(SqlState.featureNotSupported, `Parquet export of type ${type} is not supported`);
  }
}

/** Row `i` of a vector as stored (numbers, bigints, strings, byte arrays), or null. */
function valueAt(v: Vector, i: number): unknown {
  if (v.kind === 'const') return v.value ?? null;
  if (isNullAt(v.nulls, i)) return null;
  if (v.kind === 'dict') return (v.dict.values as ArrayLike<unknown>)[v.codes[i]];
  return (v.values as ArrayLike<unknown>)[i];
}

class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** One PLAIN-encoded value. */
function plain(physical: number, v: unknown): Uint8Array {
  const b = new Uint8Array(physical === PT.INT32 || physical === PT.FLOAT ? 4 : 8);
  const dv = new DataView(b.buffer);
  if (physical === PT.INT32) dv.setInt32(0, Number(v), true);
  else if (physical === PT.INT64)
    dv.setBigInt64(0, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))), true);
  else if (physical === PT.FLOAT) dv.setFloat32(0, Number(v), true);
  else dv.setFloat64(0, Number(v), true);
  return b;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Definition levels (1 = present) as RLE runs of the hybrid encoding, length-prefixed. */
function definitionLevels(present: readonly boolean[]): Uint8Array {
  const runs: number[] = [];
  for (let i = 0; i < present.length; ) {
    let j = i;
    while (j < present.length && present[j] === present[i]) j++;
    runs.push(...uleb((j - i) * 2), present[i] ? 1 : 0);
    i = j;
  }
  const out = new Uint8Array(4 + runs.length);
  new DataView(out.buffer).setUint32(0, runs.length, true);
  out.set(runs, 4);
  return out;
}

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([b]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Encodes one column's page; returns its bytes and statistics. */
function encodePage(col: ParquetColumn, m: Mapping, rowCount: number) {
  const present: boolean[] = new Array(rowCount);
  const values = new Bytes();
  let nulls = 0;
  let min: unknown;
  let max: unknown;
  let bits = 0;
  let bitCount = 0;
  let boolBytes: number[] = [];
  for (let i = 0; i < rowCount; i++) {
    const v = valueAt(col.vector, i);
    present[i] = v !== null && v !== undefined;
    if (!present[i]) {
      nulls++;
      continue;
    }
    if (m.physical === PT.BOOLEAN) {
      if (v === true || v === 1) bits |= 1 << bitCount;
      if (++bitCount === 8) {
        boolBytes.push(bits);
        bits = 0;
        bitCount = 0;
      }
    } else if (m.physical === PT.BYTE_ARRAY) {
      const b = typeof v === 'string' ? utf8.encode(v) : (v as Uint8Array);
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, b.length, true);
      values.push(len);
      values.push(b);
    } else {
      values.push(plain(m.physical, v));
      if (m.stats && !(typeof v === 'number' && Number.isNaN(v))) {
        if (min === undefined || (v as number) < (min as number)) min = v;
        if (max === undefined || (v as number) > (max as number)) max = v;
      }
    }
  }
  if (m.physical === PT.BOOLEAN) {
    if (bitCount > 0) boolBytes.push(bits);
    values.push(Uint8Array.from(boolBytes));
    boolBytes = [];
  }
  const page = new Bytes();
  page.push(definitionLevels(present));
  page.push(values.finish());
  const stats: TField[] = [[3, i64(nulls)]];
  if (min !== undefined && max !== undefined)
    stats.push([5, bin(plain(m.physical, max))], [6, bin(plain(m.physical, min))]);
  return { data: page.finish(), stats: struct(...stats) };
}

/** Writes `columns` (each `rowCount` rows) as one Parquet file. */
export async function writeParquet(
  columns: readonly ParquetColumn[],
  rowCount: number,
  codec: ParquetCodec = 'gzip',
): Promise<Uint8Array> {
  return (await writeParquetFile(columns, rowCount, codec)).bytes;
}

/** Like `writeParquet`, also returning where each column's page is. */
export async function writeParquetFile(
  columns: readonly ParquetColumn[],
  rowCount: number,
  codec: ParquetCodec = 'gzip',
): Promise<ParquetFile> {
  const layout: ParquetColumnLayout[] = [];
  const file = new Bytes();
  file.push(MAGIC);
  const chunks: TValue[] = [];
  let totalBytes = 0;
  const schema: TValue[] = [struct([4, bin('schema')], [5, i32(columns.length)])];
  for (const col of columns) {
    const m = mapping(col.type);
    const fields: TField[] = [
      [1, i32(m.physical)],
      [3, i32(1)],
      [4, bin(col.name)],
    ];
    if (m.converted !== undefined) fields.push([6, i32(m.converted)]);
    if (m.logical) fields.push([10, m.logical]);
    schema.push(struct(...fields));

    const { data, stats } = encodePage(col, m, rowCount);
    const body = codec === 'gzip' ? await gzip(data) : data;
    const header = encodeStruct([
      [1, i32(0)], // DATA_PAGE
      [2, i32(data.length)],
      [3, i32(body.length)],
      [5, struct([1, i32(rowCount)], [2, i32(0)], [3, i32(3)], [4, i32(3)], [5, stats])], // PLAIN values, RLE levels
    ]);
    const offset = file.length;
    layout.push({ offset, headerLength: header.length, bodyLength: body.length });
    file.push(header);
    file.push(body);
    const size = header.length + body.length;
    const uncompressed = header.length + data.length;
    totalBytes += uncompressed;
    const meta = struct(
      [1, i32(m.physical)],
      [2, list('i32', [i32(0), i32(3)])],
      [3, list('bin', [bin(col.name)])],
      [4, i32(codec === 'gzip' ? 2 : 0)],
      [5, i64(rowCount)],
      [6, i64(uncompressed)],
      [7, i64(size)],
      [9, i64(offset)],
      [12, stats],
    );
    chunks.push(struct([2, i64(offset)], [3, meta]));
  }
  const footer = encodeStruct([
    [1, i32(1)],
    [2, list('struct', schema)],
    [3, i64(rowCount)],
    [4, list('struct', [struct([1, list('struct', chunks)], [2, i64(totalBytes)], [3, i64(rowCount)])])],
    [6, bin('orochi-edge parquet-writer')],
  ]);
  file.push(footer);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  file.push(len);
  file.push(MAGIC);
  return { bytes: file.finish(), columns: layout };
}
