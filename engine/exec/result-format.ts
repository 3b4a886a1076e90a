/**
 * @module engine/exec/result-format
 * Converts executor values into the public result representation: date/time
 * and interval values become PostgreSQL's text output; everything else is
 * already in its API form (bigint for int64, decimal strings for numeric).
 */
import { formatText } from '../types/cast.ts';
import type { SqlType } from '../types/values.ts';

/** Formats one value of `type` for QueryResult.rows. */
export function formatResultValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
      return formatText(v, type);
    case 'unknown':
      return typeof v === 'string' ? v : v;
    default:
      return v;
  }
}

/** Formats all rows in place and returns them. */
export function formatRows(rows: unknown[][], types: readonly SqlType[]): unknown[][] {
  const fmt = types.map((t) => t === 'date' || t === 'timestamp' || t === 'timestamptz' || t === 'interval');
  if (!fmt.some(Boolean)) return rows;
  for (const r of rows)
    for (let c = 0; c < types.length; c++) if (fmt[c]) r[c] = formatResultValue(r[c], types[c]);
  return rows;
}

/** Per-column formatters for result rows (undefined where the value is already in API form). */
export function resultFormatters(types: readonly SqlType[]): (((v: unknown) => unknown) | undefined)[] {
  return types.map((t) =>
    t === 'date' || t === 'timestamp' || t === 'timestamptz' || t === 'interval'
      ? (v: unknown) => formatText(v, t)
      : undefined,
  );
}
