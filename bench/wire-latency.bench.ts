/**
 * @module bench/wire-latency.bench
 * `npm run bench:wire`: a one-row SELECT by key over the PostgreSQL wire
 * protocol against the same SELECT over HTTP `/sql`, on the local stack
 * (PGlite + `wrangler dev`). Three clients, interleaved round by round so
 * machine load hits them alike: node-postgres through `orochi proxy` (TCP →
 * WebSocket → `/v2`), Neon's serverless `Client` over WebSocket straight to
 * `/v2`, and `fetch` to `/v1/databases/default/sql` (keep-alive). Prints p50,
 * p99 and each wire client's ratio to HTTP.
 *
 * Env: WIRE_RUNS (300), WIRE_PORT (8797).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as NeonClient, neonConfig } from '@neondatabase/serverless';
import pg from 'pg';
import ws from 'ws';
import { startProxy } from '../cli/proxy.ts';
import { startStack } from '../scripts/stack.ts';

const runs = Number(process.env.WIRE_RUNS ?? 300);
const port = Number(process.env.WIRE_PORT ?? 8797);
const KEY = 'bench-wire-key';
const log = (m: string) => process.stderr.write(`${m}\n`);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'orochi-wire-bench-'));
  const stack = await startStack({ dataDir, port, devApiKey: KEY });
  const proxy = await startProxy({ url: stack.url, database: 'default', port: 0 });
  try {
    const http = async (sql: string, params: unknown[] = []) => {
      const res = await fetch(`${stack.url}/v1/databases/default/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql, params }),
      });
      const body = (await res.json()) as { rows: unknown[][] };
      if (res.status !== 200) throw new Error(JSON.stringify(body));
      return body.rows;
    };
    await http('CREATE TABLE bench_kv (id bigint PRIMARY KEY, v text)');
    await http(
      `INSERT INTO bench_kv VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i + 1}, 'value ${i + 1}')`).join(', ')}`,
    );
    const viaProxy = new pg.Client({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'u',
      password: KEY,
      database: 'default',
    });
    await viaProxy.connect();
    neonConfig.webSocketConstructor = ws;
    neonConfig.wsProxy = () => `${new URL(stack.url).host}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    const neon = new NeonClient({ connectionString: `postgresql://u:${KEY}@localhost/default` });
    await neon.connect();
    const sql = 'SELECT id, v FROM bench_kv WHERE id = $1';
    const clients: Record<string, (id: number) => Promise<unknown>> = {
      http: (id) => http(sql, [id]),
      'pg via proxy': (id) => viaProxy.query({ name: 'kv', text: sql, values: [id] }),
      'neon ws': (id) => neon.query(sql, [id]),
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
    for (let i = 0; i < runs + 20; i++) {
      const id = 1 + ((i * 37) % 1000);
      for (const [name, run] of Object.entries(clients)) {
        const t0 = performance.now();
        await run(id);
        if (i >= 20) times[name].push(performance.now() - t0); // the first 20 rounds warm up
      }
    }
    await viaProxy.end();
    await neon.end();
    const base = pct(times.http, 50);
    console.log(`one-row SELECT by key, ${runs} interleaved rounds (ms)\n`);
    console.log('| client | p50 | p99 | p50 / http p50 |\n|---|---|---|---|');
    for (const [name, xs] of Object.entries(times))
      console.log(
        `| ${name} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 99).toFixed(2)} | ${(pct(xs, 50) / base).toFixed(2)} |`,
      );
  } finally {
    await proxy.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(String(e?.stack ?? e));
  process.exit(1);
});
