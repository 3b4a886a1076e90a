/**
 * @module workers/auth/request-body
 * JSON bodies for auth and control-plane routes. Requiring
 * `Content-Type: application/json` is part of the CSRF defence: a cross-site
 * HTML form cannot send it without a CORS preflight, which we never grant.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import { provideParsedJson } from '../openapi/api-router.ts';

/** No control-plane or auth request needs more (a WebAuthn response is a few KB). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

function tooLarge(): ApiError {
  return new ApiError(413, 'payload_too_large', `request body exceeds ${MAX_JSON_BODY_BYTES} bytes`);
}

/** The body as UTF-8 text, read no further than `max` bytes (413 beyond; 400 when not UTF-8). */
async function boundedText(req: Request, max: number): Promise<string> {
  if (Number(req.headers.get('content-length') ?? 0) > max) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid UTF-8');
  }
}

/** Parses the JSON object body; 415 for another content type, 400 for malformed JSON. */
async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send Content-Type: application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(await boundedText(c.req.raw, MAX_JSON_BODY_BYTES));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_json', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/**
 * Route middleware for JSON routes declared with `createRoute`: reads the body under
 * the rules of {@link jsonBody} and hands it to the route's schema validator.
 */
export function readJsonBody(opts: { optional?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    // An optional body may be absent (no Content-Type); a body that is sent follows the rules.
    if (!opts.optional || c.req.header('content-type') !== undefined) provideParsedJson(c, await jsonBody(c));
    await next();
  };
}
