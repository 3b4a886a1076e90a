/**
 * @module engine/exec/budget
 * The statement's time budget (`statement_timeout`). Operators report each
 * batch they produce (`tick`); past the deadline the statement fails with
 * PostgreSQL's 57014 "canceling statement due to statement timeout". The clock
 * is read every few batches, never per row.
 *
 * On Workers the clocks do not advance while JavaScript runs (they move only at
 * I/O), so a statement that is pure computation would never see its deadline.
 * When the clock has not moved, elapsed time is estimated from the rows the
 * operators have handled (`MS_PER_ROW`), which keeps an endless cross join or
 * series from running into the platform's CPU limit.
 */
import { SqlError, SqlState } from '../errors.ts';

/** Default statement_timeout: a Worker request's CPU limit is 30 s by default. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** Estimated cost of one row through one operator when the clock stands still (500 ns, measured: 0.3–1 µs in Node). */
export const MS_PER_ROW = 5e-4;

/** The error of a statement past its deadline. */
export function statementTimeout(): SqlError {
  return new SqlError(SqlState.queryCanceled, 'canceling statement due to statement timeout');
}

const defaultNow = (): number => performance.now();

/** One statement's deadline. */
export class StatementBudget {
  /** Rows reported so far (the work estimate). */
  work = 0;
  private ticks = 0;
  private readonly start: number;

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = defaultNow,
  ) {
    this.start = now();
  }

  /** Counts `rows` of work; every 8th call (or after a large batch) checks the deadline. */
  tick(rows: number): void {
    this.work += rows;
    if ((++this.ticks & 7) !== 0 && rows < 4096) return;
    if (this.elapsedMs() > this.timeoutMs) throw statementTimeout();
  }

  /** Time since the statement started, or the work estimate while the clock stands still. */
  elapsedMs(): number {
    const t = this.now() - this.start;
    return t > 0 ? t : this.work * MS_PER_ROW;
  }
}

/**
 * Parses a statement_timeout value as PostgreSQL does: a number of
 * milliseconds, or a number with a unit (us, ms, s, min, h, d); 0 disables.
 */
export function parseTimeoutMs(v: unknown): number {
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v);
    if (n >= 0 && Number.isFinite(n)) return Math.round(n);
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
    if (m) {
      const scale = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
      return Math.round(Number(m[1]) * scale);
    }
  }
  throw new SqlError(
    SqlState.invalidParameterValue,
    `invalid value for parameter "statement_timeout": "${String(v)}"`,
    undefined,
    'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
  );
}
