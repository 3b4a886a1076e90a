/**
 * @module engine/exec/spill-codec
 * Row blocks for spill runs: a u32 row count and a u16 width, then each value
 * as a one-byte tag and a payload (int32 and float64 fixed-width, int64 as 8
 * bytes, ASCII text as bytes, other text as UTF-16 code units so lone
 * surrogates survive, bytea, intervals, nested arrays). Exact round trip of
 * every value the executor holds in a row; decoding also returns the rows'
 * accounted size (memory.ts's estimates) so readers can reserve it.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_F64 = 3;
const T_I32 = 4;
const T_I64 = 5;
const T_BIGTEXT = 6;
const T_ASCII = 7;
const T_UTF16 = 8;
const T_BYTES = 9;
const T_INTERVAL = 10;
const T_ARRAY = 11;
const T_UNDEF = 12;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Appends rows to one growing block. */
export class BlockEncoder {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private pos = 6;
  rows = 0;

  /** Encoded size so far. */
  get size(): number {
    return this.pos;
  }

  add(row: readonly unknown[]): void {
    if (this.rows === 0) this.view.setUint16(4, row.length, true);
    for (let i = 0; i < row.length; i++) this.value(row[i]);
    this.rows++;
  }

  /** Returns the block (a copy sized to fit) and resets the encoder. */
  finish(): Uint8Array {
    this.view.setUint32(0, this.rows, true);
    const out = this.buf.slice(0, this.pos);
    this.pos = 6;
    this.rows = 0;
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  private value(v: unknown): void {
    this.ensure(1);
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.ensure(5);
          this.buf[this.pos++] = T_I32;
          this.view.setInt32(this.pos, v, true);
          this.pos += 4;
        } else {
          this.ensure(9);
          this.buf[this.pos++] = T_F64;
          this.view.setFloat64(this.pos, v, true);
          this.pos += 8;
        }
        return;
      case 'string':
        this.string(v);
        return;
      case 'boolean':
        this.buf[this.pos++] = v ? T_TRUE : T_FALSE;
        return;
      case 'bigint':
        if (v >= I64_MIN && v <= I64_MAX) {
          this.ensure(9);
          this.buf[this.pos++] = T_I64;
          this.view.setBigInt64(this.pos, v, true);
          this.pos += 8;
        } else {
          this.buf[this.pos++] = T_BIGTEXT;
          this.ascii(v.toString());
        }
        return;
      case 'undefined':
        this.buf[this.pos++] = T_UNDEF;
        return;
      case 'object':
        if (v === null) {
          this.buf[this.pos++] = T_NULL;
          return;
        }
        if (v instanceof Uint8Array) {
          this.buf[this.pos++] = T_BYTES;
          this.varint(v.length);
          this.ensure(v.length);
          this.buf.set(v, this.pos);
          this.pos += v.length;
          return;
        }
        if (Array.isArray(v)) {
          this.buf[this.pos++] = T_ARRAY;
          this.varint(v.length);
          for (const x of v) this.value(x);
          return;
        }
        if ('months' in v && 'days' in v && 'micros' in v) {
          const iv = v as Interval;
          this.ensure(25);
          this.buf[this.pos++] = T_INTERVAL;
          this.view.setFloat64(this.pos, iv.months, true);
          this.view.setFloat64(this.pos + 8, iv.days, true);
          this.view.setFloat64(this.pos + 16, iv.micros, true);
          this.pos += 24;
          return;
        }
    }
    throw new SqlError(SqlState.featureNotSupported, `cannot spill a value of type ${typeof v}`);
  }

  private string(s: string): void {
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++)
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    if (ascii) {
      this.buf[this.pos++] = T_ASCII;
      this.ascii(s);
      return;
    }
    this.buf[this.pos++] = T_UTF16;
    this.varint(n);
    this.ensure(2 * n);
    for (let i = 0; i < n; i++) this.view.setUint16(this.pos + 2 * i, s.charCodeAt(i), true);
    this.pos += 2 * n;
  }

  private ascii(s: string): void {
    const n = s.length;
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }
}

const utf8 = new TextDecoder();

/** Decodes a block into rows; `bytes` is their accounted size (as memory.ts's `rowBytes`). */
export function decodeBlock(block: Uint8Array): { rows: unknown[][]; bytes: number } {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const count = view.getUint32(0, true);
  const width = view.getUint16(4, true);
  let pos = 6;
  let bytes = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = block[pos++];
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  const ascii = (): string => {
    const n = varint();
    let s: string;
    if (n < 24) {
      s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(block[pos + i]);
    } else s = utf8.decode(block.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const value = (): unknown => {
    const tag = block[pos++];
    switch (tag) {
      case T_NULL:
        bytes += 8;
        return null;
      case T_FALSE:
      case T_TRUE:
        bytes += 8;
        return tag === T_TRUE;
      case T_I32:
        pos += 4;
        bytes += 16;
        return view.getInt32(pos - 4, true);
      case T_F64:
        pos += 8;
        bytes += 16;
        return view.getFloat64(pos - 8, true);
      case T_I64:
        pos += 8;
        bytes += 32;
        return view.getBigInt64(pos - 8, true);
      case T_BIGTEXT:
        bytes += 32;
        return BigInt(ascii());
      case T_ASCII: {
        const s = ascii();
        bytes += 24 + 2 * s.length;
        return s;
      }
      case T_UTF16: {
        const n = varint();
        let s = '';
        for (let i = 0; i < n; i += 4096) {
          const codes = new Array(Math.min(4096, n - i));
          for (let k = 0; k < codes.length; k++) codes[k] = view.getUint16(pos + 2 * (i + k), true);
          s += String.fromCharCode(...codes);
        }
        pos += 2 * n;
        bytes += 24 + 2 * n;
        return s;
      }
      case T_BYTES: {
        const n = varint();
        const b = block.slice(pos, pos + n);
        pos += n;
        bytes += 64 + n;
        return b;
      }
      case T_INTERVAL: {
        const iv: Interval = {
          months: view.getFloat64(pos, true),
          days: view.getFloat64(pos + 8, true),
          micros: view.getFloat64(pos + 16, true),
        };
        pos += 24;
        bytes += 64;
        return iv;
      }
      case T_ARRAY: {
        const n = varint();
        bytes += 32; // the array itself; elements add their own
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = value();
        return a;
      }
      case T_UNDEF:
        bytes += 8;
        return undefined;
      default:
        throw new SqlError(SqlState.internalError, `corrupt spill block (tag ${tag} at ${pos - 1})`);
    }
  };
  const rows: unknown[][] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: unknown[] = new Array(width).fill(null);
    for (let c = 0; c < width; c++) row[c] = value();
    rows[r] = row;
    bytes += 32;
  }
  return { rows, bytes };
}
