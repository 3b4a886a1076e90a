/**
 * @module workers/cdc/changefeed-replay
 * `POST …/changefeeds/{changefeed}/replay`: delivers again from an earlier
 * point — every change committed at or after `fromTime`, or, per shard, every
 * entry after a given LSN (the `lsn` the changefeed's status shows is the last
 * entry delivered, so it can be handed back as is). Each shard first moves
 * its log consumer back, which checks that the log still holds every entry to
 * be replayed (a gap error otherwise: the log keeps about a day, see
 * docs/change-log.md) and holds retention from there; then the CatalogDO sets
 * the cursors and revokes delivery leases. Events keep their ids, so a
 * receiver that drops repeats sees each change once.
 */
import { z } from '@hono/zod-openapi';
import { LOG_GAP_STATE } from '../../durable-objects/change-log.ts';
import type { Changefeed } from '../../durable-objects/changefeed-store.ts';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import { isSqlError } from '../../engine/errors.ts';
import type { Cluster } from '../data-plane/cluster.ts';
import { ApiError } from '../errors.ts';
import { consumerName } from './delivery-pump.ts';

/** The replay body: a time, or a cursor per shard (the shard ids the status lists). */
export const ReplayBody = z
  .union([
    z.object({ fromTime: z.string().datetime({ offset: true }) }).strict(),
    z.object({ cursors: z.record(z.string(), z.number().int().min(0)) }).strict(),
  ])
  .openapi('ChangefeedReplay', {
    description:
      '`{"fromTime": "2026-12-07T10:00:00Z"}` replays every change committed since; ' +
      '`{"cursors": {"8:3": 1040}}` replays each listed shard after that LSN',
  });

/** Rewinds every shard of `feed` named by `body`, then its cursors; answers the updated changefeed. */
export async function replayFeed(
  cluster: Cluster,
  databaseId: string,
  feed: Changefeed,
  body: z.infer<typeof ReplayBody>,
): Promise<Changefeed> {
  const shards = feed.cursors.map((c) => c.shard);
  let targets: [string, { lsn: number } | { fromMs: number }][];
  if ('fromTime' in body) {
    const fromMs = Date.parse(body.fromTime);
    if (fromMs > Date.now()) throw new ApiError(400, '22023', '"fromTime" is in the future');
    targets = shards.map((s) => [s, { fromMs }]);
  } else {
    const named = Object.entries(body.cursors);
    if (named.length === 0) throw new ApiError(400, '22023', '"cursors" names no shard');
    for (const [s] of named)
      if (!shards.includes(s))
        throw new ApiError(400, '22023', `changefeed "${feed.name}" has no shard "${s.slice(0, 32)}"`);
    targets = named.map(([s, lsn]) => [s, { lsn }]);
  }
  const to: Record<string, number> = {};
  await Promise.all(
    targets.map(async ([s, at]) => {
      try {
        to[s] = (await cluster.shard(`${databaseId}:${s}`).rewindLogConsumer(consumerName(feed.id), at)).lsn;
      } catch (e) {
        // An LSN past the log's end (22023) or entries retention removed (the gap error): the body asks
        // for what cannot be replayed.
        const err = fromRpcError(e);
        if (!isSqlError(err) || (err.code !== '22023' && err.code !== LOG_GAP_STATE)) throw e;
        throw new ApiError(400, err.code, `shard ${s}: ${err.message}`);
      }
    }),
  );
  return cluster.catalog().cdcReplay(feed.id, to);
}
