/**
 * @module workers/openapi/api-router
 * The router every route file builds on: an `OpenAPIHono` whose routes are
 * declared with `createRoute`, so one zod schema both validates a request and
 * documents it in `/v1/openapi.json`. Failed validation goes through ONE hook,
 * {@link rejectInvalidInput}, which throws the API's usual `ApiError` — the
 * client sees the same `{error:{code,message}}` body as for any other 400.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import type { ZodError } from 'zod';
import type { AppEnv } from '../app-context.ts';
import { ApiError, codeForPath } from '../errors.ts';

/** A zod issue may carry its own SQLSTATE (`params.sqlstate`) when 22023 is not the right one. */
function sqlStateOf(error: ZodError): string {
  const issue = error.issues[0];
  const own =
    issue?.code === 'custom' ? (issue.params as { sqlstate?: unknown } | undefined)?.sqlstate : undefined;
  return typeof own === 'string' ? own : '22023';
}

/** The message of the first issue, naming the field it is about. */
export function issueMessage(error: ZodError, target: string): string {
  const issue = error.issues[0];
  if (!issue) return `invalid ${target}`;
  // Messages of the existing semantic checks already name their field (`"name" must …`).
  if (issue.message.startsWith('"')) return issue.message;
  const field = issue.path.length ? issue.path.join('.') : target === 'json' ? 'request body' : target;
  return `"${field}": ${issue.message}`;
}

/**
 * The validation hook: a 400 with `invalid_request` (control plane) or a SQLSTATE
 * (data plane: 22023 unless the schema named another), thrown to the one error handler.
 */
export function rejectInvalidInput(
  result: { success: true } | { success: false; error: ZodError; target: string },
  c: Context,
): undefined {
  if (result.success) return undefined;
  throw new ApiError(
    400,
    codeForPath(c, sqlStateOf(result.error), 'invalid_request'),
    issueMessage(result.error, result.target),
  );
}

/** A route group: `openapi(createRoute(...), handler)` validates and documents each route. */
export function apiRouter<E extends Env = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: rejectInvalidInput as never });
}

/**
 * Hands a body the route already read and parsed (under its own size limit,
 * content-type rule and error codes) to the route's JSON validator, which
 * would otherwise read the stream a second time with no limit.
 */
export function provideParsedJson(c: Context, body: unknown): void {
  (c.req.bodyCache as { json?: Promise<unknown> }).json = Promise.resolve(body);
}
