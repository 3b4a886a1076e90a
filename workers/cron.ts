/**
 * @module workers/cron
 * The cron trigger only enqueues: the queue consumer does the work, so a slow
 * sweep never holds the scheduled invocation.
 */
export async function handleScheduled(
  controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  await env.EVENTS.send({ kind: 'maintenance-sweep', at: controller.scheduledTime, cron: controller.cron });
}
