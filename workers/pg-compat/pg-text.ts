/**
 * @module workers/pg-compat/pg-text
 * A statement's answer as PostgreSQL clients see it: each column's type OID and
 * size (RowDescription, Neon's `fields[].dataTypeID`) and each value in
 * PostgreSQL's text output format (`t`/`f`, `2024-02-29 12:34:56+00`, `{1,NULL}`).
 *
 * It reads the JSON result the SQL endpoint builds (`StatementResult`: types by
 * PostgreSQL name, values in the documented JSON forms) and prints each value
 * with the engine's own output functions, so the wire protocol, Neon's HTTP
 * endpoint and `/v1/…/sql` agree on every value. No Worker dependencies.
 */
import { outputText } from '../../engine/functions/format-functions.ts';
import { formatArrayText } from '../../engine/types/array.ts';
import { parseTimestamptz } from '../../engine/types/datetime.ts';
import type { ColumnType } from '../../engine/vector.ts';
import type { StatementResult } from '../data-plane/statement-result.ts';

/** A column as PostgreSQL describes it: name, type OID and `typlen` (-1: variable). */
export interface PgField {
  readonly name: string;
  readonly dataTypeID: number;
  readonly dataTypeSize: number;
}

/** `pg_type` rows of the types results can carry: OID, array OID, typlen. */
const PG_TYPES: Record<string, { oid: number; arrayOid: number; len: number; engine: ColumnType }> = {
  boolean: { oid: 16, arrayOid: 1000, len: 1, engine: 'bool' },
  bytea: { oid: 17, arrayOid: 1001, len: -1, engine: 'bytea' },
  bigint: { oid: 20, arrayOid: 1016, len: 8, engine: 'int64' },
  smallint: { oid: 21, arrayOid: 1005, len: 2, engine: 'int16' },
  integer: { oid: 23, arrayOid: 1007, len: 4, engine: 'int32' },
  text: { oid: 25, arrayOid: 1009, len: -1, engine: 'text' },
  real: { oid: 700, arrayOid: 1021, len: 4, engine: 'float32' },
  'double precision': { oid: 701, arrayOid: 1022, len: 8, engine: 'float64' },
  numeric: { oid: 1700, arrayOid: 1231, len: -1, engine: 'numeric' },
  date: { oid: 1082, arrayOid: 1182, len: 4, engine: 'date' },
  timestamp: { oid: 1114, arrayOid: 1115, len: 8, engine: 'timestamp' },
  timestamptz: { oid: 1184, arrayOid: 1185, len: 8, engine: 'timestamptz' },
  interval: { oid: 1186, arrayOid: 1187, len: 16, engine: 'interval' },
  bpchar: { oid: 1042, arrayOid: 1014, len: -1, engine: 'bpchar' },
  character: { oid: 1042, arrayOid: 1014, len: -1, engine: 'bpchar' },
  time: { oid: 1083, arrayOid: 1183, len: 8, engine: 'time' },
  'time without time zone': { oid: 1083, arrayOid: 1183, len: 8, engine: 'time' },
  uuid: { oid: 2950, arrayOid: 2951, len: 16, engine: 'uuid' },
  jsonb: { oid: 3802, arrayOid: 3807, len: -1, engine: 'json' },
  // Management functions (`create_distributed_table`, …) return void, printed as ''.
  void: { oid: 2278, arrayOid: 0, len: 4, engine: 'text' },
};

/** `unknown` (an untyped NULL or literal) is sent as text, as PostgreSQL resolves it in output. */
const TEXT = PG_TYPES.text;

const typeRow = (name: string) => PG_TYPES[name] ?? TEXT;

/** The OID of a result type name (`bigint`, `text[]`); names without a row are text. */
export function pgTypeOid(typeName: string): number {
  return typeName.endsWith('[]') ? typeRow(typeName.slice(0, -2)).arrayOid : typeRow(typeName).oid;
}

/** The fields of a result, as RowDescription and Neon's `fields` describe them. */
export function pgFields(result: StatementResult): PgField[] {
  return result.columns.map((c) => ({
    name: c.name,
    dataTypeID: pgTypeOid(c.type),
    dataTypeSize: c.type.endsWith('[]') ? -1 : typeRow(c.type).len,
  }));
}

/** One scalar JSON value of an engine type, printed by the engine's output function. */
function scalarText(v: unknown, t: ColumnType): string {
  switch (t) {
    case 'float32':
    case 'float64':
      // NaN and ±Infinity travel as their PostgreSQL text already.
      return typeof v === 'number' ? outputText(v, t) : String(v);
    case 'timestamptz':
      // ISO 8601 UTC in JSON; infinities and years past a JS Date's range are PostgreSQL text.
      return typeof v === 'string' && v.endsWith('Z') ? outputText(parseTimestamptz(v), t) : String(v);
    case 'bool':
      return outputText(v === true || v === 't' || v === 'true', t);
    case 'json':
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      // Integers (numbers, or decimal text beyond ±2^53), numeric, text, uuid, date,
      // timestamp, interval and bytea (`\x…`) are PostgreSQL's text in JSON already.
      return String(v);
  }
}

/** A JSON result value as PostgreSQL's text output (null stays null). */
export function pgTextValue(v: unknown, typeName: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeName.endsWith('[]')) {
    const et = typeRow(typeName.slice(0, -2)).engine;
    if (!Array.isArray(v)) return String(v);
    // Date/time elements are PostgreSQL text in JSON arrays; the rest follow the scalar forms.
    return formatArrayText(v, (x) =>
      et === 'timestamptz' && typeof x === 'string' && !x.endsWith('Z') ? x : scalarText(x, et),
    );
  }
  return scalarText(v, typeRow(typeName).engine);
}

/** Every row of a result in PostgreSQL's text format. */
export function pgTextRows(result: StatementResult): (string | null)[][] {
  const types = result.columns.map((c) => c.type);
  return result.rows.map((row) => row.map((v, i) => pgTextValue(v, types[i])));
}

/**
 * A JSON result value as Neon's SQL-over-HTTP answers it without `Neon-Raw-Text-Output`:
 * booleans, int2/int4 and finite float4/float8 as JSON values, json/jsonb parsed, arrays as
 * JSON arrays of such elements, everything else (int8, numeric, dates…) as PostgreSQL text.
 */
export function pgJsonValue(v: unknown, typeName: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeName.endsWith('[]')) {
    const elem = typeName.slice(0, -2);
    const walk = (x: unknown): unknown => (Array.isArray(x) ? x.map(walk) : pgJsonValue(x, elem));
    return Array.isArray(v) ? walk(v) : pgTextValue(v, typeName);
  }
  const text = pgTextValue(v, typeName) as string;
  switch (typeRow(typeName).engine) {
    case 'bool':
      return text === 't';
    case 'int16':
    case 'int32':
      return Number(text);
    case 'float32':
    case 'float64': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text; // NaN and ±Infinity stay text, as Neon sends them
    }
    case 'json':
      return JSON.parse(text);
    default:
      return text;
  }
}
