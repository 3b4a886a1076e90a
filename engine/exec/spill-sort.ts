/**
 * @module engine/exec/spill-sort
 * External merge sort over JS rows. Rows are buffered against the query's
 * memory budget; when a reservation fails the buffer is sorted and written as
 * a run. At the end the runs are merged k ways with a binary heap, in several
 * passes when there are more runs than blocks fit in memory at once.
 *
 * Same order as the in-memory path: Array.prototype.sort is stable, runs are
 * cut in input order and the merge breaks ties by run number, so equal rows
 * keep their input order either way. With `limit`, the buffer is trimmed to
 * the best rows as it grows (top-k) and the merge stops after `limit` rows.
 */
import { type QueryMemory, rowBytes } from './memory.ts';
import { blockBytesFor, RunReader, RunWriter } from './spill-run.ts';

export type RowOrder = (a: readonly unknown[], b: readonly unknown[]) => number;

/** Sorted rows, pulled one at a time; `close` frees what an early stop leaves behind. */
export interface RowStream {
  next(): unknown[] | undefined;
  close(): void;
}

export class ExternalSorter {
  private buf: unknown[][] = [];
  private held = 0;
  private readonly runs: number[] = [];
  private readonly blockBytes: number;
  /** Smallest buffer worth writing as a run; below it the sorter overdraws instead of writing tiny runs. */
  private readonly minRun: number;

  constructor(
    private readonly mem: QueryMemory,
    private readonly order: RowOrder,
    private readonly what: string,
    private readonly limit?: number,
  ) {
    this.blockBytes = blockBytesFor(mem);
    this.minRun = Math.min(4 * this.blockBytes, Math.floor(mem.limit / 4));
  }

  /** True once some rows went to the spill store. */
  get spilled(): boolean {
    return this.runs.length > 0;
  }

  add(row: unknown[]): void {
    const bytes = rowBytes(row);
    if (!this.mem.tryReserve(bytes)) {
      if (this.held >= this.minRun && this.mem.spill) this.spill();
      if (!this.mem.tryReserve(bytes)) this.mem.forceReserve(bytes);
    }
    this.buf.push(row);
    this.held += bytes;
    const limit = this.limit;
    if (limit !== undefined && this.buf.length > 2 * limit + 4096) this.trim(limit);
  }

  /** The rows in order. */
  finish(): RowStream {
    if (this.runs.length === 0) {
      const rows = this.buf;
      rows.sort(this.order);
      if (this.limit !== undefined && rows.length > this.limit) rows.length = this.limit;
      this.buf = [];
      let i = 0;
      const mem = this.mem;
      let held = this.held;
      this.held = 0;
      return {
        next: () => {
          if (i < rows.length) return rows[i++];
          mem.release(held);
          held = 0;
          return undefined;
        },
        close: () => {
          mem.release(held);
          held = 0;
        },
      };
    }
    if (this.buf.length > 0) this.spill();
    let runs = this.runs.splice(0);
    // Each merged run holds one decoded block; keep the fan-in within the budget.
    const fanIn = Math.max(2, Math.floor((this.mem.limit - this.mem.used) / (2 * this.blockBytes)));
    while (runs.length > fanIn) {
      const next: number[] = [];
      for (let i = 0; i < runs.length; i += fanIn) {
        const group = runs.slice(i, i + fanIn);
        if (group.length === 1) {
          next.push(group[0]);
          continue;
        }
        const w = new RunWriter(this.mem, this.what, this.blockBytes);
        const m = mergeRuns(this.mem, group, this.order);
        for (let r = m.next(); r; r = m.next()) w.add(r);
        next.push(w.finish());
      }
      runs = next;
    }
    const merged = mergeRuns(this.mem, runs, this.order);
    if (this.limit === undefined) return merged;
    let left = this.limit;
    return {
      next: () => {
        if (left <= 0) {
          merged.close();
          return undefined;
        }
        left--;
        return merged.next();
      },
      close: () => merged.close(),
    };
  }

  private trim(limit: number): void {
    this.buf.sort(this.order);
    let freed = 0;
    for (let k = limit; k < this.buf.length; k++) freed += rowBytes(this.buf[k]);
    this.buf.length = limit;
    this.held -= freed;
    this.mem.release(freed);
  }

  private spill(): void {
    const rows = this.buf;
    rows.sort(this.order);
    const n = this.limit !== undefined ? Math.min(rows.length, this.limit) : rows.length;
    const w = new RunWriter(this.mem, this.what, this.blockBytes);
    for (let i = 0; i < n; i++) w.add(rows[i]);
    this.runs.push(w.finish());
    this.mem.release(this.held);
    this.buf = [];
    this.held = 0;
  }
}

/** K-way merge of sorted runs (ties go to the earlier run, keeping the sort stable). */
export function mergeRuns(mem: QueryMemory, runs: readonly number[], order: RowOrder): RowStream {
  const readers = runs.map((r) => new RunReader(mem, r));
  // Binary min-heap of reader indexes, ordered by (current row, reader index).
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => {
    const c = order(readers[a].row!, readers[b].row!);
    return c < 0 || (c === 0 && a < b);
  };
  const down = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r], heap[l]) ? r : l;
      if (!less(heap[m], heap[i])) return;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  };
  readers.forEach((rd, i) => {
    if (rd.row !== undefined) heap.push(i);
  });
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  return {
    next() {
      if (heap.length === 0) return undefined;
      const top = heap[0];
      const rd = readers[top];
      const row = rd.row!;
      rd.advance();
      if (rd.row === undefined) {
        heap[0] = heap[heap.length - 1];
        heap.pop();
      }
      if (heap.length > 0) down(0);
      return row;
    },
    close() {
      for (const rd of readers) rd.close();
      heap.length = 0;
    },
  };
}
