/**
 * @module engine/columnar/bitpack
 * Bit-packing of non-negative integers (0 ≤ v < 2^53) at a fixed width into
 * little-endian 32-bit words, LSB first. Widths above 32 are stored as two
 * planes (low 32 bits, then the high bits) so every loop stays in 32-bit
 * integer arithmetic, which V8 compiles to plain machine ops.
 */

import type { ByteReader, ByteWriter } from './byte-io.ts';

const TWO32 = 4294967296;

/** Number of bits needed to represent `v` (0 ≤ v < 2^53); 0 for 0. */
export function bitWidth(v: number): number {
  if (v < TWO32) return 32 - Math.clz32(v);
  return 64 - Math.clz32((v / TWO32) >>> 0);
}

/** Number of 32-bit words that hold `n` values of `width` bits (width ≤ 32). */
export function wordCount(n: number, width: number): number {
  return Math.ceil((n * width) / 32);
}

/** Bytes the packed form of `n` values at `width` bits occupies. */
export function packedBytes(n: number, width: number): number {
  if (width <= 32) return wordCount(n, width) * 4;
  return n * 4 + wordCount(n, width - 32) * 4;
}

/** Packs the low `width` (≤ 32) bits of each `src[i] - base` into `out` (zeroed beforehand). */
function packPlane(
  src: ArrayLike<number>,
  n: number,
  width: number,
  out: Uint32Array,
  hi: boolean,
  base: number,
): void {
  if (width === 0) return;
  // Bits gather in a register and each word is stored once (no read-modify-write of `out`).
  let acc = 0;
  let filled = 0;
  let word = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i] - base;
    const v = hi ? (x / TWO32) >>> 0 : x >>> 0;
    acc |= v << filled;
    filled += width;
    if (filled >= 32) {
      out[word++] = acc;
      filled -= 32;
      acc = filled > 0 ? v >>> (width - filled) : 0;
    }
  }
  if (filled > 0) out[word] = acc;
}

/**
 * Writes `src[i] - base` for i < n packed at `width` bits (4-byte aligned). The
 * caller guarantees 0 ≤ src[i] - base < 2^width.
 */
export function writePacked(w: ByteWriter, src: ArrayLike<number>, n: number, width: number, base = 0): void {
  w.align(4);
  if (width <= 32) {
    const words = wordCount(n, width);
    const at = w.reserve(words * 4);
    packPlane(src, n, width, new Uint32Array(w.raw.buffer, at, words), false, base);
    return;
  }
  const at = w.reserve(n * 4);
  const lo = new Uint32Array(w.raw.buffer, at, n);
  for (let i = 0; i < n; i++) lo[i] = (src[i] - base) >>> 0;
  const hiWords = wordCount(n, width - 32);
  const at2 = w.reserve(hiWords * 4);
  packPlane(src, n, width - 32, new Uint32Array(w.raw.buffer, at2, hiWords), true, base);
}

/** A packed run as read back: views into the block, no copy. */
export interface Packed {
  readonly width: number;
  readonly n: number;
  /** Low plane (all values when width ≤ 32). */
  readonly lo: Uint32Array;
  /** High plane (width − 32 bits per value) when width > 32. */
  readonly hi?: Uint32Array;
}

/** Reads the form {@link writePacked} wrote. */
export function readPacked(r: ByteReader, n: number, width: number): Packed {
  r.align(4);
  if (width <= 32) return { width, n, lo: r.u32View(wordCount(n, width)) };
  const lo = r.u32View(n);
  const hi = r.u32View(wordCount(n, width - 32));
  return { width, n, lo, hi };
}

/** Unpacks values [start, start+count) of a ≤32-bit plane into `out[0..count)` as unsigned ints. */
export function unpackPlane(
  words: Uint32Array,
  width: number,
  start: number,
  count: number,
  out: Uint32Array,
): void {
  if (width === 0) {
    out.fill(0, 0, count);
    return;
  }
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  for (let j = 0; j < count; j++) {
    const bit = (start + j) * width;
    const word = bit >>> 5;
    const shift = bit & 31;
    let v = words[word] >>> shift;
    if (shift + width > 32) v |= words[word + 1] << (32 - shift);
    out[j] = (v & mask) >>> 0;
  }
}

/**
 * Writes `base + value[i]` for every packed value into `out` (Float64Array or
 * Int32Array; Int32Array stores wrap mod 2^32, which callers rely on).
 */
export function unpackAddBase(p: Packed, base: number, out: Float64Array | Int32Array): void {
  const { width, n, lo } = p;
  if (width === 0) {
    out.fill(base, 0, n);
    return;
  }
  if (width < 31) {
    // Signed words: every intermediate stays a small integer in V8 (see delta-decode).
    const words = new Int32Array(lo.buffer, lo.byteOffset, lo.length);
    const mask = (1 << width) - 1;
    for (let i = 0; i < n; i++) {
      const bit = i * width;
      const word = bit >> 5;
      const shift = bit & 31;
      const v =
        shift + width > 32
          ? (words[word] >>> shift) | (words[word + 1] << (32 - shift))
          : words[word] >> shift;
      out[i] = base + (v & mask);
    }
    return;
  }
  if (width <= 32) {
    const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
    for (let i = 0; i < n; i++) {
      const bit = i * width;
      const word = bit >>> 5;
      const shift = bit & 31;
      let v = lo[word] >>> shift;
      if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
      out[i] = base + ((v & mask) >>> 0);
    }
    return;
  }
  const hw = width - 32;
  const hi = p.hi!;
  const mask = (1 << hw) - 1;
  for (let i = 0; i < n; i++) {
    const bit = i * hw;
    const word = bit >>> 5;
    const shift = bit & 31;
    let v = hi[word] >>> shift;
    if (shift + hw > 32) v |= hi[word + 1] << (32 - shift);
    out[i] = base + ((v & mask) >>> 0) * TWO32 + lo[i];
  }
}

/**
 * Writes `base + value[i]` for packed values [start, start+count) into
 * `out[0..count)`: the range form of {@link unpackAddBase}, for mini-block decoding.
 */
export function unpackRangeAddBase(
  p: Packed,
  base: number,
  start: number,
  count: number,
  out: Float64Array,
): void {
  const { width, lo } = p;
  if (width === 0) {
    out.fill(base, 0, count);
    return;
  }
  if (width <= 32) {
    const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
    for (let j = 0; j < count; j++) {
      const bit = (start + j) * width;
      const word = bit >>> 5;
      const shift = bit & 31;
      let v = lo[word] >>> shift;
      if (shift + width > 32) v |= lo[word + 1] << (32 - shift);
      out[j] = base + ((v & mask) >>> 0);
    }
    return;
  }
  const hw = width - 32;
  const hi = p.hi!;
  const mask = (1 << hw) - 1;
  for (let j = 0; j < count; j++) {
    const i = start + j;
    const bit = i * hw;
    const word = bit >>> 5;
    const shift = bit & 31;
    let v = hi[word] >>> shift;
    if (shift + hw > 32) v |= hi[word + 1] << (32 - shift);
    out[j] = base + ((v & mask) >>> 0) * TWO32 + lo[i];
  }
}
