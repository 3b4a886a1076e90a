/**
 * @module workers/cdc/changefeed-routes
 * `/v1/databases/{database}/changefeeds…`: create, list, show, pause, resume,
 * rotate the signing secret, delete, and page the delivery log. Every route
 * needs the `admin` role (the data plane's one check, `authorizeRequest`).
 * Records live in the database's CatalogDO; each changefeed holds a durable
 * log consumer (`cdc:<id>`) on every shard of its tables, registered before
 * the record is written and dropped with it.
 */
import { Hono } from 'hono';
import type { Changefeed } from '../../durable-objects/changefeed-store.ts';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import type { LogPage } from '../../engine/distributed/change-entry.ts';
import { isSqlError } from '../../engine/errors.ts';
import type { AppContext, AppEnv } from '../app-context.ts';
import { jsonBody } from '../auth/request-body.ts';
import { intParam } from '../control-plane/query-params.ts';
import { auditAdminCalls, authorizeRequest } from '../data-plane/authorize.ts';
import { Cluster } from '../data-plane/cluster.ts';
import { databaseFor } from '../data-plane/database-cache.ts';
import { ApiError } from '../errors.ts';
import { CHANGEFEED_NAME, parseChangefeedBody } from './changefeed-spec.ts';
import { type CdcDeliver, consumerName } from './delivery-pump.ts';
import { newSecret, sealSecret } from './signing-secrets.ts';

/** Old secrets keep signing this long after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The database (authorized for admin work) and its cluster. */
async function target(c: AppContext, action: string) {
  const db = await databaseFor(c.env, c.get('principal')!, c.req.param('database') ?? '');
  await authorizeRequest(c, db.id, action, 'admin');
  return { db, cluster: new Cluster(c.env, db.id, db.location) };
}

/** The `{changefeed}` path parameter (an id or a name); 404 for anything that cannot be one. */
function feedRef(c: AppContext): string {
  const ref = c.req.param('changefeed') ?? '';
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
    tables: f.spec.tables,
    url: f.spec.url,
    ops: f.spec.ops,
    batchSize: f.spec.batchSize,
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

const BASE = '/v1/databases/:database/changefeeds';

export const changefeedRoutes = new Hono<AppEnv>()
  // Every changefeed call is admin work: audited with its outcome (refusals where refused).
  .use(`${BASE}/*`, auditAdminCalls())
  .post(BASE, async (c) => {
    const { db, cluster } = await target(c, 'create changefeed');
    const { name, spec } = parseChangefeedBody(c.env, await jsonBody(c));
    const snap = await cluster.snapshot();
    const shards = new Set<string>();
    for (const t of spec.tables) {
      const def = snap.tables.find((x) => x.name === t);
      if (!def) throw new ApiError(404, '42P01', `relation "${t}" does not exist`);
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
  })
  .get(BASE, async (c) => {
    const { cluster } = await target(c, 'list changefeeds');
    const feeds = await call(cluster.catalog().cdcList());
    return c.json({ changefeeds: await Promise.all(feeds.map((f) => view(cluster, f))) });
  })
  .get(`${BASE}/:changefeed`, async (c) => {
    const { cluster } = await target(c, 'show changefeed');
    return c.json(await view(cluster, await call(cluster.catalog().cdcGet(feedRef(c)))));
  })
  .get(`${BASE}/:changefeed/deliveries`, async (c) => {
    const { cluster } = await target(c, 'show changefeed deliveries');
    const limit = intParam(c.req.query('limit'), 'limit', 1, 1000) ?? 100;
    const before = intParam(c.req.query('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
    const rows = await call(cluster.catalog().cdcDeliveries(feedRef(c), limit, before));
    return c.json({
      deliveries: rows.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
      next: rows.length === limit ? rows[rows.length - 1].seq : null,
    });
  })
  .post(`${BASE}/:changefeed/pause`, async (c) => {
    const { cluster } = await target(c, 'pause changefeed');
    const f = await call(cluster.catalog().cdcSetStatus(feedRef(c), 'paused', 'paused by request'));
    return c.json(await view(cluster, f));
  })
  .post(`${BASE}/:changefeed/resume`, async (c) => {
    const { db, cluster } = await target(c, 'resume changefeed');
    const f = await call(cluster.catalog().cdcSetStatus(feedRef(c), 'running', null));
    await kick(c.env, db.id, f);
    return c.json(await view(cluster, f));
  })
  .post(`${BASE}/:changefeed/rotate-secret`, async (c) => {
    const { cluster } = await target(c, 'rotate changefeed secret');
    const ref = feedRef(c);
    const current = await call(cluster.catalog().cdcGet(ref));
    const now = Date.now();
    const secret = newSecret();
    const sealed = await sealSecret(c.env, current.id, secret, now);
    const f = await call(cluster.catalog().cdcRotate(current.id, sealed, now + SECRET_OVERLAP_MS));
    return c.json({ ...(await view(cluster, f)), secret });
  })
  .delete(`${BASE}/:changefeed`, async (c) => {
    const { db, cluster } = await target(c, 'drop changefeed');
    const f = await call(cluster.catalog().cdcDelete(feedRef(c)));
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
