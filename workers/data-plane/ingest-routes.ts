/**
 * @module workers/data-plane/ingest-routes
 * Bulk ingest straight into columnar chunks:
 * - `POST /v1/databases/{database}/tables/{table}/rows`, format by Content-Type
 *   (application/json, application/x-ndjson, text/csv, text/plain = line protocol);
 * - `POST /api/v2/write?bucket={database}&precision=ns|us|ms|s` — the InfluxDB v2
 *   write API (measurement = table), for Telegraf, TSBS loaders and Influx clients.
 * Rows are accepted or rejected whole, with reasons; an `Idempotency-Key` header
 * makes a retried request apply once.
 */
import { Hono } from 'hono';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { isPrecision, parseLineProtocol, type Rejection } from '../../engine/distributed/line-protocol.ts';
import {
  parseCsv,
  parseJsonRecords,
  parseNdjson,
  type RecordsResult,
} from '../../engine/distributed/record-formats.ts';
import {
  type DistTable,
  type Row,
  rowsFromPoints,
  rowsFromRecords,
} from '../../engine/distributed/table-schema.ts';
import { isSqlError } from '../../engine/errors.ts';
import type { AppEnv } from '../app-context.ts';
import { ApiError } from '../errors.ts';
import { Cluster } from './cluster.ts';
import { databaseFor } from './database-cache.ts';
import { StatsCollector } from './query-stats.ts';
import { MAX_INGEST_BODY_BYTES, readBodyText } from './request-body.ts';
import { bulkWrite } from './write-path.ts';

/** Rejections echoed back per request (the count is always complete). */
const MAX_REPORTED_REJECTIONS = 100;

function parseByContentType(
  contentType: string,
  text: string,
  table: DistTable,
  precision: string,
): { rows: Row[]; rejected: Rejection[] } {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/plain') {
    if (!isPrecision(precision)) throw new ApiError(400, '22023', 'precision must be ns, us, ms or s');
    const lp = parseLineProtocol(text, precision);
    const out = rowsFromPoints(table, lp.points, Date.now() * 1000);
    return { rows: out.rows, rejected: [...lp.rejected, ...out.rejected].sort((a, b) => a.line - b.line) };
  }
  let parsed: RecordsResult;
  if (type === 'application/json') {
    try {
      parsed = parseJsonRecords(text);
    } catch {
      throw new ApiError(400, '22P02', 'body is not valid JSON');
    }
  } else if (type === 'application/x-ndjson') parsed = parseNdjson(text);
  else if (type === 'text/csv') parsed = parseCsv(text);
  else
    throw new ApiError(
      415,
      '0A000',
      `unsupported Content-Type "${type}"; use application/json, application/x-ndjson, text/csv or text/plain`,
    );
  const out = rowsFromRecords(table, parsed.records);
  return { rows: out.rows, rejected: [...parsed.rejected, ...out.rejected].sort((a, b) => a.line - b.line) };
}

async function ingest(
  env: Env,
  dbId: string,
  tableName: string,
  rowsOf: (t: DistTable) => { rows: Row[]; rejected: Rejection[] },
  idempotencyKey: string | undefined,
) {
  const cluster = new Cluster(env, dbId);
  const table = await cluster.table(tableName);
  const { rows, rejected } = rowsOf(table);
  const stats = new StatsCollector();
  const batchId = idempotencyKey ? `ingest:${tableName}:${idempotencyKey}` : crypto.randomUUID();
  const res =
    rows.length > 0
      ? await bulkWrite(cluster, table, rows, batchId, stats).catch((e: unknown) => {
          throw fromRpcError(e);
        })
      : { rowCount: 0, duplicate: false };
  return { accepted: rows.length, rejected, duplicate: res.duplicate, stats: stats.snapshot() };
}

function reportRejections(rejected: Rejection[]) {
  return rejected.slice(0, MAX_REPORTED_REJECTIONS);
}

export const ingestRoutes = new Hono<AppEnv>()
  .post('/v1/databases/:database/tables/:table/rows', async (c) => {
    const db = await databaseFor(c.env, c.get('principal')!, c.req.param('database'));
    const text = await readBodyText(c.req.raw, MAX_INGEST_BODY_BYTES);
    const contentType = c.req.header('content-type') ?? '';
    const precision = c.req.query('precision') ?? 'ns';
    const r = await ingest(
      c.env,
      db.id,
      c.req.param('table'),
      (t) => parseByContentType(contentType, text, t, precision),
      c.req.header('idempotency-key'),
    );
    if (r.accepted === 0 && r.rejected.length > 0) {
      const first = r.rejected[0];
      throw new ApiError(
        400,
        '22P02',
        `all ${r.rejected.length} rows rejected; line ${first.line}: ${first.reason}`,
      );
    }
    return c.json({
      accepted: r.accepted,
      rejected: r.rejected.length,
      errors: reportRejections(r.rejected),
      duplicate: r.duplicate,
      stats: r.stats,
    });
  })
  .post('/api/v2/write', async (c) => {
    const bucket = c.req.query('bucket');
    if (!bucket) throw new ApiError(400, '22023', 'bucket (the database) is required');
    const precision = c.req.query('precision') ?? 'ns';
    if (!isPrecision(precision)) throw new ApiError(400, '22023', 'precision must be ns, us, ms or s');
    const db = await databaseFor(c.env, c.get('principal')!, bucket);
    const text = await readBodyText(c.req.raw, MAX_INGEST_BODY_BYTES);
    const lp = parseLineProtocol(text, precision);
    // One body may carry several measurements: each is its own table.
    const byTable = new Map<string, typeof lp.points>();
    for (const p of lp.points) byTable.set(p.measurement, [...(byTable.get(p.measurement) ?? []), p]);
    const rejected = [...lp.rejected];
    const key = c.req.header('idempotency-key');
    for (const [name, points] of byTable) {
      try {
        const r = await ingest(c.env, db.id, name, (t) => rowsFromPoints(t, points, Date.now() * 1000), key);
        rejected.push(...r.rejected);
      } catch (e) {
        // An unknown measurement rejects its points, not the other measurements' (tables are created with SQL).
        if (!isSqlError(e) || e.code !== '42P01') throw e;
        for (const p of points) rejected.push({ line: p.line, reason: `table "${name}" does not exist` });
      }
    }
    if (rejected.length > 0) {
      rejected.sort((a, b) => a.line - b.line);
      // InfluxDB answers a partial write with 400; the valid points are written.
      throw new ApiError(
        400,
        '22P02',
        `partial write: ${rejected.length} points rejected; line ${rejected[0].line}: ${rejected[0].reason}`,
      );
    }
    return c.body(null, 204);
  });
