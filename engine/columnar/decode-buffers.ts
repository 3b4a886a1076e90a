/**
 * @module engine/columnar/decode-buffers
 * Output arrays of decoded column blocks, recycled through evictions. A cold
 * full scan decodes every block of every chunk into fresh 512 KB typed arrays;
 * their backing stores live outside the JS heap, and V8 answers that much new
 * external memory with full mark-compact collections of the whole heap (a
 * quarter of a cold TSBS scan). A reader that evicts its decoded vectors hands
 * their arrays back here, and the next decode of a block that size reuses one.
 *
 * The pool holds only weak references: an evicted array the collector has
 * reclaimed is simply gone, so eviction still releases memory exactly as
 * before; until then it saves an allocation. Ownership: whoever releases an
 * array promises nothing reads or writes it afterwards (see `ChunkReader.evict`).
 */

import type { Vector } from '../vector.ts';

/** Arrays below this many elements are cheap to allocate and stay out of the pool. */
const MIN_POOLED = 4096;
/**
 * Weak references kept per (type, length): enough for every block of a few
 * thousand chunks (a full-scale TSBS cold scan releases ≈ 1,600 at once).
 */
const MAX_PER_KEY = 16384;

const float64s = new Map<number, WeakRef<Float64Array<ArrayBuffer>>[]>();
const int32s = new Map<number, WeakRef<Int32Array<ArrayBuffer>>[]>();

function take<T extends object>(pool: Map<number, WeakRef<T>[]>, n: number): T | undefined {
  const refs = pool.get(n);
  if (refs === undefined) return undefined;
  while (refs.length > 0) {
    const a = refs.pop()!.deref();
    if (a !== undefined) return a;
  }
  return undefined;
}

function give<T extends object>(pool: Map<number, WeakRef<T>[]>, n: number, a: T): void {
  let refs = pool.get(n);
  if (refs === undefined) pool.set(n, (refs = []));
  if (refs.length >= MAX_PER_KEY) {
    // Forget what the collector already took; when all are live, keep the pool as it is.
    const live = refs.filter((r) => r.deref() !== undefined);
    if (live.length >= MAX_PER_KEY) return;
    pool.set(n, (refs = live));
  }
  refs.push(new WeakRef(a));
}

/** A Float64Array of `n` elements with arbitrary contents: the caller overwrites all of them. */
export function takeFloat64(n: number): Float64Array<ArrayBuffer> {
  return (n >= MIN_POOLED ? take(float64s, n) : undefined) ?? new Float64Array(n);
}

/** An Int32Array of `n` elements with arbitrary contents: the caller overwrites all of them. */
export function takeInt32(n: number): Int32Array<ArrayBuffer> {
  return (n >= MIN_POOLED ? take(int32s, n) : undefined) ?? new Int32Array(n);
}

/** A whole (not sub-view) typed array of its own, unshared buffer, large enough to pool. */
function whole<T extends ArrayBufferView>(a: T, length: number): a is T & { buffer: ArrayBuffer } {
  return (
    length >= MIN_POOLED &&
    a.buffer instanceof ArrayBuffer &&
    a.byteOffset === 0 &&
    a.buffer.byteLength === a.byteLength
  );
}

/**
 * Hands the typed arrays of a decoded vector back for reuse. The caller owns
 * `v` exclusively and must not touch it (or views of it) again.
 */
export function releaseVector(v: Vector): void {
  if (v.kind === 'dict') {
    if (whole(v.codes, v.codes.length)) give(int32s, v.codes.length, v.codes);
    return;
  }
  if (v.kind !== 'flat') return;
  const a = v.values;
  if (a instanceof Float64Array) {
    if (whole(a, a.length)) give(float64s, a.length, a);
  } else if (a instanceof Int32Array && whole(a, a.length)) give(int32s, a.length, a);
}
