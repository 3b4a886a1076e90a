/**
 * @module engine/columnar/chunk-encoder
 * Turns executor vectors into chunks: at most {@link MAX_CHUNK_ROWS} rows each
 * and every column block at most {@link MAX_BLOCK_BYTES}; a row range whose
 * block would be larger is halved and re-encoded, so callers never have to split.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { Vector } from '../vector.ts';
import { crc32 } from './checksum.ts';
import {
  type ChunkHeader,
  type ColumnMeta,
  type ColumnSchema,
  MAX_BLOCK_BYTES,
  MAX_CHUNK_ROWS,
  readChunkHeader,
  serializeParts,
  writeChunkHeader,
} from './chunk-format.ts';
import { gatheredInputOf, sliceTableDictionary, tableInputOf } from './chunk-input.ts';
import { encodeColumn } from './column-codec.ts';
import { Codec, codecOf } from './column-family.ts';
import { type ColumnInput, columnInputOf } from './column-stats.ts';
import { detectPeriod } from './int-choice.ts';
import { type RowOrderKey, rowOrder } from './row-order.ts';

/** An encoded chunk in its split form: `header` is one SQLite row, each `columns[i]` one blob row. */
export interface EncodedChunk {
  readonly header: Uint8Array;
  readonly columns: readonly Uint8Array[];
  /** The parsed header (zone maps, codecs, byte lengths). */
  readonly meta: ChunkHeader;
}

/** Options for tests and tuning. */
export interface EncodeOptions {
  /** Block size limit in bytes (default {@link MAX_BLOCK_BYTES}). */
  readonly maxBlockBytes?: number;
  /** Row limit per chunk (default and maximum {@link MAX_CHUNK_ROWS}). */
  readonly maxRows?: number;
  /**
   * Sort keys for the rows inside each chunk (segmentby columns, then orderby):
   * which rows a chunk holds does not change, only their order ({@link encodeChunks} only).
   */
  readonly order?: readonly RowOrderKey[];
}

function checkShape(schema: readonly ColumnSchema[], columns: readonly unknown[], rowCount: number): void {
  if (schema.length !== columns.length) {
    throw new SqlError(
      SqlState.invalidParameterValue,
      `chunk has ${schema.length} columns but ${columns.length} vectors`,
    );
  }
  if (!Number.isInteger(rowCount) || rowCount < 0) {
    throw new SqlError(SqlState.invalidParameterValue, `invalid chunk row count ${rowCount}`);
  }
}

/**
 * A row period shared by the chunk's columns, found on a column where it is
 * exact (text tags or integer keys repeating in the same order, as time-major
 * metrics do: every timestamp lists the hosts in the same order). Numeric
 * columns then try `x[i] − x[i−p]`, which turns a per-host random walk
 * interleaved across hosts back into small steps. 0 when there is none.
 */
export function detectChunkPeriod(
  schema: readonly ColumnSchema[],
  inputs: readonly ColumnInput[],
  rowCount: number,
): number {
  for (let c = 0; c < schema.length; c++) {
    const input = inputs[c];
    if (input.nulls !== undefined) continue;
    const keys = input.codes ?? input.values;
    if (keys instanceof Float64Array && schema[c].type.startsWith('float')) continue;
    if (keys instanceof BigInt64Array || keys instanceof Uint8Array) continue;
    const p = detectPeriod(keys as ArrayLike<unknown>, rowCount);
    if (p > 0) return p;
  }
  return 0;
}

function encodeInputs(
  schema: readonly ColumnSchema[],
  inputs: readonly ColumnInput[],
  rowCount: number,
  clustered = false,
) {
  const blocks: Uint8Array[] = [];
  const metas: ColumnMeta[] = [];
  // Clustered rows hold each series contiguously: steps, not periods, are small.
  const hints = { period: clustered ? 0 : detectChunkPeriod(schema, inputs, rowCount) };
  for (let c = 0; c < schema.length; c++) {
    const e = encodeColumn(schema[c].type, inputs[c], rowCount, hints);
    blocks.push(e.bytes);
    metas.push({
      ...schema[c],
      codec: e.codec,
      detail: e.detail,
      byteLength: e.bytes.length,
      checksum: crc32(e.bytes),
      zone: e.zone,
    });
  }
  const header = writeChunkHeader(rowCount, metas);
  return { header, columns: blocks, meta: readChunkHeader(header) };
}

/**
 * Encodes one chunk of `rowCount` rows (≤ 65536). Throws SqlError 54000 when a
 * block would exceed the 2 MB limit — use {@link encodeChunks} to split instead.
 */
export function encodeChunk(
  schema: readonly ColumnSchema[],
  columns: readonly Vector[],
  rowCount: number,
  options: EncodeOptions = {},
): EncodedChunk {
  checkShape(schema, columns, rowCount);
  const maxRows = Math.min(options.maxRows ?? MAX_CHUNK_ROWS, MAX_CHUNK_ROWS);
  if (rowCount > maxRows) {
    throw new SqlError(
      SqlState.programLimitExceeded,
      `a chunk holds at most ${maxRows} rows, got ${rowCount}`,
    );
  }
  const chunk = encodeInputs(schema, columns.map(columnInputOf), rowCount);
  const limit = options.maxBlockBytes ?? MAX_BLOCK_BYTES;
  chunk.columns.forEach((b, i) => {
    if (b.length > limit) {
      throw new SqlError(
        SqlState.programLimitExceeded,
        `column "${schema[i].name}" block is ${b.length} bytes, above the ${limit}-byte limit`,
      );
    }
  });
  return chunk;
}

/**
 * Encodes any number of rows into as many chunks as needed: row ranges of at
 * most 65536, halved further while a column block exceeds the 2 MB limit.
 * Throws SqlError 54000 only when a single row's value is larger than a block.
 */
export function encodeChunks(
  schema: readonly ColumnSchema[],
  columns: readonly Vector[],
  rowCount: number,
  options: EncodeOptions = {},
): EncodedChunk[] {
  checkShape(schema, columns, rowCount);
  const maxRows = Math.max(1, Math.min(options.maxRows ?? MAX_CHUNK_ROWS, MAX_CHUNK_ROWS));
  const limit = options.maxBlockBytes ?? MAX_BLOCK_BYTES;
  const inputs = options.order?.length
    ? []
    : columns.map((v, c) => tableInputOf(v, codecOf(schema[c].type) === Codec.string, rowCount));
  const out: EncodedChunk[] = [];
  const clustered = (options.order?.length ?? 0) > 0;
  const encodeRange = (src: readonly ColumnInput[], start: number, count: number): void => {
    const sliced = src.map((c) => sliceInput(c, start, count));
    const chunk = encodeInputs(schema, sliced, count, clustered);
    const big = chunk.columns.findIndex((b) => b.length > limit);
    if (big < 0) {
      out.push(chunk);
      return;
    }
    if (count === 1) {
      throw new SqlError(
        SqlState.programLimitExceeded,
        `a value in column "${schema[big].name}" needs ${chunk.columns[big].length} bytes, above the ${limit}-byte block limit`,
      );
    }
    // Split in proportion to the overshoot so very large rows do not cost many halvings.
    const parts = Math.max(2, Math.ceil(chunk.columns[big].length / limit));
    const step = Math.ceil(count / parts);
    for (let s = 0; s < count; s += step) encodeRange(src, start + s, Math.min(step, count - s));
  };
  for (let start = 0; start < rowCount; start += maxRows) {
    const count = Math.min(maxRows, rowCount - start);
    const perm = options.order?.length ? rowOrder(columns, options.order, start, count) : undefined;
    if (perm === undefined) encodeRange(inputs, start, count);
    else
      encodeRange(
        columns.map((v, c) => gatheredInputOf(v, perm, codecOf(schema[c].type) === Codec.string)),
        0,
        count,
      );
  }
  return out;
}

/** The single-buffer form of a chunk (R2 object): header, then 8-aligned column blocks. */
export function serializeChunk(chunk: EncodedChunk): Uint8Array {
  return serializeParts(chunk.header, chunk.columns);
}

/** Rows `[start, start+count)` of an encoder input, without copying typed values. */
export function sliceInput(c: ColumnInput, start: number, count: number): ColumnInput {
  if (c.dictTable === true) return sliceTableDictionary(c, start, count);
  if (start === 0 && (c.codes ?? c.values).length === count) return c;
  // A part of a chunk dictionary gets its own, numbered as the part's rows first use it.
  if (c.dictCompact === true) return sliceTableDictionary(c, start, count);
  const nulls = c.nulls === undefined ? undefined : sliceBits(c.nulls, start, count);
  if (c.codes !== undefined) {
    return { values: [], nulls, codes: c.codes.subarray(start, start + count), dictValues: c.dictValues };
  }
  const v = c.values;
  const values = Array.isArray(v) ? v.slice(start, start + count) : v.subarray(start, start + count);
  return { values: values as ColumnInput['values'], nulls };
}

function sliceBits(bits: Uint8Array, start: number, count: number): Uint8Array {
  if ((start & 7) === 0) return bits.subarray(start >> 3, (start + count + 7) >> 3);
  const out = new Uint8Array((count + 7) >> 3);
  for (let i = 0; i < count; i++) {
    const j = start + i;
    if ((bits[j >> 3] & (1 << (j & 7))) !== 0) out[i >> 3] |= 1 << (i & 7);
  }
  return out;
}
