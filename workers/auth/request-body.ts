/**
 * @module workers/auth/request-body
 * JSON bodies for auth and control-plane routes. Requiring
 * `Content-Type: application/json` is part of the CSRF defence: a cross-site
 * HTML form cannot send it without a CORS preflight, which we never grant.
 */
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

/** Parses the JSON object body; 415 for another content type, 400 for malformed JSON. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send Content-Type: application/json');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_json', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A required string field, trimmed, with a maximum length. */
export function stringField(body: Record<string, unknown>, name: string, max = 200): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
    throw new ApiError(
      400,
      'invalid_request',
      `"${name}" must be a non-empty string of at most ${max} characters`,
    );
  }
  return v.trim();
}

/** An optional string field. */
export function optionalString(body: Record<string, unknown>, name: string, max = 200): string | undefined {
  return body[name] === undefined || body[name] === null ? undefined : stringField(body, name, max);
}

/** A field that must be one of `allowed`. */
export function enumField<T extends string>(
  body: Record<string, unknown>,
  name: string,
  allowed: readonly T[],
): T {
  const v = body[name];
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ApiError(400, 'invalid_request', `"${name}" must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A normalised (trimmed, lower-cased) email address. */
export function emailField(body: Record<string, unknown>, name = 'email'): string {
  const v = stringField(body, name, 254).toLowerCase();
  if (!EMAIL.test(v)) throw new ApiError(400, 'invalid_request', `"${name}" is not an email address`);
  return v;
}
