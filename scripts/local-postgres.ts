/**
 * @module scripts/local-postgres
 * The embedded control-plane Postgres for local use and tests: PGlite (real
 * PostgreSQL in WASM) persisted under a data folder, drizzle migrations from
 * migrations/ applied on start, served over TCP by pglite-socket and exposed
 * to the Neon driver through the WebSocket relay.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { startWsTcpProxy } from './ws-tcp-proxy.ts';

export interface LocalPostgres {
  readonly db: PGlite;
  /** Connection string the Neon driver uses (host/port of the TCP side). */
  readonly databaseUrl: string;
  /** `host:port` of the WebSocket relay, for `PG_WS_PROXY`. */
  readonly wsProxy: string;
  stop(): Promise<void>;
}

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '..', 'migrations');

/** Applies every migration in migrations/ (idempotent: drizzle records what ran). */
export async function applyMigrations(db: PGlite): Promise<void> {
  await migrate(drizzle(db), { migrationsFolder: MIGRATIONS_DIR });
}

/**
 * Starts PGlite (in memory when `dataDir` is undefined), migrates it, and serves it.
 * Ports default to 0 (any free port).
 */
export async function startLocalPostgres(
  opts: { dataDir?: string; pgPort?: number; wsPort?: number } = {},
): Promise<LocalPostgres> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  await applyMigrations(db);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: opts.pgPort ?? 0,
    maxConnections: 32,
  });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:PORT"
  const pgPort = Number(conn.split(':').pop());
  const proxy = await startWsTcpProxy({
    port: opts.wsPort ?? 0,
    upstreamHost: '127.0.0.1',
    upstreamPort: pgPort,
  });
  return {
    db,
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    wsProxy: proxy.address,
    async stop() {
      await proxy.close();
      await server.stop();
      await db.close();
    },
  };
}
