/**
 * @module workers/cdc/changefeed-routes
 * `/v1/databases/{database}/changefeeds…`: create, list, show, pause, resume,
 * rotate the signing secret, delete, and page the delivery log. Every route
 * needs the `admin` role (the data plane's one check, `authorizeRequest`).
 * Records live in the database's CatalogDO; each changefeed holds a durable
 * log consumer (`cdc:<id>`) on every shard of its tables, registered before
 * the record is written and dropped with it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Changefeed } from '../../durable-objects/changefeed-store.ts';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import type { LogPage } from '../../engine/distributed/change-entry.ts';
import { isSqlError } from '../../engine/errors.ts';
import type { AppEnv } from '../app-context.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { intParam } from '../control-plane/query-params.ts';
import { auditAdminCalls, authorizeRequest } from '../data-plane/authorize.ts';
import { Cluster } from '../data-plane/cluster.ts';
import { databaseFor } from '../data-plane/database-cache.ts';
import { DatabaseParam } from '../data-plane/route-schemas.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, jsonBody as jsonBodySchema, noContent } from '../openapi/schemas.ts';
import { checkColumnsOf, checkFilterAgainst, MAX_FILTER_LENGTH } from './changefeed-filter.ts';
import { ReplayBody, replayFeed } from './changefeed-replay.ts';
import { CHANGEFEED_NAME, MAX_BATCH_SIZE, parseChangefeedBody } from './changefeed-spec.ts';
import { type CdcDeliver, consumerName } from './delivery-pump.ts';
import { newSecret, sealSecret } from './signing-secrets.ts';

/** Old secrets keep signing this long after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Target = { db: Awaited<ReturnType<typeof databaseFor>>; cluster: Cluster };
type FeedEnv = { Bindings: Env; Variables: AppEnv['Variables'] & { feedTarget: Target } };

/**
 * Route middleware: the database (authorized for admin work) and its cluster, as
 * `c.get('feedTarget')`. It runs before the route's validators, so a caller without
 * the role is refused (403/404) before anything about the request is judged.
 */
function authorized(action: string): MiddlewareHandler<FeedEnv> {
  return async (c, next) => {
    const db = await databaseFor(c.env, c.get('principal')!, c.req.param('database') ?? '');
    await authorizeRequest(c, db.id, action, 'admin');
    c.set('feedTarget', { db, cluster: new Cluster(c.env, db.id, db.location) });
    await next();
  };
}

/** The `{changefeed}` path parameter (an id or a name); 404 for anything that cannot be one. */
function feedRef(ref: string): string {
  if (!UUID.test(ref) && !CHANGEFEED_NAME.test(ref))
    throw new ApiError(404, '42704', 'changefeed does not exist');
  return ref;
}

/** Catalog calls with SQLSTATEs mapped to the statuses of this API. */
async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const err = fromRpcError(e);
    if (isSqlError(err) && err.code === '42704') throw new ApiError(404, err.code, err.message);
    if (isSqlError(err) && err.code === '42710') throw new ApiError(409, err.code, err.message);
    throw err;
  }
}

/** A changefeed as the API shows it: never its secrets; lag per shard. */
async function view(cluster: Cluster, f: Changefeed, now = Date.now()) {
  const shards = await Promise.all(
    f.cursors.map(async (cur) => {
      const s = cluster.shard(`${cluster.databaseId}:${cur.shard}`);
      const status = await s.logStatus();
      let lagSeconds: number | null = 0;
      if (status.newestLsn > cur.lsn) {
        const read = s.readLog(cur.lsn + 1, 1) as unknown as Promise<LogPage>;
        const next = await read.catch(() => null);
        const e = next?.entries[0];
        lagSeconds = e ? Math.max(0, (now - e.commitMs) / 1000) : null;
      }
      return {
        shard: cur.shard,
        lsn: cur.lsn,
        pendingInEntry: cur.skip,
        lagLsn: Math.max(0, status.newestLsn - cur.lsn),
        lagSeconds,
        attempt: cur.attempt,
        nextAttemptAt: cur.nextAt > 0 ? new Date(cur.nextAt).toISOString() : null,
        lastError: cur.lastError,
        lastDeliveredCommitTime: cur.deliveredMs === null ? null : new Date(cur.deliveredMs).toISOString(),
      };
    }),
  );
  return {
    id: f.id,
    name: f.name,
    tables: [...f.spec.tables],
    url: f.spec.url,
    ops: [...f.spec.ops],
    batchSize: f.spec.batchSize,
    filter: f.spec.filter ?? null,
    columns: f.spec.columns ? [...f.spec.columns] : null,
    resolvedEvery: f.spec.resolvedEvery ?? null,
    lastResolved: f.resolvedMs > 0 ? new Date(f.resolvedMs).toISOString() : null,
    status: f.status,
    reason: f.reason,
    createdAt: new Date(f.createdAt).toISOString(),
    secrets: f.secrets.map((s) => ({
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: s.expiresAt === undefined ? null : new Date(s.expiresAt).toISOString(),
    })),
    shards,
  };
}

/** Asks the queue consumer to deliver every shard of `f`. */
async function kick(env: Env, database: string, f: Changefeed): Promise<void> {
  if (f.cursors.length === 0) return;
  await env.EVENTS.sendBatch(
    f.cursors.map((cur) => ({
      body: { kind: 'cdc-deliver', database, changefeed: f.id, shard: cur.shard } satisfies CdcDeliver,
    })),
  );
}

const BASE = '/v1/databases/{database}/changefeeds';
const FEED = `${BASE}/{changefeed}`;

const FeedParam = DatabaseParam.extend({
  changefeed: z.string().openapi({ description: 'The changefeed’s id or name' }),
});

/** A query integer checked by `intParam`, whose own error (code and message) is the answer. */
const queryInt = (name: string, min: number, max: number, description: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return intParam(v, name, min, max);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message, params: { sqlstate: e.code } });
        return z.NEVER;
      }
    })
    .openapi({ type: 'integer', description });

const ShardStatus = z.object({
  shard: z.string(),
  lsn: z.number().int(),
  pendingInEntry: z.number().int(),
  lagLsn: z.number().int(),
  lagSeconds: z.number().nullable(),
  attempt: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastDeliveredCommitTime: z.string().nullable(),
});

const OPS = z.enum(['insert', 'update', 'delete']);

const ChangefeedView = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    tables: z.array(z.string()),
    url: z.string(),
    ops: z.array(OPS),
    batchSize: z.number().int(),
    filter: z.string().nullable().openapi({ description: 'The SQL boolean expression rows must pass' }),
    columns: z
      .array(z.string())
      .nullable()
      .openapi({ description: 'The columns events carry (all when null)' }),
    resolvedEvery: z.string().nullable(),
    lastResolved: z.string().nullable().openapi({
      description: 'The last resolved time sent: every change committed before it was delivered',
    }),
    status: z.string(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    secrets: z.array(z.object({ createdAt: z.string(), expiresAt: z.string().nullable() })),
    shards: z.array(ShardStatus),
  })
  .openapi('Changefeed');

const WithSecret = ChangefeedView.extend({
  secret: z.string().openapi({ description: 'The signing secret; shown only in this answer' }),
}).openapi('ChangefeedWithSecret');

/**
 * The create body, for the document only: `parseChangefeedBody` checks it (its
 * order of checks — unknown and not-built fields first, 0A000 for the latter — and
 * the webhook URL rule need the environment), so the route does not validate it twice.
 */
const CreateChangefeed = z
  .object({
    name: z.string().openapi({ description: 'Like a database name' }),
    tables: z.array(z.string().min(1).max(63)).min(1).max(100),
    url: z.string().openapi({ description: 'The webhook (https; see docs)' }),
    ops: z.array(OPS).min(1).optional().openapi({ description: 'Default: all three' }),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).optional().openapi({ description: 'Default 100' }),
    filter: z
      .string()
      .min(1)
      .max(MAX_FILTER_LENGTH)
      .optional()
      .openapi({
        description:
          "A SQL boolean expression over the row's columns: inserts are sent when the new row passes, " +
          'deletes when the old row does, updates when either does',
      }),
    columns: z
      .array(z.string().min(1).max(63))
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'The columns events carry in `before`/`after`, in this order (default: all)' }),
    resolvedEvery: z.string().optional().openapi({
      description:
        'How often to POST {"changefeed", "resolved"}: every change committed before `resolved` was delivered ("10s"; 1s to 24h)',
    }),
  })
  .openapi('CreateChangefeed');

const Delivery = z.object({ seq: z.number().int(), at: z.string() }).catchall(z.unknown());

const feedRoute = <M extends 'get' | 'post' | 'delete', P extends string>(
  method: M,
  path: P,
  action: string,
  summary: string,
) =>
  createRoute({
    method,
    path,
    tags: ['Changefeeds'],
    security: AUTHENTICATED,
    summary: `${summary} (admin)`,
    middleware: [authorized(action)] as const,
    request: { params: FeedParam },
    responses: { 200: json(ChangefeedView, 'The changefeed'), ...errors(400, 401, 403, 404) },
  });

const createFeedRoute = createRoute({
  method: 'post',
  path: BASE,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: 'Create a changefeed: row changes of tables POSTed to a webhook (admin)',
  request: { params: DatabaseParam, body: jsonBodySchema(CreateChangefeed) },
  responses: {
    201: json(WithSecret, 'Created'),
    ...errors(400, 401, 403, 404, 409, 413, 415),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: BASE,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: "A database's changefeeds (admin)",
  middleware: [authorized('list changefeeds')] as const,
  request: { params: DatabaseParam },
  responses: {
    200: json(z.object({ changefeeds: z.array(ChangefeedView) }), 'Every changefeed'),
    ...errors(400, 401, 403, 404),
  },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: `${FEED}/deliveries`,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: "A changefeed's delivery log, newest first (admin)",
  middleware: [authorized('show changefeed deliveries')] as const,
  request: {
    params: FeedParam,
    query: z.object({
      limit: queryInt('limit', 1, 1000, 'Entries per page, 1–1000 (default 100)'),
      before: queryInt('before', 1, Number.MAX_SAFE_INTEGER, "The previous page's next"),
    }),
  },
  responses: {
    200: json(
      z.object({ deliveries: z.array(Delivery), next: z.number().int().nullable() }),
      'One page; pass next as before to continue',
    ),
    ...errors(400, 401, 403, 404),
  },
});

const rotateRoute = createRoute({
  method: 'post',
  path: `${FEED}/rotate-secret`,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: 'A new signing secret; the old ones sign for 24 hours more (admin)',
  middleware: [authorized('rotate changefeed secret')] as const,
  request: { params: FeedParam },
  responses: { 200: json(WithSecret, 'The changefeed and its new secret'), ...errors(400, 401, 403, 404) },
});

const replayRoute = createRoute({
  method: 'post',
  path: `${FEED}/replay`,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: 'Deliver again from a time or from per-shard log positions (admin)',
  middleware: [authorized('replay changefeed')] as const,
  request: { params: FeedParam, body: jsonBodySchema(ReplayBody) },
  responses: {
    200: json(ChangefeedView, 'The changefeed, its cursors moved'),
    ...errors(400, 401, 403, 404, 415),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: FEED,
  tags: ['Changefeeds'],
  security: AUTHENTICATED,
  summary: 'Drop a changefeed (admin)',
  middleware: [authorized('drop changefeed')] as const,
  request: { params: FeedParam },
  responses: { 204: noContent, ...errors(400, 401, 403, 404) },
});

const changefeeds = apiRouter<FeedEnv>();
// Every changefeed call is admin work: audited with its outcome (refusals where refused).
changefeeds.use('/v1/databases/:database/changefeeds/*', auditAdminCalls());
// The create body is documented but not validated by zod (see CreateChangefeed): the
// document gets the full route; the handler is registered without the body schema.
changefeeds.openAPIRegistry.registerPath(createFeedRoute);

export const changefeedRoutes = changefeeds
  .openapi(
    {
      ...createFeedRoute,
      hide: true,
      middleware: [authorized('create changefeed'), readJsonBody()] as const,
      request: { params: DatabaseParam },
    },
    async (c) => {
      const { db, cluster } = c.get('feedTarget');
      const { name, spec } = await parseChangefeedBody(c.env, await c.req.json<Record<string, unknown>>());
      const snap = await cluster.snapshot();
      const shards = new Set<string>();
      for (const t of spec.tables) {
        const def = snap.tables.find((x) => x.name === t);
        if (!def) throw new ApiError(404, '42P01', `relation "${t}" does not exist`);
        if (spec.columns) checkColumnsOf(def, spec.columns);
        if (spec.filter) await checkFilterAgainst(def, spec.filter);
        for (const s of cluster.shardsOf(def)) shards.add(s.slice(db.id.length + 1));
      }
      const id = crypto.randomUUID();
      const secret = newSecret();
      const sealed = await sealSecret(c.env, id, secret, Date.now());
      const starts: Record<string, number> = {};
      try {
        for (const s of shards)
          starts[s] = (await cluster.shard(`${db.id}:${s}`).registerLogConsumer(consumerName(id))).lsn;
        const feed = await call(cluster.catalog().cdcCreate({ id, name, spec, secret: sealed }, starts));
        return c.json({ ...(await view(cluster, feed)), secret }, 201);
      } catch (e) {
        await Promise.all(
          Object.keys(starts).map((s) =>
            cluster
              .shard(`${db.id}:${s}`)
              .dropLogConsumer(consumerName(id))
              .catch(() => {}),
          ),
        );
        throw e;
      }
    },
  )
  .openapi(listRoute, async (c) => {
    const { cluster } = c.get('feedTarget');
    const feeds = await call(cluster.catalog().cdcList());
    return c.json({ changefeeds: await Promise.all(feeds.map((f) => view(cluster, f))) }, 200);
  })
  .openapi(feedRoute('get', FEED, 'show changefeed', 'One changefeed, with its lag per shard'), async (c) => {
    const { cluster } = c.get('feedTarget');
    return c.json(
      await view(cluster, await call(cluster.catalog().cdcGet(feedRef(c.req.valid('param').changefeed)))),
      200,
    );
  })
  .openapi(deliveriesRoute, async (c) => {
    const { cluster } = c.get('feedTarget');
    const q = c.req.valid('query');
    const limit = q.limit ?? 100;
    const rows = await call(
      cluster.catalog().cdcDeliveries(feedRef(c.req.valid('param').changefeed), limit, q.before),
    );
    return c.json(
      {
        deliveries: rows.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
        next: rows.length === limit ? rows[rows.length - 1].seq : null,
      },
      200,
    );
  })
  .openapi(feedRoute('post', `${FEED}/pause`, 'pause changefeed', 'Pause deliveries'), async (c) => {
    const { cluster } = c.get('feedTarget');
    const ref = feedRef(c.req.valid('param').changefeed);
    const f = await call(cluster.catalog().cdcSetStatus(ref, 'paused', 'paused by request'));
    return c.json(await view(cluster, f), 200);
  })
  .openapi(feedRoute('post', `${FEED}/resume`, 'resume changefeed', 'Resume deliveries'), async (c) => {
    const { db, cluster } = c.get('feedTarget');
    const f = await call(
      cluster.catalog().cdcSetStatus(feedRef(c.req.valid('param').changefeed), 'running', null),
    );
    await kick(c.env, db.id, f);
    return c.json(await view(cluster, f), 200);
  })
  .openapi(replayRoute, async (c) => {
    const { db, cluster } = c.get('feedTarget');
    const feed = await call(cluster.catalog().cdcGet(feedRef(c.req.valid('param').changefeed)));
    const f = await call(replayFeed(cluster, db.id, feed, c.req.valid('json')));
    if (f.status === 'running') await kick(c.env, db.id, f);
    return c.json(await view(cluster, f), 200);
  })
  .openapi(rotateRoute, async (c) => {
    const { cluster } = c.get('feedTarget');
    const ref = feedRef(c.req.valid('param').changefeed);
    const current = await call(cluster.catalog().cdcGet(ref));
    const now = Date.now();
    const secret = newSecret();
    const sealed = await sealSecret(c.env, current.id, secret, now);
    const f = await call(cluster.catalog().cdcRotate(current.id, sealed, now + SECRET_OVERLAP_MS));
    return c.json({ ...(await view(cluster, f)), secret }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { db, cluster } = c.get('feedTarget');
    const f = await call(cluster.catalog().cdcDelete(feedRef(c.req.valid('param').changefeed)));
    await Promise.all(
      f.cursors.map((cur) =>
        cluster
          .shard(`${db.id}:${cur.shard}`)
          .dropLogConsumer(consumerName(f.id))
          .catch((e: unknown) => {
            const err = fromRpcError(e);
            if (!isSqlError(err) || err.code !== '42704') throw e;
          }),
      ),
    );
    return c.body(null, 204);
  });
