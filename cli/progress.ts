/**
 * @module cli/progress
 * Load progress: a cli-progress bar with rows, rows/s and ETA on a terminal;
 * one plain line per finished batch when the output is not a terminal (logs,
 * pipes), so nothing is lost to carriage returns.
 */
import cliProgress from 'cli-progress';

/** What a load reports as batches finish. */
export interface LoadProgress {
  /** `position` is how far through the input (bytes, or rows for Parquet) the load is. */
  update(rows: number, position: number): void;
  stop(): void;
}

const fmt = new Intl.NumberFormat('en-US');

/** Rows per second since `startedAt`. */
export function rowsPerSecond(rows: number, startedAt: number, now = Date.now()): number {
  const s = (now - startedAt) / 1000;
  return s > 0 ? Math.round(rows / s) : 0;
}

/** A bar on a TTY (with ETA when `total` is known), plain lines otherwise. */
export function loadProgress(
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): LoadProgress {
  const startedAt = Date.now();
  if (!stream.isTTY) {
    let batches = 0;
    return {
      update(rows) {
        batches++;
        stream.write(
          `loaded ${batches} batches: ${fmt.format(rows)} rows, ${fmt.format(rowsPerSecond(rows, startedAt))} rows/s\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: total
        ? '{bar} {percentage}% | {rowsText} rows | {rate} rows/s | ETA {eta_formatted}'
        : '{rowsText} rows | {rate} rows/s',
      hideCursor: true,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 1, 0, { rowsText: '0', rate: '0' });
  return {
    update(rows, position) {
      bar.update(total ? Math.min(position, total) : 0, {
        rowsText: fmt.format(rows),
        rate: fmt.format(rowsPerSecond(rows, startedAt)),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
