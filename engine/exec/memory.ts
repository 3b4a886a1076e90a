/**
 * @module engine/exec/memory
 * Per-query memory accounting. Materializing operators (sort, window, hash
 * join build, hash aggregate, DISTINCT, set operations) reserve the
 * approximate bytes of the state they hold against one budget per statement;
 * when a reservation fails they spill to the query's `SpillStore` or, where
 * they cannot, fail with SQLSTATE 53200 naming the limit — never by running
 * the isolate (128 MB on Workers) out of memory.
 *
 * Sizes are estimates of V8's heap use: typed arrays exactly, strings about
 * two bytes per character plus a header, boxed values and array slots a few
 * words each. They only need to be proportional and conservative enough.
 */
import { SqlError } from '../errors.ts';
import type { SpillStore } from './spill-store.ts';

/** Operator state per query by default: half of a 128 MB Worker / Durable Object isolate. */
export const DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024;

/** SQLSTATE out_of_memory. */
export const OUT_OF_MEMORY = '53200';

/** Bytes of one value held in a row array (the slot plus whatever it points to). */
export function valueBytes(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return 24 + 2 * v.length;
    case 'number':
      return 16; // slot + possible heap number
    case 'bigint':
      return 32;
    case 'boolean':
    case 'undefined':
      return 8;
    case 'object': {
      if (v === null) return 8;
      if (ArrayBuffer.isView(v)) return 64 + v.byteLength;
      if (Array.isArray(v)) {
        let n = 32;
        for (const x of v) n += valueBytes(x);
        return n;
      }
      return 64; // small records such as intervals
    }
    default:
      return 16;
  }
}

/** Bytes of a row array and its values. */
export function rowBytes(row: readonly unknown[]): number {
  let n = 32;
  for (let i = 0; i < row.length; i++) n += valueBytes(row[i]);
  return n;
}

/** The error a query gets when an operator cannot stay within its budget and cannot spill. */
export function outOfMemory(what: string, limit: number): SqlError {
  return new SqlError(
    OUT_OF_MEMORY,
    `out of memory: ${what} needs more than the query memory limit of ${formatBytes(limit)}`,
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} kB`;
  return `${n} bytes`;
}

/** Counters a query reports about its memory use. */
export interface MemoryStats {
  /** Highest accounted operator memory at any time. */
  peakBytes: number;
  /** Encoded bytes written to the spill store. */
  spilledBytes: number;
  /** Spill runs written. */
  spillRuns: number;
}

/**
 * One statement's memory budget and spill store. Operators `reserve` before
 * they grow and `release` what they free; `spillRun`/`dropRun` track runs so
 * `close` can delete anything a failed or early-stopped query left behind.
 */
export class QueryMemory {
  used = 0;
  readonly stats: MemoryStats = { peakBytes: 0, spilledBytes: 0, spillRuns: 0 };
  private readonly liveRuns = new Set<number>();

  constructor(
    readonly limit: number,
    readonly spill: SpillStore | undefined,
  ) {}

  /** Takes `n` bytes if they fit; false (and nothing taken) otherwise. */
  tryReserve(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    if (this.used > this.stats.peakBytes) this.stats.peakBytes = this.used;
    return true;
  }

  /**
   * Takes `n` bytes even past the limit: for the small, bounded working set an
   * operator needs to make progress at all (one block per merged run).
   */
  forceReserve(n: number): void {
    this.used += n;
    if (this.used > this.stats.peakBytes) this.stats.peakBytes = this.used;
  }

  /** Takes `n` bytes or throws 53200 naming `what`. */
  reserve(n: number, what: string): void {
    if (!this.tryReserve(n)) throw outOfMemory(what, this.limit);
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /** The spill store, or a 53200 error for operators that cannot proceed without one. */
  spillStore(what: string): SpillStore {
    if (!this.spill) throw outOfMemory(what, this.limit);
    return this.spill;
  }

  /** Opens a spill run and records it for cleanup. */
  openRun(what: string): number {
    const id = this.spillStore(what).create();
    this.liveRuns.add(id);
    this.stats.spillRuns++;
    return id;
  }

  /** Appends encoded bytes to a run. */
  appendRun(run: number, bytes: Uint8Array): void {
    this.spill!.append(run, bytes);
    this.stats.spilledBytes += bytes.length;
  }

  /** Deletes a run that is no longer needed. */
  dropRun(run: number): void {
    if (!this.liveRuns.delete(run)) return;
    this.spill!.delete(run);
  }

  /**
   * Runs a complete sub-execution (a subquery run to rows): whatever its
   * operators still hold when it returns — state of operators a LIMIT stopped
   * early, their spill runs — is given back, so repeated correlated subqueries
   * do not accumulate phantom reservations.
   */
  scoped<T>(f: () => T): T {
    const used = this.used;
    const runs = new Set(this.liveRuns);
    try {
      return f();
    } finally {
      for (const run of [...this.liveRuns]) if (!runs.has(run)) this.dropRun(run);
      this.used = used;
    }
  }

  /** Deletes every run still open (end of statement, also after errors). */
  close(): void {
    for (const run of this.liveRuns) this.spill!.delete(run);
    this.liveRuns.clear();
    this.used = 0;
  }
}

/** A budget with no limit and no spill store, for contexts that never configured one. */
export function unlimitedMemory(): QueryMemory {
  return new QueryMemory(Number.POSITIVE_INFINITY, undefined);
}

/** The context's budget, or an unlimited one when the caller configured none. */
export function queryMemory(ctx: { readonly memory?: QueryMemory }): QueryMemory {
  return ctx.memory ?? unlimitedMemory();
}
