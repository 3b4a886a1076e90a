/**
 * @module engine/exec/spill-run
 * Writing rows to a spill run and reading them back one block at a time. A
 * writer cuts a block when the rows it holds would take `blockBytes` of
 * accounted memory once decoded (or 1 MB encoded, well under the 2 MB
 * SQLite value limit), so a reader holds at most about one block of rows;
 * the reader reserves that block against the query budget while it holds it.
 */
import { type QueryMemory, rowBytes } from './memory.ts';
import { BlockEncoder, decodeBlock } from './spill-codec.ts';

/** Largest encoded block: half the 2 MB SQLite value limit, with room for one oversized row. */
const MAX_ENCODED_BLOCK = 1024 * 1024;

/** Decoded bytes per spill block for a budget: small enough that many runs can be merged at once. */
export function blockBytesFor(mem: QueryMemory, share = 32): number {
  const b = Number.isFinite(mem.limit) ? Math.floor(mem.limit / share) : 1024 * 1024;
  return Math.max(1024, Math.min(4 * 1024 * 1024, b));
}

/** Appends rows to one new spill run. */
export class RunWriter {
  readonly run: number;
  private readonly enc = new BlockEncoder();
  private pending = 0;
  rows = 0;

  constructor(
    private readonly mem: QueryMemory,
    what: string,
    private readonly blockBytes: number,
  ) {
    this.run = mem.openRun(what);
  }

  /** Adds a row; `bytes` is its accounted size when the caller already knows it. */
  add(row: readonly unknown[], bytes = rowBytes(row)): void {
    this.enc.add(row);
    this.rows++;
    this.pending += bytes;
    if (this.pending >= this.blockBytes || this.enc.size >= MAX_ENCODED_BLOCK) this.flush();
  }

  /** Writes the last block; returns the run id. */
  finish(): number {
    if (this.enc.rows > 0) this.flush();
    return this.run;
  }

  private flush(): void {
    this.mem.appendRun(this.run, this.enc.finish());
    this.pending = 0;
  }
}

/** Reads a run's rows in order, one decoded block in memory at a time; drops the run when done. */
export class RunReader {
  private block: unknown[][] = [];
  private pos = 0;
  private nextBlock = 0;
  private held = 0;
  private readonly nBlocks: number;
  /** The current row, or undefined at the end. */
  row: unknown[] | undefined;

  constructor(
    private readonly mem: QueryMemory,
    readonly run: number,
    private readonly dropWhenDone = true,
  ) {
    this.nBlocks = mem.spill!.blocks(run);
    this.advance();
  }

  /** Moves to the next row. */
  advance(): void {
    while (this.pos >= this.block.length) {
      this.mem.release(this.held);
      this.held = 0;
      this.block = [];
      this.pos = 0;
      if (this.nextBlock >= this.nBlocks) {
        this.row = undefined;
        if (this.dropWhenDone) this.mem.dropRun(this.run);
        return;
      }
      const { rows, bytes } = decodeBlock(this.mem.spill!.read(this.run, this.nextBlock++));
      this.mem.forceReserve(bytes);
      this.held = bytes;
      this.block = rows;
    }
    this.row = this.block[this.pos++];
  }

  /** Releases the held block and (when owned) the run, before the end. */
  close(): void {
    this.mem.release(this.held);
    this.held = 0;
    this.block = [];
    this.row = undefined;
    if (this.dropWhenDone) this.mem.dropRun(this.run);
  }
}
