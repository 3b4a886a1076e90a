/**
 * @module cli/api
 * The only module of the CLI that speaks HTTP to the API, so it can be
 * swapped for a generated typed client without touching the commands.
 * Every non-2xx answer becomes an `ApiError` carrying the API's
 * `{"error": {"code", "message", "position"?, "hint"?}}`.
 */
import type { CliConfig } from './config.ts';

/** One column of a `/sql` result. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/** One statement's result, as `/sql` answers it. */
export interface SqlResult {
  readonly columns?: ResultColumn[];
  readonly rows?: unknown[][];
  readonly rowCount?: number;
  readonly command?: string;
}

/** The whole `/sql` answer: the last statement's result, plus every statement's when there were several. */
export interface SqlResponse extends SqlResult {
  readonly results?: SqlResult[];
}

/** `POST …/tables/{table}/rows`'s answer. */
export interface IngestResponse {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: { line: number; reason: string }[];
  readonly duplicate: boolean;
}

/** `GET /v1/databases/{database}`'s answer. */
export interface DatabaseInfo {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly defaultShardCount: number;
}

/** An error answer of the API (or a network failure: status 0, code `08006`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position?: number,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** Worth retrying with the same Idempotency-Key: the network, a 5xx, or `40001`/`40003` (not applied / partly applied). */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === '40001' || this.code === '40003';
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; position?: number; hint?: string };
    };
    if (body.error?.message) {
      const e = body.error;
      return new ApiError(res.status, e.code ?? String(res.status), e.message!, e.position, e.hint);
    }
  } catch {
    /* not the API's JSON: report the status and text */
  }
  return new ApiError(res.status, String(res.status), text.slice(0, 300) || res.statusText);
}

/** A client bound to one configured API URL, key and database. */
export class OrochiApi {
  constructor(readonly config: CliConfig) {}

  private databaseUrl(database = this.config.database): string {
    return `${this.config.url}/v1/databases/${encodeURIComponent(database)}`;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.config.apiKey}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new ApiError(0, '08006', `could not reach ${this.config.url}: ${cause ?? (e as Error).message}`);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  /** `GET /v1/databases/{database}`: also how `login` checks a key. */
  async database(database?: string): Promise<DatabaseInfo> {
    return (await (await this.request(this.databaseUrl(database), {})).json()) as DatabaseInfo;
  }

  /** Runs SQL (one or several statements) with optional `$n` parameters. */
  async sql(sql: string, params?: unknown[]): Promise<SqlResponse> {
    const res = await this.request(`${this.databaseUrl()}/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params?.length ? { sql, params } : { sql }),
    });
    return (await res.json()) as SqlResponse;
  }

  /** Bulk-ingests one body into a table under an Idempotency-Key. */
  async ingest(
    table: string,
    contentType: string,
    body: Uint8Array,
    idempotencyKey: string,
    query: Record<string, string> = {},
  ): Promise<IngestResponse> {
    const qs = new URLSearchParams(query).toString();
    const url = `${this.databaseUrl()}/tables/${encodeURIComponent(table)}/rows${qs ? `?${qs}` : ''}`;
    const res = await this.request(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'idempotency-key': idempotencyKey },
      body,
    });
    return (await res.json()) as IngestResponse;
  }
}
