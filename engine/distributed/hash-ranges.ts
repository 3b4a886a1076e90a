/**
 * @module engine/distributed/hash-ranges
 * Citus-style hash distribution: a 32-bit hash of a value's canonical bytes,
 * mapped onto contiguous int32 ranges, one per shard. Routing (writes) and
 * pruning (reads) use the same ranges, so a later split divides one range in two
 * without rehashing anything.
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** One shard's slice of the int32 hash space, inclusive on both ends. */
export interface HashRange {
  readonly index: number;
  readonly min: number;
  readonly max: number;
}

/** Splits the int32 space into `count` contiguous ranges (the last absorbs the remainder). */
export function buildHashRanges(count: number): HashRange[] {
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    throw new RangeError(`shard count must be an integer in 1..1024, got ${count}`);
  }
  const step = Math.floor(2 ** 32 / count);
  const out: HashRange[] = [];
  for (let i = 0; i < count; i++) {
    const min = INT32_MIN + i * step;
    const max = i === count - 1 ? INT32_MAX : min + step - 1;
    out.push({ index: i, min, max });
  }
  return out;
}

/** The range containing `hash` (binary search; ranges are sorted and gap-free). */
export function rangeForHash<R extends { readonly max: number }>(ranges: readonly R[], hash: number): R {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hash > ranges[mid].max) lo = mid + 1;
    else hi = mid;
  }
  return ranges[lo];
}

const encoder = new TextEncoder();

/**
 * Canonical bytes of a distribution value. Integers of every width share one
 * encoding (8-byte little-endian two's complement) so tables distributed on
 * int and bigint columns colocate; text is UTF-8; booleans one byte.
 */
export function canonicalBytes(value: unknown): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (typeof value === 'boolean') return new Uint8Array([value ? 1 : 0]);
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(value), true);
    return b;
  }
  if (typeof value === 'number') {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return b;
  }
  throw new TypeError(`cannot hash a value of type ${typeof value}`);
}

/** MurmurHash3 x86 32-bit, returned as a signed int32 (PostgreSQL/Citus hash values are int4). */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n & ~3;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = n & 3;
  if (tail === 3) k ^= bytes[blocks + 2] << 16;
  if (tail >= 2) k ^= bytes[blocks + 1] << 8;
  if (tail >= 1) {
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Hash of a distribution value; NULL hashes like Citus does not allow (callers reject NULL keys). */
export function hashValue(value: unknown): number {
  // Integers (the usual key) without allocating: the same bytes as `canonicalBytes`, as two words.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return murmur3Int64(value);
  return murmur3(canonicalBytes(value));
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** `murmur3` of a safe integer's 8-byte little-endian two's complement (`canonicalBytes`). */
function murmur3Int64(v: number): number {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v - hi * 2 ** 32;
  let h = mix(mix(0, lo | 0), hi | 0);
  h ^= 8;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The shard index owning `value` under `ranges`. */
export function shardForValue(ranges: readonly HashRange[], value: unknown): number {
  return rangeForHash(ranges, hashValue(value)).index;
}
