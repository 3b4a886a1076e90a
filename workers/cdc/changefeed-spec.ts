/**
 * @module workers/cdc/changefeed-spec
 * The body of `POST /v1/databases/{db}/changefeeds`, checked. Options the
 * issue names but that are not built (`initialScan`, the `truncate` op) are refused with 0A000 rather than ignored;
 * unknown fields are refused too. `filter` and `columns` are checked for
 * shape here and against each table by the route (changefeed-filter).
 */
import { resolvedEveryMs } from '../../durable-objects/changefeed-cursors.ts';
import type { ChangefeedOp, ChangefeedSpec } from '../../durable-objects/changefeed-store.ts';
import { DATABASE_NAME } from '../auth/plain-text.ts';
import { ApiError } from '../errors.ts';
import { checkFilterText } from './changefeed-filter.ts';
import { checkWebhookUrl } from './webhook-url.ts';

/** A changefeed's name: like a database name. */
export const CHANGEFEED_NAME = DATABASE_NAME;

const OPS: readonly ChangefeedOp[] = ['insert', 'update', 'delete'];
const NOT_BUILT = ['initialScan'];
const KNOWN = new Set([
  'name',
  'tables',
  'url',
  'ops',
  'batchSize',
  'filter',
  'columns',
  'resolvedEvery',
  ...NOT_BUILT,
]);
export const MAX_BATCH_SIZE = 1000;
const MAX_TABLES = 100;
const MAX_COLUMNS = 100;
const MIN_RESOLVED_MS = 1000;
const MAX_RESOLVED_MS = 24 * 3_600_000;

const bad = (message: string) => new ApiError(400, '22023', message);
const notBuilt = (what: string) => new ApiError(400, '0A000', `${what} is not supported by changefeeds yet`);

/** A list of 1 to `max` names of at most 63 characters (duplicates dropped, first kept). */
function nameList(v: unknown, field: string, what: string, max: number): string[] {
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    v.length > max ||
    !v.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 63)
  )
    throw bad(`"${field}" must be a list of 1 to ${max} ${what}`);
  return [...new Set(v as string[])];
}

/** The checked name and spec, or a 400 naming the first problem. */
export async function parseChangefeedBody(
  env: Env,
  body: Record<string, unknown>,
): Promise<{ name: string; spec: ChangefeedSpec }> {
  for (const k of Object.keys(body)) {
    if (NOT_BUILT.includes(k)) throw notBuilt(`"${k}"`);
    if (!KNOWN.has(k)) throw bad(`unknown field "${k.slice(0, 64)}"`);
  }
  const name = body.name;
  if (typeof name !== 'string' || !CHANGEFEED_NAME.test(name))
    throw bad(
      '"name" must start with a lower-case letter or _ and hold at most 63 lower-case letters, digits, _ or -',
    );
  const tables = nameList(body.tables, 'tables', 'table names', MAX_TABLES);
  const url = checkWebhookUrl(env, body.url);
  let ops: ChangefeedOp[] = [...OPS];
  if (body.ops !== undefined) {
    if (!Array.isArray(body.ops) || body.ops.length === 0 || !body.ops.every((o) => typeof o === 'string'))
      throw bad('"ops" must be a non-empty list of "insert", "update", "delete"');
    for (const o of body.ops as string[]) {
      if (o === 'truncate') throw notBuilt('the "truncate" op (the data plane does not run TRUNCATE)');
      if (!(OPS as readonly string[]).includes(o)) throw bad(`unknown op "${o.slice(0, 32)}"`);
    }
    ops = OPS.filter((o) => (body.ops as string[]).includes(o));
  }
  const batchSize = body.batchSize ?? 100;
  if (
    typeof batchSize !== 'number' ||
    !Number.isInteger(batchSize) ||
    batchSize < 1 ||
    batchSize > MAX_BATCH_SIZE
  )
    throw bad(`"batchSize" must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  const spec: ChangefeedSpec = { tables, url, ops, batchSize };
  const filter = body.filter === undefined ? undefined : await checkFilterText(body.filter);
  const columns =
    body.columns === undefined ? undefined : nameList(body.columns, 'columns', 'column names', MAX_COLUMNS);
  if (columns && columns.length !== (body.columns as unknown[]).length)
    throw bad('"columns" names a column twice');
  const resolvedEvery = body.resolvedEvery;
  if (resolvedEvery !== undefined) {
    const ms = typeof resolvedEvery === 'string' ? resolvedEveryMs(resolvedEvery) : undefined;
    if (ms === undefined || ms < MIN_RESOLVED_MS || ms > MAX_RESOLVED_MS)
      throw bad('"resolvedEvery" must be a duration from "1s" to "24h" ("500ms", "10s", "5m", "1h" forms)');
  }
  return {
    name,
    spec: {
      ...spec,
      ...(filter ? { filter } : {}),
      ...(columns ? { columns } : {}),
      ...(resolvedEvery !== undefined ? { resolvedEvery: resolvedEvery as string } : {}),
    },
  };
}
