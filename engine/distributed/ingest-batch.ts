/**
 * @module engine/distributed/ingest-batch
 * Columnar builders for parsed line protocol: one `MeasurementBatch` per
 * measurement, one `KeyColumn` per tag/field key, written at row indexes so
 * the parser never builds a per-row object. Strings (tag values and string
 * fields) are dictionary-coded per key, so routing hashes each distinct value
 * once and the chunk encoder receives codes.
 *
 * Builders are dense (rows × keys), so a body with many distinct keys could
 * ask for gigabytes: every allocation is charged to a `ColumnBudget`, which
 * fails the request with 54000 (HTTP 413) past its limit.
 */
import { SqlError, SqlState } from '../errors.ts';

/** Column builder memory one request may use: half the isolate's 128 MB, next to a body of up to 32 MiB. */
export const MAX_COLUMN_BUFFER_BYTES = 64 << 20;

/** Bytes per row of a `KeyColumn` (kind + num + code) and of a batch's own row arrays. */
const KEY_ROW_BYTES = 1 + 8 + 4;
const BATCH_ROW_BYTES = 4 + 4 + 8 + 1;

/** Builder memory charged so far for one body; throws once past `limit`. */
export class ColumnBudget {
  used = 0;
  constructor(readonly limit: number = MAX_COLUMN_BUFFER_BYTES) {}

  charge(bytes: number, keys: number, rows: number): void {
    this.used += bytes;
    if (this.used > this.limit)
      throw new SqlError(
        SqlState.programLimitExceeded,
        `the body needs more than ${this.limit >> 20} MiB of column buffers (${keys} distinct tag and field keys over ${rows} rows in one measurement); send fewer distinct keys or smaller bodies`,
      );
  }
}

/** Slot kinds of a `KeyColumn` row. */
export const Kind = { absent: 0, number: 1, bool: 2, string: 3 } as const;

/** Values of one tag/field key for every row of a batch (absent slots are 0). */
export class KeyColumn {
  /** `Kind` per row. */
  kind: Uint8Array;
  /** Number value (`Kind.number`) or 0/1 (`Kind.bool`). */
  num: Float64Array;
  /** Dictionary code (`Kind.string`). */
  code: Int32Array;
  /** Distinct strings in first-appearance order. */
  readonly dict: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    capacity: number,
  ) {
    this.kind = new Uint8Array(capacity);
    this.num = new Float64Array(capacity);
    this.code = new Int32Array(capacity);
  }

  /** The dictionary code of `s`, adding it when new. */
  codeOf(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(s);
      this.index.set(s, c);
    }
    return c;
  }

  /** Sets row `r` to a string. */
  setString(r: number, s: string): void {
    this.kind[r] = Kind.string;
    this.code[r] = this.codeOf(s);
  }

  grow(capacity: number): void {
    const kind = new Uint8Array(capacity);
    kind.set(this.kind);
    this.kind = kind;
    const num = new Float64Array(capacity);
    num.set(this.num);
    this.num = num;
    const code = new Int32Array(capacity);
    code.set(this.code);
    this.code = code;
  }
}

/** A field key as it last appeared at one position of a line, for a byte comparison instead of a decode. */
export interface FieldSlot {
  readonly bytes: Uint8Array;
  readonly column: KeyColumn;
}

/** All rows of one measurement in a body. */
export class MeasurementBatch {
  rows = 0;
  /** 1-based line number per row. */
  lines: Int32Array;
  /** Byte offset of the row's line in the body (to re-read it on the reference path). */
  starts: Int32Array;
  /** Timestamp in µs, NaN when the line had none. */
  time: Float64Array;
  /** 1 when the row must be checked by the reference path (a key written twice in one line). */
  recheck: Uint8Array;
  readonly keys = new Map<string, KeyColumn>();
  /** Field keys by position in the line, as last seen. */
  readonly slots: (FieldSlot | undefined)[] = [];
  private capacity: number;

  constructor(
    readonly measurement: string,
    capacity = 1024,
    private readonly budget: ColumnBudget = new ColumnBudget(Number.POSITIVE_INFINITY),
  ) {
    budget.charge(capacity * BATCH_ROW_BYTES, 0, 0);
    this.capacity = capacity;
    this.lines = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.recheck = new Uint8Array(capacity);
  }

  /** The column of key `name`, created (all rows absent) on first use. */
  key(name: string): KeyColumn {
    let k = this.keys.get(name);
    if (!k) {
      this.budget.charge(this.capacity * KEY_ROW_BYTES, this.keys.size + 1, this.rows);
      k = new KeyColumn(name, this.capacity);
      this.keys.set(name, k);
    }
    return k;
  }

  /** Makes room for row `this.rows`. */
  reserve(): void {
    if (this.rows < this.capacity) return;
    const cap = this.capacity * 2;
    this.budget.charge(
      this.capacity * (BATCH_ROW_BYTES + this.keys.size * KEY_ROW_BYTES),
      this.keys.size,
      this.rows,
    );
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    this.lines = grow(this.lines, Int32Array);
    this.starts = grow(this.starts, Int32Array);
    this.time = grow(this.time, Float64Array);
    this.recheck = grow(this.recheck, Uint8Array);
    for (const k of this.keys.values()) k.grow(cap);
    this.capacity = cap;
  }

  /** Clears every key of row `r` (a line the fast path gave up on midway). */
  clearRow(r: number): void {
    for (const k of this.keys.values()) k.kind[r] = Kind.absent;
    this.recheck[r] = 0;
  }

  /** Finishes row `this.rows`. */
  commit(line: number, start: number, timeUs: number): void {
    const r = this.rows++;
    this.lines[r] = line;
    this.starts[r] = start;
    this.time[r] = timeUs;
  }
}
