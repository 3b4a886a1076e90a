/**
 * @module engine/exec/result-format
 * Converts executor values into the public result representation: date/time
 * and interval values become PostgreSQL's text output; arrays stay JS arrays
 * (NULL elements null) whose elements get the same treatment; everything else
 * is already in its API form (bigint for int64, decimal strings for numeric).
 */
import { formatText } from '../types/cast.ts';
import { elemType, isArrayType, type SqlType } from '../types/values.ts';

type Fmt = (v: unknown) => unknown;

const isTextOut = (t: SqlType) =>
  t === 'date' || t === 'timestamp' || t === 'timestamptz' || t === 'interval' || t === 'time';

/** The formatter for non-null values of `type`, or undefined when values are already in API form. */
function formatterFor(type: SqlType): Fmt | undefined {
  if (isTextOut(type)) return (v) => formatText(v, type);
  if (isArrayType(type)) {
    const et = elemType(type);
    if (!isTextOut(et)) return undefined;
    return (v) => (v as unknown[]).map((x) => (x === null ? null : formatText(x, et)));
  }
  return undefined;
}

/** Formats one value of `type` for QueryResult.rows. */
export function formatResultValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  const f = formatterFor(type);
  return f ? f(v) : v;
}

/** Formats all rows in place and returns them. */
export function formatRows(rows: unknown[][], types: readonly SqlType[]): unknown[][] {
  const fmt = resultFormatters(types);
  if (!fmt.some(Boolean)) return rows;
  for (const r of rows)
    for (let c = 0; c < types.length; c++) {
      const f = fmt[c];
      if (f && r[c] !== null && r[c] !== undefined) r[c] = f(r[c]);
    }
  return rows;
}

/** Per-column formatters for result rows (undefined where the value is already in API form). */
export function resultFormatters(types: readonly SqlType[]): (Fmt | undefined)[] {
  return types.map(formatterFor);
}
