/**
 * @module bench/e2e.bench
 * `npx tsx bench/e2e.bench.ts` (proposed script `bench:e2e`): TSBS cpu-only
 * through the whole stack. Starts the local stack (PGlite + `wrangler dev`),
 * creates `cpu` as a hypertable distributed over 8 shards, loads the data
 * through the InfluxDB line-protocol endpoint, then runs the 15 TSBS query types
 * over HTTP. Its peer, in this same process, is the in-process engine on the
 * same data (the "e2e/engine" ratio), and a row-per-row SQLite layout, whose
 * rows read are the rows the query's WHERE matches (what a perfectly indexed
 * one-SQLite-row-per-data-row store must read at least).
 *
 * Env: TSBS_HOSTS (200), TSBS_HOURS (24), TSBS_RUNS (3), TSBS_SEED (123),
 * E2E_BATCH_ROWS (50000), E2E_CONCURRENCY (4), E2E_PORT (8799), E2E_INGEST_ONLY (0; 1 stops
 * after the load and prints the server's per-stage ingest timings), E2E_GZIP (0; 1 sends
 * gzip bodies as Telegraf does, compressed before the clock starts), E2E_SEGMENTBY (unset: the
 * default chunk layout, arrival order; e.g. 'hostname' clusters chunks by host, time ascending).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Prng } from '../engine/testing/prng.ts';
import { startStack } from '../scripts/stack.ts';
import { lineProtocolBatches } from './tsbs/formats.ts';
import { CPU_TABLE_DDL, cpuTableColumns, generateCpuOnly } from './tsbs/generate.ts';
import {
  fmt,
  geomean,
  markdownTable,
  median,
  type RunPolicy,
  type Timing,
  timeQuery,
} from './tsbs/harness.ts';
import { cpuDistTable, runBytePipeline } from './tsbs/ingest-pipeline.ts';
import { EnginePeer } from './tsbs/peers/engine.ts';
import { generateQuery, QUERY_TYPES } from './tsbs/queries.ts';

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const hosts = env('TSBS_HOSTS', 200);
const hours = env('TSBS_HOURS', 24);
const runs = env('TSBS_RUNS', 3);
const seed = env('TSBS_SEED', 123);
const batchRows = env('E2E_BATCH_ROWS', 50_000);
const concurrency = env('E2E_CONCURRENCY', 4);
const port = env('E2E_PORT', 8799);
const ingestOnly = env('E2E_INGEST_ONLY', 0) === 1;
const gzip = env('E2E_GZIP', 0) === 1;
const KEY = 'bench-e2e-key';
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const policy: RunPolicy = { min: runs, max: runs, budgetMs: 0 };

interface SqlStats {
  rowsRead: number;
  rowsWritten: number;
  chunksScanned: number;
  chunksSkipped: number;
  shards: number;
}

let retries = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'orochi-e2e-'));
const stack = await startStack({
  dataDir,
  port,
  devApiKey: KEY,
  inheritOutput: process.env.E2E_VERBOSE === '1',
});
try {
  /**
   * `wrangler dev` reloads whenever a file in the tree changes (other engineers
   * work here concurrently), dropping in-flight connections: retry those. Writes
   * carry an Idempotency-Key, so a retried batch still applies once.
   */
  async function fetchRetry(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(url, init);
        // 502/503: the worker was being reloaded; the request did not run to completion.
        if ((res.status !== 502 && res.status !== 503) || attempt >= 20) return res;
        log(`retrying after HTTP ${res.status}: ${(await res.text()).slice(0, 120)}`);
        retries++;
        await new Promise((r) => setTimeout(r, 1000));
      } catch (e) {
        if (attempt >= 20) throw e;
        log(`retrying after ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`);
        retries++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async function sql(text: string): Promise<{ rowCount: number; stats: SqlStats; timing: string }> {
    const res = await fetchRetry(`${stack.url}/v1/databases/default/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: text }),
    });
    const body = (await res.json()) as {
      rowCount: number;
      stats: SqlStats;
      error?: { code: string; message: string };
    };
    if (!res.ok)
      throw Object.assign(new Error(body.error?.message ?? res.statusText), { code: body.error?.code });
    return { ...body, timing: res.headers.get('server-timing') ?? '' };
  }

  const data = generateCpuOnly({ hosts, hours, seed });
  log(`rows: ${data.rowCount.toLocaleString('en-US')} (${hosts} hosts × ${hours} h)`);
  await sql(CPU_TABLE_DDL);
  await sql(`SELECT create_distributed_table('cpu', 'hostname', shard_count => 8)`);
  await sql(`SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '12 hours')`);
  // Chunks keep arrival order by default; E2E_SEGMENTBY sets compress_segmentby (time ascending within).
  const segmentBy = process.env.E2E_SEGMENTBY;
  if (segmentBy !== undefined) {
    const orderBy =
      segmentBy === '' ? ", timescaledb.compress_orderby = ''" : ", timescaledb.compress_orderby = 'time'";
    await sql(
      `ALTER TABLE cpu SET (timescaledb.compress_segmentby = '${segmentBy.replace(/'/g, "''")}'${orderBy})`,
    );
    log(`compress_segmentby = '${segmentBy}'`);
  }

  // --- ingest over HTTP (line protocol, the InfluxDB v2 write API) ---
  /** Server-side stage totals (ms) summed over requests, from the write endpoint's Server-Timing header. */
  const stages = new Map<string, number>();
  const addServerTiming = (h: string | null) => {
    for (const m of (h ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g))
      stages.set(m[1], (stages.get(m[1]) ?? 0) + Number(m[2]));
  };
  const batches: (string | Uint8Array)[] = [...lineProtocolBatches(data, { batchRows })].map((b) =>
    gzip ? gzipSync(b) : b,
  );
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const n = next++;
        const body = batches[n];
        const res = await fetchRetry(`${stack.url}/api/v2/write?bucket=default&precision=ns`, {
          method: 'POST',
          headers: {
            authorization: `Token ${KEY}`,
            'content-type': 'text/plain',
            'idempotency-key': `tsbs-${seed}-${n}`,
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          body,
        });
        if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`);
        addServerTiming(res.headers.get('server-timing'));
      }
    }),
  );
  const ingestS = (performance.now() - t0) / 1000;
  const ingestRate = data.rowCount / ingestS;
  log(`ingest: ${ingestS.toFixed(1)} s, ${Math.round(ingestRate).toLocaleString('en-US')} rows/s`);
  const stageText = [...stages]
    .map(([k, ms]) => `${k} ${((ms * 1000) / data.rowCount).toFixed(2)} µs/row`)
    .join(', ');
  log(`server stages (summed over requests, ${concurrency} concurrent): ${stageText}`);
  // What the shard alarms do in production after a load: merge the small bulk chunks.
  if (!ingestOnly) {
    const c0 = performance.now();
    await sql(`SELECT compact_table('cpu')`);
    log(`compact_table: ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  }
  const loaded = await sql('SELECT count(*) FROM cpu').catch((e: Error) => ({ error: e.message }));
  log(`count(*) = ${JSON.stringify(loaded)}`);

  // Ingest peer: the same bodies through the Worker's pipeline in this process (one core, CPU time).
  const peer = runBytePipeline(
    cpuDistTable(),
    [...lineProtocolBatches(data, { batchRows })].map((b) => new TextEncoder().encode(b)),
  );
  const peerMs = Object.values(peer.stages).reduce((a, b) => a + b, 0);
  const peerRate = data.rowCount / (peerMs / 1000);
  const peerText = Object.entries(peer.stages)
    .map(([k, ms]) => `${k} ${((ms * 1000) / data.rowCount).toFixed(2)} µs/row`)
    .join(', ');
  log(`ingest peer (in-process parse+route+encode, CPU time): ${Math.round(peerRate)} rows/s (${peerText})`);
  if (ingestOnly) {
    console.log(
      `\nTSBS cpu-only ingest: ${data.rowCount} rows, ${batchRows}-row batches × ${concurrency} concurrent${gzip ? ', gzip' : ''}; ${fmt(ingestS)} s = ${Math.round(ingestRate)} rows/s; ${retries} requests retried after wrangler dev reloads\nserver stages (wall, summed over concurrent requests): ${stageText}\npeer: in-process pipeline ${Math.round(peerRate)} rows/s (${peerText}); e2e/peer = ${fmt(ingestRate / peerRate)}\nRESULT ingest_rows_per_s=${Math.round(ingestRate)} ingest_peer_rows_per_s=${Math.round(peerRate)}`,
    );
  } else {
    // --- the in-process engine on the same data (peer) ---
    const engine = await EnginePeer.create();
    if (typeof engine !== 'string') await engine.loadCpu(data, cpuTableColumns(data));
    else log(`engine peer unavailable: ${engine}`);

    const rng = new Prng(seed + 1);
    const domain = { hosts, startMicros: data.startMicros, endMicros: data.endMicros };
    const rows: string[][] = [];
    const ratios: number[] = [];
    const reductions: number[] = [];
    const latencies: number[] = [];
    const stageRows: string[][] = [];
    for (const type of QUERY_TYPES) {
      const qs = Array.from({ length: runs + 1 }, () => generateQuery(type, rng, domain));
      // Meters of the warm-up (first) run: the shards keep decoded columns, so a timed run
      // right after it may read nothing from SQLite. Stages: per timed run, medians below.
      const first: { stats?: SqlStats } = {};
      let warmRowsRead = 0;
      const stages = new Map<string, number[]>();
      const clientMs: number[] = [];
      const e2e: Timing = await timeQuery(async (i) => {
        const t = performance.now();
        const r = await sql(qs[i].pg);
        if (i === 0) first.stats = r.stats;
        else {
          clientMs.push(performance.now() - t);
          warmRowsRead = r.stats.rowsRead;
          for (const m of r.timing.matchAll(/([\w-]+);dur=([\d.]+)/g))
            stages.set(m[1], [...(stages.get(m[1]) ?? []), Number(m[2])]);
        }
        return r.rowCount;
      }, policy);
      const st = (k: string) => (stages.has(k) ? median(stages.get(k)!) : 0);
      const worker = ['request', 'parse', 'plan', 'shards', 'merge', 'format', 'json'].reduce(
        (a, k) => a + st(k),
        0,
      );
      stageRows.push([
        type,
        fmt(median(clientMs)),
        fmt(st('parse') + st('plan')),
        fmt(st('shards')),
        fmt(st('shard-total')),
        fmt(st('shard-max')),
        fmt(st('shard-query')),
        fmt(st('shard-partial')),
        fmt(st('merge') + st('format') + st('json')),
        fmt(median(clientMs) - worker),
      ]);
      const eng: Timing | undefined =
        typeof engine === 'string'
          ? undefined
          : await timeQuery(async (i) => (await engine.raw(qs[i].pg)).rowCount, policy);
      // Rows a one-SQLite-row-per-data-row store reads at least: those the WHERE matches.
      let baseline = data.rowCount;
      const where = /WHERE([\s\S]*?)(GROUP BY|ORDER BY|LIMIT|$)/i.exec(qs[1].pg)?.[1];
      if (where && typeof engine !== 'string') {
        const c = await engine.raw(`SELECT count(*) FROM cpu WHERE ${where}`);
        baseline = Number((c as unknown as { rows: unknown[][] }).rows[0][0]);
      }
      const ms = 'ms' in e2e ? e2e.ms : undefined;
      const ems = eng && 'ms' in eng ? eng.ms : undefined;
      if (ms !== undefined) latencies.push(ms);
      if (ms !== undefined && ems !== undefined) ratios.push(ms / ems);
      const rr = first.stats?.rowsRead;
      if (rr && !type.startsWith('single') && !type.startsWith('cpu-max') && type !== 'high-cpu-1')
        reductions.push(baseline / rr);
      rows.push([
        type,
        'error' in e2e ? `ERR ${e2e.error}` : fmt(ms),
        eng ? ('error' in eng ? 'ERR' : fmt(ems)) : '-',
        ms !== undefined && ems !== undefined ? fmt(ms / ems) : '-',
        `${rr ?? '-'}/${warmRowsRead}`,
        String(first.stats?.rowsWritten ?? '-'),
        String(baseline),
        rr ? fmt(baseline / rr, 0) : '-',
        first.stats ? `${first.stats.chunksScanned}/${first.stats.chunksSkipped}` : '-',
        String(first.stats?.shards ?? '-'),
      ]);
      log(`${type}: ${rows[rows.length - 1].join(' | ')}`);
    }
    console.log(
      `\nTSBS cpu-only e2e: ${hosts} hosts × ${hours} h = ${data.rowCount.toLocaleString('en-US')} rows over 8 shards (local wrangler dev); ingest via /api/v2/write, ${batchRows}-row batches × ${concurrency} concurrent; median of ${runs} runs after 1 warm-up; Node ${process.version}\n`,
    );
    console.log(
      markdownTable(
        [
          'query',
          'e2e ms',
          'engine ms',
          'e2e/engine',
          'DO rows read 1st/timed',
          'DO rows written',
          'row-store rows read',
          'reduction',
          'chunks scan/skip',
          'shards',
        ],
        rows,
      ),
    );
    console.log(
      `\nWhere the time goes (Server-Timing, ms, medians of the timed runs; shard-* summed over shards, which run one after another in one wrangler dev process):\n`,
    );
    console.log(
      markdownTable(
        [
          'query',
          'client ms',
          'parse+plan',
          'shard fan-out',
          'shard total (sum)',
          'slowest shard',
          'shard engine (sum)',
          'shard conversion (sum)',
          'merge+format+JSON',
          'outside handler',
        ],
        stageRows,
      ),
    );
    console.log(
      `\ningest: ${fmt(ingestS)} s = ${Math.round(ingestRate)} rows/s; ${retries} requests retried after wrangler dev reloads`,
    );
    console.log(
      `RESULT ingest_rows_per_s=${Math.round(ingestRate)} query_geomean_ms=${fmt(geomean(latencies))} e2e_vs_engine_geomean=${fmt(geomean(ratios))} rows_read_reduction=${fmt(geomean(reductions), 0)}`,
    );
  }
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
