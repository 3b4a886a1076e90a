/**
 * @module engine/exec/spill-store
 * Where operators put state that does not fit the query's memory budget: a
 * run is an append-only sequence of encoded blocks (see spill-codec), read
 * back sequentially and deleted when consumed. Synchronous, like the
 * executor; the Durable Object implementation (durable-objects/shard-spill.ts)
 * keeps blocks in SQLite, whose API is synchronous too.
 *
 * Ownership: a run belongs to the one operator that created it; blocks handed
 * to `append` may be kept by reference (callers never reuse them), and blocks
 * returned by `read` are the caller's.
 */

/** A store of spill runs. Ids are unique within the store. */
export interface SpillStore {
  /** Opens a new, empty run. */
  create(): number;
  /** Appends one block to a run. */
  append(run: number, block: Uint8Array): void;
  /** Number of blocks in a run. */
  blocks(run: number): number;
  /** Reads block `index` (0-based, in append order) of a run. */
  read(run: number, index: number): Uint8Array;
  /** Deletes a run and its blocks; deleting an unknown run is a no-op. */
  delete(run: number): void;
}

/** Counters kept by `MemorySpillStore` (tests assert that spilling happened and was cleaned up). */
export interface SpillCounters {
  bytesWritten: number;
  bytesRead: number;
  blocksWritten: number;
  runsCreated: number;
  /** Bytes currently stored. */
  liveBytes: number;
  /** Highest `liveBytes` seen. */
  peakLiveBytes: number;
}

/**
 * Keeps runs in JS memory. Useful in tests and in Node: encoded blocks are
 * several times smaller than the JS rows they hold, but this store does not
 * bound memory by itself.
 */
export class MemorySpillStore implements SpillStore {
  readonly counters: SpillCounters = {
    bytesWritten: 0,
    bytesRead: 0,
    blocksWritten: 0,
    runsCreated: 0,
    liveBytes: 0,
    peakLiveBytes: 0,
  };
  private readonly runs = new Map<number, Uint8Array[]>();
  private nextId = 1;

  create(): number {
    const id = this.nextId++;
    this.runs.set(id, []);
    this.counters.runsCreated++;
    return id;
  }

  append(run: number, block: Uint8Array): void {
    const r = this.run(run);
    r.push(block);
    const c = this.counters;
    c.bytesWritten += block.length;
    c.blocksWritten++;
    c.liveBytes += block.length;
    if (c.liveBytes > c.peakLiveBytes) c.peakLiveBytes = c.liveBytes;
  }

  blocks(run: number): number {
    return this.run(run).length;
  }

  read(run: number, index: number): Uint8Array {
    const b = this.run(run)[index];
    if (b === undefined) throw new Error(`spill run ${run} has no block ${index}`);
    this.counters.bytesRead += b.length;
    return b;
  }

  delete(run: number): void {
    const r = this.runs.get(run);
    if (!r) return;
    for (const b of r) this.counters.liveBytes -= b.length;
    this.runs.delete(run);
  }

  /** Runs currently stored. */
  get liveRuns(): number {
    return this.runs.size;
  }

  private run(id: number): Uint8Array[] {
    const r = this.runs.get(id);
    if (!r) throw new Error(`unknown spill run ${id}`);
    return r;
  }
}
