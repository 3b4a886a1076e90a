/**
 * @module engine/columnar/column-family
 * Codec families: the first byte of every column block, also recorded in the
 * chunk header, and the family each logical type is stored with.
 */

import type { ColumnType } from '../vector.ts';

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

/** Block flag: a null bitmap follows the two-byte block prefix. */
export const FLAG_NULLS = 1;
/** int64 payload kinds: every value within ±2^52 (integer stream), or raw 8 bytes each. */
export const INT64_SAFE = 0;
export const INT64_PLAIN = 1;

const KIND_NAMES: Readonly<Record<number, readonly string[]>> = {
  [Codec.int]: ['const', 'pfor', 'rle', 'plain', 'lag'],
  [Codec.bool]: ['const', 'bitpack', 'rle', 'plain', 'lag'],
  [Codec.float]: ['alp', 'gorilla', 'plain', 'f32'],
  [Codec.int64]: ['int', 'plain'],
  [Codec.string]: ['dict', 'plain', 'dict'],
};
const FAMILY_NAMES = ['null', 'int', 'float', 'int64', 'bool', 'text', 'bytea', 'interval'];

/** A short codec label for EXPLAIN and benchmarks, e.g. `float:alp`, `text:dict`, `int:rle`. */
export function codecName(codec: number, detail: number): string {
  const family = FAMILY_NAMES[codec] ?? `codec${codec}`;
  const kind = KIND_NAMES[codec]?.[detail];
  return kind === undefined ? family : `${family}:${kind}`;
}

/** Int-codec types whose executor values are µs in a Float64Array (beyond int32), not an Int32Array. */
export const isMicrosType = (type: ColumnType): boolean =>
  type === 'timestamp' || type === 'timestamptz' || type === 'time';

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
    case 'time':
      return Codec.int;
    case 'float32':
    case 'float64':
      return Codec.float;
    case 'int64':
      return Codec.int64;
    case 'text':
    case 'bpchar':
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

/** The stored month count of an infinite interval (+infinity; its negation −infinity): past int32, so never a finite one's. */
export const INFINITE_INTERVAL_MONTHS = 2 ** 31 + 1;
