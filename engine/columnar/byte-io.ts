/**
 * @module engine/columnar/byte-io
 * A growable little-endian byte writer and a bounds-checked reader for the chunk
 * format. Typed-array payloads are aligned (relative to the block start) so the
 * decoder can view them in place instead of copying value by value.
 */

import { SqlError, SqlState } from '../errors.ts';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8');

/** Appends bytes to a buffer that doubles when full. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, v, true);
    this.length += 8;
  }

  /** Unsigned LEB128, for small counts and lengths in headers. */
  varuint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Length-prefixed UTF-8 string. */
  string(s: string): void {
    const b = textEncoder.encode(s);
    this.varuint(b.length);
    this.bytes(b);
  }

  /** Pads with zero bytes so the next write starts at a multiple of `n` (relative to the writer start). */
  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.ensure(pad);
    for (let i = 0; i < pad; i++) this.buf[this.length++] = 0;
  }

  /** Reserves `n` bytes (zeroed) and returns their offset, for payloads filled in place. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.buf.fill(0, at, at + n);
    this.length += n;
    return at;
  }

  /** The underlying buffer (valid until the next write that grows it). */
  get raw(): Uint8Array {
    return this.buf;
  }

  /** A copy of the written bytes, exactly `length` long. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Reads what {@link ByteWriter} wrote; throws a SqlError (XX000) on truncated or corrupt input. */
export class ByteReader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new SqlError(SqlState.internalError, 'columnar chunk is truncated or corrupt');
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varuint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new SqlError(SqlState.internalError, 'columnar chunk has a malformed varint');
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string {
    const n = this.varuint();
    return textDecoder.decode(this.bytesView(n));
  }

  align(n: number): void {
    this.pos += (n - (this.pos % n)) % n;
  }

  /** A Uint32Array view of the next `count` words; the position must be 4-aligned in the underlying buffer. */
  u32View(count: number): Uint32Array {
    this.need(count * 4);
    const v = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset + this.pos, count);
    this.pos += count * 4;
    return v;
  }

  /** A Float64Array view of the next `count` values; the position must be 8-aligned in the underlying buffer. */
  f64View(count: number): Float64Array {
    this.need(count * 8);
    const v = new Float64Array(this.bytes.buffer, this.bytes.byteOffset + this.pos, count);
    this.pos += count * 8;
    return v;
  }
}

/** Returns `bytes` if it starts at an 8-byte aligned address, else an aligned copy (so typed views work). */
export function aligned8(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

/** Throws the error used for every malformed-chunk condition. */
export function corrupt(what: string): never {
  throw new SqlError(SqlState.internalError, `columnar chunk is corrupt: ${what}`);
}
