/**
 * @module bench/txn-latency.bench
 * `npx tsx bench/txn-latency.bench.ts`: write latency over HTTP against the
 * whole local stack (PGlite control plane + `wrangler dev`), sequential calls,
 * one client. Measures a single-row INSERT (one shard: no coordinator), a
 * one-row SELECT by the distribution key, a multi-shard INSERT (8 rows, one per
 * shard of 8: two-phase commit), a two-statement call on one shard (`INSERT …;
 * UPDATE …` of the same new row) and a two-statement call over two shards
 * (`UPDATE a; UPDATE b`). The peer of the multi-shard INSERT is the same 8 rows
 * sent as 8 sequential single-row calls (each one shard, no coordinator). The peer of
 * each two-statement call, in the same run, is the same two statements sent as
 * two separate calls (each its own transaction): the ratio is what making the
 * call one transaction costs.
 *
 * Env: TXN_BENCH_N (200 calls per case), TXN_BENCH_PORT (8793), TXN_BENCH_PG_PORT
 * (5493), TXN_BENCH_WS_PORT (5494).
 *
 * Before/after on a busy machine: `TXN_BENCH_BASE=<another checkout>` also starts
 * that checkout's stack (ports + 10) and runs the single-row INSERT, the one-row
 * SELECT and the 8-shard INSERT (and, as the floor, `GET /v1/health`) against
 * both builds alternately, call by call, so
 * load from other processes hits both alike; the peer is the base build, the
 * ratio this build's p50 over the base's. (Only those three cases then run.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHashRanges, shardForValue } from '../engine/distributed/hash-ranges.ts';
import { startStack } from '../scripts/stack.ts';

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const n = env('TXN_BENCH_N', 200);
const KEY = 'bench-txn-key';

const dataDir = mkdtempSync(join(tmpdir(), 'orochi-txn-bench-'));
const stack = await startStack({
  dataDir,
  port: env('TXN_BENCH_PORT', 8793),
  pgPort: env('TXN_BENCH_PG_PORT', 5493),
  wsPort: env('TXN_BENCH_WS_PORT', 5494),
  devApiKey: KEY,
});

const baseDir = process.env.TXN_BENCH_BASE;
const baseData = baseDir ? mkdtempSync(join(tmpdir(), 'orochi-txn-bench-base-')) : undefined;
const base = baseDir
  ? await ((await import(join(baseDir, 'scripts/stack.ts'))) as { startStack: typeof startStack }).startStack(
      {
        dataDir: baseData!,
        port: env('TXN_BENCH_PORT', 8793) + 10,
        pgPort: env('TXN_BENCH_PG_PORT', 5493) + 10,
        wsPort: env('TXN_BENCH_WS_PORT', 5494) + 10,
        devApiKey: KEY,
      },
    )
  : undefined;

async function post(sql: string, params?: unknown[], url = stack.url): Promise<void> {
  const res = await fetch(`${url}/v1/databases/default/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(params ? { sql, params } : { sql }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${sql} → ${res.status} ${text.slice(0, 300)}`);
  for (const part of (res.headers.get('server-timing') ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) lastTiming.set(m[1], Number(m[2]));
  }
}

/** The Server-Timing stages of the last call (Worker stages and the shards' own). */
const lastTiming = new Map<string, number>();
/** Per case: every call's stages, for the per-stage medians printed at the end. */
const stageLog = new Map<string, Map<string, number[]>>();

/** Milliseconds of `n` sequential runs of `run(i)` (after 10 warm-up runs). */
async function time(run: (i: number) => Promise<void>, offset: number, stagesOf?: string): Promise<number[]> {
  for (let i = 0; i < 10; i++) await run(offset + n + i);
  const ms: number[] = [];
  const stages = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    lastTiming.clear();
    const t0 = performance.now();
    await run(offset + i);
    const took = performance.now() - t0;
    ms.push(took);
    let worker = 0;
    for (const [k, v] of lastTiming) {
      if (!k.startsWith('shard-')) worker += v;
      stages.set(k, [...(stages.get(k) ?? []), v]);
    }
    // What the Worker's stages do not cover: HTTP, wrangler's proxy, authentication middleware.
    stages.set('outside-worker', [...(stages.get('outside-worker') ?? []), took - worker]);
  }
  if (stagesOf) stageLog.set(stagesOf, stages);
  return ms.sort((a, b) => a - b);
}

/**
 * Milliseconds of `n` runs of `run(url, i)` on this build and on the base build,
 * alternating call by call (after 10 warm-up runs on each): [this, base].
 */
async function interleaved(run: (url: string, i: number) => Promise<void>): Promise<[number[], number[]]> {
  const urls = [stack.url, base!.url];
  for (let i = 0; i < 10; i++) for (const u of urls) await run(u, n + i);
  const ms: [number[], number[]] = [[], []];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 2; k++) {
      const t0 = performance.now();
      await run(urls[(i + k) % 2], i); // who goes first alternates too
      ms[(i + k) % 2].push(performance.now() - t0);
    }
  return [ms[0].sort((a, b) => a - b), ms[1].sort((a, b) => a - b)];
}

const ranges = buildHashRanges(8);
/** The first id from `from` on each of the 8 shards (the Worker routes by the same hash). */
function onePerShard(from: number): number[] {
  const ids = new Map<number, number>();
  for (let id = from; ids.size < 8; id++) {
    const shard = shardForValue(ranges, id);
    if (!ids.has(shard)) ids.set(shard, id);
  }
  return [...ids.values()];
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const fmt = (x: number) => x.toFixed(1);

/** The 8-row INSERT of call `i`: one row on each of the 8 shards. */
function insertEight(i: number, url?: string): Promise<void> {
  const ids = onePerShard(300_000 + i * 1000);
  return post(`INSERT INTO bench_txn VALUES ${ids.map((_, k) => `($${k + 1}, 1)`).join(', ')}`, ids, url);
}

async function abTable(): Promise<void> {
  const cases: [string, (url: string, i: number) => Promise<void>][] = [
    // The floor: an HTTP round trip through wrangler dev to the Worker, which answers from memory.
    ['floor: GET /v1/health', (u) => fetch(`${u}/v1/health`).then((r) => r.text().then(() => undefined))],
    ['single-row INSERT (one shard)', (u, i) => post('INSERT INTO bench_txn VALUES ($1, 1)', [1000 + i], u)],
    ['one-row SELECT by key', (u, i) => post('SELECT v FROM bench_txn WHERE id = $1', [1 + (i % 64)], u)],
    ['INSERT of 8 rows over 8 shards', (u, i) => insertEight(i, u)],
  ];
  console.log(`\n${n} calls per case and build, alternating call by call, one client, local wrangler dev\n`);
  console.log(`| case | this build p50 / p99 ms | peer: base build (${baseDir}) p50 / p99 ms | ratio p50 |`);
  console.log('|---|---:|---:|---:|');
  for (const [name, run] of cases) {
    const [mine, theirs] = await interleaved(run);
    console.log(
      `| ${name} | ${fmt(pct(mine, 0.5))} / ${fmt(pct(mine, 0.99))} | ${fmt(pct(theirs, 0.5))} / ${fmt(
        pct(theirs, 0.99),
      )} | ${(pct(mine, 0.5) / pct(theirs, 0.5)).toFixed(2)} |`,
    );
  }
}

/** Every case on this build, one after another, with its peer where it has one. */
async function sequentialTables(): Promise<void> {
  const rows: [string, number[], number[] | undefined][] = [];
  rows.push([
    'single-row INSERT (one shard)',
    await time((i) => post('INSERT INTO bench_txn VALUES ($1, 1)', [1000 + i]), 0, 'single-row INSERT'),
    undefined,
  ]);
  rows.push([
    'one-row SELECT by key',
    await time((i) => post('SELECT v FROM bench_txn WHERE id = $1', [1 + (i % 64)]), 0, 'one-row SELECT'),
    undefined,
  ]);
  rows.push([
    'INSERT of 8 rows over 8 shards',
    await time((i) => insertEight(i), 0),
    await time(async (i) => {
      for (const id of onePerShard(50_000_000 + i * 1000))
        await post('INSERT INTO bench_txn VALUES ($1, 1)', [id]);
    }, 0),
  ]);
  rows.push([
    'INSERT; UPDATE of the new row (one shard)',
    await time(
      (i) =>
        post('INSERT INTO bench_txn VALUES ($1, 1); UPDATE bench_txn SET v = v + 1 WHERE id = $1', [
          100_000 + i,
        ]),
      0,
    ),
    await time(async (i) => {
      await post('INSERT INTO bench_txn VALUES ($1, 1)', [200_000 + i]);
      await post('UPDATE bench_txn SET v = v + 1 WHERE id = $1', [200_000 + i]);
    }, 0),
  ]);
  // Ids 1..64 span every shard: consecutive pairs mostly land on two shards.
  const pair = (i: number) => [1 + (i % 32), 33 + (i % 32)];
  rows.push([
    'UPDATE a; UPDATE b (two shards)',
    await time((i) => {
      const [a, b] = pair(i);
      return post(
        'UPDATE bench_txn SET v = v - 1 WHERE id = $1; UPDATE bench_txn SET v = v + 1 WHERE id = $2',
        [a, b],
      );
    }, 0),
    await time(async (i) => {
      const [a, b] = pair(i);
      await post('UPDATE bench_txn SET v = v - 1 WHERE id = $1', [a]);
      await post('UPDATE bench_txn SET v = v + 1 WHERE id = $1', [b]);
    }, 0),
  ]);
  console.log(`\n${n} sequential calls per case, one client, local wrangler dev\n`);
  console.log('| case | p50 ms | p99 ms | peer: as separate calls p50 / p99 ms | ratio p50 |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, ms, peer] of rows)
    console.log(
      `| ${name} | ${fmt(pct(ms, 0.5))} | ${fmt(pct(ms, 0.99))} | ${
        peer ? `${fmt(pct(peer, 0.5))} / ${fmt(pct(peer, 0.99))}` : '—'
      } | ${peer ? (pct(ms, 0.5) / pct(peer, 0.5)).toFixed(2) : '—'} |`,
    );
  console.log("\nmedian ms per Server-Timing stage (shard-*: the shards' own stages)\n");
  for (const [name, stages] of stageLog) {
    const parts = [...stages].map(
      ([k, v]) =>
        `${k} ${fmt(
          pct(
            v.sort((a, b) => a - b),
            0.5,
          ),
        )}`,
    );
    console.log(`${name}: ${parts.join(', ')}`);
  }
}

try {
  for (const url of base ? [stack.url, base.url] : [stack.url]) {
    await post('CREATE TABLE bench_txn (id int NOT NULL, v bigint)', undefined, url);
    await post(`SELECT create_distributed_table('bench_txn', 'id', shard_count => 8)`, undefined, url);
    await post(
      `INSERT INTO bench_txn VALUES ${Array.from({ length: 64 }, (_, i) => `(${i + 1}, 0)`).join(', ')}`,
      undefined,
      url,
    );
  }
  if (base) await abTable();
  else await sequentialTables();
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (base) {
    await base.stop();
    rmSync(baseData!, { recursive: true, force: true });
  }
}
