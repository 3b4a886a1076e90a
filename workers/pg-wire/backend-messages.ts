/**
 * @module workers/pg-wire/backend-messages
 * The backend messages a session sends, built with pg-gateway's writer and its
 * `BackendError` (ErrorResponse). Column types and text values come from
 * `pg-compat/pg-text`, the one mapping of results to PostgreSQL's view.
 */
import { BackendMessageCode as B, BackendError, type PostgresConnection } from 'pg-gateway';
import type { PgField } from '../pg-compat/pg-text.ts';

type Writer = PostgresConnection['bufferWriter'];

/** Builds backend messages; one instance per session. */
export class Backend {
  private readonly enc = new TextEncoder();
  constructor(private readonly w: Writer) {}

  rowDescription(fields: readonly PgField[], formats: readonly number[] = []): Uint8Array {
    this.w.addInt16(fields.length);
    fields.forEach((f, i) => {
      this.w.addCString(f.name).addInt32(0).addInt16(0).addInt32(f.dataTypeID).addInt16(f.dataTypeSize);
      this.w.addInt32(-1).addInt16(formatOf(formats, i));
    });
    return this.w.flush(B.RowDescriptionMessage);
  }

  /** A row whose values are already encoded (text as UTF-8, or binary); null is SQL NULL. */
  dataRow(values: readonly (Uint8Array | null)[]): Uint8Array {
    this.w.addInt16(values.length);
    for (const v of values) {
      if (v === null) this.w.addInt32(-1);
      else this.w.addInt32(v.length).add(v);
    }
    return this.w.flush(B.DataRow);
  }

  text(s: string): Uint8Array {
    return this.enc.encode(s);
  }

  commandComplete(tag: string): Uint8Array {
    return this.w.addCString(tag).flush(B.CommandComplete);
  }

  parameterDescription(oids: readonly number[]): Uint8Array {
    this.w.addInt16(oids.length);
    for (const o of oids) this.w.addInt32(o);
    return this.w.flush(B.ParameterDescriptionMessage);
  }

  parameterStatus(name: string, value: string): Uint8Array {
    return this.w.addCString(name).addCString(value).flush(B.ParameterStatus);
  }

  readyForQuery(status: 'I' | 'T' | 'E'): Uint8Array {
    return this.w.addString(status).flush(B.ReadyForQuery);
  }

  /** CopyInResponse: overall format (0 text) and every column's format (text). */
  copyInResponse(columns: number): Uint8Array {
    this.w.addString('\0').addInt16(columns);
    for (let i = 0; i < columns; i++) this.w.addInt16(0);
    return this.w.flush(B.CopyIn);
  }

  /** A message with no body: ParseComplete, BindComplete, CloseComplete, NoData, PortalSuspended, EmptyQueryResponse. */
  empty(code: number): Uint8Array {
    return this.w.flush(code);
  }

  /** ErrorResponse (or a FATAL one before the session closes), `position` 1-based in the query text. */
  error(code: string, message: string, extra: { position?: number; hint?: string; fatal?: boolean } = {}) {
    return BackendError.create({
      severity: extra.fatal ? 'FATAL' : 'ERROR',
      code,
      message,
      ...(extra.position !== undefined ? { position: String(extra.position) } : {}),
      ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
    }).flush();
  }
}

/** The format code of result column `i`: none given = text, one = all, else per column. */
export function formatOf(formats: readonly number[], i: number): number {
  if (formats.length === 0) return 0;
  return formats.length === 1 ? formats[0] : (formats[i] ?? 0);
}

export { B as BackendCode };
