/**
 * @module engine/vector
 * The in-memory column representation shared by the columnar decoder and the
 * vectorized executor. Fixed-width types live in typed arrays; nulls are a
 * separate validity bitmap so kernels can run branch-free over values.
 *
 * Physical representation per logical type (all timestamps in microseconds):
 * - bool                       → Uint8Array (0/1)
 * - int16, int32, date (days)  → Int32Array
 * - int64                      → BigInt64Array (exact 64-bit)
 * - timestamp, timestamptz     → Float64Array of integral µs since 1970-01-01 UTC
 *                                (exact for ±285 years around 1970; see docs)
 * - float32, float64           → Float64Array
 * - numeric                    → string[] canonical decimal text (exact)
 * - text, uuid                 → string[] or a dictionary vector (codes + dict)
 * - bytea                      → Uint8Array[]
 * - interval                   → Interval[]
 */

/** Logical column types known to the engine (PostgreSQL names in comments). */
export type ColumnType =
  | 'bool' // boolean
  | 'int16' // smallint
  | 'int32' // integer
  | 'int64' // bigint
  | 'float32' // real
  | 'float64' // double precision
  | 'numeric' // numeric
  | 'text' // text / varchar
  | 'bpchar' // character(n): blank-padded, trailing blanks insignificant
  | 'bytea'
  | 'uuid'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'time' // time without time zone: µs since midnight
  | 'json'; // jsonb / json, stored as canonical text

/** PostgreSQL interval: months, days and microseconds are kept apart as PostgreSQL does. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export type FixedValues = Uint8Array | Int32Array | BigInt64Array | Float64Array;
export type ObjectValues = string[] | Uint8Array[] | Interval[];

/** A plain column of `length` values. `nulls`, when present, has bit i set when row i is NULL. */
export interface FlatVector {
  readonly kind: 'flat';
  readonly type: ColumnType;
  readonly length: number;
  readonly values: FixedValues | ObjectValues;
  readonly nulls?: Uint8Array;
}

/**
 * A dictionary-encoded column (late materialization): row i is `dict[codes[i]]`.
 * Predicates on text can run over `dict` once and then over `codes`.
 */
export interface DictVector {
  readonly kind: 'dict';
  readonly type: ColumnType;
  readonly length: number;
  readonly codes: Int32Array;
  readonly dict: FlatVector;
  readonly nulls?: Uint8Array;
}

/** Every row has the same value (e.g. a literal, or an RLE run covering the batch). */
export interface ConstVector {
  readonly kind: 'const';
  readonly type: ColumnType;
  readonly length: number;
  readonly value: unknown;
}

export type Vector = FlatVector | DictVector | ConstVector;

/** A batch of rows: one vector per column plus an optional selection of live row indexes. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
  /** Indexes of selected rows (ascending). Absent means all rows 0..length-1. */
  readonly selection?: Uint32Array;
}

/** Null bitmap helpers (bit i of byte i>>3). */
export function isNullAt(nulls: Uint8Array | undefined, i: number): boolean {
  return nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0;
}

export function setNullAt(nulls: Uint8Array, i: number): void {
  nulls[i >> 3] |= 1 << (i & 7);
}

export function newNullBitmap(length: number): Uint8Array {
  return new Uint8Array((length + 7) >> 3);
}
