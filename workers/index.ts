/**
 * @module workers/index
 * The Worker entry point: HTTP (Hono), the queue consumer and the cron trigger,
 * plus the Durable Object classes wrangler binds.
 */
import { app } from './app.ts';
import { handleScheduled } from './cron.ts';
import { handleQueueBatch } from './queue-consumer.ts';

export { CatalogDO } from '../durable-objects/catalog-do.ts';
export { ShardDO } from '../durable-objects/shard-do.ts';

export default {
  fetch: app.fetch,
  queue: handleQueueBatch,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
