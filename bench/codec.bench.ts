/**
 * @module bench/codec.bench
 * Columnar codec micro-benchmark on TSBS cpu data: bytes per row (time-major and
 * clustered by hostname then time), encodeTable throughput and cold full-column
 * decode time. With CODEC_BASELINE pointing at another copy of
 * engine/columnar/index.ts (e.g. `git archive <rev> engine | tar -x -C /tmp/base`),
 * both are measured in this one process, interleaved, and the ratio printed.
 *
 * Env: CODEC_HOSTS (100), CODEC_HOURS (6), CODEC_RUNS (5), CODEC_SEED (123),
 * CODEC_BASELINE (path to a baseline index.ts; none by default).
 *
 * Run: `CODEC_BASELINE=/tmp/base/engine/columnar/index.ts npx tsx bench/codec.bench.ts`
 */
import { CPU_FIELDS, cpuTableColumns, generateCpuOnly, TAG_COLUMNS } from './tsbs/generate.ts';

type Columnar = typeof import('../engine/columnar/index.ts');

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const hosts = env('CODEC_HOSTS', 100);
const hours = env('CODEC_HOURS', 6);
const runs = env('CODEC_RUNS', 5);
const seed = env('CODEC_SEED', 123);

const impls: [string, Columnar][] = [['new', await import('../engine/columnar/index.ts')]];
if (process.env.CODEC_BASELINE)
  impls.unshift(['base', (await import(process.env.CODEC_BASELINE)) as Columnar]);

const data = generateCpuOnly({ hosts, hours, seed });
const columns = cpuTableColumns(data);
const schema = [
  { name: 'time', type: 'timestamptz' as const },
  ...TAG_COLUMNS.map((t) => ({ name: t as string, type: 'text' as const })),
  ...CPU_FIELDS.map((f) => ({ name: f as string, type: 'float64' as const })),
];
const vectors = schema.map((s) => ({
  kind: 'flat' as const,
  type: s.type,
  length: data.rowCount,
  values: columns[s.name],
}));
const order = [{ column: schema.findIndex((s) => s.name === 'hostname') }, { column: 0 }];
const n = data.rowCount;
console.log(`TSBS cpu ${hosts} hosts × ${hours} h = ${n.toLocaleString('en-US')} rows; best of ${runs}`);

interface Result {
  bytesPerRow: number;
  perColumn: number[];
  encodeMs: number;
  decodeMs: number;
  decodeCols: Record<string, number>;
}
const results = new Map<string, Result>();

for (const layout of ['none', 'segmentby'] as const) {
  for (const [name] of impls) {
    results.set(`${name}/${layout}`, {
      bytesPerRow: 0,
      perColumn: [],
      encodeMs: Infinity,
      decodeMs: Infinity,
      decodeCols: {},
    });
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, c] of impls) {
      const res = results.get(`${name}/${layout}`)!;
      const { chunks, stats } = c.encodeTable(
        schema,
        vectors as Parameters<Columnar['encodeTable']>[1],
        n,
        layout === 'segmentby' ? { order } : {},
      );
      res.bytesPerRow = stats.bytesPerRow;
      res.perColumn = stats.columnBytes.map((b) => b / n);
      res.encodeMs = Math.min(res.encodeMs, stats.encodeMs);
      // Cold decode: every column of every chunk from its block.
      const perCol = schema.map(() => 0);
      let total = 0;
      for (const ch of chunks) {
        const rows = ch.meta.rowCount;
        for (let i = 0; i < schema.length; i++) {
          const t0 = performance.now();
          c.decodeColumn(schema[i].type, ch.columns[i], rows);
          const dt = performance.now() - t0;
          perCol[i] += dt;
          total += dt;
        }
      }
      if (total < res.decodeMs) {
        res.decodeMs = total;
        res.decodeCols = {
          time: perCol[0],
          tags: perCol.slice(1, 1 + TAG_COLUMNS.length).reduce((a, b) => a + b, 0),
          floats: perCol.slice(1 + TAG_COLUMNS.length).reduce((a, b) => a + b, 0),
        };
      }
    }
  }
}

const f = (x: number, d = 2) => x.toFixed(d);
for (const [key, r] of results) {
  const cols = schema.map((s, i) => `${s.name} ${f(r.perColumn[i], 3)}`).join(', ');
  const dec = Object.entries(r.decodeCols)
    .map(([k, v]) => `${k} ${f(v, 1)}`)
    .join(', ');
  console.log(
    `${key}: ${f(r.bytesPerRow, 3)} B/row; encode ${f(r.encodeMs, 0)} ms = ${f(n / r.encodeMs / 1000, 2)}M rows/s; decode all ${f(r.decodeMs, 1)} ms (${dec}) = ${f(n / r.decodeMs / 1000, 1)}M rows/s`,
  );
  console.log(`  per column B/row: ${cols}`);
}
if (impls.length === 2) {
  for (const layout of ['none', 'segmentby']) {
    const b = results.get(`base/${layout}`)!;
    const x = results.get(`new/${layout}`)!;
    console.log(
      `RESULT ${layout}: bytes/row ${f(b.bytesPerRow, 3)} → ${f(x.bytesPerRow, 3)}; encode ×${f(b.encodeMs / x.encodeMs)} faster; decode ×${f(b.decodeMs / x.decodeMs)} faster`,
    );
  }
}
