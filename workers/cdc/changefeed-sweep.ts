/**
 * @module workers/cdc/changefeed-sweep
 * The periodic sweep that makes delivery survive lost triggers and crashed
 * pumps: every cron tick (5 min) it asks the catalog of every database for
 * the (changefeed, shard) pairs of running changefeeds that no pump holds and
 * no retry waits on, and queues a `cdc-deliver` for each (a pump with
 * nothing to read returns at once).
 */
import { withControlPlane } from '../db/client.ts';
import { databases } from '../db/schema.ts';
import type { CdcDeliver } from './delivery-pump.ts';

/** Queues delivery of every idle (changefeed, shard); returns how many. */
export async function sweepChangefeeds(env: Env): Promise<number> {
  const ids = await withControlPlane(env, (db) => db.select({ id: databases.id }).from(databases));
  let queued = 0;
  for (const { id } of ids) {
    const idle = await env.CATALOG.get(env.CATALOG.idFromName(id))
      .cdcIdle()
      .catch(() => []);
    for (let i = 0; i < idle.length; i += 100) {
      const part = idle.slice(i, i + 100);
      await env.EVENTS.sendBatch(
        part.map((p) => ({
          body: {
            kind: 'cdc-deliver',
            database: id,
            changefeed: p.feedId,
            shard: p.shard,
          } satisfies CdcDeliver,
        })),
      );
      queued += part.length;
    }
  }
  return queued;
}
