/**
 * @module bench/cli-load.bench
 * `npm run bench:cli-load`: `orochi load` of a 1,000,000-row CSV against the
 * local stack (wrangler dev + embedded Postgres), as a person runs it (the
 * real bin in a process of its own, streaming, batching, hashing keys). Its
 * peer, in the same run, is the floor the CLI adds to: the same 50,000-row
 * CSV bodies already in memory, POSTed by plain fetch with the same
 * concurrency and an Idempotency-Key each. The ratio is CLI / peer rows/s.
 * Both tables must end with every row once (count and sum of ids).
 *
 * Env: CLI_LOAD_ROWS (1000000), CLI_LOAD_CONCURRENCY (2).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, startStack } from '../scripts/stack.ts';
import { freePort } from '../test/browser/free-port.ts';

const n = Number(process.env.CLI_LOAD_ROWS ?? 1_000_000);
const concurrency = Number(process.env.CLI_LOAD_CONCURRENCY ?? 2);
const batchRows = 50_000;
const KEY = 'bench-cli-key';
const dir = mkdtempSync(join(tmpdir(), 'orochi-bench-cli-'));
const stack = await startStack({ dataDir: join(dir, 'stack'), port: await freePort(), devApiKey: KEY });

async function sql(text: string): Promise<unknown[][]> {
  const res = await fetch(`${stack.url}/v1/databases/default/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });
  const body = (await res.json()) as { rows?: unknown[][]; error?: { message: string } };
  if (!res.ok) throw new Error(body.error?.message);
  return body.rows ?? [];
}

async function checkOnce(table: string): Promise<void> {
  const [[count, sum]] = await sql(`SELECT count(*), sum(id) FROM ${table}`);
  if (Number(count) !== n || Number(sum) !== (n * (n + 1)) / 2)
    throw new Error(`${table}: count ${count}, sum ${sum}; expected ${n} rows once`);
}

try {
  const header = 'id,host,v\n';
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(`${i},h${i % 50},${i / 4}\n`);
  const file = join(dir, 'rows.csv');
  writeFileSync(file, header + lines.join(''));
  for (const t of ['via_cli', 'via_fetch']) {
    await sql(`CREATE TABLE ${t} (id bigint NOT NULL, host text, v double precision)`);
    await sql(`SELECT create_distributed_table('${t}', 'id')`);
  }

  let t0 = performance.now();
  // Async, so this process's idle keep-alive sockets see the server close them meanwhile.
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin/orochi.js'), 'load', file, '--table', 'via_cli', '--concurrency', String(concurrency)],
    {
      env: { ...process.env, OROCHI_URL: stack.url, OROCHI_API_KEY: KEY, XDG_CONFIG_HOME: dir },
      encoding: 'utf8',
    },
  );
  const cliSeconds = (performance.now() - t0) / 1000;
  await checkOnce('via_cli');

  const bodies: string[] = [];
  for (let i = 0; i < n; i += batchRows) bodies.push(header + lines.slice(i, i + batchRows).join(''));
  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await fetch(`${stack.url}/v1/databases/default/tables/via_fetch/rows`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'text/csv',
            'idempotency-key': randomUUID(),
          },
          body,
        });
        if (!res.ok) throw new Error(`peer batch: ${res.status} ${await res.text()}`);
      }
    }),
  );
  const peerSeconds = (performance.now() - t0) / 1000;
  await checkOnce('via_fetch');

  const rate = (s: number) => Math.round(n / s);
  console.log(out.trim());
  console.log(
    `orochi load (process start to exit): ${n} rows in ${cliSeconds.toFixed(1)} s = ${rate(cliSeconds)} rows/s`,
  );
  console.log(
    `peer (same bodies from memory, fetch): ${n} rows in ${peerSeconds.toFixed(1)} s = ${rate(peerSeconds)} rows/s`,
  );
  console.log(`ratio CLI / peer: ${(peerSeconds / cliSeconds).toFixed(2)}`);
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
