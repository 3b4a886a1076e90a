/**
 * @module cli/proxy
 * `orochi proxy --database <db> [--port 5432]`: a TCP listener on loopback that
 * bridges each PostgreSQL connection to the Worker's wire protocol over
 * WebSocket (`<url>/v2`), so psql, node-postgres, DBeaver, Metabase and
 * Grafana connect unchanged. An SSLRequest / GSSENCRequest is answered `N`
 * (plain text on loopback); the startup packet's database is replaced by
 * `--database`; with an API key given here, clients need no password.
 */
import net from 'node:net';
import type { Command } from 'commander';
import WebSocket from 'ws';
import { type ConfigFlags, resolveConfig } from './config.ts';

export interface ProxyOptions {
  /** The Worker's base URL (`https://…` or `http://localhost:8787`). */
  readonly url: string;
  /** Sent as the password for every connection; without it the client's password is the key. */
  readonly apiKey?: string;
  readonly database: string;
  readonly port: number;
  readonly host?: string;
}

export interface RunningProxy {
  readonly port: number;
  close(): Promise<void>;
}

const SSL_CODE = 80877103;
const GSSENC_CODE = 80877104;

/** The startup packet with `database` replaced. */
function startupFor(packet: Buffer, database: string): Buffer {
  const params: [string, string][] = [];
  let at = 8;
  while (at < packet.length && packet[at] !== 0) {
    const k = packet.toString('utf8', at, packet.indexOf(0, at));
    at = packet.indexOf(0, at) + 1;
    const v = packet.toString('utf8', at, packet.indexOf(0, at));
    at = packet.indexOf(0, at) + 1;
    if (k !== 'database') params.push([k, v]);
  }
  params.push(['database', database]);
  const body = Buffer.concat([
    ...params.flatMap(([k, v]) => [Buffer.from(`${k}\0${v}\0`)]),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(packet.readInt32BE(4), 4);
  return Buffer.concat([head, body]);
}

function passwordMessage(key: string): Buffer {
  const body = Buffer.from(`${key}\0`);
  const head = Buffer.alloc(5);
  head.write('p', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** Serves one TCP connection: the untyped pre-startup packets here, then bytes both ways. */
function bridge(sock: net.Socket, opts: ProxyOptions): void {
  // Protocol messages are small and answered one by one: Nagle's delay would hold each for an ACK.
  sock.setNoDelay(true);
  let pending = Buffer.alloc(0);
  let ws: WebSocket | undefined;
  let swallowAuthRequest = opts.apiKey !== undefined;
  const queue: Buffer[] = [];
  const close = () => {
    sock.destroy();
    ws?.close();
  };
  const open = (startup: Buffer) => {
    const target = `${opts.url.replace(/^http/, 'ws').replace(/\/$/, '')}/v2`;
    ws = new WebSocket(target);
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      ws!.send(startup);
      if (opts.apiKey !== undefined) ws!.send(passwordMessage(opts.apiKey));
      for (const b of queue.splice(0)) ws!.send(b);
    });
    ws.on('message', (data: Buffer) => {
      let out = data;
      // The key was sent already: the server's AuthenticationCleartextPassword is not the client's business.
      if (swallowAuthRequest && out.length >= 9 && out[0] === 0x52 && out.readInt32BE(5) === 3)
        out = out.subarray(9);
      swallowAuthRequest = false;
      if (out.length > 0) sock.write(out);
    });
    ws.on('close', () => sock.end());
    ws.on('error', close);
  };
  sock.on('data', (chunk: Buffer) => {
    if (ws) {
      if (ws.readyState === WebSocket.OPEN) ws.send(chunk);
      else queue.push(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    while (!ws && pending.length >= 8) {
      const len = pending.readInt32BE(0);
      if (len < 8 || len > 10_000) return close();
      if (pending.length < len) return;
      const packet = pending.subarray(0, len);
      pending = pending.subarray(len);
      const code = packet.readInt32BE(4);
      if (len === 8 && (code === SSL_CODE || code === GSSENC_CODE)) {
        sock.write('N');
        continue;
      }
      open(startupFor(packet, opts.database));
      if (pending.length > 0) queue.push(pending);
    }
  });
  sock.on('close', () => ws?.close());
  sock.on('error', close);
}

/** Starts the listener (loopback only); resolves once it listens. */
export function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost')
    return Promise.reject(
      new Error('orochi proxy listens on loopback only (plain text, the key in each startup)'),
    );
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    bridge(sock, opts);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Registers `proxy` on the CLI program (commander 14). URL, API key and database come from the
 * program's own options, the environment and `orochi login`, as for every command (`resolveConfig`);
 * a configured key is sent for every connection (clients may send any password); without one,
 * each client's password is the key.
 */
export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description('serve the PostgreSQL protocol on 127.0.0.1 for psql, pg, DBeaver, Metabase, Grafana')
    .option('--port <port>', 'local TCP port', '5432')
    .action(async (o: { port: string }) => {
      const config = resolveConfig(program.opts<ConfigFlags>(), process.env, true);
      const p = await startProxy({
        url: config.url,
        apiKey: config.apiKey || undefined,
        database: config.database,
        port: Number(o.port),
      });
      console.log(
        `orochi proxy: postgresql://user@127.0.0.1:${p.port}/${config.database} → ${config.url}/v2`,
      );
    });
}
