/**
 * @module engine/exec/spill-aggregate
 * Hash aggregation past the query's memory budget (hybrid hash aggregation).
 * Groups are split into FANOUT partitions by a seeded hash of their key. When
 * the group table no longer fits, the aggregation evicts whole partitions,
 * largest first: each evicted group's partial state (key, accumulator states,
 * DISTINCT seen-sets, ORDER BY buffers) is written to the partition's spill
 * run, and from then on every input row whose key falls in an evicted
 * partition is written there too, as it arrives. Groups of partitions never
 * evicted saw all their rows and are emitted from memory.
 *
 * Each run is then aggregated on its own with the next hash seed: a state
 * record restores its group, later rows continue it. A group's records keep
 * their input order (its state record comes before all its spilled rows), so
 * every aggregate — float sums, count(DISTINCT), string_agg/array_agg with
 * ORDER BY, FILTER — ends exactly as if it had stayed in memory. A run that
 * still does not fit is split again, up to MAX_DEPTH levels; 53200 is left
 * for one group whose state alone exceeds the budget.
 */
import type { SqlType } from '../types/values.ts';
import { type ExecBatch, rowsToBatch } from './frame.ts';
import type { QueryMemory } from './memory.ts';
import { decodeBlock } from './spill-codec.ts';
import { rowKeyFn } from './spill-distinct.ts';
import { blockBytesFor, RunWriter } from './spill-run.ts';

export const FANOUT = 16;
/** Partitioning levels before a partition that still does not fit fails with 53200. */
export const MAX_DEPTH = 4;

/** Last column of a spilled record: an input row, or a group's saved state in column 0. */
const RAW = 0;
const STATE = 1;
/** Rows per batch replayed from a run. */
const REPLAY_ROWS = 256;

/** What the partition driver needs from an aggregation over one input. */
export interface SpillableAggregation {
  addBatch(b: ExecBatch): void;
  /** Reserves a block read from a run, moving groups out to make room. */
  reserveBlock(bytes: number): void;
  /** Restores a group from a state record written by `AggPartitions.addState`. */
  addState(record: unknown[]): void;
  /** Output rows of the groups held in memory; frees them. */
  finish(): unknown[][];
  /** Runs of the partitions evicted to spill (call after `finish`). */
  spilledRuns(): (number | undefined)[];
}

/** 32-bit FNV-1a of the key text, seeded per partitioning level. */
function partitionOf(key: string, depth: number): number {
  let h = (0x811c9dc5 ^ Math.imul(depth + 7, 0x85ebca6b)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % FANOUT;
}

/** The spill side of one aggregation level: which partitions are evicted, and their runs. */
export class AggPartitions {
  readonly evicted = new Uint8Array(FANOUT);
  private readonly writers: (RunWriter | undefined)[] = new Array(FANOUT);
  private readonly keyOf: (r: readonly unknown[]) => string;
  private readonly blockBytes: number;
  /** Width of a spilled record: the input row (at least one slot for a state), then the tag. */
  readonly width: number;

  constructor(
    private readonly mem: QueryMemory,
    private readonly depth: number,
    keyTypes: readonly SqlType[],
    inputWidth: number,
  ) {
    this.keyOf = rowKeyFn(keyTypes);
    this.width = Math.max(1, inputWidth);
    this.blockBytes = Math.max(1024, Math.floor(blockBytesFor(mem, 4) / FANOUT));
  }

  /** The partition of a group key at this level. */
  partition(keyVals: readonly unknown[]): number {
    return partitionOf(this.keyOf(keyVals), this.depth);
  }

  private writer(p: number): RunWriter {
    let w = this.writers[p];
    if (!w) w = this.writers[p] = new RunWriter(this.mem, 'hash aggregate', this.blockBytes);
    return w;
  }

  /** Spills an input row of an evicted partition; `row` has `width + 1` slots, the last is set here. */
  addRow(p: number, row: unknown[]): void {
    row[this.width] = RAW;
    this.writer(p).add(row);
  }

  /** Spills a group's saved state. */
  addState(p: number, record: unknown[]): void {
    const row: unknown[] = new Array(this.width + 1).fill(null);
    row[0] = record;
    row[this.width] = STATE;
    this.writer(p).add(row);
  }

  /** Run id per partition (undefined where nothing was spilled). */
  finish(): (number | undefined)[] {
    return Array.from(this.writers, (w) => w?.finish());
  }
}

/**
 * Aggregates spilled runs one at a time with a fresh aggregation at the next
 * level (which may spill again); yields each one's output rows. Drops the runs.
 */
export function* aggregateRuns(
  mem: QueryMemory,
  runs: readonly (number | undefined)[],
  depth: number,
  inputWidth: number,
  make: (depth: number) => SpillableAggregation,
): Generator<unknown[][]> {
  for (const run of runs) {
    if (run === undefined) continue;
    const agg = make(depth);
    const width = Math.max(1, inputWidth);
    let rows: unknown[][] = [];
    const flush = () => {
      if (rows.length) agg.addBatch(rowsToBatch(rows, inputWidth));
      rows = [];
    };
    // Blocks are read here rather than by a RunReader so that holding one can
    // make the aggregation evict instead of pushing the peak past the budget.
    const store = mem.spill!;
    const nBlocks = store.blocks(run);
    for (let i = 0; i < nBlocks; i++) {
      const { rows: block, bytes } = decodeBlock(store.read(run, i));
      agg.reserveBlock(bytes);
      try {
        for (const r of block) {
          if (r[width] === STATE) {
            flush();
            agg.addState(r[0] as unknown[]);
            continue;
          }
          rows.push(r);
          if (rows.length >= REPLAY_ROWS) flush();
        }
        flush();
      } finally {
        mem.release(bytes);
      }
    }
    mem.dropRun(run);
    const out = agg.finish();
    const sub = agg.spilledRuns();
    if (out.length) yield out;
    yield* aggregateRuns(mem, sub, depth + 1, inputWidth, make);
  }
}
