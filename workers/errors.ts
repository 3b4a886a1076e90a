/**
 * @module workers/errors
 * The single place where thrown errors become HTTP responses
 * (`{ "error": { "code", "message", "position"? } }`; on Neon's `POST /sql`, Neon's
 * shape of the same answer). Handlers throw; they never build error JSON themselves.
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

/** Neon's SQL-over-HTTP endpoint (see `pg-compat/neon-http-routes`): errors in Neon's shape. */
export const NEON_SQL_PATH = '/sql';

/**
 * Data-plane routes (`/v1/databases/{database}/…`, the InfluxDB `/api/v2/…`, Neon's `/sql`)
 * answer SQLSTATEs as error codes; the control plane answers words.
 */
export function isDataPlanePath(path: string): boolean {
  return /^\/v1\/databases\/[^/]+\/./.test(path) || path.startsWith('/api/v2/') || path === NEON_SQL_PATH;
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

/** An error as the app answers it, before formatting: status and fields, one mapping for every route. */
interface ErrorAnswer {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly message: string;
  readonly position?: number;
  readonly hint?: string;
  readonly progress?: ReturnType<typeof progressOf>;
}

function answerOf(c: Context, thrown: Error): ErrorAnswer {
  // A SqlError thrown inside a Durable Object crosses RPC as a plain Error; restore it wherever it surfaces.
  const err = fromRpcError(thrown) as Error;
  if (err instanceof ApiError)
    return { status: err.status, code: err.code, message: err.message, progress: progressOf(err) };
  if (isSqlError(err))
    return {
      status: statusForSqlState(err.code),
      code: err.code,
      message: err.message,
      position: err.position,
      hint: err.hint,
      progress: progressOf(err),
    };
  if (err instanceof HTTPException)
    return { status: err.status, code: `http_${err.status}`, message: err.message };
  if (err instanceof URIError) {
    // Backstop for the URL guard: a decode of client input that the guard did not foresee.
    const code = codeForPath(c, '22021', 'invalid_request');
    return { status: 400, code, message: 'malformed percent-encoding' };
  }
  // Unexpected: log the message (never request bodies or secrets) and hide details from the client.
  console.error('unhandled error:', err instanceof Error ? err.message : String(err));
  return { status: 500, code: 'XX000', message: 'internal error' };
}

/**
 * Neon's SQL-over-HTTP error (`POST /sql`): PostgreSQL's ErrorResponse fields at the top level,
 * `position` as text. Every error of the client's request, credentials or SQL is 400 (Neon's
 * driver reads the body, and so the SQLSTATE, only then); 405 and server faults keep their status.
 */
function neonErrorResponse(c: Context, a: ErrorAnswer): Response {
  const status = a.status >= 500 || a.status === 405 ? a.status : 400;
  return c.json(
    {
      message: a.message,
      code: a.code,
      severity: 'ERROR',
      detail: null,
      hint: a.hint ?? null,
      position: a.position === undefined ? null : String(a.position),
    },
    status,
  );
}

export const onError: ErrorHandler<AppEnv> = (thrown, c) => {
  const a = answerOf(c, thrown);
  if (c.req.path === NEON_SQL_PATH) return neonErrorResponse(c, a);
  const body: { code: string; message: string; position?: number; hint?: string } = {
    code: a.code,
    message: a.message,
  };
  if (a.position !== undefined) body.position = a.position;
  if (a.hint !== undefined) body.hint = a.hint;
  return c.json({ error: { ...body, ...a.progress } }, a.status);
};
