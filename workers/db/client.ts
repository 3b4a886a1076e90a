/**
 * @module workers/db/client
 * The control-plane Postgres connection. One code path for production and
 * local use: `@neondatabase/serverless` over a WebSocket. In production the
 * socket goes to Neon; locally `PG_WS_PROXY` points it at a WebSocket-to-TCP
 * endpoint in front of the embedded PGlite (scripts/local-postgres.ts).
 *
 * Workers cannot keep sockets across requests, so a pool lives for one request
 * and is closed with `ctx.waitUntil(pool.end())` by the caller.
 */
import { neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { ApiError } from '../errors.ts';
import * as schema from './schema.ts';

export type ControlPlaneDb = ReturnType<typeof drizzle<typeof schema>>;

let configuredProxy: string | undefined;

function configureDriver(env: Env): void {
  const proxy = env.PG_WS_PROXY;
  if (!proxy || proxy === configuredProxy) return;
  // Local endpoint: plain ws:// on loopback, no pipelining (PGlite's socket server
  // answers one message at a time).
  neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  configuredProxy = proxy;
}

/** Opens a per-request pool. Throws a 503 ApiError when no database is configured. */
export function openControlPlane(env: Env): { pool: Pool; db: ControlPlaneDb } {
  if (!env.DATABASE_URL) throw new ApiError(503, 'control_plane_unconfigured', 'DATABASE_URL is not set');
  configureDriver(env);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 1 });
  // A dropped socket must surface as a failed query, not an uncaught error.
  pool.on('error', (e: Error) => console.error('control-plane pool error:', e.message));
  return { pool, db: drizzle(pool, { schema }) };
}

/** Runs `fn` with a control-plane connection and always releases it. */
export async function withControlPlane<T>(
  env: Env,
  fn: (db: ControlPlaneDb, pool: Pool) => Promise<T>,
): Promise<T> {
  const { pool, db } = openControlPlane(env);
  try {
    return await fn(db, pool);
  } finally {
    await pool.end().catch(() => {});
  }
}
