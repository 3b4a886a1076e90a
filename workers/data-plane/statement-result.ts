/**
 * @module workers/data-plane/statement-result
 * The result of one statement as the SQL endpoint returns it, and how stored
 * values become JSON (timestamps as ISO 8601 text, types by PostgreSQL name).
 */
import type { DistType } from '../../engine/distributed/table-schema.ts';
import { formatTimestampUs } from '../../engine/distributed/table-schema.ts';

/** One statement's columns and rows (JSON-ready). */
export interface StatementResult {
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
  readonly rowCount: number;
  /** Set for DDL/DML: e.g. `INSERT`, `CREATE TABLE`. */
  readonly command?: string;
}

const PG_TYPE: Record<DistType | 'null', string> = {
  bool: 'boolean',
  int32: 'integer',
  int64: 'bigint',
  float64: 'double precision',
  text: 'text',
  timestamptz: 'timestamptz',
  null: 'unknown',
};

/** Converts planner output (typed columns, raw values) into a JSON-ready result. */
export function toStatementResult(
  columns: readonly { name: string; type: DistType | 'null' }[],
  rows: unknown[][],
): StatementResult {
  const ts = columns.map((c, i) => (c.type === 'timestamptz' ? i : -1)).filter((i) => i >= 0);
  const nonFinite = columns.map((c, i) => (c.type === 'float64' ? i : -1)).filter((i) => i >= 0);
  for (const r of rows) {
    for (const i of ts) if (typeof r[i] === 'number') r[i] = formatTimestampUs(r[i] as number);
    // JSON has no NaN/Infinity: send PostgreSQL's text spelling.
    for (const i of nonFinite) {
      const v = r[i];
      if (typeof v === 'number' && !Number.isFinite(v))
        r[i] = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
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
 * null): elements as in scalar columns — bigint as a number, NaN/Infinity and
 * bytea as PostgreSQL text — while date/time elements keep PostgreSQL's text
 * output (`2020-01-01 00:00:00+00`), as the engine formats them.
 */
export function jsonArray(v: readonly unknown[]): unknown[] {
  return v.map((x) => {
    if (typeof x === 'bigint') return Number(x);
    if (typeof x === 'number' && !Number.isFinite(x))
      return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
    if (x instanceof Uint8Array) return `\\x${[...x].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    return x;
  });
}

/** A result with no rows for a command. */
export function commandResult(command: string, rowCount = 0): StatementResult {
  return { columns: [], rows: [], rowCount, command };
}
