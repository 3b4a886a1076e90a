/**
 * @module workers/data-plane/query-stats
 * The `stats` object of every API response: wall time, shards touched, chunk
 * pruning and the Durable Object SQLite meters Cloudflare bills — and the
 * `Server-Timing` header: where a request's time went, per stage in the Worker
 * (parse, plan, shard fan-out, merge, JSON) plus the slowest shard's own stages
 * (engine open, SQL, execution, conversion), all in milliseconds.
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
  /** Bytes of cold chunk columns fetched from R2 (0 when served from the shards' caches). */
  r2BytesRead: number;
}

/** Accumulates per-shard meters over a request. */
export class StatsCollector {
  private readonly started = Date.now();
  private last = performance.now();
  private readonly stages = new Map<string, number>();
  private readonly touched = new Set<string>();
  private readonly sum = {
    chunksScanned: 0,
    chunksSkipped: 0,
    rowsRead: 0,
    rowsWritten: 0,
    bytesScanned: 0,
    r2BytesRead: 0,
  };

  /** Adds one shard call's meters. */
  add(shard: string, s: ShardStats): void {
    this.touched.add(shard);
    this.sum.chunksScanned += s.chunksScanned;
    this.sum.chunksSkipped += s.chunksSkipped;
    this.sum.rowsRead += s.rowsRead;
    this.sum.rowsWritten += s.rowsWritten;
    this.sum.bytesScanned += s.bytesScanned;
    this.sum.r2BytesRead += s.r2BytesRead ?? 0;
  }

  /** Marks a shard as touched without meters (e.g. metadata calls). */
  touch(shard: string): void {
    this.touched.add(shard);
  }

  /** Charges the time since the previous lap (or the start) to `stage`. */
  lap(stage: string): void {
    const now = performance.now();
    this.time(stage, now - this.last);
    this.last = now;
  }

  /** Adds `ms` to `stage` (summed over repeats). */
  time(stage: string, ms: number): void {
    this.stages.set(stage, (this.stages.get(stage) ?? 0) + ms);
  }

  /**
   * Adds one shard's own stages: summed over shards as `shard-<stage>` (shards that
   * share a thread, as under `wrangler dev`, run one after another), and the slowest
   * shard's total as `shard-max`.
   */
  shardTiming(timing: Readonly<Record<string, number>> | undefined): void {
    if (!timing) return;
    for (const k in timing) this.time(`shard-${k}`, timing[k]);
    const total = timing.total ?? 0;
    if (total > (this.stages.get('shard-max') ?? -1)) this.stages.set('shard-max', total);
  }

  /** The `Server-Timing` header value: `stage;dur=ms` per stage, in order of first use. */
  serverTiming(): string {
    return [...this.stages].map(([k, v]) => `${k};dur=${v.toFixed(2)}`).join(', ');
  }

  /** The response stats so far. */
  snapshot(): QueryStats {
    return { ms: Date.now() - this.started, shards: this.touched.size, ...this.sum };
  }
}
