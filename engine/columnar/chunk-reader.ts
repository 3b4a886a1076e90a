/**
 * @module engine/columnar/chunk-reader
 * Reading chunks lazily: the header is parsed up front, each column block is
 * fetched and decoded only when a query asks for it (and cached), and filters
 * run on encoded blocks after the zone map has had its say. A clustered text
 * column (run-length coded dictionary codes) gets a value → row-runs index on
 * first equality filter, so later `=` / `IN` filters cost a map lookup.
 */

import type { ColumnType, Vector } from '../vector.ts';
import { aligned8, corrupt } from './byte-io.ts';
import { crc32 } from './checksum.ts';
import { type ChunkHeader, type ColumnMeta, columnByteRange, readChunkHeader } from './chunk-format.ts';
import { decodeColumn } from './column-decoder.ts';
import { releaseVector } from './decode-buffers.ts';
import { gatherColumn, gatherVector } from './gather.ts';
import {
  filterInBlock,
  filterRangeBlock,
  filterTextBlock,
  type NumberRange,
  selectAll,
  unionSelections,
} from './pushdown.ts';
import { buildRunIndex, type RunIndex, rowsOfRuns } from './run-index.ts';
import {
  type CompareOp,
  compareHolds,
  compareText,
  zoneMayMatch,
  zoneMayMatchIn,
  zoneMayMatchRange,
} from './zone-map.ts';

/** Returns the bytes of column block `i` (e.g. a SQLite blob row, or an R2 range already fetched). */
export type ColumnFetcher = (columnIndex: number) => Uint8Array;

/** Reader options. */
export interface ChunkReaderOptions {
  /**
   * Keep decoded vectors (and fetched blocks) for later calls (default true).
   * A long-lived reader over many chunks should pass false, or call
   * {@link ChunkReader.evict} after each scan, to stay within a query's memory budget.
   */
  readonly cache?: boolean;
}

/**
 * A chunk opened for reading. Decoding is lazy and per column. Vectors returned
 * by {@link column} are shared with the cache: treat them as immutable, and as
 * valid until {@link evict} (which recycles their arrays).
 */
export class ChunkReader {
  private readonly blocks: (Uint8Array | undefined)[];
  private readonly vectors: (Vector | undefined)[];
  /** Per text column: value → row runs of a run-length coded dictionary block (null: not one). */
  private readonly runIndexes: (RunIndex | null | undefined)[];
  /** Per column: the fetched array whose checksum was verified (weakly: eviction still frees it). */
  private readonly verified: (WeakRef<Uint8Array> | undefined)[];
  private readonly cache: boolean;

  constructor(
    readonly header: ChunkHeader,
    private readonly fetchColumn: ColumnFetcher,
    options: ChunkReaderOptions = {},
  ) {
    this.blocks = new Array(header.columns.length);
    this.vectors = new Array(header.columns.length);
    this.runIndexes = new Array(header.columns.length);
    this.verified = new Array(header.columns.length);
    this.cache = options.cache ?? true;
  }

  /**
   * Drops cached blocks and vectors (of column `i`, or all), releasing their
   * memory. The vectors' arrays go back to the decode-buffers pool, so a later
   * decode may overwrite them: vectors (and views of them) obtained from
   * {@link column} before the eviction must not be read after it.
   */
  evict(i?: number): void {
    if (i === undefined) {
      for (const v of this.vectors) if (v !== undefined) releaseVector(v);
      this.blocks.fill(undefined);
      this.vectors.fill(undefined);
      this.runIndexes.fill(undefined);
    } else {
      const v = this.vectors[i];
      if (v !== undefined) releaseVector(v);
      this.blocks[i] = undefined;
      this.vectors[i] = undefined;
      this.runIndexes[i] = undefined;
    }
  }

  get rowCount(): number {
    return this.header.rowCount;
  }

  get columns(): readonly ColumnMeta[] {
    return this.header.columns;
  }

  /** Index of the column named `name`, or -1. */
  columnIndex(name: string): number {
    return this.header.columns.findIndex((c) => c.name === name);
  }

  /** Raw (8-byte aligned) bytes of block `i`; fetched and checksum-verified once. */
  block(i: number): Uint8Array {
    const meta = this.header.columns[i];
    if (meta === undefined) throw new RangeError(`column index ${i} out of range`);
    let b = this.blocks[i];
    if (b === undefined) {
      const raw = this.fetchColumn(i);
      if (raw.length !== meta.byteLength)
        corrupt(`column ${i} block has ${raw.length} bytes, header says ${meta.byteLength}`);
      // An in-memory fetcher hands back the very array it did before an eviction:
      // those bytes were verified already (a third of a cold one-host gather).
      if (this.verified[i]?.deref() !== raw) {
        if (crc32(raw) !== meta.checksum) corrupt(`column ${i} block fails its checksum`);
        this.verified[i] = new WeakRef(raw);
      }
      b = aligned8(raw);
      if (this.cache) this.blocks[i] = b;
    }
    return b;
  }

  /** Column `i` decoded into an executor vector (cached). */
  column(i: number): Vector {
    let v = this.vectors[i];
    if (v === undefined) {
      v = decodeColumn(this.header.columns[i].type, this.block(i), this.header.rowCount);
      if (this.cache) this.vectors[i] = v;
    }
    return v;
  }

  /**
   * Rows `sel` (ascending) of column `i` as a vector of `sel.length` rows: late
   * materialization after a selective filter. Uses the cached vector when there
   * is one, else reads only the selected rows from the encoded block.
   */
  gather(i: number, sel: Uint32Array): Vector {
    const cached = this.vectors[i];
    if (cached !== undefined) return gatherVector(cached, sel);
    return gatherColumn(this.header.columns[i].type, this.block(i), this.header.rowCount, sel);
  }

  /**
   * Rows whose column `i` lies in `range` (numeric, date and timestamp columns),
   * as ascending indexes. The zone map answers first: no block is read when it
   * proves no row or every row matches.
   */
  filterRange(i: number, range: NumberRange): Uint32Array {
    const meta = this.header.columns[i];
    const { zone } = meta;
    if (
      !zoneMayMatchRange(zone, range.lo, range.hi, range.loInclusive !== false, range.hiInclusive !== false)
    ) {
      return new Uint32Array(0);
    }
    if (
      zone.nullCount === 0 &&
      !zone.hasNaN &&
      typeof zone.min === 'number' &&
      typeof zone.max === 'number'
    ) {
      const loOk =
        range.lo === undefined || (range.loInclusive === false ? zone.min > range.lo : zone.min >= range.lo);
      const hiOk =
        range.hi === undefined || (range.hiInclusive === false ? zone.max < range.hi : zone.max <= range.hi);
      if (loOk && hiOk) return selectAll(this.header.rowCount);
    }
    return filterRangeBlock(meta.type, this.block(i), this.header.rowCount, range);
  }

  /** Rows whose text-like column `i` equals one of `values` (`=` / `IN`), using dictionary codes. */
  filterIn(i: number, values: readonly string[]): Uint32Array {
    const meta = this.header.columns[i];
    if (!zoneMayMatchIn(meta.zone, values)) return new Uint32Array(0);
    if (this.cache) {
      let index = this.runIndexes[i];
      if (index === undefined)
        index = this.runIndexes[i] = buildRunIndex(this.block(i), this.header.rowCount);
      if (index !== null) return rowsOfRuns(index, values);
    }
    return filterInBlock(this.block(i), this.header.rowCount, values);
  }

  /**
   * Rows whose text-like column `i` satisfies `predicate` (LIKE, ranges, …);
   * evaluated once per dictionary entry when the block is dictionary-encoded.
   */
  filterText(i: number, predicate: (value: string) => boolean): Uint32Array {
    return filterTextBlock(this.block(i), this.header.rowCount, predicate);
  }

  /**
   * Rows where `column op value` holds, evaluated on encoded data: numeric,
   * date and timestamp columns take a number; text, uuid and json take a string
   * (compared in C collation). Returns undefined for types without a kernel
   * (int64, numeric, bytea, interval) — decode and compare instead.
   */
  filterCompare(i: number, op: CompareOp, value: number | string): Uint32Array | undefined {
    const meta = this.header.columns[i];
    if (!zoneMayMatch(meta.zone, op, value)) return new Uint32Array(0);
    if (typeof value === 'string') {
      if (!TEXT_TYPES.has(meta.type)) return undefined;
      if (op === '=') return this.filterIn(i, [value]);
      return this.filterText(i, (s) => compareHolds(compareText(s, value), op));
    }
    if (!NUMBER_TYPES.has(meta.type)) return undefined;
    switch (op) {
      case '=':
        return this.filterRange(i, { lo: value, hi: value });
      case '<':
        return this.filterRange(i, { hi: value, hiInclusive: false });
      case '<=':
        return this.filterRange(i, { hi: value });
      case '>':
        return this.filterRange(i, { lo: value, loInclusive: false });
      case '>=':
        return this.filterRange(i, { lo: value });
      case '<>':
        return unionSelections(
          this.filterRange(i, { hi: value, hiInclusive: false }),
          this.filterRange(i, { lo: value, loInclusive: false }),
        );
    }
  }
}

const TEXT_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>(['text', 'uuid', 'json']);
const NUMBER_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>([
  'bool',
  'int16',
  'int32',
  'date',
  'timestamp',
  'timestamptz',
  'time',
  'float32',
  'float64',
]);

/** Opens the single-buffer form (an R2 object or `serializeChunk` output). */
export function openChunk(bytes: Uint8Array, options: ChunkReaderOptions = {}): ChunkReader {
  const header = readChunkHeader(bytes);
  return new ChunkReader(
    header,
    (i) => {
      const { start, end } = columnByteRange(header, i);
      if (end > bytes.length) corrupt('column block beyond end of buffer');
      return bytes.subarray(start, end);
    },
    options,
  );
}

/** Opens the split form: header bytes plus a per-column fetcher (e.g. one SQLite blob row per column). */
export function openChunkParts(
  header: Uint8Array,
  fetchColumn: ColumnFetcher,
  options: ChunkReaderOptions = {},
): ChunkReader {
  return new ChunkReader(readChunkHeader(header), fetchColumn, options);
}
