/**
 * Coordinator planning cost of the fast path per TSBS query type: each query is bound once,
 * then planned 300 times (after 30 warm-up plans). `npx tsx bench/fast-path-plan.bench.ts [root]`
 * — `root` is a checkout (e.g. a `git archive` snapshot) to measure instead of this one.
 */
import path from 'node:path';

const ROOT = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
const { parseSql, initParser } = await import(`${ROOT}/engine/sql/parser.ts`);
const { classify } = await import(`${ROOT}/engine/distributed/sql-statements.ts`);
const { generateQuery, QUERY_TYPES } = await import(`${ROOT}/bench/tsbs/queries.ts`);
const { CPU_FIELDS, TAG_COLUMNS } = await import(`${ROOT}/bench/tsbs/generate.ts`);
const { Prng } = await import(`${ROOT}/engine/testing/prng.ts`);
const { bindStatement, schemaDefs } = await import(`${ROOT}/engine/distributed/coordinator-schema.ts`);
// biome-ignore lint/suspicious/noExplicitAny: the snapshot's modules are loaded by path, untyped.
type Loose = any;
let plan: (cmd: Loose, bound: Loose, t: Loose) => unknown;
try {
  const { planBound } = await import(`${ROOT}/engine/distributed/sql-select.ts`);
  const { planSelectNode } = await import(`${ROOT}/engine/distributed/select-binding.ts`);
  plan = (cmd, bound, t) =>
    cmd.stmt === cmd.original.SelectStmt
      ? planBound(bound.result.plan, t, [])
      : planSelectNode(cmd.stmt, t, []);
} catch {
  const { planFastPath } = await import(`${ROOT}/engine/distributed/sql-select.ts`);
  plan = (cmd, _b, t) => planFastPath(cmd.stmt, t, []);
}
await initParser();
const cols = [
  { name: 'time', type: 'timestamptz' },
  ...TAG_COLUMNS.map((n: string) => ({ name: n, type: 'text' })),
  ...CPU_FIELDS.map((n: string) => ({ name: n, type: 'float64' })),
];
const t = {
  name: 'cpu',
  nextColumnId: cols.length,
  shardCount: 8,
  placement: { kind: 'distributed', columnId: 1 },
  columns: cols.map((c, id) => ({ id, ...c, notNull: false })),
};
const defs = schemaDefs([t]);
const rng = new Prng(5);
const dom = { hosts: 200, startMicros: Date.UTC(2016, 0, 1) * 1000, endMicros: Date.UTC(2016, 0, 2) * 1000 };
let total = 0;
let fast = 0;
for (const type of QUERY_TYPES) {
  const q = generateQuery(type, rng, dom);
  const st = parseSql(q.pg, [])[0];
  const cmd = classify(st.stmt, []);
  if (cmd.kind !== 'select') {
    console.log(type, 'not select');
    continue;
  }
  const bound = await bindStatement(defs, st.stmt, q.pg, []);
  const N = 300;
  for (let i = 0; i < 30; i++) plan(cmd, bound, t);
  const t0 = performance.now();
  let p: unknown;
  for (let i = 0; i < N; i++) p = plan(cmd, bound, t);
  const us = ((performance.now() - t0) / N) * 1000;
  total += us;
  if (p) fast++;
  console.log(type.padEnd(24), p ? 'fast' : 'GENERAL', us.toFixed(0), 'µs');
}
console.log('sum µs', total.toFixed(0), 'fast', fast);
