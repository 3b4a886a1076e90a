/**
 * @module bench/random-http.bench
 * `npm run bench:random-http`: the seeded random query generator over HTTP
 * against the whole local stack (PGlite control plane + `wrangler dev`), judged
 * by PGlite (PostgreSQL 18) in this same process. For each seed, the
 * generator's two tables are created in each layout — hash-distributed over 8
 * shards, hypertables partitioned over 8 shards, reference tables — loaded
 * with the same rows as PostgreSQL's copies, and `RQG_HTTP_STEPS` steps run per
 * layout (a `RQG_DML_RATE` share of them UPDATE/DELETE, each followed by a
 * comparison of the whole table); failing queries are shrunk.
 *
 * Env: RQG_HTTP_TOTAL (20000 steps in all), RQG_HTTP_STEPS (500 per seed and
 * layout), RQG_SEED (first seed, 1), RQG_DML_RATE (0.1), RQG_HTTP_PORT (8797),
 * RQG_STRICT_ERRORS (0; 1 fails one-sided class-22 errors). Prints every
 * failure with its seed, index and SQL (replay: the same seed and layout from
 * index 0, as DML steps change the tables), then the counts and a RESULT line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpTarget, type SqlBody } from '../engine/testing/random-queries/http-target.ts';
import {
  layoutDataset,
  layoutStatements,
  RQG_LAYOUTS,
  type RqgLayout,
} from '../engine/testing/random-queries/layouts.ts';
import {
  formatReport,
  type QueryTarget,
  type RqgReport,
  runRandomQueries,
} from '../engine/testing/random-queries/runner.ts';
import { startStack } from '../scripts/stack.ts';
import { PglitePeer } from './tsbs/peers/pglite.ts';

const env = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);
const total = env('RQG_HTTP_TOTAL', 20_000);
const perSeed = env('RQG_HTTP_STEPS', 500);
const firstSeed = env('RQG_SEED', 1);
const dmlRate = env('RQG_DML_RATE', 0.1);
const port = env('RQG_HTTP_PORT', 8797);
const strictErrors = process.env.RQG_STRICT_ERRORS === '1';
const KEY = 'bench-rqg-key';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const dataDir = mkdtempSync(join(tmpdir(), 'orochi-rqg-'));
const stack = await startStack({
  dataDir,
  port,
  devApiKey: KEY,
  inheritOutput: process.env.RQG_VERBOSE === '1',
});
let retries = 0;

/**
 * POST /sql; a dropped connection or 502/503 (wrangler dev reloading) is retried for reads
 * only, and for setup statements (`retryWrites`), where a retried CREATE may answer 42P07.
 */
async function post(sql: string, retryWrites = false): Promise<{ status: number; body: SqlBody }> {
  const write = !retryWrites && !/^\s*SELECT\b/i.test(sql);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${stack.url}/v1/databases/default/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      });
      const text = await res.text();
      if ((res.status === 502 || res.status === 503) && !write && attempt < 10) {
        retries++;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      let body: SqlBody;
      try {
        body = JSON.parse(text) as SqlBody;
      } catch {
        body = { error: { code: `HTTP${res.status}`, message: text.slice(0, 200) } };
      }
      return { status: res.status, body };
    } catch (e) {
      if (write || attempt >= 10) throw Object.assign(e as Error, { code: 'HTTP599', status: 599 });
      retries++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const target = httpTarget((sql) => post(sql));
const setupTarget = httpTarget((sql) => post(sql, true));

/** Runs a setup statement (retried); a CREATE that a retry finds done (42P07) is fine. */
async function setup(sql: string): Promise<void> {
  try {
    await setupTarget.query(sql);
  } catch (e) {
    if ((e as { code?: string }).code !== '42P07') throw e;
  }
}

/** Creates and loads one layout's tables on both sides; returns the run's report. */
async function runLayout(seed: number, layout: RqgLayout, steps: number): Promise<RqgReport> {
  const dataset = layoutDataset(seed, layout);
  const pg = await PglitePeer.create();
  try {
    for (const t of dataset.tables) await setup(`DROP TABLE IF EXISTS ${t.name}`);
    for (const sql of layoutStatements(dataset, layout)) await setup(sql);
    for (const sql of dataset.statements) await pg.exec(sql);
    const oracle: QueryTarget = {
      query: (s) => pg.query(s),
      modify: async (s) => (await pg.db.query(s)).affectedRows ?? 0,
    };
    let done = 0;
    const report = await runRandomQueries({
      seed,
      count: steps,
      oracle,
      target,
      dataset,
      dmlRate,
      strictErrors,
      onStep: (index, v) => {
        if (++done % 100 === 0) log(`  seed ${seed} ${layout}: ${done}/${steps} (last: ${v.kind})`);
        if (v.kind === 'fail') log(`  FAIL seed=${seed} ${layout} index=${index}: ${v.message}`);
      },
    });
    for (const t of dataset.tables) await setup(`DROP TABLE IF EXISTS ${t.name}`);
    return report;
  } finally {
    await pg.close();
  }
}

const totals = {
  steps: 0,
  agree: 0,
  answer: 0,
  sqlstate: 0,
  server: 0,
  unsupported: 0,
  invalid: 0,
  errorOrder: 0,
  dml: 0,
};
const notes = new Map<string, number>();
const started = Date.now();
try {
  for (let seed = firstSeed; totals.steps < total; seed++) {
    // The three layouts of a seed run concurrently (one PGlite each); tables differ by name.
    const steps = Math.min(perSeed, Math.ceil((total - totals.steps) / RQG_LAYOUTS.length));
    const reports = await Promise.all(RQG_LAYOUTS.map((layout) => runLayout(seed, layout, steps)));
    reports.forEach((r, i) => {
      totals.steps += r.total;
      totals.agree += r.passed;
      totals.unsupported += r.unsupported;
      totals.invalid += r.invalid;
      totals.errorOrder += r.errorOrder;
      totals.dml += r.dml;
      for (const f of r.failures) totals[f.category]++;
      for (const n of r.notes) {
        const m = /^(\d+)× (.*)$/.exec(n);
        if (m) notes.set(m[2], (notes.get(m[2]) ?? 0) + Number(m[1]));
      }
      if (r.failures.length) console.log(`${RQG_LAYOUTS[i]}: ${formatReport(r)}`);
    });
    log(`seed ${seed} done: ${totals.steps}/${total} steps, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
const top = [...notes].sort((a, b) => b[1] - a[1]).slice(0, 20);
console.log(
  `\nrandom queries over HTTP (${RQG_LAYOUTS.join(', ')}; seeds ${firstSeed}…; ${totals.dml} UPDATE/DELETE): ${totals.steps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s, ${retries} reads retried`,
);
console.log(
  `agree ${totals.agree}, wrong answers ${totals.answer}, wrong SQLSTATEs ${totals.sqlstate}, unsupported (0A000) ${totals.unsupported}, 5xx ${totals.server}, invalid (generator) ${totals.invalid}, error-order (one-sided class 22) ${totals.errorOrder}`,
);
for (const [k, n] of top) console.log(`  ${n}× ${k}`);
console.log(
  `RESULT steps=${totals.steps} agree=${totals.agree} wrong_answers=${totals.answer} wrong_sqlstates=${totals.sqlstate} unsupported=${totals.unsupported} http_5xx=${totals.server} invalid=${totals.invalid} error_order=${totals.errorOrder}`,
);
