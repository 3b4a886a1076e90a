/**
 * @module workers/db/client
 * The control-plane Postgres connection. One code path for production and
 * local use: `@neondatabase/serverless` over a WebSocket. In production the
 * socket goes to Neon; locally `PG_WS_PROXY` points it at a WebSocket-to-TCP
 * endpoint in front of the embedded PGlite (scripts/local-postgres.ts).
 *
 * Workers cannot keep sockets across requests, so a pool lives for one request:
 * {@link withControlPlane} opens it and closes it, its WebSocket included.
 */
import { type Client, neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { ApiError } from '../errors.ts';
import * as schema from './schema.ts';

export type ControlPlaneDb = ReturnType<typeof drizzle<typeof schema>>;

/** The driver's socket shim, as far as closing it goes. */
type Socket = Client['connection']['stream'];

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

/**
 * Runs `fn` with a control-plane connection and always releases it, socket included.
 *
 * `pool.end()` sends Postgres' Terminate but does not close the driver's WebSocket (node-postgres
 * passes its "then close" callback to `stream.write(buf, cb)`, which the driver's socket shim does
 * not call), so the socket stays open until the server hangs up. An open socket outlives the
 * request in the isolate, and every one left open makes each later request of the isolate
 * slower (the workerd suite went from 4 ms to 200 ms per request after a few hundred), so the
 * socket is closed here rather than trusted to the server.
 */
export async function withControlPlane<T>(
  env: Env,
  fn: (db: ControlPlaneDb, pool: Pool) => Promise<T>,
): Promise<T> {
  const { pool, db } = openControlPlane(env);
  const sockets: Socket[] = [];
  // The pool's clients are the driver's `Client` (`Pool.Client`); its stream is the WebSocket shim.
  pool.on('connect', (client: Client) => sockets.push(client.connection.stream));
  try {
    return await fn(db, pool);
  } finally {
    await pool.end().catch(() => {});
    // The driver sends buffered writes (the Terminate among them) from a zero-delay timer;
    // closing before it fires would drop the Terminate and fail that send.
    if (sockets.length > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    for (const s of sockets) closeSocket(s);
  }
}

/** Closes the driver's socket (its WebSocket) unless the server already did. */
function closeSocket(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.end();
  } catch (e) {
    // Closing twice (a close already under way) is harmless; nothing else can fail here.
    console.error('control-plane socket close:', e instanceof Error ? e.message : String(e));
  }
}
