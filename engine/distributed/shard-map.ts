/**
 * @module engine/distributed/shard-map
 * The versioned shard map the CatalogDO stores: per placement (today a
 * colocation group, keyed by shard count), the int32 hash ranges and the shard
 * object owning each. Every entry carries the map version at which it last
 * changed, so a later split of one range into two shard objects rewrites only
 * that range's entries: requests planned earlier stay valid on every shard
 * whose entries did not change (see docs/shard-map.md).
 */
import { openChunkParts } from '../columnar/index.ts';
import { type BucketChunk, chunkColumnName, vectorValues } from './chunk-rows.ts';
import { buildHashRanges, hashValue, rangeForHash } from './hash-ranges.ts';

/** One range of a placement's map, inclusive on both ends. */
export interface MapRange {
  readonly min: number;
  readonly max: number;
  /** Shard object name within the database (`{shard count}:{index}`; see `shardObjectName`). */
  readonly shard: string;
  /** Map version at which this entry was last written. */
  readonly version: number;
}

/** The map of one placement: sorted, gap-free ranges covering the int32 space. */
export interface ShardMap {
  readonly shardCount: number;
  /** The newest entry version (the map as a whole changed then). */
  readonly version: number;
  readonly ranges: readonly MapRange[];
}

/**
 * What a request tells a shard about its place in the map it was planned with:
 * the ranges the planner believes the shard owns and the newest of their entry
 * versions. A shard refuses a request whose version is older than its own (40001).
 */
export interface ShardPlacement {
  readonly version: number;
  readonly ranges: readonly { readonly min: number; readonly max: number }[];
}

/** Entries of a new placement of `shardCount` shards, written at map version `version`. */
export function initialRanges(shardCount: number, version: number): MapRange[] {
  return buildHashRanges(shardCount).map((r) => ({
    min: r.min,
    max: r.max,
    shard: `${shardCount}:${r.index}`,
    version,
  }));
}

/** The map a new placement starts with (its version is the catalog's to assign; 0 here). */
export function initialMap(shardCount: number): ShardMap {
  return { shardCount, version: 0, ranges: initialRanges(shardCount, 0) };
}

/** Shard objects of a map, in range order, each once. */
export function mapShards(map: ShardMap): string[] {
  return [...new Set(map.ranges.map((r) => r.shard))];
}

/** The shard object owning `value`'s hash. */
export function shardOfValue(map: ShardMap, value: unknown): string {
  return rangeForHash(map.ranges, hashValue(value)).shard;
}

/** The placement of `shard` in `map` (no ranges when the map does not name it). */
export function placementOf(map: ShardMap, shard: string): ShardPlacement {
  const mine = map.ranges.filter((r) => r.shard === shard);
  return {
    version: mine.reduce((v, r) => Math.max(v, r.version), 0),
    ranges: mine.map((r) => ({ min: r.min, max: r.max })),
  };
}

/** True when `hash` falls in one of `ranges`. */
export function ownsHash(ranges: ShardPlacement['ranges'], hash: number): boolean {
  return ranges.some((r) => hash >= r.min && hash <= r.max);
}

/**
 * The hash of the first of `keys` outside `ranges` (undefined: every key is inside;
 * NULL keys are skipped). Repeated text keys (tags, device ids) are hashed once;
 * an integer hashes faster than a set lookup.
 */
export function foreignHash(ranges: ShardPlacement['ranges'], keys: readonly unknown[]): number | undefined {
  const seen = new Set<string>();
  for (const v of keys) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') {
      if (seen.has(v)) continue;
      if (seen.size < 4096) seen.add(v);
    }
    const hash = hashValue(v);
    if (!ownsHash(ranges, hash)) return hash;
  }
  return undefined;
}

/** The keys in column `columnId` of encoded chunks (a dictionary-encoded column: each key once). */
export function chunkKeys(chunks: readonly BucketChunk[], columnId: number): unknown[] {
  const name = chunkColumnName(columnId);
  const out: unknown[] = [];
  for (const c of chunks) {
    const reader = openChunkParts(c.header, (i) => c.columns[i]);
    const i = reader.columnIndex(name);
    if (i < 0) continue;
    const v = reader.column(i);
    for (const k of vectorValues(v.kind === 'dict' ? v.dict : v)) out.push(k);
  }
  return out;
}
