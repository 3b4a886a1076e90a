/**
 * @module cli/sql-command
 * Runs SQL for `orochi sql -c`, `orochi explain` and the shell, printing
 * every statement's result and errors the way psql does (`ERROR:  …` with
 * the SQLSTATE, HINT and position).
 */
import { ApiError, type OrochiApi, type SqlResponse } from './api.ts';
import { formatResult, type OutputFormat } from './result-format.ts';

/** Every statement's result of one call, in order. */
export function resultsOf(res: SqlResponse) {
  return res.results ?? [res];
}

/** psql-like error text for an API error. */
export function formatError(e: unknown): string {
  if (!(e instanceof ApiError)) return `error: ${(e as Error).message ?? String(e)}`;
  // Control-plane and auth errors carry a word (`unauthenticated`), data-plane ones a SQLSTATE.
  const lines = [
    `ERROR:  ${e.message}`,
    /^[0-9A-Z]{5}$/.test(e.code) ? `SQLSTATE: ${e.code}` : `CODE: ${e.code}`,
  ];
  if (e.position !== undefined) lines.push(`POSITION: ${e.position}`);
  if (e.hint) lines.push(`HINT:  ${e.hint}`);
  return lines.join('\n');
}

/** Runs `sql` and writes its results; returns false (after printing the error) when it failed. */
export async function runSql(
  api: OrochiApi,
  sql: string,
  format: OutputFormat,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
  try {
    const res = await api.sql(sql);
    for (const r of resultsOf(res)) out.write(`${formatResult(r, format)}\n`);
    return true;
  } catch (e) {
    err.write(`${formatError(e)}\n`);
    return false;
  }
}

/** `EXPLAIN <sql>`'s plan as its lines of text. */
export async function explain(api: OrochiApi, sql: string, analyze: boolean): Promise<string> {
  const res = await api.sql(`EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`);
  const last = resultsOf(res).at(-1)!;
  return (last.rows ?? []).map((r) => String(r[0])).join('\n');
}
