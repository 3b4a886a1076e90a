/**
 * @module workers/cdc/delivery-pump
 * Delivers one (changefeed, shard): runs in the queue consumer on a
 * `cdc-deliver` message. It takes the pair's lease in the CatalogDO, reads
 * the shard's log from the changefeed's cursor, POSTs a batch signed with
 * Standard Webhooks headers, and moves the cursor only after a 2xx — then the
 * next batch, until the log is drained. So a shard's POSTs are strictly
 * sequential and in commit order, and delivery is at least once: a crash
 * between the 2xx and the cursor move re-sends the same batch with the same
 * `webhook-id` (derived from its first and last event ids).
 *
 * A failure schedules the next attempt (retry-schedule); short waits are
 * slept here, long ones become a delayed queue message. 410 disables the
 * changefeed; after the last attempt the batch goes to the dead-letter queue
 * and the changefeed pauses. A gap in the log (the cursor fell behind the
 * log's hard retention cap), or a filter that fails on a row, pauses it with the reason.
 */
import { LOG_GAP_STATE } from '../../durable-objects/change-log.ts';
import type { Changefeed } from '../../durable-objects/changefeed-store.ts';
import { fromRpcError } from '../../durable-objects/rpc-errors.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { isSqlError } from '../../engine/errors.ts';
import { type CdcEvent, collectBatch, type EventBatch, type LogSource } from './change-events.ts';
import { FilterFailed } from './changefeed-filter.ts';
import { retryAfterMs, retryDelayMs, retryScale } from './retry-schedule.ts';
import { signatureHeader, signingSecrets } from './signing-secrets.ts';

/** The queue message that asks for delivery of one (changefeed, shard). */
export interface CdcDeliver {
  kind: 'cdc-deliver';
  database: string;
  changefeed: string;
  /** The shard's map entry (`{count}:{index}`). */
  shard: string;
}

/** A webhook POST gives up after this long. */
export const POST_TIMEOUT_MS = 15_000;
/** The lease outlives one POST and one inline wait. */
const LEASE_MS = 60_000;
/** Retries due within this long are waited for here rather than re-queued. */
const INLINE_WAIT_MS = 5_000;

/** The durable log consumer a changefeed holds on each shard. */
export const consumerName = (feedId: string) => `cdc:${feedId}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function webhookId(feedId: string, shard: string, events: readonly CdcEvent[]): Promise<string> {
  return messageId(`${feedId}|${shard}|${events[0].id}|${events[events.length - 1].id}`);
}

/** A Standard Webhooks message id derived from `text`, so a re-send carries the same one. */
async function messageId(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `msg_${[...hash.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

type Catalog = DurableObjectStub<import('../../durable-objects/catalog-do.ts').CatalogDO>;
type Secrets = { feed: Changefeed; list: string[] };

/** The changefeed's signing secrets, decrypted once per pump and again after a rotation. */
async function secretsFor(env: Env, feed: Changefeed, cached: Secrets | undefined): Promise<Secrets> {
  if (cached && cached.feed.secrets === feed.secrets) return cached;
  return { feed, list: await signingSecrets(env, feed, Date.now()) };
}

/**
 * The shard is delivered through the end of its log as of `drainedMs` (its clock): tells the
 * catalog, which answers the changefeed's resolved time when one is due (the smallest over
 * its shards), and POSTs `{"changefeed", "resolved"}` signed like any batch. Best effort: a
 * failed resolved POST is recorded in the delivery log and superseded by the next one.
 */
async function sendResolved(
  catalog: Catalog,
  feed: Changefeed,
  shard: string,
  token: string,
  drainedMs: number,
  secretList: string[],
): Promise<void> {
  // Entries committed in the same millisecond as the read may follow it: resolve through the one before.
  const resolved = await catalog.cdcResolved(feed.id, shard, token, drainedMs - 1);
  if (resolved === null) return;
  const body = JSON.stringify({ changefeed: feed.name, resolved: new Date(resolved).toISOString() });
  const id = await messageId(`${feed.id}|resolved|${resolved}`);
  const now = Date.now();
  const timestamp = Math.floor(now / 1000);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signatureHeader(secretList, id, timestamp, body),
  };
  const r = await post(feed.spec.url, headers, body);
  await catalog.cdcRecordDelivery(feed.id, {
    shard,
    webhookId: id,
    attempt: 1,
    status: r.status,
    latencyMs: r.latencyMs,
    events: 0,
    error: r.error,
    at: now,
  });
}

interface PostOutcome {
  status: number | null;
  error: string | null;
  retryAfter?: number;
  latencyMs: number;
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<PostOutcome> {
  const start = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      error: ok ? null : `HTTP ${res.status}`,
      retryAfter: retryAfterMs(res.headers.get('retry-after'), Date.now()),
      latencyMs: Date.now() - start,
    };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return {
      status: null,
      error: timedOut ? `timed out after ${POST_TIMEOUT_MS} ms` : `request failed: ${(e as Error).message}`,
      latencyMs: Date.now() - start,
    };
  }
}

/** Delivers what the log holds for one (changefeed, shard), then returns. */
export async function deliver(env: Env, msg: CdcDeliver): Promise<void> {
  const catalog = env.CATALOG.get(env.CATALOG.idFromName(msg.database));
  const shard = env.SHARD.get(env.SHARD.idFromName(`${msg.database}:${msg.shard}`));
  const src = shard as unknown as LogSource;
  let token: string | undefined;
  /** Set while this pump waits out a retry it scheduled. */
  let retrying = false;
  let defs: Map<number, DistTable> | undefined;
  let secrets: Secrets | undefined;
  try {
    for (;;) {
      const lease = await catalog.cdcAcquire(msg.changefeed, msg.shard, LEASE_MS, token);
      if (lease.kind === 'busy' || lease.kind === 'stopped') {
        token = undefined;
        return;
      }
      if (lease.kind === 'wait') {
        // Only the pump that scheduled the retry waits for it (a crash before it re-queued is
        // caught by the sweep once the retry is due); other triggers meanwhile have nothing to do.
        const scheduledIt = token !== undefined || retrying;
        token = undefined;
        retrying = false;
        if (!scheduledIt) return;
        if (lease.ms <= INLINE_WAIT_MS) {
          await sleep(lease.ms);
          retrying = true;
          continue;
        }
        await env.EVENTS.send(msg, { delaySeconds: Math.min(43_200, Math.ceil(lease.ms / 1000)) });
        return;
      }
      token = lease.token;
      const { feed, cursor } = lease;
      defs ??= new Map(
        ((await catalog.snapshot()) as unknown as { tables: DistTable[] }).tables.map(
          (t) => [t.id, t] as const,
        ),
      );
      let batch: EventBatch;
      try {
        batch = await collectBatch(
          src,
          feed.spec,
          { database: msg.database, shard: msg.shard },
          cursor,
          defs,
        );
      } catch (e) {
        const err = fromRpcError(e);
        const gap = isSqlError(err) && err.code === LOG_GAP_STATE;
        if (!gap && !(e instanceof FilterFailed)) throw e;
        const why = gap
          ? `changefeed fell behind the shard log's retention (SQLSTATE ${err.code}): ${err.message}`
          : (e as Error).message;
        await catalog.cdcFail(feed.id, msg.shard, token, cursor.attempt, 0, why);
        await catalog.cdcSetStatus(feed.id, 'paused', why);
        return;
      }
      if (batch.events.length === 0) {
        if (batch.to.lsn !== cursor.lsn || batch.to.skip !== cursor.skip) {
          await catalog.cdcAdvance(feed.id, msg.shard, token, batch.to, null);
          await shard.advanceLogCursor(consumerName(feed.id), batch.to.lsn).catch(() => {});
        }
        if (batch.drainedMs !== undefined && feed.spec.resolvedEvery !== undefined) {
          secrets = await secretsFor(env, feed, secrets);
          await sendResolved(catalog, feed, msg.shard, token, batch.drainedMs, secrets.list);
        }
        if (await catalog.cdcRelease(feed.id, msg.shard, token)) continue;
        token = undefined;
        return;
      }
      const now = Date.now();
      secrets = await secretsFor(env, feed, secrets);
      const body = JSON.stringify({ changefeed: feed.name, events: batch.events });
      const id = await webhookId(feed.id, msg.shard, batch.events);
      const timestamp = Math.floor(now / 1000);
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': await signatureHeader(secrets.list, id, timestamp, body),
      };
      const r = await post(feed.spec.url, headers, body);
      const attempt = cursor.attempt + 1;
      await catalog.cdcRecordDelivery(feed.id, {
        shard: msg.shard,
        webhookId: id,
        attempt,
        status: r.status,
        latencyMs: r.latencyMs,
        events: batch.events.length,
        error: r.error,
        at: now,
      });
      if (r.error === null) {
        const last = batch.events[batch.events.length - 1];
        await catalog.cdcAdvance(feed.id, msg.shard, token, batch.to, Date.parse(last.source.commitTime));
        await shard.advanceLogCursor(consumerName(feed.id), batch.to.lsn).catch(() => {});
        if (batch.drainedMs !== undefined && feed.spec.resolvedEvery !== undefined)
          await sendResolved(catalog, feed, msg.shard, token, batch.drainedMs, secrets.list);
        continue;
      }
      if (r.status === 410) {
        await catalog.cdcFail(feed.id, msg.shard, token, attempt, 0, r.error);
        await catalog.cdcSetStatus(feed.id, 'disabled', `the receiver answered 410 Gone to ${id}`);
        return;
      }
      const honours = r.status === 429 || r.status === 503;
      const delay = retryDelayMs(attempt, retryScale(env), honours ? r.retryAfter : undefined);
      if (delay === undefined) {
        await env.EVENTS_DLQ.send({
          kind: 'cdc-dead-letter',
          database: msg.database,
          changefeed: feed.id,
          shard: msg.shard,
          webhookId: id,
          attempts: attempt,
          error: r.error,
          firstEvent: batch.events[0].id,
          lastEvent: batch.events[batch.events.length - 1].id,
          body: body.length <= 100_000 ? body : undefined,
        });
        await catalog.cdcFail(feed.id, msg.shard, token, attempt, 0, r.error ?? 'failed');
        await catalog.cdcSetStatus(
          feed.id,
          'paused',
          `delivery of ${id} failed ${attempt} times (last: ${r.error}); the batch went to the dead-letter queue`,
        );
        return;
      }
      await catalog.cdcFail(feed.id, msg.shard, token, attempt, Date.now() + delay, r.error ?? 'failed');
    }
  } finally {
    if (token !== undefined) await catalog.cdcRelease(msg.changefeed, msg.shard, token).catch(() => {});
  }
}
