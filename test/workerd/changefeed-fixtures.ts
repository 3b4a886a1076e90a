/**
 * Helpers for changefeed tests: the changefeed API with the dev key, the
 * Node webhook receiver (webhook-receiver.ts), Standard Webhooks verification
 * of what it got, and polling.
 */
import { SELF } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { inject } from 'vitest';
import { AUTH, DB } from './data-plane-client.ts';

export const RECEIVER = inject('cdcReceiver');

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: any;
}

/** Calls `/v1/databases/default/changefeeds…` with the dev key. */
export async function feedApi(method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await SELF.fetch(`https://orochi.test${DB}/changefeeds${path}`, {
    method,
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Creates a changefeed to hook `hook`; fails the test unless 201. */
export async function createFeed(name: string, tables: string[], hook: string, extra: object = {}) {
  const r = await feedApi('POST', '', { name, tables, url: `${RECEIVER}/hook/${hook}`, ...extra });
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { id: string; secret: string; shards: { shard: string }[] };
}

/** Sets how hook `hook` answers its next requests. */
export async function script(hook: string, steps: { status: number; headers?: Record<string, string> }[]) {
  await fetch(`${RECEIVER}/script/${hook}`, { method: 'PUT', body: JSON.stringify(steps) });
}

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
  status: number;
}

/** Every request hook `hook` received, in arrival order. */
export async function received(hook: string): Promise<Received[]> {
  return (await (await fetch(`${RECEIVER}/log/${hook}`)).json()) as Received[];
}

export interface Event {
  id: string;
  op: 'c' | 'u' | 'd';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { database: string; table: string; shard: string; lsn: number; txId: string; commitTime: string };
  ts_ms: number;
}

/** The events of the requests answered 2xx, each request verified with `secret` (throws if one fails). */
export function verifiedEvents(reqs: readonly Received[], secret: string): Event[] {
  const wh = new Webhook(secret);
  const out: Event[] = [];
  for (const r of reqs) {
    const payload = wh.verify(r.body, r.headers) as { changefeed: string; events?: Event[] };
    // Resolved messages carry no events (see resolvedOf).
    if (r.status >= 200 && r.status < 300) out.push(...(payload.events ?? []));
  }
  return out;
}

/** Polls `check` until it returns a value other than undefined (or times out). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
