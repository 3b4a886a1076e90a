/**
 * @module engine/columnar/column-codec
 * One column block: `codec id, flags, [null bitmap], payload`. Dispatches on the
 * logical type to the integer, float, string or small plain codecs, computes the
 * zone map while it is at it, and decodes back to the executor's vectors
 * (text-like low-cardinality blocks decode to a DictVector).
 */

import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType, DictVector, FlatVector, Interval, Vector } from '../vector.ts';
import { ByteReader, ByteWriter, corrupt } from './byte-io.ts';
import {
  type ColumnInput,
  countNulls,
  fillNullSlots,
  int64Zone,
  numberZone,
  stringZone,
} from './column-stats.ts';
import { decodeFloatStream, type FloatBounds, readFloatStream, writeFloatStream } from './float-codec.ts';
import { detectPeriod, type IntStats, intStats } from './int-choice.ts';
import { decodeIntStream, readIntStream, writeIntStream } from './int-codec.ts';
import {
  buildDictionary,
  decodeCodes,
  decodeStrings,
  readStringStream,
  type StringSource,
  writeDictStrings,
  writePlainStrings,
} from './string-codec.ts';
import type { ZoneMap } from './zone-map.ts';

/** Codec families (first byte of a block, also recorded in the chunk header). */
export const Codec = {
  allNull: 0,
  int: 1,
  float: 2,
  int64: 3,
  bool: 4,
  string: 5,
  bytea: 6,
  interval: 7,
} as const;

const FLAG_NULLS = 1;
const INT64_SAFE = 0;
const INT64_PLAIN = 1;

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
 * `hints.period` lets numeric columns try the lag-p transform (text detects it by itself).
 */
export function encodeColumn(
  type: ColumnType,
  input: ColumnInput,
  n: number,
  hints: EncodeHints = {},
): EncodedColumn {
  const period = hints.period ?? 0;
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
      else if (type === 'timestamp' || type === 'timestamptz')
        expect(v instanceof Float64Array, type, 'Float64Array');
      else expect(v instanceof Int32Array, type, 'Int32Array');
      // NULL slots repeat a neighbour, so the stream's range is the zone's range.
      const filled = fillNullSlots(v as Int32Array, n, useNulls);
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
      writeFloatStream(w, fillNullSlots(input.values as Float64Array, n, useNulls), n, period, b);
      zone = floatZone(b, n, nullCount);
      break;
    }
    case Codec.int64:
      expect(input.values instanceof BigInt64Array, type, 'BigInt64Array');
      zone = int64Zone(input.values as BigInt64Array, n, useNulls, nullCount);
      writeInt64(w, input.values as BigInt64Array, n, period);
      break;
    case Codec.string: {
      if (input.codes !== undefined) {
        const dv = input.dictValues as StringSource;
        zone = stringZone(type, dv, dv.length, undefined, n, nullCount);
        writeDictStrings(w, dv, fillNullSlots(input.codes, n, useNulls), n, period);
        break;
      }
      expect(Array.isArray(input.values), type, 'string');
      const src = input.values as StringSource;
      const textPeriod = period || (useNulls ? 0 : detectPeriod(src, n));
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
      writeBytea(w, input.values as Uint8Array[], n);
      break;
    case Codec.interval:
      expect(Array.isArray(input.values), type, 'Interval[]');
      writeIntervals(w, input.values as Interval[], n);
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

const KIND_NAMES: Readonly<Record<number, readonly string[]>> = {
  [Codec.int]: ['const', 'pfor', 'rle', 'plain', 'lag'],
  [Codec.bool]: ['const', 'bitpack', 'rle', 'plain', 'lag'],
  [Codec.float]: ['alp', 'gorilla', 'plain'],
  [Codec.int64]: ['int', 'plain'],
  [Codec.string]: ['dict', 'plain'],
};
const FAMILY_NAMES = ['null', 'int', 'float', 'int64', 'bool', 'text', 'bytea', 'interval'];

/** A short codec label for EXPLAIN and benchmarks, e.g. `float:alp`, `text:dict`, `int:rle`. */
export function codecName(codec: number, detail: number): string {
  const family = FAMILY_NAMES[codec] ?? `codec${codec}`;
  const kind = KIND_NAMES[codec]?.[detail];
  return kind === undefined ? family : `${family}:${kind}`;
}

/** The codec family used for a logical type. */
export function codecOf(type: ColumnType): number {
  switch (type) {
    case 'bool':
      return Codec.bool;
    case 'int16':
    case 'int32':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return Codec.int;
    case 'float32':
    case 'float64':
      return Codec.float;
    case 'int64':
      return Codec.int64;
    case 'text':
    case 'uuid':
    case 'json':
    case 'numeric':
      return Codec.string;
    case 'bytea':
      return Codec.bytea;
    case 'interval':
      return Codec.interval;
  }
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

function writeBytea(w: ByteWriter, v: Uint8Array[], n: number): void {
  const lengths = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = v[i];
    lengths[i] = b instanceof Uint8Array ? b.length : 0;
    total += lengths[i];
  }
  w.u8(0);
  writeIntStream(w, lengths, n);
  w.u32(total);
  w.ensure(total);
  for (let i = 0; i < n; i++) if (lengths[i] > 0) w.bytes(v[i]);
}

function writeIntervals(w: ByteWriter, v: Interval[], n: number): void {
  const months = new Float64Array(n);
  const days = new Float64Array(n);
  const micros = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x == null) continue;
    months[i] = x.months;
    days[i] = x.days;
    micros[i] = x.micros;
  }
  w.u8(0);
  writeIntStream(w, months, n);
  writeIntStream(w, days, n);
  writeIntStream(w, micros, n);
}

/**
 * Decodes a block of `n` rows of `type`. Text, uuid and json dictionary blocks
 * come back as a DictVector; everything else as a FlatVector.
 */
export function decodeColumn(type: ColumnType, block: Uint8Array, n: number): Vector {
  const r = new ByteReader(block);
  const codec = r.u8();
  const flags = r.u8();
  if (codec === Codec.allNull) {
    const nulls = new Uint8Array((n + 7) >> 3).fill(0xff);
    return { kind: 'flat', type, length: n, values: emptyValues(type, n), nulls };
  }
  if (codec !== codecOf(type)) corrupt(`codec ${codec} does not match type ${type}`);
  const nulls = (flags & FLAG_NULLS) !== 0 ? r.bytesView((n + 7) >> 3).slice() : undefined;
  const flat = (values: FlatVector['values']): FlatVector =>
    nulls ? { kind: 'flat', type, length: n, values, nulls } : { kind: 'flat', type, length: n, values };
  switch (codec) {
    case Codec.bool: {
      const tmp = new Int32Array(n);
      decodeIntStream(readIntStream(r, n), tmp);
      return flat(Uint8Array.from(tmp));
    }
    case Codec.int: {
      const out = type === 'timestamp' || type === 'timestamptz' ? new Float64Array(n) : new Int32Array(n);
      decodeIntStream(readIntStream(r, n), out);
      return flat(out);
    }
    case Codec.float: {
      const out = new Float64Array(n);
      decodeFloatStream(readFloatStream(r, n), out);
      return flat(out);
    }
    case Codec.int64:
      return flat(readInt64(r, n));
    case Codec.string: {
      const s = readStringStream(r, n);
      if (s.kind === 1) return flat(decodeStrings(s.lengths, s.blob, n));
      const codes = decodeCodes(s.codes, s.dict.length);
      if (type === 'numeric') return flat(Array.from(codes, (c) => s.dict[c]));
      const dict: FlatVector = { kind: 'flat', type, length: s.dict.length, values: s.dict };
      const v: DictVector = nulls
        ? { kind: 'dict', type, length: n, codes, dict, nulls }
        : { kind: 'dict', type, length: n, codes, dict };
      return v;
    }
    case Codec.bytea:
      return flat(readBytea(r, n));
    case Codec.interval:
      return flat(readIntervals(r, n));
    default:
      return corrupt(`unknown codec ${codec}`);
  }
}

function emptyValues(type: ColumnType, n: number): FlatVector['values'] {
  switch (codecOf(type)) {
    case Codec.bool:
      return new Uint8Array(n);
    case Codec.int:
      return type === 'timestamp' || type === 'timestamptz' ? new Float64Array(n) : new Int32Array(n);
    case Codec.float:
      return new Float64Array(n);
    case Codec.int64:
      return new BigInt64Array(n);
    case Codec.bytea:
      return Array.from({ length: n }, () => new Uint8Array(0));
    case Codec.interval:
      return Array.from({ length: n }, () => ({ months: 0, days: 0, micros: 0 }));
    default:
      return new Array<string>(n).fill('');
  }
}

function readInt64(r: ByteReader, n: number): BigInt64Array {
  const kind = r.u8();
  const out = new BigInt64Array(n);
  if (kind === INT64_PLAIN) {
    r.align(8);
    new Uint8Array(out.buffer).set(r.bytesView(n * 8));
    return out;
  }
  if (kind !== INT64_SAFE) corrupt('int64 kind');
  const nums = new Float64Array(n);
  decodeIntStream(readIntStream(r, n), nums);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = nums[i];
    words[2 * i] = x >>> 0;
    words[2 * i + 1] = Math.floor(x / 4294967296) >>> 0;
  }
  return out;
}

function readBytea(r: ByteReader, n: number): Uint8Array[] {
  r.u8();
  const lengths = new Int32Array(n);
  decodeIntStream(readIntStream(r, n), lengths);
  const blob = r.bytesView(r.u32()).slice();
  const out: Uint8Array[] = new Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const end = pos + lengths[i];
    if (lengths[i] < 0 || end > blob.length) corrupt('bytea lengths');
    out[i] = blob.subarray(pos, end);
    pos = end;
  }
  return out;
}

function readIntervals(r: ByteReader, n: number): Interval[] {
  r.u8();
  const months = new Float64Array(n);
  const days = new Float64Array(n);
  const micros = new Float64Array(n);
  decodeIntStream(readIntStream(r, n), months);
  decodeIntStream(readIntStream(r, n), days);
  decodeIntStream(readIntStream(r, n), micros);
  const out: Interval[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { months: months[i], days: days[i], micros: micros[i] };
  return out;
}
