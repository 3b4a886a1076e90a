/**
 * @module bench/ingest.bench
 * `npx tsx bench/ingest.bench.ts`: the Worker side of line-protocol ingest in
 * Node — parse + shape to the table + route to 8 shards + encode chunks — on
 * TSBS cpu-only bodies, i.e. the ceiling of what one core can feed the shards.
 * Its peer, in the same run, is the previous string pipeline
 * (parseLineProtocol → rowsFromPoints → routeRows → encodeTableRows); the ratio
 * is new/old throughput. Both must produce the same row count.
 *
 * Env: TSBS_HOSTS (100), TSBS_HOURS (2), INGEST_BATCH_ROWS (50000), INGEST_REPS (3).
 */
import { encodeTableRows } from '../engine/distributed/chunk-rows.ts';
import { buildHashRanges, shardForValue } from '../engine/distributed/hash-ranges.ts';
import { parseLineProtocol } from '../engine/distributed/line-protocol.ts';
import { type Row, rowsFromPoints } from '../engine/distributed/table-schema.ts';
import { lineProtocolBatches } from './tsbs/formats.ts';
import { generateCpuOnly } from './tsbs/generate.ts';
import { cpuDistTable, cpuMs, runBytePipeline } from './tsbs/ingest-pipeline.ts';

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const hosts = env('TSBS_HOSTS', 100);
const hours = env('TSBS_HOURS', 2);
const batchRows = env('INGEST_BATCH_ROWS', 50_000);
const reps = env('INGEST_REPS', 3);

const data = generateCpuOnly({ hosts, hours, seed: 123 });
const table = cpuDistTable();
const texts = [...lineProtocolBatches(data, { batchRows })];
const bodies = texts.map((s) => new TextEncoder().encode(s));
const n = data.rowCount;

type Stages = Record<string, number>;
function best(run: () => Stages): Stages {
  let out: Stages | undefined;
  for (let i = 0; i < reps; i++) {
    const s = run();
    const total = Object.values(s).reduce((a, b) => a + b, 0);
    if (!out || total < Object.values(out).reduce((a, b) => a + b, 0)) out = s;
  }
  return out!;
}

const fresh = best(() => {
  const r = runBytePipeline(table, bodies);
  if (r.rows !== n) throw new Error(`byte pipeline encoded ${r.rows} rows, expected ${n}`);
  return r.stages;
});

const ranges = buildHashRanges(table.shardCount);
// INGEST_PEER=0 skips the peer (for profiling the byte pipeline alone).
const old = best(() => {
  if (process.env.INGEST_PEER === '0') return { skipped: 1 };
  const s: Stages = { parse: 0, rows: 0, 'route+encode': 0 };
  let rows = 0;
  for (const text of texts) {
    let t = cpuMs();
    const lp = parseLineProtocol(text, 'ns');
    s.parse += cpuMs() - t;
    t = cpuMs();
    const out = rowsFromPoints(table, lp.points, 0);
    s.rows += cpuMs() - t;
    t = cpuMs();
    const perShard = new Map<number, Row[]>();
    for (const r of out.rows) {
      const i = shardForValue(ranges, r[1]);
      const list = perShard.get(i);
      if (list) list.push(r);
      else perShard.set(i, [r]);
    }
    for (const list of perShard.values()) for (const c of encodeTableRows(table, list)) rows += c.rowCount;
    s['route+encode'] += cpuMs() - t;
  }
  if (rows !== n) throw new Error(`string pipeline encoded ${rows} rows, expected ${n}`);
  return s;
});

const line = (name: string, s: Stages) => {
  const total = Object.values(s).reduce((a, b) => a + b, 0);
  const parts = Object.entries(s).map(([k, ms]) => `${k} ${((ms * 1000) / n).toFixed(2)}`);
  return { text: `${name}: ${Math.round(n / (total / 1000))} rows/s (µs/row: ${parts.join(', ')})`, total };
};
const a = line('byte pipeline', fresh);
const b = line('string pipeline (peer)', old);
console.log(
  `TSBS cpu-only line protocol, ${n} rows (${hosts} hosts × ${hours} h), ${batchRows}-row bodies, best of ${reps}, CPU time; Node ${process.version}`,
);
console.log(a.text);
if (process.env.INGEST_PEER === '0') process.exit(0);
console.log(b.text);
console.log(
  `RESULT ingest_pipeline_rows_per_s=${Math.round(n / (a.total / 1000))} speedup_vs_string=${(b.total / a.total).toFixed(2)}`,
);
