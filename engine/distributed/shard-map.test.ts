import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTableRows } from './chunk-rows.ts';
import { hashValue } from './hash-ranges.ts';
import { chunkKeys, foreignHash, initialMap, mapShards, placementOf, shardOfValue } from './shard-map.ts';
import type { DistTable } from './table-schema.ts';

const table = (type: 'int64' | 'text'): DistTable => ({
  id: 1,
  version: 1,
  name: 't',
  columns: [
    { id: 0, name: 'k', type, notNull: true },
    { id: 1, name: 'v', type: 'float64', notNull: false },
  ],
  nextColumnId: 2,
  placement: { kind: 'distributed', columnId: 0 },
  shardCount: 4,
});

describe('shard map', () => {
  it('a new placement names its shards as before and tiles int32', () => {
    const map = initialMap(4);
    expect(mapShards(map)).toEqual(['4:0', '4:1', '4:2', '4:3']);
    expect(map.ranges[0].min).toBe(-(2 ** 31));
    expect(map.ranges[3].max).toBe(2 ** 31 - 1);
  });

  it('every key routed to a shard is owned by its placement, and by no other shard', () => {
    const map = initialMap(4);
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.string()), (k) => {
        const owner = shardOfValue(map, k);
        for (const s of mapShards(map)) {
          const foreign = foreignHash(placementOf(map, s).ranges, [k]);
          if (s === owner ? foreign !== undefined : foreign !== hashValue(k)) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('placementOf carries the newest version among the shard’s own entries only', () => {
    const map = initialMap(2);
    const split = {
      ...map,
      version: 7,
      ranges: [map.ranges[0], { ...map.ranges[1], version: 7 }],
    };
    expect(placementOf(split, '2:0').version).toBe(0);
    expect(placementOf(split, '2:1').version).toBe(7);
    expect(placementOf(split, '9:9')).toEqual({ version: 0, ranges: [] });
  });

  it('finds a foreign key in encoded chunks (plain and dictionary columns)', () => {
    const map = initialMap(4);
    for (const type of ['int64', 'text'] as const) {
      const t = table(type);
      const key = (i: number) => (type === 'int64' ? i : `host_${i % 50}`);
      const keys = Array.from({ length: 2000 }, (_, i) => key(i));
      const mine = keys.filter((k) => shardOfValue(map, k) === '4:2');
      const other = keys.find((k) => shardOfValue(map, k) !== '4:2')!;
      const ranges = placementOf(map, '4:2').ranges;
      const own = encodeTableRows(
        t,
        mine.map((k) => [k, 1]),
      );
      expect(new Set(chunkKeys(own, 0))).toEqual(new Set(mine));
      expect(foreignHash(ranges, chunkKeys(own, 0))).toBeUndefined();
      const mixed = encodeTableRows(
        t,
        [...mine, other].map((k) => [k, 1]),
      );
      expect(foreignHash(ranges, chunkKeys(mixed, 0))).toBe(hashValue(other));
    }
  });
});
