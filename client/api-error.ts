/**
 * @module client/api-error
 * The API's errors on the client side, shared by the dashboard and the CLI:
 * every non-2xx answer of the typed client (client/api-client.ts) becomes an
 * {@link ApiError} carrying the API's `{"error": {"code", "message",
 * "position"?, "hint"?}}`. A network failure is status 0 (each caller's fetch
 * picks the code: the CLI says `08006` as psql would).
 */

/** An error answered by the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position?: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * Worth sending again unchanged (with the same Idempotency-Key for writes): the network,
   * a 5xx, or `40001`/`40003` (the call was not applied, or partly applied and safe to resume).
   */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === '40001' || this.code === '40003';
  }
}

interface ErrorFields {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  hint?: unknown;
}

/** The error of a non-2xx `response` whose body openapi-fetch decoded (JSON, else its text). */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  const e = (body as { error?: ErrorFields } | undefined)?.error;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    return new ApiError(
      response.status,
      typeof e.code === 'string' ? e.code : `http_${response.status}`,
      e.message,
      typeof e.position === 'number' ? e.position : undefined,
      typeof e.hint === 'string' ? e.hint : undefined,
    );
  }
  // Not the API's JSON (a proxy's page, an empty body): the status and the start of the text.
  const text = typeof body === 'string' ? body.trim().slice(0, 300) : '';
  return new ApiError(
    response.status,
    `http_${response.status}`,
    text || `HTTP ${response.status} ${response.statusText}`.trim(),
  );
}

/** The data of a typed-client call; throws {@link ApiError} for any non-2xx answer. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiErrorOf(response, error);
  return data as T;
}
