/**
 * @module client/api-client
 * The typed API client, shared by the dashboard and the CLI: openapi-fetch
 * over the types generated from the routes' OpenAPI document
 * (client/openapi-types.ts, `npm run gen:client`). Paths, parameters, bodies
 * and answers are checked by the compiler against the API itself.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './openapi-types.ts';

export type { paths };
export type ApiClient = Client<paths>;
/** The API's named schemas (`Org`, `Database`, `SqlResult`, …). */
export type Schemas = components['schemas'];
/** The body of every non-2xx answer. */
export type ApiErrorBody = Schemas['Error'];

/** A client for the API at `options.baseUrl` (same origin when omitted); `options.fetch` adds credentials. */
export function createApiClient(options: ClientOptions = {}): ApiClient {
  return createClient<paths>(options);
}
