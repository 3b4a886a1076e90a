/**
 * @module cli/api
 * The CLI's side of the typed client (client/api-client.ts): a `fetch` that
 * adds the bearer credential and turns a network failure into `ApiError`
 * status 0 / `08006` (so loads retry it), and {@link OrochiApi}, the
 * data-plane calls the commands make. Errors are decoded once, in
 * client/api-error.ts, the same way the dashboard decodes them.
 */
import { type ApiClient, createApiClient, type Schemas } from '../client/api-client.ts';
import { ApiError, unwrap } from '../client/api-error.ts';
import type { CliConfig } from './config.ts';

export { ApiError };

/** The whole `/sql` answer: the last statement's result, plus every statement's when there were several. */
export type SqlResponse = Schemas['SqlResult'];
/** One statement's result. */
export type SqlResult = Partial<Pick<SqlResponse, 'columns' | 'rows' | 'rowCount' | 'command'>>;
/** One column of a result. */
export type ResultColumn = SqlResponse['columns'][number];
/** What a load reads of `POST …/tables/{table}/rows`'s answer. */
export type IngestResponse = Pick<Schemas['IngestResult'], 'accepted' | 'rejected' | 'errors' | 'duplicate'>;
/** `GET /v1/databases/{database}`'s answer. */
export type DatabaseInfo = Schemas['Database'];

/**
 * How a client gets its bearer token: `fresh` asks for one that was not already refused
 * (a session refreshes; an API key cannot, and returns null).
 */
export type Bearer = (fresh: boolean) => Promise<string | null>;

/**
 * A typed client for the API at `url`, authenticated by `bearer`; with `refreshable`, a 401 gets
 * one refresh-and-replay (an API key cannot refresh, so its requests are not kept for a replay:
 * a load's batches are megabytes).
 */
export function cliClient(url: string, bearer: Bearer, refreshable = true): ApiClient {
  const send = async (request: Request, token: string | null) => {
    const headers = new Headers(request.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    try {
      return await fetch(new Request(request, { headers }));
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new ApiError(0, '08006', `could not reach ${url}: ${cause ?? (e as Error).message}`);
    }
  };
  return createApiClient({
    baseUrl: url,
    fetch: async (request: Request) => {
      if (!refreshable) return send(request, await bearer(false));
      // Kept for the replay: a Request's body can be read once.
      const replay = request.clone();
      const res = await send(request, await bearer(false));
      if (res.status !== 401) return res;
      const fresh = await bearer(true);
      return fresh ? send(replay, fresh) : res;
    },
  });
}

/** The data-plane calls, bound to one configured API URL, credential and database. */
export class OrochiApi {
  readonly client: ApiClient;

  /** Authenticated by `config.apiKey`, or by `session` (a refreshable bearer) when given. */
  constructor(
    readonly config: CliConfig,
    session?: Bearer,
  ) {
    this.client = session
      ? cliClient(config.url, session)
      : cliClient(config.url, async () => config.apiKey, false);
  }

  private get database_(): { database: string } {
    return { database: this.config.database };
  }

  /** `GET /v1/databases/{database}`: also how `login` checks a key. */
  database(database = this.config.database): Promise<DatabaseInfo> {
    return unwrap(this.client.GET('/v1/databases/{database}', { params: { path: { database } } }));
  }

  /** Runs SQL (one or several statements) with optional `$n` parameters. */
  async sql(sql: string, params?: (string | number | boolean | null)[]): Promise<SqlResponse> {
    const res = await unwrap(
      this.client.POST('/v1/databases/{database}/sql', {
        params: { path: this.database_ },
        body: params?.length ? { sql, params } : { sql },
      }),
    );
    // The route answers text only to an Accept that asks for it; this client never does.
    return res as SqlResponse;
  }

  /** Bulk-ingests one body (already encoded as `contentType`) into a table under an Idempotency-Key. */
  ingest(
    table: string,
    contentType: string,
    body: Uint8Array,
    idempotencyKey: string,
    query: Record<string, string> = {},
  ): Promise<IngestResponse> {
    return unwrap(
      this.client.POST('/v1/databases/{database}/tables/{table}/rows', {
        params: {
          path: { ...this.database_, table },
          header: { 'idempotency-key': idempotencyKey },
          query,
        },
        // The batch is sent as the bytes it is: the document types bodies as text or JSON.
        body: body as unknown as string,
        bodySerializer: (b) => b,
        headers: { 'content-type': contentType },
      }),
    );
  }
}
