/**
 * @module workers/pg-wire/wire-route
 * `GET /v2` with `Upgrade: websocket`: the PostgreSQL wire protocol over a
 * WebSocket (the convention of Neon's serverless driver; `orochi proxy` bridges
 * TCP clients to it). One WebSocket is one session. pg-gateway runs the startup
 * and the cleartext-password exchange (the password is an API key, the
 * database is a database name or id); `WireSession` handles everything after.
 */
import { type Context, Hono } from 'hono';
import { BackendError, PostgresConnection } from 'pg-gateway';
import type { AppEnv } from '../app-context.ts';
import { apiKeyVerifier } from '../auth/data-plane-auth.ts';
import { databaseFor } from '../data-plane/database-cache.ts';
import { ensureParser } from '../data-plane/sql-routes.ts';
import { ApiError } from '../errors.ts';
import { Backend } from './backend-messages.ts';
import { MessageFramer } from './frames.ts';
import { WireSession } from './session.ts';
import { WireHost } from './wire-host.ts';

/** What clients see as the server's version: PostgreSQL 16 syntax and catalogs as far as the engine goes. */
export const SERVER_VERSION = '16.0 (Orochi Edge)';

/** ParameterStatus sent after authentication, as PostgreSQL reports them. */
const PARAMETERS: readonly [string, string][] = [
  ['server_version', SERVER_VERSION],
  ['server_encoding', 'UTF8'],
  ['client_encoding', 'UTF8'],
  ['DateStyle', 'ISO, MDY'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
  ['integer_datetimes', 'on'],
  ['standard_conforming_strings', 'on'],
  ['is_superuser', 'off'],
  ['application_name', ''],
];

const concat = (parts: Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Serves one WebSocket as a PostgreSQL session. */
function serve(c: Context<AppEnv>, ws: WebSocket): void {
  const framer = new MessageFramer();
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const feed = input.writable.getWriter();
  let session: WireSession | undefined;
  let host: WireHost | undefined;
  const output = new WritableStream<Uint8Array>({
    write(chunk) {
      if (chunk.length > 0 && ws.readyState === WebSocket.OPEN) ws.send(chunk);
    },
    close() {
      ws.close(1000);
    },
    abort() {
      ws.close(1011);
    },
  });
  const conn: PostgresConnection = new PostgresConnection(
    { readable: input.readable, writable: output },
    {
      auth: {
        method: 'password',
        getClearTextPassword: () => '',
        validateCredentials: async ({ password }) => {
          const principal = await apiKeyVerifier(c.env).verify(password);
          if (principal) c.set('principal', principal);
          return principal !== null;
        },
      },
      onAuthenticated: async (state) => {
        const params = state.clientParams ?? { user: '' };
        const ref = params.database || params.user;
        const db = await databaseFor(c.env, c.get('principal')!, ref).catch((e: unknown) => {
          const code = e instanceof ApiError ? e.code : '3D000';
          throw BackendError.create({ severity: 'FATAL', code, message: `database "${ref}" does not exist` });
        });
        await ensureParser();
        const out = new Backend(conn.bufferWriter);
        host = new WireHost(c, db, () => {
          const bye = out.error('25P03', 'terminating connection due to idle-in-transaction timeout', {
            fatal: true,
          });
          if (ws.readyState === WebSocket.OPEN) ws.send(bye);
          ws.close(1000);
        });
        session = new WireSession(host, out, conn.bufferReader);
        for (const [k, v] of PARAMETERS) await conn.streamWriter!.write(out.parameterStatus(k, v));
      },
      onMessage: async (data, state) => {
        // Terminate (`X`) is pg-gateway's: it closes the connection.
        if (!state.isAuthenticated || !session || data[0] === 0x58) return undefined;
        const parts = await session.handle();
        // An empty answer would let pg-gateway answer the message itself: send zero bytes instead.
        return parts.length === 0 ? new Uint8Array(0) : concat(parts);
      },
    },
  );
  // Messages are handled in arrival order, whatever form the runtime delivers them in.
  let arrived: Promise<void> = Promise.resolve();
  ws.addEventListener('message', (ev) => {
    const data: unknown = ev.data;
    if (typeof data === 'string') {
      ws.close(1003, 'the PostgreSQL protocol is binary');
      return;
    }
    arrived = arrived.then(async () => {
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : new Uint8Array(await (data as Blob).arrayBuffer());
      try {
        for (const m of framer.push(bytes)) void feed.write(m);
      } catch (e) {
        ws.close(1002, e instanceof Error ? e.message.slice(0, 100) : 'protocol error');
      }
    });
  });
  const end = () => {
    void feed.close().catch(() => {});
    void host?.close();
  };
  ws.addEventListener('close', end);
  ws.addEventListener('error', end);
}

export const wireRoutes = new Hono<AppEnv>().get('/v2', (c) => {
  if ((c.req.header('upgrade') ?? '').toLowerCase() !== 'websocket')
    throw new ApiError(
      426,
      '08P01',
      'expected a WebSocket upgrade: /v2 speaks the PostgreSQL protocol over WebSocket',
    );
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  serve(c, server);
  return new Response(null, { status: 101, webSocket: client });
});
