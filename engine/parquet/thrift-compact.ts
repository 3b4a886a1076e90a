/**
 * @module engine/parquet/thrift-compact
 * The Thrift compact protocol, writing side only: Parquet's page headers and
 * file footer are Thrift structs in this encoding. Structs are given as
 * `[fieldId, value]` lists in ascending field order; optional fields are
 * simply left out.
 */

/** A Thrift value (the subset Parquet metadata uses). */
export type TValue =
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number | bigint }
  | { readonly t: 'bin'; readonly v: Uint8Array | string }
  | { readonly t: 'struct'; readonly v: readonly TField[] }
  | { readonly t: 'list'; readonly elem: 'i32' | 'bin' | 'struct'; readonly v: readonly TValue[] };

/** One struct field: id and value. */
export type TField = readonly [number, TValue];

const TYPE = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;

export const i32 = (v: number): TValue => ({ t: 'i32', v });
export const i64 = (v: number | bigint): TValue => ({ t: 'i64', v });
export const bin = (v: Uint8Array | string): TValue => ({ t: 'bin', v });
export const bool = (v: boolean): TValue => ({ t: 'bool', v });
export const struct = (...v: TField[]): TValue => ({ t: 'struct', v });
export const list = (elem: 'i32' | 'bin' | 'struct', v: readonly TValue[]): TValue => ({
  t: 'list',
  elem,
  v,
});

/** Growable byte buffer. */
class Out {
  buf = new Uint8Array(256);
  len = 0;
  byte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.byte(x);
  }
  varint(n: bigint): void {
    let v = n;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
}

const utf8 = new TextEncoder();

function value(o: Out, x: TValue): void {
  switch (x.t) {
    case 'bool':
      o.byte(x.v ? 1 : 2); // only reached inside lists; struct fields carry booleans in their header
      return;
    case 'i32':
    case 'i64':
      o.zigzag(x.v);
      return;
    case 'bin': {
      const b = typeof x.v === 'string' ? utf8.encode(x.v) : x.v;
      o.varint(BigInt(b.length));
      o.bytes(b);
      return;
    }
    case 'list': {
      const n = x.v.length;
      if (n < 15) o.byte((n << 4) | TYPE[x.elem]);
      else {
        o.byte(0xf0 | TYPE[x.elem]);
        o.varint(BigInt(n));
      }
      for (const e of x.v) value(o, e);
      return;
    }
    case 'struct': {
      let last = 0;
      for (const [id, f] of x.v) {
        const type = f.t === 'bool' ? (f.v ? 1 : 2) : TYPE[f.t];
        const delta = id - last;
        if (delta > 0 && delta <= 15) o.byte((delta << 4) | type);
        else {
          o.byte(type);
          o.zigzag(id);
        }
        if (f.t !== 'bool') value(o, f);
        last = id;
      }
      o.byte(0); // STOP
      return;
    }
  }
}

/** Serializes a struct in the compact protocol. */
export function encodeStruct(fields: readonly TField[]): Uint8Array {
  const o = new Out();
  value(o, { t: 'struct', v: fields });
  return o.buf.slice(0, o.len);
}
