/**
 * @module workers/data-plane/sql-routes
 * `POST /v1/databases/{database}/sql` with `{"sql": "...", "params": [...]}`.
 * Several statements may be sent at once; the top-level `columns`/`rows` are
 * the last statement's, `results` holds every statement's.
 */
import type { TypedResponse } from 'hono';
import wasmModule from 'libpg-query/wasm/libpg-query.wasm';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { initParser } from '../../engine/sql/parser.ts';
import type { AppEnv } from '../app-context.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { sqlAuthorizer } from './authorize.ts';
import { Cluster } from './cluster.ts';
import { databaseFor } from './database-cache.ts';
import { sqlTxnBase } from './idempotency.ts';
import { type QueryStats, StatsCollector } from './query-stats.ts';
import { sqlRoute } from './route-schemas.ts';
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

/**
 * Both answers are built by hand (a stream, or a string serialised once with the
 * Server-Timing header of its own JSON stage); they have the shape `sqlRoute` documents.
 */
function asDocumented(res: Response) {
  return res as Response & TypedResponse<never, 200, 'json'>;
}

export const sqlRoutes = apiRouter<AppEnv>().openapi(sqlRoute, async (c) => {
  const stats = new StatsCollector();
  const principal = c.get('principal')!;
  const { sql } = c.req.valid('json');
  const params = c.req.valid('json').params ?? [];
  stats.lap('request');
  const db = await databaseFor(c.env, principal, c.req.valid('param').database);
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
    return asDocumented(res);
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
  return asDocumented(
    new Response(body, {
      headers: { 'content-type': 'application/json', 'server-timing': stats.serverTiming() },
    }),
  );
});
