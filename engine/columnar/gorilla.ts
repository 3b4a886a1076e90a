/**
 * @module engine/columnar/gorilla
 * Gorilla XOR compression for float64 (Pelkonen et al., VLDB 2015): each value
 * is XORed with its predecessor and only the meaningful bits are stored. It is
 * the fallback for "real" floats that ALP cannot turn into decimals. Works on
 * the raw 64-bit patterns (hi/lo 32-bit halves), so NaN payloads and -0
 * round-trip bit-exactly.
 */

import type { ByteReader, ByteWriter } from './byte-io.ts';

class BitWriter {
  words = new Uint32Array(1024);
  bit = 0;

  write(v: number, nbits: number): void {
    if (nbits === 0) return;
    const word = this.bit >>> 5;
    if (word + 2 >= this.words.length) {
      const next = new Uint32Array(this.words.length * 2);
      next.set(this.words);
      this.words = next;
    }
    const shift = this.bit & 31;
    const x = nbits === 32 ? v >>> 0 : v & ((1 << nbits) - 1);
    this.words[word] |= x << shift;
    if (shift + nbits > 32) this.words[word + 1] |= x >>> (32 - shift);
    this.bit += nbits;
  }
}

/** Reads bits LSB-first; `words` must have one spare word at the end. */
class BitReader {
  bit = 0;
  constructor(readonly words: Uint32Array) {}

  read(nbits: number): number {
    if (nbits === 0) return 0;
    const word = this.bit >>> 5;
    const shift = this.bit & 31;
    let v = this.words[word] >>> shift;
    if (shift + nbits > 32) v |= this.words[word + 1] << (32 - shift);
    this.bit += nbits;
    return nbits === 32 ? v >>> 0 : v & ((1 << nbits) - 1);
  }
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Writes `n` float64 values (given as their 32-bit halves, lo at 2i, hi at 2i+1) Gorilla-compressed. */
export function writeGorilla(w: ByteWriter, bits: Uint32Array, n: number): void {
  const bw = new BitWriter();
  let prevLo = 0;
  let prevHi = 0;
  let prevLz = -1;
  let prevTz = 0;
  for (let i = 0; i < n; i++) {
    const lo = bits[2 * i];
    const hi = bits[2 * i + 1];
    if (i === 0) {
      bw.write(lo, 32);
      bw.write(hi, 32);
      prevLo = lo;
      prevHi = hi;
      continue;
    }
    const xl = (lo ^ prevLo) >>> 0;
    const xh = (hi ^ prevHi) >>> 0;
    prevLo = lo;
    prevHi = hi;
    if (xl === 0 && xh === 0) {
      bw.write(0, 1);
      continue;
    }
    let lz = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    if (lz > 31) lz = 31;
    const tz = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    let useLz: number;
    let useTz: number;
    if (prevLz >= 0 && lz >= prevLz && tz >= prevTz) {
      bw.write(1, 2); // bits: 1, 0
      useLz = prevLz;
      useTz = prevTz;
    } else {
      bw.write(3, 2); // bits: 1, 1
      bw.write(lz, 5);
      bw.write(64 - lz - tz - 1, 6);
      useLz = lz;
      useTz = tz;
      prevLz = lz;
      prevTz = tz;
    }
    const m = 64 - useLz - useTz;
    let sl: number;
    let sh: number;
    if (useTz === 0) {
      sl = xl;
      sh = xh;
    } else if (useTz < 32) {
      sl = (xl >>> useTz) | (xh << (32 - useTz));
      sh = xh >>> useTz;
    } else {
      sl = xh >>> (useTz - 32);
      sh = 0;
    }
    if (m <= 32) bw.write(sl, m);
    else {
      bw.write(sl, 32);
      bw.write(sh, m - 32);
    }
  }
  const words = (bw.bit + 31) >>> 5;
  w.u32(words);
  w.align(4);
  const at = w.reserve((words + 1) * 4);
  new Uint32Array(w.raw.buffer, at, words + 1).set(bw.words.subarray(0, words));
}

/** Parses a Gorilla stream; returns the packed words (a view). */
export function readGorilla(r: ByteReader): Uint32Array {
  const words = r.u32();
  r.align(4);
  return r.u32View(words + 1);
}

/** Decodes `n` values into `out` bit-exactly. */
export function decodeGorilla(words: Uint32Array, n: number, out: Float64Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, n * 2);
  const br = new BitReader(words);
  let lo = 0;
  let hi = 0;
  let lz = 0;
  let tz = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      lo = br.read(32);
      hi = br.read(32);
    } else if (br.read(1) !== 0) {
      if (br.read(1) !== 0) {
        lz = br.read(5);
        const m = br.read(6) + 1;
        tz = 64 - lz - m;
      }
      const m = 64 - lz - tz;
      let sl: number;
      let sh = 0;
      if (m <= 32) sl = br.read(m);
      else {
        sl = br.read(32);
        sh = br.read(m - 32);
      }
      let xl: number;
      let xh: number;
      if (tz === 0) {
        xl = sl;
        xh = sh;
      } else if (tz < 32) {
        xl = sl << tz;
        xh = (sh << tz) | (sl >>> (32 - tz));
      } else {
        xl = 0;
        xh = sl << (tz - 32);
      }
      lo = (lo ^ xl) >>> 0;
      hi = (hi ^ xh) >>> 0;
    }
    bits[2 * i] = lo;
    bits[2 * i + 1] = hi;
  }
}
