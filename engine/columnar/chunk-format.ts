/**
 * @module engine/columnar/chunk-format
 * The versioned, self-describing chunk layout.
 *
 * Header (one SQLite row in a Durable Object; the first bytes of an R2 object):
 * ```
 * magic "OROC" | u16 format version | u16 flags | u32 header length | u32 row count
 * varuint column count, then per column:
 *   name (varuint length + UTF-8) | u8 type id | u8 codec | u8 codec detail
 *   u32 block byte length | u32 block CRC-32 | zone map (row count, null count, min, max)
 * u32 CRC-32 of all header bytes before it
 * ```
 * Column blocks are stored apart (one blob row each) or, in the single-buffer
 * form, after the header, each starting at a multiple of 8 bytes so a reader of
 * an R2 object can range-read exactly the columns a query needs and view
 * typed payloads in place. Readers reject unknown versions with a clear error.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType } from '../vector.ts';
import { ByteReader, ByteWriter, corrupt } from './byte-io.ts';
import { crc32 } from './checksum.ts';
import { readZoneMap, writeZoneMap, type ZoneMap } from './zone-map.ts';

/** "OROC" little-endian. */
export const CHUNK_MAGIC = 0x434f524f;
/**
 * Current format version; bump on any incompatible change and keep readers for old ones.
 * v1: initial layout. v2: delta / delta-of-delta integer streams carry mini-block
 * checkpoints (PFOR flag byte), so row ranges decode without a prefix from row 0.
 * v3: PFOR exceptions may be stored as two nested integer streams (PFOR flag bit 2),
 * so a clustered chunk's segment boundaries cost about a byte each instead of 12.
 * Readers accept every version from {@link OLDEST_CHUNK_FORMAT_VERSION}.
 */
export const CHUNK_FORMAT_VERSION = 3;
/** Oldest format version readers still decode (shards and R2 keep old chunks). */
export const OLDEST_CHUNK_FORMAT_VERSION = 1;
/** Most rows per chunk. */
export const MAX_CHUNK_ROWS = 65536;
/** Largest column block (Durable Object SQLite values are limited to 2 MB; keep a margin for the row). */
export const MAX_BLOCK_BYTES = 2_000_000;
/** Bytes a reader must fetch to learn the header length (magic, version, flags, header length). */
export const CHUNK_PREAMBLE_BYTES = 12;

/** Every column type, in the order of its stable on-disk type id; append only. */
export const TYPE_IDS: readonly ColumnType[] = [
  'bool',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'numeric',
  'text',
  'bytea',
  'uuid',
  'date',
  'timestamp',
  'timestamptz',
  'interval',
  'json',
  'bpchar',
  'time',
];

/** A column of a chunk schema. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
}

/** What the header says about one column block. */
export interface ColumnMeta extends ColumnSchema {
  /** Codec family ({@link Codec} in column-codec). */
  readonly codec: number;
  /** Codec sub-kind (e.g. dictionary vs plain text). */
  readonly detail: number;
  /** Exact length of the block bytes. */
  readonly byteLength: number;
  /** CRC-32 of the block bytes, checked when the block is read. */
  readonly checksum: number;
  readonly zone: ZoneMap;
}

/** A parsed chunk header. */
export interface ChunkHeader {
  readonly version: number;
  readonly rowCount: number;
  readonly columns: readonly ColumnMeta[];
  /** Length of the header bytes (the single-buffer form pads it to 8). */
  readonly headerLength: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Serializes a header. */
export function writeChunkHeader(rowCount: number, columns: readonly ColumnMeta[]): Uint8Array {
  const w = new ByteWriter(256);
  w.u32(CHUNK_MAGIC);
  w.u16(CHUNK_FORMAT_VERSION);
  w.u16(0);
  w.u32(0); // header length, patched below
  w.u32(rowCount);
  w.varuint(columns.length);
  for (const c of columns) {
    w.string(c.name);
    const id = TYPE_IDS.indexOf(c.type);
    if (id < 0)
      throw new SqlError(SqlState.featureNotSupported, `columnar chunks cannot store type ${c.type}`);
    w.u8(id);
    w.u8(c.codec);
    w.u8(c.detail);
    w.u32(c.byteLength);
    w.u32(c.checksum);
    writeZoneMap(w, c.zone);
  }
  w.u32(0); // header CRC, patched below
  const bytes = w.finish();
  const view = new DataView(bytes.buffer);
  view.setUint32(8, bytes.length, true);
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** Reads the header length from the first {@link CHUNK_PREAMBLE_BYTES} bytes (for ranged R2 reads). */
export function readHeaderLength(preamble: Uint8Array): number {
  const r = new ByteReader(preamble);
  checkMagic(r);
  return r.u32();
}

function checkMagic(r: ByteReader): number {
  if (r.bytes.length < CHUNK_PREAMBLE_BYTES || r.u32() !== CHUNK_MAGIC)
    corrupt('bad magic (not a columnar chunk)');
  const version = r.u16();
  if (version < OLDEST_CHUNK_FORMAT_VERSION || version > CHUNK_FORMAT_VERSION) {
    throw new SqlError(
      SqlState.featureNotSupported,
      `columnar chunk format version ${version} is not supported`,
    );
  }
  r.u16();
  return version;
}

/** Parses header bytes (extra trailing bytes, e.g. the rest of a single buffer, are ignored). */
export function readChunkHeader(bytes: Uint8Array): ChunkHeader {
  const r = new ByteReader(bytes);
  const version = checkMagic(r);
  const headerLength = r.u32();
  if (headerLength > bytes.length || headerLength < CHUNK_PREAMBLE_BYTES + 4) corrupt('header length');
  const stored = new DataView(bytes.buffer, bytes.byteOffset).getUint32(headerLength - 4, true);
  if (crc32(bytes.subarray(0, headerLength - 4)) !== stored) corrupt('header fails its checksum');
  const rowCount = r.u32();
  // Bounds every allocation a decoder makes, so a corrupt header cannot exhaust memory.
  if (rowCount > MAX_CHUNK_ROWS) corrupt(`row count ${rowCount} above ${MAX_CHUNK_ROWS}`);
  const count = r.varuint();
  const columns: ColumnMeta[] = [];
  for (let i = 0; i < count; i++) {
    const name = r.string();
    const type = TYPE_IDS[r.u8()];
    if (type === undefined) corrupt('unknown column type id');
    const codec = r.u8();
    const detail = r.u8();
    const byteLength = r.u32();
    const checksum = r.u32();
    const zone = readZoneMap(r);
    columns.push({ name, type, codec, detail, byteLength, checksum, zone });
  }
  if (r.pos !== headerLength - 4) corrupt('header length mismatch');
  return { version, rowCount, columns, headerLength };
}

/** Byte range `[start, end)` of column `i` inside the single-buffer form (for R2 range reads). */
export function columnByteRange(header: ChunkHeader, i: number): { start: number; end: number } {
  if (i < 0 || i >= header.columns.length) throw new RangeError(`column index ${i} out of range`);
  let start = align8(header.headerLength);
  for (let j = 0; j < i; j++) start += align8(header.columns[j].byteLength);
  return { start, end: start + header.columns[i].byteLength };
}

/** Concatenates header and blocks into one buffer (the R2 object form). */
export function serializeParts(header: Uint8Array, columns: readonly Uint8Array[]): Uint8Array {
  let total = align8(header.length);
  for (const c of columns) total += align8(c.length);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let at = align8(header.length);
  for (const c of columns) {
    out.set(c, at);
    at += align8(c.length);
  }
  return out;
}
