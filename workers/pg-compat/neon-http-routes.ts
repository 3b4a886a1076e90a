/**
 * @module workers/pg-compat/neon-http-routes
 * Neon-compatible SQL over HTTP: `POST /sql`, as `neon()` from
 * `@neondatabase/serverless` and drizzle's `neon-http` call it (docs/neon-http.md).
 *
 * - Credentials: `Neon-Connection-String: postgres://<user>:<API key>@<host>/<database>`
 *   (name or id), or `Authorization: Bearer <API key>` with the database from the
 *   connection string. Verified by the data plane's API-key verifier; a wrong key is
 *   28P01 as PostgreSQL words it.
 * - `{query, params}` runs one statement; `{queries: [...]}` runs them as ONE transaction
 *   through the same executor and call transaction as `/v1/databases/{db}/sql`, each
 *   statement with its own parameters. Statements that commit on their own here (DDL,
 *   management functions) are refused in a batch of several (25001), so every batch is
 *   all-or-nothing. `Neon-Batch-Read-Only: true` refuses writes (25006).
 * - Every statement passes the same authorization check as `/v1/…/sql` (`sqlAuthorizer`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { SqlError } from '../../engine/errors.ts';
import type { ParsedStatement } from '../../engine/sql/parser.ts';
import { formatArrayText } from '../../engine/types/array.ts';
import type { AppEnv } from '../app-context.ts';
import { apiKeyVerifier } from '../auth/data-plane-auth.ts';
import { auditAdminCalls, sqlAuthorizer } from '../data-plane/authorize.ts';
import { Cluster } from '../data-plane/cluster.ts';
import { databaseFor } from '../data-plane/database-cache.ts';
import { holdIdempotencyKeys, sqlTxnBase } from '../data-plane/idempotency.ts';
import { StatsCollector } from '../data-plane/query-stats.ts';
import { MAX_PARAMS, MAX_SQL_BODY_BYTES, readBodyText } from '../data-plane/request-body.ts';
import { runSqlReportingProgress, type SqlPiece } from '../data-plane/sql-executor.ts';
import { ensureParser } from '../data-plane/sql-routes.ts';
import { statementAccess } from '../data-plane/statement-access.ts';
import { ApiError, NEON_SQL_PATH } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { type NeonResult, neonResult } from './neon-result.ts';

/** A query of the body, its parameters as PostgreSQL text (Neon sends every parameter as text). */
interface NeonQuery extends SqlPiece {
  readonly arrayMode?: boolean;
}

/** Credentials of a request: the API key, the user named (for PostgreSQL's wording) and the database. */
function credentials(header: (name: string) => string | undefined) {
  const conn = header('neon-connection-string');
  if (!conn)
    throw new ApiError(400, '28000', 'no connection string: send it in the Neon-Connection-String header');
  let url: URL;
  try {
    url = new URL(conn);
  } catch {
    throw new ApiError(400, '08P01', 'Neon-Connection-String is not a valid connection URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ApiError(400, '08P01', 'Neon-Connection-String must be a postgres:// or postgresql:// URL');
  const user = decodeURIComponent(url.username);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new ApiError(400, '08P01', 'the connection string names no database');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1];
  const key = bearer ?? decodeURIComponent(url.password);
  return { user, database, key };
}

/** A JSON parameter as the PostgreSQL text Neon binds it as (arrays: an array literal). */
function paramText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v))
    return formatArrayText(v, (x) => {
      if (Array.isArray(x)) throw new ApiError(400, '22023', 'array parameters must be one-dimensional');
      return paramText(x) as string;
    });
  return JSON.stringify(v);
}

function parseQuery(q: unknown): NeonQuery {
  const o = q as { query?: unknown; params?: unknown; arrayMode?: unknown };
  if (typeof q !== 'object' || q === null || typeof o.query !== 'string')
    throw new ApiError(400, '22023', '"query" must be a string');
  const params = o.params ?? [];
  if (!Array.isArray(params)) throw new ApiError(400, '22023', '"params" must be an array');
  const arrayMode = typeof o.arrayMode === 'boolean' ? o.arrayMode : undefined;
  return { sql: o.query, params: params.map(paramText), arrayMode };
}

/** `{query, params}` or `{queries: [{query, params}, …]}`; `batch` for the latter. */
function parseBody(text: string): { queries: NeonQuery[]; batch: boolean } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, '22P02', 'request body must be JSON: {"query": "...", "params": [...]}');
  }
  const b = body as { queries?: unknown };
  const batch = typeof body === 'object' && body !== null && 'queries' in b;
  if (batch && !Array.isArray(b.queries)) throw new ApiError(400, '22023', '"queries" must be an array');
  const queries = batch ? (b.queries as unknown[]).map(parseQuery) : [parseQuery(body)];
  const count = queries.reduce((n, q) => n + q.params.length, 0);
  if (count > MAX_PARAMS) throw new ApiError(400, '54023', `at most ${MAX_PARAMS} parameters are allowed`);
  return { queries, batch };
}

/** Isolation levels of `Neon-Batch-Isolation-Level`: what the data plane gives a batch is READ COMMITTED. */
const ISOLATION: Record<string, string | undefined> = {
  ReadUncommitted: undefined, // PostgreSQL runs READ UNCOMMITTED as READ COMMITTED
  ReadCommitted: undefined,
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

/**
 * Batch settings from the headers: a level the data plane cannot honour is refused (0A000),
 * not silently weakened. `Neon-Batch-Deferrable` only matters to SERIALIZABLE READ ONLY.
 */
function batchIsolation(level: string | undefined): void {
  if (level === undefined) return;
  if (!(level in ISOLATION)) throw new ApiError(400, '22023', 'invalid isolation level');
  const refused = ISOLATION[level];
  if (refused)
    throw new SqlError(
      '0A000',
      `transaction isolation level ${refused} is not supported`,
      undefined,
      'a batch runs at READ COMMITTED: send Neon-Batch-Isolation-Level: ReadCommitted or none',
    );
}

/** Refusals of a batch before anything runs: statements that cannot roll back, writes when read-only. */
function batchRules(statements: readonly ParsedStatement[], batch: boolean, readOnly: boolean): void {
  const accesses = statements.map((s) => statementAccess(s.stmt));
  if (batch && statements.length > 1) {
    // DDL and management functions commit on their own: inside a batch they would outlive its rollback.
    const own = accesses.find((a) => a.role === 'admin');
    if (own)
      throw new SqlError(
        '25001',
        `${own.reason} cannot run inside a transaction block`,
        undefined,
        'schema changes and management functions commit on their own here: send them in a request of their own',
      );
  }
  const write = readOnly ? accesses.find((a) => a.role !== 'read') : undefined;
  if (write) throw new SqlError('25006', `cannot execute ${write.reason} in a read-only transaction`);
}

/** Authentication: the API key of the connection string (or bearer), verified like the data plane's. */
const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const { user, key } = credentials((n) => c.req.header(n));
  const principal = key ? await apiKeyVerifier(c.env).verify(key) : null;
  if (!principal) throw new ApiError(401, '28P01', `password authentication failed for user "${user}"`);
  c.set('principal', principal);
  await next();
});

const NeonParam = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())]).openapi({
  description: 'Bound as PostgreSQL text; an array as an array literal (one-dimensional)',
});

const NeonQueryBody = z
  .object({
    query: z.string().openapi({ description: 'One statement, with $1…$n' }),
    params: z.array(NeonParam).optional(),
    arrayMode: z.boolean().optional().openapi({ description: 'Rows as arrays (overrides Neon-Array-Mode)' }),
  })
  .openapi('NeonQuery');

const NeonField = z.object({
  name: z.string(),
  dataTypeID: z.number().int(),
  tableID: z.number().int(),
  columnID: z.number().int(),
  dataTypeSize: z.number().int(),
  dataTypeModifier: z.number().int(),
  format: z.string(),
});

const NeonResultBody = z
  .object({
    command: z.string(),
    rowCount: z.number().int().nullable(),
    rows: z.array(z.unknown()).openapi({ description: 'Objects, or arrays in array mode' }),
    fields: z.array(NeonField),
    rowAsArray: z.boolean(),
  })
  .openapi('NeonResult');

/** Neon's error: PostgreSQL's ErrorResponse fields at the top level (workers/errors.ts). */
const NeonError = z
  .object({
    message: z.string(),
    code: z.string().openapi({ description: 'SQLSTATE' }),
    severity: z.string(),
    detail: z.string().nullable(),
    hint: z.string().nullable(),
    position: z.string().nullable().openapi({ description: '1-based position in the query, as text' }),
  })
  .openapi('NeonError');

const neonHeader = (description: string) => z.string().optional().openapi({ description });

/**
 * `POST /sql` as the document shows it. The route itself is registered with
 * `.post` and does its own reading (credentials from the headers, the body under
 * the SQL size limit) rather than zod's: validating through zod would change
 * Neon's error answers (their SQLSTATEs and messages, in Neon's error shape,
 * and the order credentials → body), which its drivers depend on.
 */
const neonSqlRoute = createRoute({
  method: 'post',
  path: NEON_SQL_PATH,
  tags: ['Neon compatibility'],
  summary: 'Neon-compatible SQL over HTTP (`neon()` of @neondatabase/serverless; see docs/neon-http.md)',
  description:
    'Authenticates from its own headers: the API key is the password of Neon-Connection-String (or an `Authorization: Bearer` key), the database its path. `{queries: [...]}` runs as one transaction.',
  security: [],
  request: {
    headers: z.object({
      'neon-connection-string': z
        .string()
        .openapi({ description: 'postgres://<user>:<API key>@<host>/<database> (name or id)' }),
      authorization: neonHeader('Bearer <API key>, instead of the connection string’s password'),
      'neon-array-mode': neonHeader('true: rows as arrays'),
      'neon-raw-text-output': neonHeader('true: values as PostgreSQL text'),
      'neon-batch-read-only': neonHeader('true: the batch refuses writes (25006)'),
      'neon-batch-isolation-level': neonHeader('ReadUncommitted, ReadCommitted (others are refused: 0A000)'),
      'neon-batch-deferrable': neonHeader('Echoed back'),
      'idempotency-key': neonHeader("Makes a retried request's writes apply once"),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.union([NeonQueryBody, z.object({ queries: z.array(NeonQueryBody) })]),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The result; for `{queries}`, `{results: [...]}`',
      content: {
        'application/json': {
          schema: z.union([NeonResultBody, z.object({ results: z.array(NeonResultBody) })]),
        },
      },
    },
    400: {
      description: 'Any error of the request, credentials or SQL (Neon answers them all with 400)',
      content: { 'application/json': { schema: NeonError } },
    },
  },
});

const neonRouter = apiRouter<AppEnv>();
// Documented only (see neonSqlRoute): the handler below keeps the route's own parsing.
neonRouter.openAPIRegistry.registerPath(neonSqlRoute);

export const neonHttpRoutes = neonRouter.post(
  NEON_SQL_PATH,
  authenticate,
  auditAdminCalls(),
  holdIdempotencyKeys(),
  async (c) => {
    const header = (n: string) => c.req.header(n);
    const stats = new StatsCollector();
    const principal = c.get('principal')!;
    const { database } = credentials(header);
    const { queries, batch } = parseBody(await readBodyText(c.req.raw, MAX_SQL_BODY_BYTES));
    if (queries.length === 0) return c.json({ results: [] });
    const readOnly = batch && header('neon-batch-read-only') === 'true';
    if (batch) batchIsolation(header('neon-batch-isolation-level'));
    const db = await databaseFor(c.env, principal, database);
    await ensureParser();
    const cluster = new Cluster(c.env, db.id, db.location);
    const pieces = queries.map((q) => ({ sql: q.sql, params: q.params }));
    const txnBase = await sqlTxnBase(
      cluster,
      header('idempotency-key'),
      JSON.stringify(pieces),
      [],
      c.get('keyHolds')!,
    );
    const authorize = sqlAuthorizer(c, db.id);
    const results = await runSqlReportingProgress(
      {
        cluster,
        params: [],
        defaultShards: db.defaultShardCount,
        stats,
        txnBase,
        authorize: async (statements) => {
          await authorize(statements);
          batchRules(statements, batch, readOnly);
        },
      },
      pieces,
    ).catch((e: unknown) => {
      throw fromRpcError(e);
    });
    const defaultArrayMode = header('neon-array-mode') === 'true';
    const rawText = header('neon-raw-text-output') === 'true';
    const shaped: NeonResult[] = results.map((r, i) =>
      neonResult(r, { arrayMode: queries[i].arrayMode ?? defaultArrayMode, rawText }),
    );
    if (!batch) return c.json(shaped[0]);
    // Neon echoes the batch's transaction settings.
    if (readOnly) c.header('neon-batch-read-only', 'true');
    if (header('neon-batch-deferrable') === 'true') c.header('neon-batch-deferrable', 'true');
    const level = header('neon-batch-isolation-level');
    if (level) c.header('neon-batch-isolation-level', level);
    return c.json({ results: shaped });
  },
);
