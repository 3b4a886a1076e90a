/**
 * @module workers/errors
 * The single place where thrown errors become HTTP responses
 * (`{ "error": { "code", "message", "position"? } }`). Handlers throw; they
 * never build error JSON themselves.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { fromRpcError } from '../durable-objects/rpc-errors.ts';
import { isSqlError } from '../engine/errors.ts';
import type { AppEnv } from './app-context.ts';

/** An API error with an HTTP status and a machine-readable code (a SQLSTATE where one applies). */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(status, { message });
  }
}

/** SQLSTATE class → HTTP status. Unknown objects are 404, conflicts 409, everything else bad input. */
export function statusForSqlState(code: string): ContentfulStatusCode {
  if (code === '42P01' || code === '42703' || code === '42883' || code === '3D000') return 404;
  if (code.startsWith('23') || code === '42P07' || code === '42701' || code === '40001') return 409;
  if (code === '42501' || code === '28000') return 403;
  if (code === '54000' || code === '53200') return 413;
  if (code === '0A000' || code.startsWith('22')) return 422;
  if (code.startsWith('XX') || code.startsWith('58')) return 500;
  return 400;
}

/**
 * Data-plane routes (`/v1/databases/{database}/…`, the InfluxDB `/api/v2/…`)
 * answer SQLSTATEs as error codes; the control plane answers words.
 */
export function isDataPlanePath(path: string): boolean {
  return /^\/v1\/databases\/[^/]+\/./.test(path) || path.startsWith('/api/v2/');
}

/** The code for an error raised outside any handler: `sqlState` on data-plane paths, `word` elsewhere. */
export function codeForPath(c: Context, sqlState: string, word: string): string {
  return isDataPlanePath(c.req.path) ? sqlState : word;
}

/** Where a multi-statement call stopped: the failing statement and those committed before it. */
export interface StatementProgress {
  /** 1-based number of the statement that failed. */
  readonly statement: number;
  /** Statements that changed data or schema and stay committed (1-based). */
  readonly committed: readonly { statement: number; command: string; rowCount: number }[];
}

const PROGRESS = Symbol('statementProgress');

/**
 * Marks `e` (a statement's error, RPC-encoded or not) with the call's progress, so the
 * response tells the client what already committed: a call's data writes are one
 * transaction (they abort with it), but DDL run before them stays, and an answer naming
 * only the failing statement would leave the client guessing what to retry.
 */
export function withStatementProgress(e: unknown, progress: StatementProgress): unknown {
  const err = fromRpcError(e);
  if (err instanceof Error) (err as Error & { [PROGRESS]?: StatementProgress })[PROGRESS] = progress;
  return err;
}

function progressOf(err: Error): { statement?: number; committed?: StatementProgress['committed'] } {
  const p = (err as Error & { [PROGRESS]?: StatementProgress })[PROGRESS];
  if (!p) return {};
  return p.committed.length ? { statement: p.statement, committed: p.committed } : { statement: p.statement };
}

export const onError: ErrorHandler<AppEnv> = (thrown, c) => {
  // A SqlError thrown inside a Durable Object crosses RPC as a plain Error; restore it wherever it surfaces.
  const err = fromRpcError(thrown) as Error;
  if (err instanceof ApiError) {
    return c.json({ error: { code: err.code, message: err.message, ...progressOf(err) } }, err.status);
  }
  if (isSqlError(err)) {
    const body: { code: string; message: string; position?: number; hint?: string } = {
      code: err.code,
      message: err.message,
    };
    if (err.position !== undefined) body.position = err.position;
    if (err.hint !== undefined) body.hint = err.hint;
    return c.json({ error: { ...body, ...progressOf(err) } }, statusForSqlState(err.code));
  }
  if (err instanceof HTTPException) {
    return c.json({ error: { code: `http_${err.status}`, message: err.message } }, err.status);
  }
  if (err instanceof URIError) {
    // Backstop for the URL guard: a decode of client input that the guard did not foresee.
    return c.json(
      { error: { code: codeForPath(c, '22021', 'invalid_request'), message: 'malformed percent-encoding' } },
      400,
    );
  }
  // Unexpected: log the message (never request bodies or secrets) and hide details from the client.
  console.error('unhandled error:', err instanceof Error ? err.message : String(err));
  return c.json({ error: { code: 'XX000', message: 'internal error' } }, 500);
};
