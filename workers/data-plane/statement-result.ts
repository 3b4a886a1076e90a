/**
 * @module workers/data-plane/statement-result
 * The result of one statement as the SQL endpoint returns it, and how stored
 * values become JSON (timestamps as ISO 8601 text, types by PostgreSQL name).
 */
import type { OutputType } from '../../engine/distributed/partial-merge.ts';
import { formatTimestampUs } from '../../engine/distributed/table-schema.ts';

/** One statement's columns and rows (JSON-ready). */
export interface StatementResult {
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
  readonly rowCount: number;
  /** Set for DDL/DML: e.g. `INSERT`, `CREATE TABLE`. */
  readonly command?: string;
}

const PG_TYPE: Record<OutputType, string> = {
  bool: 'boolean',
  int32: 'integer',
  int64: 'bigint',
  float64: 'double precision',
  text: 'text',
  timestamptz: 'timestamptz',
  numeric: 'numeric',
  null: 'unknown',
};

const DAY_MS = 86_400_000;
/** Timestamps a formatter remembers (then it starts over): a few hundred KB of strings at most. */
const MEMO_SIZE = 8192;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * A formatter equal to `formatTimestampUs` (ISO 8601, `Z`, microseconds when
 * non-zero) that builds the date part once per day and the time of day by
 * arithmetic: results often hold tens of thousands of timestamps, and
 * `Date#toISOString` per value dominated their formatting. A timestamp seen
 * before answers its text from a bounded memo: rows of time series repeat
 * their timestamps (one per host; TSBS high-cpu-all: ~18 rows per timestamp),
 * and building the string was most of the format stage.
 */
export function timestampFormatter(): (us: number) => string {
  let day = Number.NaN;
  let prefix: string | undefined;
  const memo = new Map<number, string>();
  const format = (us: number): string => {
    if (!(Math.abs(us) < 8.64e18)) return formatTimestampUs(us); // ±infinity, beyond a JS Date
    const ms = Math.floor(us / 1000);
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      const iso = new Date(d * DAY_MS).toISOString();
      // Years outside 0000–9999 print as ±YYYYYY: leave those to the general formatter.
      prefix = iso.length === 24 ? iso.slice(0, 11) : undefined;
    }
    if (prefix === undefined) return formatTimestampUs(us);
    let rem = ms - d * DAY_MS;
    const h = Math.floor(rem / 3_600_000);
    rem -= h * 3_600_000;
    const m = Math.floor(rem / 60_000);
    rem -= m * 60_000;
    const sec = Math.floor(rem / 1000);
    const micro = us - ms * 1000;
    const frac = micro === 0 ? pad3(rem - sec * 1000) : `${pad3(rem - sec * 1000)}${pad3(micro)}`;
    return `${prefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${frac}Z`;
  };
  return (us) => {
    let text = memo.get(us);
    if (text === undefined) {
      if (memo.size >= MEMO_SIZE) memo.clear();
      text = format(us);
      memo.set(us, text);
    }
    return text;
  };
}

/** Converts planner output (typed columns, raw values) into a JSON-ready result, in place. */
export function toStatementResult(
  columns: readonly { name: string; type: OutputType }[],
  rows: unknown[][],
): StatementResult {
  const n = rows.length;
  for (let c = 0; c < columns.length; c++) {
    const type = columns[c].type;
    if (type === 'timestamptz') {
      const format = timestampFormatter();
      for (let r = 0; r < n; r++) {
        const v = rows[r][c];
        if (typeof v === 'number') rows[r][c] = format(v);
      }
    } else if (type === 'int64') {
      // int8 beyond ±2^53 is a bigint in the plane: exact text in JSON.
      for (let r = 0; r < n; r++) {
        const v = rows[r][c];
        if (typeof v === 'bigint') rows[r][c] = exactInt8(v);
      }
    } else if (type === 'float64') {
      // JSON has no NaN/Infinity: send PostgreSQL's text spelling.
      for (let r = 0; r < n; r++) {
        const v = rows[r][c];
        if (typeof v === 'number' && !Number.isFinite(v))
          rows[r][c] = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      }
    }
  }
  return {
    columns: columns.map((c) => ({ name: c.name, type: PG_TYPE[c.type] })),
    rows,
    rowCount: rows.length,
  };
}

/**
 * JSON form of an array value (engine arrays are JS arrays, NULL elements
 * null): elements as in scalar columns — bigint as a number within ±2^53 (else text), NaN/Infinity and
 * bytea as PostgreSQL text — while date/time elements keep PostgreSQL's text
 * output (`2020-01-01 00:00:00+00`), as the engine formats them.
 */
export function jsonArray(v: readonly unknown[]): unknown[] {
  return v.map((x) => {
    if (typeof x === 'bigint') return exactInt8(x);
    if (typeof x === 'number' && !Number.isFinite(x))
      return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
    if (x instanceof Uint8Array) return `\\x${[...x].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    return x;
  });
}

/**
 * JSON of an int8 value: a number within ±2^53 (exact in a double), else its decimal text,
 * as node-postgres and Neon's HTTP API send int8 — never a rounded number.
 */
export function exactInt8(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
}

/** A result with no rows for a command. */
export function commandResult(command: string, rowCount = 0): StatementResult {
  return { columns: [], rows: [], rowCount, command };
}
