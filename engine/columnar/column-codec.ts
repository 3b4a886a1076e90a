/**
 * @module engine/columnar/column-codec
 * One column block: `codec id, flags, [null bitmap], payload`. Dispatches on the
 * logical type to the integer, float, string or small plain codecs and computes
 * the zone map while it is at it. Decoding is in column-decoder.
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType, Interval } from '../vector.ts';
import { ByteWriter } from './byte-io.ts';
import {
  Codec,
  codecOf,
  FLAG_NULLS,
  INFINITE_INTERVAL_MONTHS,
  INT64_PLAIN,
  INT64_SAFE,
  isMicrosType,
} from './column-family.ts';
import {
  type ColumnInput,
  countNulls,
  fillNullSlots,
  int64Zone,
  numberZone,
  stringZone,
} from './column-stats.ts';
import { type FloatBounds, writeFloatStream } from './float-codec.ts';
import { detectApproxPeriod, detectPeriod, type IntStats, intStats } from './int-choice.ts';
import { writeIntStream } from './int-codec.ts';
import {
  buildDictionary,
  compactDictionary,
  type StringSource,
  writeDictStrings,
  writePlainStrings,
} from './string-codec.ts';
import type { ZoneMap } from './zone-map.ts';

// Decoding lives in column-decoder; re-exported so one import serves both directions.
export { decodeColumn } from './column-decoder.ts';
export { Codec, codecName, codecOf } from './column-family.ts';

/** An encoded column block plus what the chunk header records about it. */
export interface EncodedColumn {
  readonly bytes: Uint8Array;
  readonly codec: number;
  /** Codec-specific sub-kind (first payload byte), for EXPLAIN and tests. */
  readonly detail: number;
  readonly zone: ZoneMap;
}

/** Max distinct strings for dictionary encoding: half the rows (above that plain is smaller). */
function maxDistinct(n: number): number {
  return Math.max(1, n >>> 1);
}

function expect(ok: boolean, type: ColumnType, what: string): void {
  if (!ok) throw new SqlError(SqlState.datatypeMismatch, `column of type ${type} needs ${what} values`);
}

/** Chunk-level facts that help every column's codec choice. */
export interface EncodeHints {
  /** Row period (e.g. hosts repeating in the same order every timestamp); see `detectChunkPeriod`. */
  readonly period?: number;
}

/**
 * Encodes one column of `n` rows. Throws SqlError 42804 when the vector does not match `type`.
 * `hints.period` lets numeric columns try the lag-p transform; without it each
 * column looks for a period itself (exact for text, approximate for numbers).
 */
export function encodeColumn(
  type: ColumnType,
  input: ColumnInput,
  n: number,
  hints: EncodeHints = {},
): EncodedColumn {
  // Without a chunk-level hint, numeric columns look for an approximate period themselves.
  const hinted = hints.period;
  const nulls = input.nulls;
  const have = (input.codes ?? input.values).length;
  if (have < n || (nulls !== undefined && nulls.length < (n + 7) >> 3)) {
    throw new SqlError(SqlState.invalidParameterValue, `column of ${have} values cannot fill ${n} rows`);
  }
  const nullCount = countNulls(nulls, n);
  const w = new ByteWriter(4096);
  let zone: ZoneMap = { rowCount: n, nullCount };
  if (nullCount === n && n > 0) {
    w.u8(Codec.allNull);
    w.u8(0);
    return { bytes: w.finish(), codec: Codec.allNull, detail: 0, zone };
  }
  const codec = codecOf(type);
  w.u8(codec);
  w.u8(nullCount > 0 ? FLAG_NULLS : 0);
  if (nullCount > 0) w.bytes(nulls!.subarray(0, (n + 7) >> 3));
  const payloadAt = w.length;
  const useNulls = nullCount > 0 ? nulls : undefined;
  switch (codec) {
    case Codec.int:
    case Codec.bool: {
      const v = input.values;
      if (codec === Codec.bool) expect(v instanceof Uint8Array, type, 'Uint8Array');
      else if (isMicrosType(type)) expect(v instanceof Float64Array, type, 'Float64Array');
      else expect(v instanceof Int32Array, type, 'Int32Array');
      // NULL slots repeat a neighbour, so the stream's range is the zone's range.
      const filled = fillNullSlots(v as Int32Array, n, useNulls);
      const period = hinted ?? (codec === Codec.int ? detectApproxPeriod(filled, n) : 0);
      const stats: IntStats = { min: 0, max: 0, runs: 0, nonInt: false };
      intStats(filled, n, stats);
      zone = stats.nonInt
        ? numberZone(filled, n, useNulls, nullCount)
        : { rowCount: n, nullCount, min: stats.min, max: stats.max };
      writeIntStream(w, filled, n, true, period, stats);
      break;
    }
    case Codec.float: {
      expect(input.values instanceof Float64Array, type, 'Float64Array');
      const b: FloatBounds = { min: 0, max: 0, hasNaN: false };
      const filled = fillNullSlots(input.values as Float64Array, n, useNulls);
      const period = hinted ?? detectApproxPeriod(filled, n);
      writeFloatStream(w, filled, n, period, b, type === 'float32');
      zone = floatZone(b, n, nullCount);
      break;
    }
    case Codec.int64:
      expect(input.values instanceof BigInt64Array, type, 'BigInt64Array');
      zone = int64Zone(input.values as BigInt64Array, n, useNulls, nullCount);
      writeInt64(w, input.values as BigInt64Array, n, hinted ?? 0);
      break;
    case Codec.string: {
      if (input.codes !== undefined) {
        const local =
          input.dictCompact === true && useNulls === undefined
            ? { dict: input.dictValues ?? [], codes: input.codes }
            : compactDictionary(fillNullSlots(input.codes, n, useNulls), n, input.dictValues ?? []);
        zone = stringZone(type, local.dict, local.dict.length, undefined, n, nullCount);
        writeDictStrings(w, local.dict, local.codes, n, hinted ?? 0);
        break;
      }
      expect(Array.isArray(input.values), type, 'string');
      const src = input.values as StringSource;
      const textPeriod = hinted || (useNulls ? 0 : detectPeriod(src, n));
      const dict = buildDictionary(src, n, useNulls, maxDistinct(n), textPeriod);
      if (dict !== undefined) {
        zone = stringZone(type, dict.dict, dict.dict.length, undefined, n, nullCount);
        writeDictStrings(w, dict.dict, dict.codes, n, textPeriod);
      } else {
        zone = stringZone(type, src, n, useNulls, n, nullCount);
        writePlainStrings(w, src, n);
      }
      break;
    }
    case Codec.bytea:
      expect(Array.isArray(input.values), type, 'Uint8Array[]');
      writeBytea(w, input.values as Uint8Array[], n, useNulls);
      break;
    case Codec.interval:
      expect(Array.isArray(input.values), type, 'Interval[]');
      writeIntervals(w, input.values as Interval[], n, useNulls);
      break;
  }
  const detail = w.length > payloadAt ? w.raw[payloadAt] : 0;
  return { bytes: w.finish(), codec, detail, zone };
}
function floatZone(b: FloatBounds, n: number, nullCount: number): ZoneMap {
  const zone: ZoneMap =
    b.min <= b.max ? { rowCount: n, nullCount, min: b.min, max: b.max } : { rowCount: n, nullCount };
  return b.hasNaN ? { ...zone, hasNaN: true } : zone;
}
function writeInt64(w: ByteWriter, v: BigInt64Array, n: number, period: number): void {
  const words = new Int32Array(v.buffer, v.byteOffset, n * 2);
  const nums = new Float64Array(n);
  let safe = true;
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1];
    // |value| < 2^52 keeps hi within ±2^20 and the number exact.
    if (hi < -1048576 || hi >= 1048576) {
      safe = false;
      break;
    }
    nums[i] = hi * 4294967296 + (words[2 * i] >>> 0);
  }
  if (safe) {
    w.u8(INT64_SAFE);
    writeIntStream(w, nums, n, true, period);
    return;
  }
  w.u8(INT64_PLAIN);
  w.align(8);
  w.bytes(new Uint8Array(v.buffer, v.byteOffset, n * 8));
}

function isNull(nulls: Uint8Array | undefined, i: number): boolean {
  return nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0;
}

function writeBytea(w: ByteWriter, v: Uint8Array[], n: number, nulls: Uint8Array | undefined): void {
  const lengths = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (isNull(nulls, i)) continue;
    const b = v[i];
    if (!(b instanceof Uint8Array))
      throw new SqlError(SqlState.datatypeMismatch, `bytea value at row ${i} is not bytes`);
    lengths[i] = b.length;
    total += b.length;
  }
  w.u8(0);
  writeIntStream(w, lengths, n);
  w.u32(total);
  w.ensure(total);
  for (let i = 0; i < n; i++) if (lengths[i] > 0) w.bytes(v[i]);
}

function writeIntervals(w: ByteWriter, v: Interval[], n: number, nulls: Uint8Array | undefined): void {
  const months = new Float64Array(n);
  const days = new Float64Array(n);
  const micros = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (isNull(nulls, i)) continue;
    const x = v[i];
    if (x != null && (x.months === Infinity || x.months === -Infinity)) {
      // ±infinity (PostgreSQL 17): a month count no finite interval has (outside int32).
      months[i] = x.months > 0 ? INFINITE_INTERVAL_MONTHS : -INFINITE_INTERVAL_MONTHS;
      continue;
    }
    if (
      x == null ||
      !Number.isInteger(x.months) ||
      !Number.isInteger(x.days) ||
      !Number.isInteger(x.micros)
    ) {
      throw new SqlError(
        SqlState.datatypeMismatch,
        `interval value at row ${i} is not {months, days, micros} integers`,
      );
    }
    months[i] = x.months;
    days[i] = x.days;
    micros[i] = x.micros;
  }
  w.u8(0);
  writeIntStream(w, months, n);
  writeIntStream(w, days, n);
  writeIntStream(w, micros, n);
}
