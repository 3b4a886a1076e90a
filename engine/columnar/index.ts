/**
 * @module engine/columnar
 * Compressed columnar chunks: format, codecs, zone maps and filters on encoded
 * data. Write with {@link encodeChunks} (or {@link encodeTable}); store
 * `chunk.header` and each `chunk.columns[i]` as separate rows, or
 * {@link serializeChunk} for one object; read with {@link openChunkParts} /
 * {@link openChunk}, prune with the zone-map checks (`zoneMayMatch…` over
 * `reader.header.columns[i].zone`, no block read), filter on encoded data with
 * `ChunkReader.filterCompare` / `filterRange` / `filterIn` / `filterText`
 * (selection vectors), then decode only the needed columns with
 * `ChunkReader.column(i)` (text comes back as a DictVector when dictionary-coded).
 */

export {
  detectChunkPeriod,
  type EncodedChunk,
  type EncodeOptions,
  encodeChunk,
  encodeChunks,
  serializeChunk,
} from './chunk-encoder.ts';
export {
  CHUNK_FORMAT_VERSION,
  CHUNK_PREAMBLE_BYTES,
  type ChunkHeader,
  type ColumnMeta,
  type ColumnSchema,
  columnByteRange,
  MAX_BLOCK_BYTES,
  MAX_CHUNK_ROWS,
  readChunkHeader,
  readHeaderLength,
} from './chunk-format.ts';
export {
  ChunkReader,
  type ChunkReaderOptions,
  type ColumnFetcher,
  openChunk,
  openChunkParts,
} from './chunk-reader.ts';
export { Codec, codecName, decodeColumn, type EncodeHints, encodeColumn } from './column-codec.ts';
export { gatherColumn, gatherVector } from './gather.ts';
export {
  filterInBlock,
  filterRangeBlock,
  filterTextBlock,
  type NumberRange,
  unionSelections,
} from './pushdown.ts';
export { encodeTable, type TableEncodeStats } from './table-encoder.ts';
export {
  type CompareOp,
  compareText,
  compareZoneValues,
  type ZoneMap,
  type ZoneValue,
  zoneMayBeNotNull,
  zoneMayBeNull,
  zoneMayMatch,
  zoneMayMatchIn,
  zoneMayMatchRange,
} from './zone-map.ts';
