/**
 * @module workers/data-plane/sql-body
 * Reads a `/sql` request body — JSON, at most 1 MiB (gzip allowed), UTF-8 —
 * with data-plane error codes, and hands the parsed value to the route's
 * schema (`SqlRequest`), which checks its fields.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import { provideParsedJson } from '../openapi/api-router.ts';
import { MAX_SQL_BODY_BYTES, readBodyText } from './request-body.ts';

/** Route middleware: 415 (0A000) unless JSON, 413 (54000) past the limit, 400 (22021, 22P02) for bad bytes or JSON. */
export function readSqlBody(): MiddlewareHandler {
  return async (c, next) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json')
      throw new ApiError(415, '0A000', 'send the SQL as JSON with Content-Type: application/json');
    const text = await readBodyText(c.req.raw, MAX_SQL_BODY_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, '22P02', 'request body must be JSON: {"sql": "...", "params": [...]}');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiError(400, '22023', 'request body must be a JSON object: {"sql": "...", "params": [...]}');
    provideParsedJson(c, body);
    await next();
  };
}
