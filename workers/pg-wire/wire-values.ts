/**
 * @module workers/pg-wire/wire-values
 * Values on the wire: result rows as DataRow messages (PostgreSQL's text
 * format through `pg-compat/pg-text`, or binary for the few types below when
 * the client asks), and Bind parameters as the data plane's JSON params.
 */
import { SqlError, SqlState } from '../../engine/errors.ts';
import type { StatementResult } from '../data-plane/statement-result.ts';
import { type PgField, pgFields, pgTextValue } from '../pg-compat/pg-text.ts';
import { type Backend, formatOf } from './backend-messages.ts';

/** Type OIDs with a binary format here: bool, int8, int2, int4, text, float4, float8. */
const BINARY_OIDS = new Set([16, 20, 21, 23, 25, 700, 701]);

/** The result's fields; refuses binary for types without a binary format here. */
export function resultFields(r: StatementResult, formats: readonly number[] = []): PgField[] {
  const fields = pgFields(r);
  fields.forEach((f, i) => {
    if (formatOf(formats, i) === 1 && !BINARY_OIDS.has(f.dataTypeID))
      throw new SqlError(
        SqlState.featureNotSupported,
        `binary format is not supported for type OID ${f.dataTypeID} (column "${f.name}"); request text`,
      );
  });
  return fields;
}

function binaryValue(text: string, oid: number): Uint8Array {
  const size = oid === 16 ? 1 : oid === 21 ? 2 : oid === 23 || oid === 700 ? 4 : 8;
  if (oid === 25) return new TextEncoder().encode(text);
  const v = new DataView(new ArrayBuffer(size));
  if (oid === 16) v.setUint8(0, text === 't' ? 1 : 0);
  else if (oid === 21) v.setInt16(0, Number(text));
  else if (oid === 23) v.setInt32(0, Number(text));
  else if (oid === 20) v.setBigInt64(0, BigInt(text));
  else if (oid === 700) v.setFloat32(0, Number(text));
  else v.setFloat64(0, Number(text));
  return new Uint8Array(v.buffer);
}

/** DataRow messages for rows `from`…`to` of a result. */
export function encodeRows(
  out: Backend,
  r: StatementResult,
  formats: readonly number[],
  from: number,
  to: number,
): Uint8Array[] {
  const fields = resultFields(r, formats);
  const types = r.columns.map((c) => c.type);
  const msgs: Uint8Array[] = [];
  for (let i = from; i < to; i++) {
    const row = r.rows[i];
    msgs.push(
      out.dataRow(
        row.map((v, k) => {
          const t = pgTextValue(v, types[k]);
          if (t === null) return null;
          return formatOf(formats, k) === 1 ? binaryValue(t, fields[k].dataTypeID) : out.text(t);
        }),
      ),
    );
  }
  return msgs;
}

/** A Bind parameter as a data-plane param: typed OIDs become JSON numbers / booleans. */
export function paramValue(bytes: Uint8Array | null, format: number, oid: number): unknown {
  if (bytes === null) return null;
  if (format === 1) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (oid === 16 && bytes.length === 1) return bytes[0] !== 0;
    if (oid === 21 && bytes.length === 2) return v.getInt16(0);
    if (oid === 23 && bytes.length === 4) return v.getInt32(0);
    if (oid === 20 && bytes.length === 8) return numberOrText(v.getBigInt64(0).toString());
    if (oid === 700 && bytes.length === 4) return v.getFloat32(0);
    if (oid === 701 && bytes.length === 8) return v.getFloat64(0);
    if (oid === 25) return new TextDecoder().decode(bytes);
    throw new SqlError(
      SqlState.featureNotSupported,
      `binary format is not supported for parameters of type OID ${oid}; send parameters as text`,
    );
  }
  const text = new TextDecoder().decode(bytes);
  if (oid === 16) return ['t', 'true', 'on', '1', 'yes', 'y'].includes(text.trim().toLowerCase());
  if ((oid === 20 || oid === 21 || oid === 23) && /^\s*[-+]?\d+\s*$/.test(text))
    return numberOrText(text.trim());
  if ((oid === 700 || oid === 701) && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  return text;
}

/** An integer as a JSON number when exact, else its decimal text (the data plane's int64 form). */
function numberOrText(s: string): number | string {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}
