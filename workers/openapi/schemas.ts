/**
 * @module workers/openapi/schemas
 * Schema pieces shared by the route definitions: the error body, response and
 * request-body wrappers, and zod types for the text rules of
 * `auth/plain-text.ts`. Those rules stay where they are (one implementation):
 * {@link checkedString} runs an existing check inside zod, so its message —
 * which names the field — becomes the validation issue.
 */
import { z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { NAME_LIMITS, type NameKind, nameField, plainText } from '../auth/plain-text.ts';
import { ApiError } from '../errors.ts';

/** `{ "error": { "code", "message", … } }`: every non-2xx answer (see workers/errors.ts). */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z
        .string()
        .openapi({ description: 'A PostgreSQL SQLSTATE on data-plane routes, a word elsewhere' }),
      message: z.string(),
      position: z.number().int().optional().openapi({ description: '1-based position in the SQL text' }),
      hint: z.string().optional(),
      statement: z.number().int().optional().openapi({ description: 'The statement that failed (1-based)' }),
      committed: z
        .array(z.object({ statement: z.number().int(), command: z.string(), rowCount: z.number().int() }))
        .optional(),
    }),
  })
  .openapi('Error');

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unsupported feature or data error',
  429: 'Rate limited',
};

/** The documented error answers of a route (the statuses its handler and middleware can throw). */
export function errors(...statuses: (keyof typeof ERROR_TEXT)[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_TEXT[s], content: { 'application/json': { schema: ErrorBody } } },
    ]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }>;
}

/** A JSON response. */
export function json<T extends ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** 204 No Content. */
export const noContent = { description: 'Done; no body' } as const;

/** A required JSON request body. */
export function jsonBody<T extends ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** The message `check` throws for `value` (an ApiError's), or undefined when it passes. */
function failure(check: (value: unknown) => unknown, value: unknown): string | undefined {
  try {
    check(value);
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.message;
    throw e;
  }
}

/** A string checked by an existing validator; the value handed on is trimmed, as the validator returns it. */
export function checkedString(check: (value: unknown) => unknown) {
  return z
    .string({ error: (issue) => failure(check, issue.input) ?? 'must be a string' })
    .superRefine((v, ctx) => {
      const message = failure(check, v);
      if (message) ctx.addIssue({ code: 'custom', message });
    })
    .trim();
}

/**
 * A string turned into a value by an existing parser (a query parameter such as
 * `limit` or `since`); the parser's ApiError becomes the validation issue.
 */
export function parsedBy<T>(parse: (value: string) => T) {
  return z.string().transform((v, ctx) => {
    let out: T;
    try {
      out = parse(v);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
    return out;
  });
}

/** Client text under the plain-text rule (see auth/plain-text.ts). */
export function plainTextString(field: string, max: number) {
  return checkedString((v) => plainText(v, field, max)).openapi({ maxLength: max });
}

/** A name of the given kind. */
export function nameString(kind: NameKind, field = 'name') {
  return checkedString((v) => nameField({ [field]: v }, kind, field)).openapi({
    maxLength: NAME_LIMITS[kind],
  });
}

/** One of `allowed`, with the message the API has always given. */
export function oneOf<const T extends readonly [string, ...string[]]>(field: string, allowed: T) {
  return z.enum(allowed, { error: `"${field}" must be one of ${allowed.join(', ')}` });
}

/** An integer in [min, max] (JSON number), with the API's message. */
export function intInRange(field: string, min: number, max: number) {
  const error = `"${field}" must be an integer from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** Conservative: no whitespace, quotes, brackets, commas or semicolons, so an address can never
 * carry a second recipient or a display name into a mail header. */
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\.]+(?:\.[^\s@<>()[\],;:"\\.]+)+$/;

/** A normalised (trimmed, lower-cased) email address. */
export function emailString(field = 'email') {
  return checkedString((v) => {
    if (!EMAIL.test(plainText(v, field, 254).toLowerCase()))
      throw new ApiError(400, 'invalid_request', `"${field}" is not an email address`);
  })
    .toLowerCase()
    .openapi({ format: 'email', maxLength: 254 });
}

/**
 * Who may call a route, as documented: a bearer credential (an API key, or an
 * access token from a bearer-mode sign-in) or the browser session cookie. The
 * middleware enforces it; this only describes it.
 */
export const AUTHENTICATED: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];
