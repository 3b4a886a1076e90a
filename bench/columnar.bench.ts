/**
 * @module bench/columnar.bench
 * Micro-benchmark of engine/columnar on TSBS cpu-only data (1,000 hosts, 10 s
 * interval, 10 fields as clamped random walks of whole numbers 0–100): encode
 * throughput (rows/s, single thread, median of 5; wall clock and, in
 * parentheses, CPU time, which the shared machine's load distorts less), decode
 * throughput, bytes per row, and the same
 * data exported by DuckDB as Parquet-zstd (the peer, printed in the same run).
 * Two row orders: time-major (as TSBS emits) and host-major (as a shard that
 * sorts a chunk by its segment key would store it).
 *
 *   npx tsx bench/columnar.bench.ts [hours=3]
 */
import { availableParallelism, loadavg } from 'node:os';
import type { ColumnSchema } from '../engine/columnar/chunk-format.ts';
import { openChunkParts } from '../engine/columnar/chunk-reader.ts';
import { encodeTable, type TableEncodeStats } from '../engine/columnar/table-encoder.ts';
import type { FlatVector, Vector } from '../engine/vector.ts';
import { CPU_FIELDS, type CpuData, generateCpuOnly, TAG_COLUMNS, tagColumn } from './tsbs/generate.ts';
import { DuckdbPeer } from './tsbs/peers/duckdb.ts';

const hours = Number(process.argv[2] ?? 3);
const data = generateCpuOnly({ hosts: 1000, hours });
const n = data.rowCount;

/** Row permutation: identity (time-major) or sorted by host, then time. */
function hostMajor(d: CpuData): Uint32Array {
  const perm = new Uint32Array(d.rowCount);
  const hosts = d.hosts.length;
  const steps = d.rowCount / hosts;
  let k = 0;
  for (let h = 0; h < hosts; h++) for (let s = 0; s < steps; s++) perm[k++] = s * hosts + h;
  return perm;
}

function table(
  columns: readonly string[],
  perm?: Uint32Array,
): { schema: ColumnSchema[]; vectors: Vector[] } {
  const schema: ColumnSchema[] = [];
  const vectors: Vector[] = [];
  const take = <T extends Float64Array | string[]>(v: T): T => {
    if (!perm) return v;
    if (v instanceof Float64Array) return Float64Array.from(perm, (i) => v[i]) as T;
    return Array.from(perm, (i) => v[i]) as T;
  };
  for (const c of columns) {
    if (c === 'time') {
      schema.push({ name: c, type: 'timestamptz' });
      vectors.push(flat('timestamptz', take(data.time)));
    } else if ((TAG_COLUMNS as readonly string[]).includes(c)) {
      schema.push({ name: c, type: 'text' });
      vectors.push(flat('text', take(tagColumn(data, c as (typeof TAG_COLUMNS)[number]))));
    } else {
      schema.push({ name: c, type: 'float64' });
      vectors.push(flat('float64', take(data.fields[c as (typeof CPU_FIELDS)[number]])));
    }
  }
  return { schema, vectors };
}

function flat(type: FlatVector['type'], values: FlatVector['values']): FlatVector {
  return { kind: 'flat', type, length: n, values };
}

/** Median of 5 runs; also CPU time (user+sys), which the shared machine's load distorts less than wall time. */
function measure(t: {
  schema: ColumnSchema[];
  vectors: Vector[];
}): TableEncodeStats & { cpuRowsPerSecond: number } {
  const runs: (TableEncodeStats & { cpuRowsPerSecond: number })[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const stats = encodeTable(t.schema, t.vectors, n).stats;
    const c = process.cpuUsage(c0);
    runs.push({ ...stats, cpuRowsPerSecond: n / ((c.user + c.system) / 1e6) });
  }
  runs.sort((a, b) => a.encodeMs - b.encodeMs);
  return runs[2];
}

/** Decode of every column of every chunk (split form), median of 3: [wall rows/s, CPU rows/s]. */
function decodeRate(t: { schema: ColumnSchema[]; vectors: Vector[] }): [number, number] {
  const { chunks } = encodeTable(t.schema, t.vectors, n);
  const runs: [number, number][] = [];
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const c of chunks) {
      const r = openChunkParts(c.header, (i) => c.columns[i]);
      for (let i = 0; i < t.schema.length; i++) r.column(i);
    }
    const c = process.cpuUsage(c0);
    runs.push([n / ((performance.now() - t0) / 1000), n / ((c.user + c.system) / 1e6)]);
  }
  runs.sort((a, b) => a[0] - b[0]);
  return runs[1];
}

const narrow = ['time', 'hostname', ...CPU_FIELDS];
const full = ['time', ...TAG_COLUMNS, ...CPU_FIELDS];
const duck = await DuckdbPeer.create(1);
await duck.loadCpu(data);
const parquet = async (cols: readonly string[], order: string): Promise<number> => {
  const path = `/tmp/columnar-bench-${process.pid}.parquet`;
  return duck.parquetBytes(`(SELECT ${cols.join(', ')} FROM cpu ORDER BY ${order})`, path);
};

const fmt = (x: number, d = 2) => x.toFixed(d);
console.log(`TSBS cpu-only, 1000 hosts x ${hours} h = ${n} rows, chunks of 65536 rows`);
console.log(
  'table             order        engine B/row  parquet-zstd B/row  ratio  encode Mrows/s wall (cpu)  decode Mrows/s wall (cpu)',
);
for (const [label, cols] of [
  ['time+host+10f', narrow],
  ['full 21 columns', full],
] as const) {
  for (const [order, perm, sql] of [
    ['time-major', undefined, 'time, hostname'],
    ['host-major', hostMajor(data), 'hostname, time'],
  ] as const) {
    const t = table(cols, perm);
    const s = measure(t);
    const pq = (await parquet(cols, sql)) / n;
    const [dec, decCpu] = decodeRate(t);
    console.log(
      `${label.padEnd(17)} ${order.padEnd(12)} ${fmt(s.bytesPerRow).padStart(12)}  ${fmt(pq).padStart(18)}  ${fmt(s.bytesPerRow / pq).padStart(5)}  ${fmt(s.rowsPerSecond / 1e6).padStart(14)} (${fmt(s.cpuRowsPerSecond / 1e6)})  ${fmt(dec / 1e6).padStart(14)} (${fmt(decCpu / 1e6)})`,
    );
    if (label === 'time+host+10f') {
      const per = t.schema.map((c, i) => `${c.name}=${fmt(s.columnBytes[i] / n, 3)}`).join(' ');
      console.log(`  per column B/row: ${per}`);
    }
  }
}
// Selective read (one host of 1000, time-major): filter on dictionary codes, then
// gather 10 fields for the ~65 selected rows per chunk vs decoding whole columns.
{
  const t = table(narrow);
  const { chunks } = encodeTable(t.schema, t.vectors, n);
  const run = (useGather: boolean): [number, number] => {
    const c0 = process.cpuUsage();
    let rows = 0;
    for (const c of chunks) {
      const r = openChunkParts(c.header, (i) => c.columns[i], { cache: false });
      const sel = r.filterIn(1, ['host_7']);
      rows += sel.length;
      for (let i = 2; i < t.schema.length; i++) {
        if (useGather) r.gather(i, sel);
        else r.column(i);
      }
    }
    const c = process.cpuUsage(c0);
    return [(c.user + c.system) / 1000 / chunks.length, rows];
  };
  for (let k = 0; k < 3; k++) {
    run(true);
    run(false);
  }
  const [g, rows] = run(true);
  const [d] = run(false);
  console.log(
    `one host of 1000 (${rows} rows): filterIn + gather 10 fields ${fmt(g, 3)} ms/chunk cpu, filterIn + full decode ${fmt(d, 3)} ms/chunk (${fmt(d / g, 1)}x)`,
  );
}
await duck.close();
// Wall-clock rates depend on what else runs on the machine; say how busy it was.
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
