/**
 * @module workers/cdc/retry-schedule
 * When a failed webhook POST is tried again: the Standard Webhooks schedule
 * (attempt 1 at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
 * 24 h after the previous failure), ±10% jitter, scaled by
 * `OROCHI_CDC_RETRY_SCALE` (default 1/100 in local mode so retries show within
 * seconds, 1 in production). `Retry-After` on a 429 or 503 is honoured as a
 * lower bound, unscaled.
 */
import { isLocalMode } from '../app-context.ts';

/** Delay before attempt n+1 (index n), in seconds; attempt 1 is immediate. */
export const RETRY_SCHEDULE_S = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] as const;

/** Attempts per batch before it goes to the dead-letter queue and the changefeed pauses. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_S.length;

/** The schedule's scale factor for this environment. */
export function retryScale(env: Env): number {
  const v = Number(env.OROCHI_CDC_RETRY_SCALE);
  if (env.OROCHI_CDC_RETRY_SCALE && Number.isFinite(v) && v >= 0) return v;
  return isLocalMode(env) ? 0.01 : 1;
}

/** Seconds a `Retry-After` header asks for (delta seconds or an HTTP date), if it parses. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Milliseconds to wait after failed attempt `attempt` (1-based) before the next,
 * or undefined when it was the last.
 */
export function retryDelayMs(
  attempt: number,
  scale: number,
  retryAfter?: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= MAX_ATTEMPTS) return undefined;
  const base = RETRY_SCHEDULE_S[attempt] * 1000 * scale;
  const jittered = base * (0.9 + 0.2 * random());
  return Math.round(Math.max(jittered, retryAfter ?? 0));
}
