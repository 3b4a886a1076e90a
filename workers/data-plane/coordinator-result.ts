/**
 * @module workers/data-plane/coordinator-result
 * An engine answer from the coordinator (see `coordinator-select`) as the SQL
 * endpoint returns it: PostgreSQL type names (arrays as `<element>[]`),
 * timestamps as ISO 8601, non-finite floats as text, bytea as `\\x…`.
 * No Worker dependencies, so Node tests use it directly.
 */
import type { CoordinatorRows } from '../../engine/distributed/coordinator-engine.ts';
import { formatTimestampUs } from '../../engine/distributed/table-schema.ts';
import { formatFloat } from '../../engine/types/cast.ts';
import { jsonArray, type StatementResult } from './statement-result.ts';

const PG_TYPE: Partial<Record<string, string>> = {
  bool: 'boolean',
  int16: 'smallint',
  int32: 'integer',
  int64: 'bigint',
  float32: 'real',
  float64: 'double precision',
  json: 'jsonb',
};

/** PostgreSQL's short type name; arrays as `<element>[]` (e.g. `bigint[]`). */
const typeLabel = (t: string): string =>
  t.endsWith('[]') ? `${typeLabel(t.slice(0, -2))}[]` : (PG_TYPE[t] ?? t);

/** The JSON-ready result of an engine answer (timestamps as ISO 8601, non-finite floats as text). */
export function coordinatorResult(r: CoordinatorRows): StatementResult {
  const rows = r.rows.map((row) =>
    row.map((v, i) => {
      const t = r.columns[i].type;
      if (t === 'timestamptz' && typeof v === 'number') return formatTimestampUs(v);
      if (typeof v === 'number' && !Number.isFinite(v))
        return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      // real: the digits float4out prints (1.2345679e+20), not the float8 spelling of its value.
      if (t === 'float32' && typeof v === 'number') return Number(formatFloat(v, 'float32'));
      if (v instanceof Uint8Array) return `\\x${[...v].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
      if (Array.isArray(v)) return jsonArray(v);
      return v;
    }),
  );
  return {
    columns: r.columns.map((c) => ({ name: c.name, type: typeLabel(c.type) })),
    rows,
    rowCount: rows.length,
  };
}
