/**
 * @module bench/e2e-cpu.bench
 * Server CPU per TSBS query, this checkout against another (`BASE=<dir>`, e.g. a
 * `git archive` snapshot with node_modules and web/dist linked in): both stacks run
 * side by side (`wrangler dev` each), load the same TSBS cpu-only data as
 * `bench:e2e` (hypertable over 8 shards, line protocol, compact_table), then each
 * query instance runs on one stack and then the other, and the CPU time the stack's
 * workerd threads spent on it (Linux /proc/<pid>/task/<tid>/schedstat, ns) is
 * summed: Worker, shards and merge in one number that other processes' load barely
 * moves, unlike wall time (also printed: the client's wall time, both sides under the
 * same load). Prints per query type the medians, the ratios and the Server-Timing
 * stages of the last run of each side.
 *
 * `BASE=/tmp/perf-base npx tsx bench/e2e-cpu.bench.ts` — env: TSBS_HOSTS (200),
 * TSBS_HOURS (24), REPS (9 timed instances per query type after 1 warm-up),
 * E2E_PORT (8811; BASE's stack uses the next port).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Prng } from '../engine/testing/prng.ts';
import { lineProtocolBatches } from './tsbs/formats.ts';
import { CPU_TABLE_DDL, generateCpuOnly } from './tsbs/generate.ts';
import { generateQuery, QUERY_TYPES } from './tsbs/queries.ts';

const env = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const hosts = env('TSBS_HOSTS', 200);
const hours = env('TSBS_HOURS', 24);
const reps = env('REPS', 9);
const port = env('E2E_PORT', 8811);
const KEY = 'bench-e2e-key';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Pids of the processes below `root`. */
function descendants(root: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    for (const t of safe(() => readdirSync(`/proc/${p}/task`), [] as string[]))
      for (const c of safe(() => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8'), '').split(' '))
        if (c.trim()) {
          out.push(Number(c));
          visit(Number(c));
        }
  };
  visit(root);
  return out;
}
function safe<T>(f: () => T, dflt: T): T {
  try {
    return f();
  } catch {
    return dflt;
  }
}
const comm = (pid: number) => safe(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), '');

/** CPU ns the threads of `pids` have run. */
function cpuNs(pids: readonly number[]): number {
  let ns = 0;
  for (const p of pids)
    for (const t of safe(() => readdirSync(`/proc/${p}/task`), [] as string[]))
      ns += Number(safe(() => readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8'), '0').split(' ')[0]);
  return ns;
}

interface Side {
  readonly name: string;
  readonly url: string;
  readonly workerd: number[];
  stop(): Promise<void>;
}

async function startSide(name: string, root: string, p: number): Promise<Side> {
  const { startStack } = await import(`${root}/scripts/stack.ts`);
  const before = new Set(descendants(process.pid));
  const dataDir = mkdtempSync(join(tmpdir(), `orochi-e2e-cpu-${name}-`));
  const stack = await startStack({ dataDir, port: p, devApiKey: KEY });
  const workerd = descendants(process.pid).filter((x) => !before.has(x) && comm(x) === 'workerd');
  log(`${name}: ${root} on ${stack.url}, workerd ${workerd.join(',')}`);
  return {
    name,
    url: stack.url,
    workerd,
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, init);
      if ((res.status !== 502 && res.status !== 503) || attempt >= 20) return res;
    } catch (e) {
      if (attempt >= 20) throw e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function sql(s: Side, text: string): Promise<{ rowCount: number; timing: string }> {
  const res = await post(`${s.url}/v1/databases/default/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });
  const body = (await res.json()) as { rowCount: number; error?: { message: string } };
  if (!res.ok) throw new Error(`${s.name}: ${body.error?.message ?? res.statusText}`);
  return { rowCount: body.rowCount, timing: res.headers.get('server-timing') ?? '' };
}

const data = generateCpuOnly({ hosts, hours, seed: 123 });
const batches = [...lineProtocolBatches(data, { batchRows: 50_000 })];

async function load(s: Side): Promise<void> {
  await sql(s, CPU_TABLE_DDL);
  await sql(s, `SELECT create_distributed_table('cpu', 'hostname', shard_count => 8)`);
  await sql(s, `SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '12 hours')`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const n = next++;
        const res = await post(`${s.url}/api/v2/write?bucket=default&precision=ns`, {
          method: 'POST',
          headers: {
            authorization: `Token ${KEY}`,
            'content-type': 'text/plain',
            'idempotency-key': `b${n}`,
          },
          body: batches[n],
        });
        if (res.status !== 204) throw new Error(`${s.name}: write ${res.status} ${await res.text()}`);
      }
    }),
  );
  await sql(s, `SELECT compact_table('cpu')`);
  log(`${s.name}: loaded ${(await sql(s, 'SELECT count(*) FROM cpu')).rowCount} row(s) of count`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stagesOf = (timing: string) =>
  [...timing.matchAll(/([\w-]+);dur=([\d.]+)/g)]
    .filter((m) => Number(m[2]) > 0)
    .map((m) => `${m[1]} ${m[2]}`)
    .join(', ');

const sides: Side[] = [];
try {
  if (process.env.BASE) sides.push(await startSide('base', resolve(process.env.BASE), port + 1));
  sides.push(await startSide('head', resolve(import.meta.dirname, '..'), port));
  for (const s of sides) await load(s);
  const rng = new Prng(124);
  const dom = { hosts, startMicros: data.startMicros, endMicros: data.endMicros };
  const ratios: number[] = [];
  const wallRatios: number[] = [];
  console.log(
    `server CPU ms (workerd threads) and client wall ms per query, medians of ${reps} (ratio head/base); ${sides.map((s) => s.name).join(' vs ')}; load ${loadavg()[0].toFixed(1)}`,
  );
  for (const type of QUERY_TYPES) {
    const ms: number[][] = sides.map(() => []);
    const wall: number[][] = sides.map(() => []);
    const last: string[] = [];
    for (let rep = 0; rep <= reps; rep++) {
      const q = generateQuery(type, rng, dom);
      // Alternate which side goes first, so neither always runs right after the other.
      const order = rep % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
      for (const i of order) {
        const s = sides[i];
        const c0 = cpuNs(s.workerd);
        const w0 = performance.now();
        const r = await sql(s, q.pg);
        const w = performance.now() - w0;
        const c = (cpuNs(s.workerd) - c0) / 1e6;
        if (rep > 0) {
          ms[i].push(c);
          wall[i].push(w);
        }
        last[i] = `${r.rowCount} rows; ${stagesOf(r.timing)}`;
      }
    }
    const med = ms.map(median);
    const wallMed = wall.map(median);
    const ratio = med.length === 2 ? med[1] / med[0] : Number.NaN;
    const wallRatio = med.length === 2 ? wallMed[1] / wallMed[0] : Number.NaN;
    if (Number.isFinite(ratio)) {
      ratios.push(ratio);
      wallRatios.push(wallRatio);
    }
    const two = (xs: number[]) => xs.map((m) => m.toFixed(1).padStart(8)).join(' ');
    console.log(
      `${type.padEnd(22)} cpu ${two(med)}${med.length === 2 ? ` (${ratio.toFixed(2)})` : ''}  wall ${two(wallMed)}${med.length === 2 ? ` (${wallRatio.toFixed(2)})` : ''}`,
    );
    for (const [i, s] of sides.entries()) console.log(`    ${s.name}: ${last[i]}`);
  }
  const geo = (xs: number[]) => Math.exp(xs.reduce((a, r) => a + Math.log(r), 0) / xs.length).toFixed(3);
  if (ratios.length > 0)
    console.log(
      `RESULT server_cpu_geomean_head_vs_base=${geo(ratios)} wall_geomean_head_vs_base=${geo(wallRatios)} load=${loadavg()[0].toFixed(1)}`,
    );
} finally {
  for (const s of sides) await s.stop();
}
