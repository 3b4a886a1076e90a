/**
 * @module workers/queue-consumer
 * The `orochi-events` consumer. Each message is a tagged event; handlers are
 * looked up by `kind`. A message whose handler throws is retried with backoff
 * and, after `max_retries`, lands in the dead-letter queue. A message of an
 * unknown kind is a producer bug: it goes straight to the dead-letter queue.
 */
import { sweepExpiredIdentityRows } from './auth/expiry-sweep.ts';
import { sweepChangefeeds } from './cdc/changefeed-sweep.ts';
import { type CdcDeliver, deliver } from './cdc/delivery-pump.ts';
import { withControlPlane } from './db/client.ts';

/** Events carried by the queue. Autoscaler decisions join this union. */
export type QueueEvent =
  | { kind: 'health-probe'; nonce: string; at: number }
  | { kind: 'maintenance-sweep'; at: number; cron: string }
  /** Deliver what a shard's log holds for one changefeed (see cdc/delivery-pump). */
  | CdcDeliver;

type Handler = (event: QueueEvent, env: Env) => Promise<void>;

const handlers: Record<QueueEvent['kind'], Handler> = {
  // The probe proves delivery; consuming it is the whole job.
  'health-probe': async () => {},
  // Policy sweep: expired identity rows (tokens, challenges, rate-limit windows).
  'maintenance-sweep': async (_event, env) => {
    const removed = await withControlPlane(env, (db) => sweepExpiredIdentityRows(db));
    console.log('maintenance sweep:', JSON.stringify(removed));
    // Changefeeds whose trigger was lost or whose pump died are delivered again.
    console.log('changefeed sweep: queued', await sweepChangefeeds(env));
  },
  'cdc-deliver': (event, env) => deliver(env, event as CdcDeliver),
};

/** Seconds before retry attempt n (1-based): exponential, capped at 5 minutes. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(300, 2 ** Math.max(0, attempt - 1) * 5);
}

/**
 * Handles a batch. Changefeed deliveries run concurrently (each holds its own
 * per-shard lease, and one slow receiver must not hold up the other shards);
 * every other message is handled in order, one at a time.
 */
export async function handleQueueBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  const isDelivery = (m: Message<unknown>) => (m.body as QueueEvent | undefined)?.kind === 'cdc-deliver';
  const deliveries = Promise.all(batch.messages.filter(isDelivery).map((m) => handleMessage(m, batch, env)));
  for (const msg of batch.messages) if (!isDelivery(msg)) await handleMessage(msg, batch, env);
  await deliveries;
}

async function handleMessage(msg: Message<unknown>, batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const event = msg.body as QueueEvent | undefined;
  const handler = event && typeof event === 'object' ? handlers[event.kind] : undefined;
  if (!handler) {
    await env.EVENTS_DLQ.send({ reason: 'unknown event kind', body: msg.body, queue: batch.queue });
    msg.ack();
    return;
  }
  try {
    await handler(event as QueueEvent, env);
    msg.ack();
  } catch (e) {
    console.error(
      `queue event ${(event as QueueEvent).kind} failed:`,
      e instanceof Error ? e.message : String(e),
    );
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}
