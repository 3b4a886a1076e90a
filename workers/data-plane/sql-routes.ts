/**
 * @module workers/data-plane/sql-routes
 * `POST /v1/databases/{database}/sql` with `{"sql": "...", "params": [...]}`.
 * Several statements may be sent at once; the top-level `columns`/`rows` are
 * the last statement's, `results` holds every statement's.
 */
import { Hono } from 'hono';
import wasmModule from 'libpg-query/wasm/libpg-query.wasm';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { initParser } from '../../engine/sql/parser.ts';
import type { AppEnv } from '../app-context.ts';
import { ApiError } from '../errors.ts';
import { sqlAuthorizer } from './authorize.ts';
import { Cluster } from './cluster.ts';
import { databaseFor } from './database-cache.ts';
import { sqlTxnBase } from './idempotency.ts';
import { type QueryStats, StatsCollector } from './query-stats.ts';
import { MAX_PARAMS, MAX_SQL_BODY_BYTES, readBodyText } from './request-body.ts';
import { runSqlReportingProgress } from './sql-executor.ts';
import type { StatementResult } from './statement-result.ts';

/** Loads the PostgreSQL parser once per isolate. */
export function ensureParser(): Promise<void> {
  // With nodejs_compat the emscripten glue takes its Node path and reads `__dirname`,
  // which wrangler's ESM bundle does not define (the vitest pool does): give it one.
  const g = globalThis as { __dirname?: string };
  if (g.__dirname === undefined) g.__dirname = '/';
  return initParser({ wasmModule });
}

function parseSqlBody(text: string): { sql: string; params: unknown[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, '22P02', 'request body must be JSON: {"sql": "...", "params": [...]}');
  }
  const b = body as { sql?: unknown; params?: unknown };
  if (typeof body !== 'object' || body === null || typeof b.sql !== 'string') {
    throw new ApiError(400, '22023', '"sql" must be a string');
  }
  const params = b.params ?? [];
  if (!Array.isArray(params)) throw new ApiError(400, '22023', '"params" must be an array');
  if (params.length > MAX_PARAMS)
    throw new ApiError(400, '54023', `at most ${MAX_PARAMS} parameters are allowed`);
  for (const p of params) {
    if (p !== null && !['string', 'number', 'boolean'].includes(typeof p)) {
      throw new ApiError(400, '22023', 'parameters must be strings, numbers, booleans or null');
    }
  }
  return { sql: b.sql, params };
}

/**
 * `Accept: application/x-ndjson`: a header line `{"columns"}`, one JSON array per
 * row, then `{"rowCount","stats"}` — clients can process rows as they arrive and
 * the Worker never builds one giant JSON string.
 */
function ndjsonResponse(result: StatementResult, stats: QueryStats): Response {
  const enc = new TextEncoder();
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === 0) controller.enqueue(enc.encode(`${JSON.stringify({ columns: result.columns })}\n`));
      const end = Math.min(i + 1000, result.rows.length);
      let text = '';
      for (; i < end; i++) text += `${JSON.stringify(result.rows[i])}\n`;
      if (text) controller.enqueue(enc.encode(text));
      if (i >= result.rows.length) {
        controller.enqueue(enc.encode(`${JSON.stringify({ rowCount: result.rowCount, stats })}\n`));
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson' } });
}

export const sqlRoutes = new Hono<AppEnv>().post('/v1/databases/:database/sql', async (c) => {
  const stats = new StatsCollector();
  const principal = c.get('principal')!;
  const { sql, params } = parseSqlBody(await readBodyText(c.req.raw, MAX_SQL_BODY_BYTES));
  stats.lap('request');
  const db = await databaseFor(c.env, principal, c.req.param('database'));
  await ensureParser();
  stats.lap('database');
  const cluster = new Cluster(c.env, db.id, db.location);
  const txnBase = await sqlTxnBase(cluster, c.req.header('idempotency-key'), sql, params, c.get('keyHolds')!);
  stats.lap('idempotency');
  const results = await runSqlReportingProgress(
    {
      cluster,
      params,
      defaultShards: db.defaultShardCount,
      stats,
      txnBase,
      authorize: sqlAuthorizer(c, db.id),
    },
    sql,
  ).catch((e: unknown) => {
    throw fromRpcError(e);
  });
  const last = results[results.length - 1];
  if ((c.req.header('accept') ?? '').includes('application/x-ndjson')) {
    const res = ndjsonResponse(last, stats.snapshot());
    res.headers.set('server-timing', stats.serverTiming());
    return res;
  }
  const body = JSON.stringify({
    columns: last.columns,
    rows: last.rows,
    rowCount: last.rowCount,
    ...(last.command ? { command: last.command } : {}),
    ...(results.length > 1 ? { results } : {}),
    stats: stats.snapshot(),
  });
  stats.lap('json');
  return new Response(body, {
    headers: { 'content-type': 'application/json', 'server-timing': stats.serverTiming() },
  });
});
