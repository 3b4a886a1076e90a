/**
 * Helpers for data-plane tests: call the API through `SELF.fetch` with the dev key.
 */
import { SELF } from 'cloudflare:test';

export const AUTH = { authorization: 'Bearer test-dev-key' };
export const DB = '/v1/databases/default';

/** Response of `/sql` (or an error body). */
export interface SqlResponse {
  status: number;
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  stats: {
    ms: number;
    shards: number;
    chunksScanned: number;
    chunksSkipped: number;
    rowsRead: number;
    rowsWritten: number;
    bytesScanned: number;
  };
  results?: { rows: unknown[][] }[];
  error?: { code: string; message: string; position?: number };
}

/** POSTs `{sql, params}`; returns the parsed body plus the status. */
export async function sql(
  query: string,
  params?: unknown[],
  headers: Record<string, string> = {},
): Promise<SqlResponse> {
  const res = await SELF.fetch(`https://orochi.test${DB}/sql`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(params ? { sql: query, params } : { sql: query }),
  });
  return { status: res.status, ...((await res.json()) as object) } as SqlResponse;
}

/** Like `sql` but fails the test on a non-200 answer. */
export async function ok(query: string, params?: unknown[]): Promise<SqlResponse> {
  const r = await sql(query, params);
  if (r.status !== 200) throw new Error(`${query} → ${r.status} ${JSON.stringify(r.error)}`);
  return r;
}

/** POSTs a bulk-ingest body. */
export async function ingest(
  table: string,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const res = await SELF.fetch(`https://orochi.test${DB}/tables/${table}/rows`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': contentType, ...headers },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      accepted: number;
      rejected: number;
      errors: { line: number; reason: string }[];
      duplicate: boolean;
      error?: { code: string };
    },
  };
}
