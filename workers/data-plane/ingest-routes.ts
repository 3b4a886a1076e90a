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
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import type { BucketChunk } from '../../engine/distributed/chunk-rows.ts';
import { toTableBatch } from '../../engine/distributed/ingest-columns.ts';
import { encodeForShards } from '../../engine/distributed/ingest-encode.ts';
import { everyPointTimestamped, LineProtocolStream } from '../../engine/distributed/ingest-lp-parse.ts';
import type { Precision, Rejection } from '../../engine/distributed/line-protocol.ts';
import {
  parseCsv,
  parseJsonRecords,
  parseNdjson,
  type RecordsResult,
} from '../../engine/distributed/record-formats.ts';
import { type DistTable, type Row, rowsFromRecords } from '../../engine/distributed/table-schema.ts';
import { isSqlError } from '../../engine/errors.ts';
import type { AppEnv } from '../app-context.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { authorizeRequest } from './authorize.ts';
import { Cluster } from './cluster.ts';
import { type DataPlaneDatabase, databaseFor } from './database-cache.ts';
import { claimKey, contentBatchId, idempotencyKey, type KeyHolds, requestHash } from './idempotency.ts';
import { StatsCollector } from './query-stats.ts';
import {
  assertUtf8,
  decodeUtf8,
  MAX_INGEST_BODY_BYTES,
  readBodyBytes,
  readBodyStreaming,
} from './request-body.ts';
import { influxWriteRoute, rowsRoute } from './route-schemas.ts';
import { bulkWrite, MAX_BATCH_ROWS, writeShardChunks } from './write-path.ts';

/** Rejections echoed back per request (the count is always complete). */
const MAX_REPORTED_REJECTIONS = 100;
/** Characters of each echoed reason: reasons quote input, and the answer must stay small. */
const MAX_REASON_CHARS = 300;

function parseRecords(type: string, text: string, table: DistTable): { rows: Row[]; rejected: Rejection[] } {
  let parsed: RecordsResult;
  if (type === 'application/json') {
    try {
      parsed = parseJsonRecords(text);
    } catch (e) {
      if (isSqlError(e)) throw e; // nested too deep (54001)
      throw new ApiError(400, '22P02', 'body is not valid JSON');
    }
  } else if (type === 'application/x-ndjson') parsed = parseNdjson(text);
  else parsed = parseCsv(text);
  const out = rowsFromRecords(table, parsed.records);
  return { rows: out.rows, rejected: [...parsed.rejected, ...out.rejected].sort((a, b) => a.line - b.line) };
}

interface IngestOutcome {
  accepted: number;
  rejected: Rejection[];
  duplicate: boolean;
  stats: ReturnType<StatsCollector['snapshot']>;
}

/** How one request chooses its batch ids (see idempotency.ts). */
interface Idempotency {
  /** The client's `Idempotency-Key`. */
  readonly key?: string;
  /** Route, database, table, format and parameters: hashed with the body. */
  readonly parts: readonly unknown[];
  /** InfluxDB writes: without a key, a body whose points all carry timestamps is idempotent by content. */
  readonly byContent?: boolean;
  /** The request's held keys (see idempotency.ts `KeyHolds`). */
  readonly holds: KeyHolds;
}

/** The batch id base of a request, decided once it is parsed and has rows to write. */
async function batchBase(cluster: Cluster, idem: Idempotency, body: Uint8Array, timestamped: boolean) {
  if (idem.key !== undefined)
    return claimKey(cluster, idem.key, await requestHash(idem.parts, body), idem.holds);
  if (idem.byContent && timestamped) return contentBatchId(await requestHash(idem.parts, body));
  return crypto.randomUUID();
}

function batchIdOf(tableName: string, base: string): string {
  return `${base}:${tableName}`;
}

/** Rows a shard refused for their key; line 0: rows are encoded by then and their lines are not known. */
function keyRejections(list: readonly { reason: string }[]): Rejection[] {
  return list.map((r) => ({ line: 0, reason: r.reason.replace('\nDETAIL: ', ': ') }));
}

function shipError(e: unknown): never {
  throw fromRpcError(e);
}

/** CSV / NDJSON / JSON: records → rows → `bulkWrite`. */
async function ingestRecords(
  env: Env,
  db: DataPlaneDatabase,
  tableName: string,
  rowsOf: (t: DistTable) => { rows: Row[]; rejected: Rejection[] },
  idem: Idempotency,
  body: Uint8Array,
): Promise<IngestOutcome> {
  const cluster = new Cluster(env, db.id, db.location);
  const table = await cluster.table(tableName);
  const { rows, rejected } = rowsOf(table);
  const stats = new StatsCollector();
  const res =
    rows.length > 0
      ? await bulkWrite(
          cluster,
          table,
          rows,
          batchIdOf(tableName, await batchBase(cluster, idem, body, false)),
          stats,
        ).catch(shipError)
      : { rowCount: 0, duplicate: false, rejected: [] };
  rejected.push(...keyRejections(res.rejected));
  const accepted = rows.length - res.rejected.length;
  return { accepted, rejected, duplicate: res.duplicate, stats: stats.snapshot() };
}

/** Accumulated stage times of one request, answered as `Server-Timing`. */
class StageTimer {
  private readonly ms = new Map<string, number>();
  private at = performance.now();

  /** Charges the time since the last mark to `stage`. */
  mark(stage: string): void {
    const now = performance.now();
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + (now - this.at));
    this.at = now;
  }

  header(): string {
    return [...this.ms].map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(', ');
  }
}

/**
 * Line protocol, the hot path: bytes → per-measurement column builders →
 * table columns → per-shard chunks, shipped to all shards at once. With
 * `onlyTable` (the `/rows` endpoint) every measurement must be that table;
 * otherwise each measurement is its own table and an unknown one rejects its
 * lines only.
 */
async function ingestLineProtocol(
  env: Env,
  db: DataPlaneDatabase,
  req: Request,
  precision: Precision,
  idem: Idempotency,
  timer: StageTimer,
  onlyTable?: string,
): Promise<IngestOutcome> {
  const cluster = new Cluster(env, db.id, db.location);
  const fixed = onlyTable === undefined ? undefined : await cluster.table(onlyTable);
  timer.mark('catalog');
  // Lines are parsed as they arrive; nothing is written before the whole body is in and valid.
  const stream = new LineProtocolStream(precision, Number(req.headers.get('content-length') ?? 0) || 0);
  const { buffer, filled } = await readBodyStreaming(req, MAX_INGEST_BODY_BYTES, (buf, n) => {
    timer.mark('body');
    stream.feed(buf, n);
    timer.mark('parse');
  });
  timer.mark('body');
  assertUtf8(buffer.subarray(0, filled));
  const parsed = stream.finish(buffer, filled);
  timer.mark('parse');
  const rejected = [...parsed.rejected];
  const stats = new StatsCollector();
  const nowUs = Date.now() * 1000;
  let accepted = 0;
  let duplicate = false;
  let base: string | undefined;
  for (const [name, batch] of parsed.batches) {
    let table = fixed;
    if (!table) {
      try {
        table = await cluster.table(name);
        timer.mark('catalog');
      } catch (e) {
        // An unknown measurement rejects its points, not the other measurements' (tables are created with SQL).
        if (!isSqlError(e) || e.code !== '42P01') throw e;
        for (let r = 0; r < batch.rows; r++)
          rejected.push({ line: batch.lines[r], reason: `table "${name}" does not exist` });
        continue;
      }
    }
    const tb = toTableBatch(table, parsed, batch, nowUs);
    rejected.push(...tb.rejected);
    timer.mark('columns');
    if (tb.acceptedCount === 0) continue;
    const perShard = new Map<string, BucketChunk[][]>();
    const shards = cluster.shardsOf(table);
    for (const [idx, slices] of encodeForShards(tb, MAX_BATCH_ROWS, cluster.mapOf(table)))
      perShard.set(shards[idx], slices);
    timer.mark('encode');
    const res = await writeShardChunks(
      cluster,
      table,
      perShard,
      batchIdOf(
        table.name,
        (base ??= await batchBase(cluster, idem, parsed.body, everyPointTimestamped(parsed))),
      ),
      stats,
    ).catch(shipError);
    timer.mark('ship');
    accepted += tb.acceptedCount - res.rejected.length;
    rejected.push(...keyRejections(res.rejected));
    duplicate = res.duplicate;
  }
  rejected.sort((a, b) => a.line - b.line);
  return { accepted, rejected, duplicate, stats: stats.snapshot() };
}

function reportRejections(rejected: Rejection[]) {
  return rejected
    .slice(0, MAX_REPORTED_REJECTIONS)
    .map((r) =>
      r.reason.length > MAX_REASON_CHARS ? { ...r, reason: `${r.reason.slice(0, MAX_REASON_CHARS)}…` } : r,
    );
}

const RECORD_TYPES = new Set(['application/json', 'application/x-ndjson', 'text/csv']);

export const ingestRoutes = apiRouter<AppEnv>()
  .openapi(rowsRoute, async (c) => {
    const { database, table: tableName } = c.req.valid('param');
    const db = await databaseFor(c.env, c.get('principal')!, database);
    await authorizeRequest(c, db.id, 'ingest', 'write', [tableName]);
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'text/plain' && !RECORD_TYPES.has(type))
      throw new ApiError(
        415,
        '0A000',
        `unsupported Content-Type "${type}"; use application/json, application/x-ndjson, text/csv or text/plain`,
      );
    const key = idempotencyKey(c.req.valid('header')['idempotency-key']);
    let r: IngestOutcome;
    if (type === 'text/plain') {
      const { precision } = c.req.valid('query');
      const idem = { key, parts: ['rows', db.id, tableName, type, precision], holds: c.get('keyHolds')! };
      r = await ingestLineProtocol(c.env, db, c.req.raw, precision, idem, new StageTimer(), tableName);
    } else {
      const body = await readBodyBytes(c.req.raw, MAX_INGEST_BODY_BYTES);
      const text = decodeUtf8(body);
      const idem = { key, parts: ['rows', db.id, tableName, type], holds: c.get('keyHolds')! };
      r = await ingestRecords(c.env, db, tableName, (t) => parseRecords(type, text, t), idem, body);
    }
    if (r.accepted === 0 && r.rejected.length > 0) {
      const first = r.rejected[0];
      throw new ApiError(
        400,
        '22P02',
        `all ${r.rejected.length} rows rejected; line ${first.line}: ${first.reason}`,
      );
    }
    return c.json(
      {
        accepted: r.accepted,
        rejected: r.rejected.length,
        errors: reportRejections(r.rejected),
        duplicate: r.duplicate,
        stats: r.stats,
      },
      200,
    );
  })
  .openapi(influxWriteRoute, async (c) => {
    const { bucket, precision } = c.req.valid('query');
    const db = await databaseFor(c.env, c.get('principal')!, bucket);
    await authorizeRequest(c, db.id, 'ingest', 'write');
    const key = idempotencyKey(c.req.valid('header')['idempotency-key']);
    const timer = new StageTimer();
    const idem = {
      key,
      parts: ['api/v2/write', db.id, precision],
      byContent: true,
      holds: c.get('keyHolds')!,
    };
    const r = await ingestLineProtocol(c.env, db, c.req.raw, precision, idem, timer);
    if (r.rejected.length > 0) {
      // InfluxDB answers 400 both when nothing was written and for a partial write (the valid
      // points are written): the message says which, and how many.
      const first = r.rejected[0];
      const n = r.rejected.length;
      const what =
        r.accepted === 0
          ? `no points written: all ${n} ${n === 1 ? 'point' : 'points'} rejected`
          : `partial write: ${r.accepted} ${r.accepted === 1 ? 'point' : 'points'} written, ${n} rejected`;
      const reason =
        first.reason.length > MAX_REASON_CHARS ? `${first.reason.slice(0, MAX_REASON_CHARS)}…` : first.reason;
      throw new ApiError(400, '22P02', `${what}; line ${first.line}: ${reason}`);
    }
    c.header('server-timing', timer.header());
    return c.body(null, 204);
  });
