/**
 * @module bench/range-check.bench
 * What the shard's range check of a bulk load costs (durable-objects/shard-tables
 * `checkChunksOwned` = engine/distributed/shard-map `chunkKeys` + `foreignHash`: decode
 * the distribution column of the Worker-encoded chunks, hash each key), against its peer in the same run: encoding that batch
 * (`encodeTableRows`, what the Worker does for it). Also the integer fast path of
 * `hashValue` against the generic `murmur3(canonicalBytes(v))`. Median of RUNS.
 *
 * Env: RANGE_ROWS (65536), RANGE_RUNS (15). Run: `npx tsx bench/range-check.bench.ts`
 */
import { encodeTableRows } from '../engine/distributed/chunk-rows.ts';
import { canonicalBytes, hashValue, murmur3 } from '../engine/distributed/hash-ranges.ts';
import { chunkKeys, foreignHash } from '../engine/distributed/shard-map.ts';
import type { DistTable, DistType } from '../engine/distributed/table-schema.ts';

const rows = Number(process.env.RANGE_ROWS ?? 65_536);
const runs = Number(process.env.RANGE_RUNS ?? 15);
const everything = { version: 1, ranges: [{ min: -(2 ** 31), max: 2 ** 31 - 1 }] };

function median(f: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const s = performance.now();
    f();
    if (i >= 2) t.push(performance.now() - s); // two warm-up runs
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

const cases: [string, DistType, (i: number) => unknown][] = [
  ['int64, every key distinct', 'int64', (i) => i * 7919],
  ['text, 1,000 hosts', 'text', (i) => `host_${i % 1000}`],
];
console.log(`rows per batch: ${rows}, runs: ${runs} (median ms)`);
for (const [label, type, key] of cases) {
  const t: DistTable = {
    id: 1,
    version: 1,
    name: 'b',
    columns: [
      { id: 0, name: 'k', type, notNull: true },
      { id: 1, name: 'v', type: 'float64', notNull: false },
    ],
    nextColumnId: 2,
    placement: { kind: 'distributed', columnId: 0 },
    shardCount: 1,
  };
  const data = Array.from({ length: rows }, (_, i) => [key(i), i * 0.5]);
  let chunks = encodeTableRows(t, data);
  const encode = median(() => {
    chunks = encodeTableRows(t, data);
  });
  // What the shard's `checkChunksOwned` runs (durable-objects/shard-tables).
  const check = median(() => foreignHash(everything.ranges, chunkKeys(chunks, 0)));
  console.log(
    `${label}: check ${check.toFixed(2)} ms, encode (peer) ${encode.toFixed(2)} ms, check/encode ${(check / encode).toFixed(3)}`,
  );
}
const ints = Array.from({ length: rows }, (_, i) => i * 7919 - 2 ** 40);
let sink = 0;
const fast = median(() => {
  for (const v of ints) sink ^= hashValue(v);
});
const generic = median(() => {
  for (const v of ints) sink ^= murmur3(canonicalBytes(v));
});
console.log(
  `hash ${rows} ints: hashValue ${fast.toFixed(2)} ms, murmur3(canonicalBytes) (peer) ${generic.toFixed(2)} ms, ratio ${(generic / fast).toFixed(1)}x (${sink & 1})`,
);
