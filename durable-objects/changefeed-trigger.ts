/**
 * @module durable-objects/changefeed-trigger
 * After a shard commits, queues a `cdc-deliver` message for every changefeed
 * that holds a log consumer here (consumers named `cdc:<changefeed id>`), so
 * delivery starts within the queue's batching delay. At most one message per
 * changefeed per `MIN_GAP_MS`: commits meanwhile are picked up by that
 * delivery (a pump drains the log, and one that is already running reads it
 * again before it stops). A lost message is made good by the cron sweep
 * (workers/cdc/changefeed-sweep).
 */

/** Commits closer together than this share one trigger. */
export const MIN_GAP_MS = 50;

export class ChangefeedTrigger {
  /** Changefeed ids with a consumer here; undefined until read (and after a consumer change). */
  private feeds?: string[];
  private lastSent = 0;
  private pending = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  /** A consumer was registered or dropped: read the list again at the next commit. */
  invalidate(): void {
    this.feeds = undefined;
  }

  /** Call after a commit that may have logged entries. */
  kick(): void {
    this.feeds ??= this.ctx.storage.sql
      .exec<{ name: string }>(`SELECT name FROM change_log_consumers WHERE name LIKE 'cdc:%'`)
      .toArray()
      .map((r) => r.name.slice(4));
    const name = this.ctx.id.name;
    if (this.feeds.length === 0 || !name || this.pending) return;
    this.pending = true;
    const wait = Math.max(0, this.lastSent + MIN_GAP_MS - Date.now());
    const send = async () => {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.pending = false;
      this.lastSent = Date.now();
      const at = name.indexOf(':');
      const [database, shard] = [name.slice(0, at), name.slice(at + 1)];
      await this.env.EVENTS.sendBatch(
        (this.feeds ?? []).map((changefeed) => ({
          body: { kind: 'cdc-deliver', database, changefeed, shard },
        })),
      );
    };
    this.ctx.waitUntil(
      send().catch((e: unknown) => {
        this.pending = false;
        console.error(
          `shard ${name}: changefeed trigger failed:`,
          e instanceof Error ? e.message : String(e),
        );
      }),
    );
  }
}
