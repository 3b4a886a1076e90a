/**
 * @module durable-objects/shard-spill
 * The engine's `SpillStore` on this shard's SQLite: one table of blobs,
 * `spill_blocks (run, block, part)`, each value at most 2 MB (the SQLite
 * value limit; blocks are about 1 MB, larger ones are split into parts).
 * Statements go through the query's `Meter`, so spilled rows are billed and
 * reported like any other.
 *
 * Lifetime: an engine query runs synchronously from start to finish inside
 * the Durable Object, so no two queries spill at once. The first run a store
 * opens clears blocks a crashed earlier query may have left; the engine
 * deletes every run when its statement ends, failed or not.
 */
import type { SpillStore } from '../engine/exec/spill-store.ts';
import type { Meter } from './shard-storage.ts';

/** Largest blob per SQLite row. */
const MAX_PART = 2 * 1024 * 1024 - 1024;

/** Spill runs in the shard's SQLite, billed to one query's meter. */
export class ShardSpill implements SpillStore {
  private readonly blockCounts = new Map<number, number>();
  private nextId = 1;
  private ready = false;

  constructor(private readonly meter: Meter) {}

  create(): number {
    if (!this.ready) {
      this.meter.all(
        `CREATE TABLE IF NOT EXISTS spill_blocks (run INTEGER NOT NULL, block INTEGER NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run, block, part))`,
      );
      this.meter.all(`DELETE FROM spill_blocks`);
      this.ready = true;
    }
    const id = this.nextId++;
    this.blockCounts.set(id, 0);
    return id;
  }

  append(run: number, block: Uint8Array): void {
    const n = this.count(run);
    for (let part = 0, off = 0; off < block.length || part === 0; part++, off += MAX_PART) {
      this.meter.all(
        `INSERT INTO spill_blocks (run, block, part, data) VALUES (?, ?, ?, ?)`,
        run,
        n,
        part,
        block.subarray(off, Math.min(block.length, off + MAX_PART)),
      );
    }
    this.blockCounts.set(run, n + 1);
  }

  blocks(run: number): number {
    return this.count(run);
  }

  read(run: number, index: number): Uint8Array {
    const parts = this.meter.all<{ data: ArrayBuffer }>(
      `SELECT data FROM spill_blocks WHERE run = ? AND block = ? ORDER BY part`,
      run,
      index,
    );
    if (parts.length === 0) throw new Error(`spill run ${run} has no block ${index}`);
    if (parts.length === 1) return new Uint8Array(parts[0].data);
    const out = new Uint8Array(parts.reduce((s, p) => s + p.data.byteLength, 0));
    let off = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.data), off);
      off += p.data.byteLength;
    }
    return out;
  }

  delete(run: number): void {
    if (!this.blockCounts.delete(run)) return;
    this.meter.all(`DELETE FROM spill_blocks WHERE run = ?`, run);
  }

  private count(run: number): number {
    const n = this.blockCounts.get(run);
    if (n === undefined) throw new Error(`unknown spill run ${run}`);
    return n;
  }
}
