/**
 * @module engine/distributed/ingest-batch
 * Columnar builders for parsed line protocol: one `MeasurementBatch` per
 * measurement, one `KeyColumn` per tag/field key, written at row indexes so
 * the parser never builds a per-row object. Strings (tag values and string
 * fields) are dictionary-coded per key, so routing hashes each distinct value
 * once and the chunk encoder receives codes.
 */

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
  ) {
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
      k = new KeyColumn(name, this.capacity);
      this.keys.set(name, k);
    }
    return k;
  }

  /** Makes room for row `this.rows`. */
  reserve(): void {
    if (this.rows < this.capacity) return;
    const cap = this.capacity * 2;
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
