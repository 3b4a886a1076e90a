/**
 * @module workers/data-plane/query-stats
 * The `stats` object of every API response: wall time, shards touched, chunk
 * pruning and the Durable Object SQLite meters Cloudflare bills.
 */
import type { ShardStats } from '../../durable-objects/shard-storage.ts';

/** Response stats (see docs/http-api.md). */
export interface QueryStats {
  ms: number;
  shards: number;
  chunksScanned: number;
  chunksSkipped: number;
  rowsRead: number;
  rowsWritten: number;
  bytesScanned: number;
}

/** Accumulates per-shard meters over a request. */
export class StatsCollector {
  private readonly started = Date.now();
  private readonly touched = new Set<string>();
  private readonly sum = { chunksScanned: 0, chunksSkipped: 0, rowsRead: 0, rowsWritten: 0, bytesScanned: 0 };

  /** Adds one shard call's meters. */
  add(shard: string, s: ShardStats): void {
    this.touched.add(shard);
    this.sum.chunksScanned += s.chunksScanned;
    this.sum.chunksSkipped += s.chunksSkipped;
    this.sum.rowsRead += s.rowsRead;
    this.sum.rowsWritten += s.rowsWritten;
    this.sum.bytesScanned += s.bytesScanned;
  }

  /** Marks a shard as touched without meters (e.g. metadata calls). */
  touch(shard: string): void {
    this.touched.add(shard);
  }

  /** The response stats so far. */
  snapshot(): QueryStats {
    return { ms: Date.now() - this.started, shards: this.touched.size, ...this.sum };
  }
}
