/**
 * @module scripts/ws-tcp-proxy
 * A WebSocket-to-TCP relay in front of the embedded Postgres: the same role
 * Neon's proxy plays in production, so `@neondatabase/serverless` inside
 * `wrangler dev` (and in tests) speaks to PGlite over the production code path.
 * Binds to loopback only and always dials the one configured upstream (the
 * `address` query parameter the driver sends is ignored: no open relay).
 * `GET /stats` answers `{"open": n}`, the number of client WebSockets open.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsTcpProxy {
  /** `host:port` for `neonConfig.wsProxy` (no protocol). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the relay on 127.0.0.1:`port` (0 = any free port) towards `upstreamHost:upstreamPort`. */
export async function startWsTcpProxy(opts: {
  port: number;
  upstreamHost: string;
  upstreamPort: number;
}): Promise<WsTcpProxy> {
  const http: Server = createServer((req, res) => {
    // How many client WebSockets are open: each finished Worker request must have closed its own
    // (test/workerd/control-plane-sockets.test.ts); a count, nothing about who holds them.
    if (req.method === 'GET' && req.url === '/stats') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ open: wss.clients.size }));
      return;
    }
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    const tcp = connect(opts.upstreamPort, opts.upstreamHost);
    const pending: Buffer[] = [];
    let open = false;
    let terminated = false;
    tcp.on('connect', () => {
      open = true;
      for (const b of pending) tcp.write(b);
      pending.length = 0;
    });
    tcp.on('data', (d) => ws.readyState === ws.OPEN && ws.send(d));
    // After a Terminate the client is closing on its own; closing from here too only surfaces
    // as a spurious "connection lost" in the driver.
    tcp.on('close', () => terminated || ws.close());
    tcp.on('error', () => ws.close());
    ws.on('message', (data: Buffer | Buffer[] | ArrayBuffer) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (open) tcp.write(buf);
      else pending.push(buf);
      // Postgres Terminate ('X', length 4): PGlite's socket server does not hang up on it, and
      // `ws` only reports 'close' once the client drops TCP (up to 30 s later in workerd), so
      // without this each finished Worker request held one of the server's 32 slots for 30 s.
      if (buf.length === 5 && buf[0] === 0x58 && buf.readInt32BE(1) === 4) {
        terminated = true;
        if (open) tcp.end();
        else tcp.once('connect', () => tcp.end());
      }
    });
    ws.on('close', () => tcp.end());
    ws.on('error', () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
