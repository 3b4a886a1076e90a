/**
 * @module workers/data-plane/route-schemas
 * Route definitions of the data plane: `/sql`, bulk ingest, the InfluxDB
 * write API and the database lookup. Ingest bodies (CSV, NDJSON, JSON
 * arrays, line protocol) are declared by content type only: they are
 * streamed and parsed by the ingest path, never by zod.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AUTHENTICATED, errors, json, jsonBody, noContent } from '../openapi/schemas.ts';
import { MAX_PARAMS } from './request-body.ts';
import { readSqlBody } from './sql-body.ts';

export const DatabaseParam = z.object({
  database: z.string().openapi({ description: 'Database id, or its name within the key’s project' }),
});

const PRECISIONS = ['ns', 'us', 'ms', 's'] as const;
const precision = z
  .enum(PRECISIONS, { error: 'precision must be ns, us, ms or s' })
  .default('ns')
  .openapi({ description: 'Unit of line-protocol timestamps' });

const idempotencyKey = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: "Makes a retried request's writes apply once (see docs/http-api.md)" }),
});

const Stats = z
  .object({
    ms: z.number(),
    shards: z.number().int(),
    chunksScanned: z.number().int(),
    chunksSkipped: z.number().int(),
    rowsRead: z.number().int(),
    rowsWritten: z.number().int(),
    bytesScanned: z.number().int(),
    r2BytesRead: z.number().int(),
  })
  .openapi('QueryStats');

const Column = z.object({
  name: z.string(),
  type: z.string().openapi({ description: 'PostgreSQL type name' }),
});

const StatementResult = z.object({
  columns: z.array(Column),
  rows: z.array(z.array(z.unknown())),
  rowCount: z.number().int(),
  command: z.string().optional().openapi({ description: 'The command tag for DDL/DML (e.g. INSERT)' }),
});

export const SqlResult = StatementResult.extend({
  results: z
    .array(StatementResult)
    .optional()
    .openapi({ description: "Every statement's result, when several" }),
  stats: Stats,
}).openapi('SqlResult');

const SqlParam = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'parameters must be strings, numbers, booleans or null',
});

export const SqlRequest = z
  .object({
    sql: z
      .string({ error: '"sql" must be a string' })
      .openapi({ description: 'One or more ;-separated statements' }),
    params: z
      .array(SqlParam, { error: '"params" must be an array' })
      .superRefine((a, ctx) => {
        if (a.length > MAX_PARAMS)
          ctx.addIssue({
            code: 'custom',
            message: `at most ${MAX_PARAMS} parameters are allowed`,
            params: { sqlstate: '54023' },
          });
      })
      .nullish()
      .openapi({ description: 'Values of $1…$n' }),
  })
  .openapi('SqlRequest');

export const sqlRoute = createRoute({
  method: 'post',
  path: '/v1/databases/{database}/sql',
  tags: ['SQL'],
  security: AUTHENTICATED,
  summary: 'Run SQL (one or more statements; their data writes are one transaction)',
  middleware: [readSqlBody()] as const,
  request: { params: DatabaseParam, headers: idempotencyKey, body: jsonBody(SqlRequest) },
  responses: {
    200: {
      description: 'The last statement’s result (every statement’s in `results`)',
      content: {
        'application/json': { schema: SqlResult },
        'application/x-ndjson': {
          schema: z.string().openapi({
            description:
              'With `Accept: application/x-ndjson`: a `{"columns"}` line, one JSON array per row, then `{"rowCount","stats"}`',
          }),
        },
      },
    },
    ...errors(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

const IngestResult = z
  .object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), reason: z.string() })).openapi({
      description: 'The first 100 rejections',
    }),
    duplicate: z.boolean().openapi({ description: 'A retry whose Idempotency-Key had already applied' }),
    stats: Stats,
  })
  .openapi('IngestResult');

/**
 * Raw bodies: documented by content type, read and parsed as streams by the ingest
 * path. (zod-openapi validates only JSON and form bodies with a zod schema: the JSON
 * array is therefore a plain JSON Schema, so it is never parsed twice.)
 */
const text = z.string();
const lineProtocol = z.string().openapi({ description: 'InfluxDB line protocol' });

export const rowsRoute = createRoute({
  method: 'post',
  path: '/v1/databases/{database}/tables/{table}/rows',
  tags: ['Ingest'],
  security: AUTHENTICATED,
  summary: 'Bulk-insert rows; the format is the Content-Type (gzip Content-Encoding accepted)',
  request: {
    params: DatabaseParam.extend({ table: z.string().openapi({ description: 'Table name' }) }),
    query: z.object({ precision: precision.openapi({ description: 'Line protocol (text/plain) only' }) }),
    headers: idempotencyKey,
    body: {
      required: true,
      content: {
        'application/json': { schema: { type: 'array', items: { type: 'object' } } },
        'application/x-ndjson': { schema: text },
        'text/csv': { schema: text },
        'text/plain': { schema: lineProtocol },
      },
    },
  },
  responses: {
    200: json(IngestResult, 'Rows accepted and rejected, with reasons'),
    ...errors(400, 401, 403, 404, 413, 415),
  },
});

/** InfluxDB clients send `Authorization: Token <key>`; a bearer key works too. */
const INFLUX_AUTHENTICATED: { [scheme: string]: string[] }[] = [{ bearer: [] }, { influxToken: [] }];

export const influxWriteRoute = createRoute({
  method: 'post',
  path: '/api/v2/write',
  tags: ['Ingest'],
  security: INFLUX_AUTHENTICATED,
  summary: 'The InfluxDB v2 write API (measurement = table)',
  request: {
    query: z.object({
      bucket: z
        .string({ error: 'bucket (the database) is required' })
        .min(1, { error: 'bucket (the database) is required' })
        .openapi({ description: 'The database' }),
      precision,
    }),
    headers: idempotencyKey,
    body: { required: true, content: { 'text/plain': { schema: lineProtocol } } },
  },
  responses: { 204: noContent, ...errors(400, 401, 403, 404, 413, 415) },
});

export const databaseRoute = createRoute({
  method: 'get',
  path: '/v1/databases/{database}',
  tags: ['Databases'],
  security: AUTHENTICATED,
  summary: 'The database an API key reaches (by id, or by name in its project)',
  request: { params: DatabaseParam },
  responses: {
    200: json(
      z.object({
        id: z.string(),
        name: z.string(),
        projectId: z.string(),
        status: z.string(),
        replicaCount: z.number().int(),
        defaultShardCount: z.number().int(),
        locationHint: z.string().nullable(),
        createdAt: z.string().openapi({ format: 'date-time' }),
      }),
      'The database',
    ),
    ...errors(401, 404),
  },
});
