/**
 * @module bench/shard-fragment.bench
 * What a shard spends on a fast-path fragment, in process and deterministic: each TSBS
 * query type is planned by the coordinator's fast path and the fragment runs on the
 * engine over one shard's chunks (encoded, decoded columns cached, hypertable time
 * slices: what `ShardEngine` builds), then through the Worker's merge, format and JSON
 * (timed apart). With a second checkout (`BASE=<dir>`, e.g. a `git archive` snapshot) both run in this one
 * process, alternating query by query, and the per-query CPU ratio is printed; CPU time
 * (process.cpuUsage) because other processes' load moves wall time far more.
 *
 * `npx tsx bench/shard-fragment.bench.ts` — env: BASE, HOSTS (50 hosts × 24 h on the
 * shard), REPS (20 timed runs per query and side, after 3 warm-ups), ONLY (comma-separated
 * query types), SQL=1 prints the shipped SQL of each side.
 */
import path from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: checkouts' modules are loaded by path, untyped.
type Loose = any;
const HEAD = path.resolve(import.meta.dirname, '..');
const HOSTS = Number(process.env.HOSTS ?? 50);
const REPS = Number(process.env.REPS ?? 20);
const HOUR = 3600e6;

/** One checkout: its planner, its fragment runner and its merge over its own encoded chunks. */
async function side(root: string) {
  const im = (p: string) => import(`${root}/${p}`);
  const { parseSql, initParser } = await im('engine/sql/parser.ts');
  const { classify } = await im('engine/distributed/sql-statements.ts');
  const { generateQuery, QUERY_TYPES } = await im('bench/tsbs/queries.ts');
  const { CPU_FIELDS, TAG_COLUMNS, generateCpuOnly, cpuTableColumns } = await im('bench/tsbs/generate.ts');
  const { Prng } = await im('engine/testing/prng.ts');
  const { encodeRows, columnIdOf } = await im('engine/distributed/chunk-rows.ts');
  const { openChunkParts } = await im('engine/columnar/index.ts');
  const { encodedSegment } = await im('engine/storage/segment-store.ts');
  const { timeSlices } = await im('engine/distributed/time-slices.ts');
  const { engineOver, engineTableDef, runFragmentOnEngine } = await im(
    'engine/distributed/fragment-engine.ts',
  );
  const { fragmentSql } = await im('engine/distributed/fragment-sql.ts');
  const { mergePartials } = await im('engine/distributed/partial-merge.ts');
  const { unpackPartial } = await im('engine/distributed/partial-columns.ts');
  const { toStatementResult } = await im('workers/data-plane/statement-result.ts');
  const sel = await im('engine/distributed/sql-select.ts');
  await initParser();
  // As `selectOnce` plans: the rules over the statement classify returns (a CTE inlined).
  const binding = sel.planBound ? await im('engine/distributed/select-binding.ts') : undefined;
  const plan = (stmt: Loose, t: Loose): Loose =>
    binding ? binding.planSelectNode(stmt, t, []) : sel.planFastPath(stmt, t, []);

  const names = ['time', ...TAG_COLUMNS, ...CPU_FIELDS];
  const table = {
    id: 1,
    version: 1,
    name: 'cpu',
    nextColumnId: names.length,
    shardCount: 1,
    placement: { kind: 'local' },
    hypertable: { timeColumnId: 0, chunkIntervalUs: 12 * HOUR },
    columns: names.map((name, id) => ({
      id,
      name,
      type: id === 0 ? 'timestamptz' : id <= TAG_COLUMNS.length ? 'text' : 'float64',
      notNull: false,
    })),
  };
  const data = generateCpuOnly({ hosts: HOSTS, hours: 24 });
  const byName = cpuTableColumns(data);
  const cols = names.map((n) => byName[n]);
  // Rows in arrival order, cut into the hypertable's 12-hour chunks (as compact_table leaves them).
  const segments: Loose[] = [];
  let start = 0;
  while (start < data.rowCount) {
    const end0 = data.time[start] - ((data.time[start] - data.startMicros) % (12 * HOUR)) + 12 * HOUR;
    let end = start;
    while (end < data.rowCount && data.time[end] < end0) end++;
    const rows = [];
    for (let r = start; r < end; r++) rows.push(cols.map((c) => c[r]));
    for (const c of encodeRows(table.columns, rows)) {
      const reader = openChunkParts(c.header, (i: number) => c.columns[i], { cache: true });
      segments.push(...timeSlices(encodedSegment(reader, columnIdOf), 0));
    }
    start = end;
  }
  const db = await engineOver([{ def: engineTableDef(table), segments: () => segments }]);
  const dom = { hosts: HOSTS, startMicros: data.startMicros, endMicros: data.endMicros };
  return {
    QUERY_TYPES: QUERY_TYPES as readonly string[],
    /** The fragment of a fresh instance of `type` (seeded per repetition), or undefined off the fast path. */
    async planned(type: string, seed: number) {
      const q = generateQuery(type, new Prng(seed), dom);
      const cmd = classify(parseSql(q.pg, [])[0].stmt, []);
      return cmd.kind === 'select' ? plan(cmd.stmt, table) : undefined;
    },
    sql: (p: Loose) => fragmentSql(p.fragment),
    async run(p: Loose) {
      // Text comes back dictionary-packed, as the Worker asks for it.
      const { result, stats } = await runFragmentOnEngine(db, { ...p.fragment, pack: true });
      return { rows: result.rowCount, result, stats };
    },
    /** The Worker's side: unpack, merge, format, JSON (as `selectOnce` and the /sql route). */
    merge(p: Loose, result: Loose) {
      const final = mergePartials(p, [unpackPartial(structuredClone(result))]);
      const r = toStatementResult(final.columns, final.rows);
      return JSON.stringify({ columns: r.columns, rows: r.rows, rowCount: r.rowCount });
    },
  };
}

const cpuMs = (f: () => Promise<unknown>) => async () => {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const head = await side(HEAD);
const base = process.env.BASE ? await side(path.resolve(process.env.BASE)) : undefined;
const sides = base ? [base, head] : [head];
const ratios: number[] = [];
console.log(
  `shard fragment CPU ms (median of ${REPS}), ${HOSTS} hosts × 24 h on one shard${base ? `; base ${process.env.BASE}` : ''}`,
);
const only = process.env.ONLY?.split(',');
for (const type of head.QUERY_TYPES.filter((t) => !only || only.includes(t))) {
  const ms: number[][] = sides.map(() => []);
  const mergeMs: number[][] = sides.map(() => []);
  const info: string[] = [];
  for (let rep = -3; rep < REPS; rep++) {
    // Alternate which side goes first.
    const order = rep % 2 === 0 ? [...sides.keys()] : [...sides.keys()].reverse();
    for (const i of order) {
      const s = sides[i];
      const p = await s.planned(type, 1000 + rep);
      if (!p) {
        info[i] = 'general';
        continue;
      }
      if (rep === -3) {
        const r = await s.run(p);
        info[i] = `rows ${r.rows} scan/skip ${r.stats.chunksScanned}/${r.stats.chunksSkipped}`;
        if (process.env.SQL) console.log(`  ${i === 0 && base ? 'base' : 'head'}: ${s.sql(p)}`);
      }
      let r: Loose;
      const t = await cpuMs(async () => {
        r = await s.run(p);
      })();
      const tm = await cpuMs(async () => s.merge(p, r.result))();
      if (rep >= 0) {
        ms[i].push(t);
        mergeMs[i].push(tm);
      }
    }
  }
  const med = ms.map((xs) => (xs.length ? median(xs) : Number.NaN));
  const mergeMed = mergeMs.map((xs) => (xs.length ? median(xs) : Number.NaN));
  const ratio = base ? med[1] / med[0] : Number.NaN;
  if (base && Number.isFinite(ratio)) ratios.push(ratio);
  console.log(
    `${type.padEnd(24)} ${med.map((m) => m.toFixed(2).padStart(8)).join(' ')}${base ? `  head/base ${ratio.toFixed(2)}` : ''}  merge+format+JSON ${mergeMed.map((m) => m.toFixed(2)).join(' ')}${base ? ` (${(mergeMed[1] / mergeMed[0]).toFixed(2)})` : ''}  ${info.join(' | ')}`,
  );
}
if (base) {
  const g = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  console.log(`RESULT shard_fragment_cpu_geomean_head_vs_base=${g.toFixed(3)}`);
}
