/**
 * @module bench/pg-regress.bench
 * `npm run bench:pg-regress`: replays PostgreSQL's own regression scripts
 * (`src/test/regress/sql/*.sql` of the PostgreSQL source tree, which this
 * repository does not ship: point `PG_REGRESS_DIR` at a checkout's folder)
 * statement by statement in PGlite (the peer: real PostgreSQL, in this same
 * process) and in Orochi, and prints, per file, how many statements agree,
 * are refused with 0A000, answer differently, fail differently, or fail with
 * a 5xx. Every file starts from a fresh database with `test_setup.sql`'s
 * tables (its COPYs of `onek`/`tenk1` replaced by generated rows, the same on
 * both sides).
 *
 * Env: PG_REGRESS_DIR (required), PG_REGRESS_TARGET (`http`: the local stack
 * over HTTP, one call per statement, default; `wire`: the local stack over the wire protocol,
 * one session per file, through `orochi proxy`'s bridge; `engine`: the in-process engine), PG_REGRESS_FILES
 * (comma list; default the files of the SQL surface), PG_REGRESS_LOG (where the
 * per-statement differences go; default `pg-regress.log` in the temp folder),
 * PG_REGRESS_PORT (8797), PG_REGRESS_VERBOSE (1: print each statement before it runs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startProxy } from '../cli/proxy.ts';
import { Database } from '../engine/database.ts';
import { initParser } from '../engine/sql/parser.ts';
import { startStack } from '../scripts/stack.ts';
import { byteaHex, canonArray, isArrayOid } from './pg-regress/canon-array.ts';
import { type Answer, canonValue, judge, type Verdict } from './pg-regress/compare.ts';
import { isExplain, isOrdered, loadScanner, orderKeyColumns, splitScript } from './pg-regress/statements.ts';

const DEFAULT_FILES =
  'boolean,int2,int4,int8,float4,float8,numeric,text,strings,date,time,timestamp,timestamptz,interval,' +
  'case,select,select_distinct,select_distinct_on,select_having,select_implicit,subselect,union,join,' +
  'aggregates,groupingsets,window,with,limit,arrays';
const dir = process.env.PG_REGRESS_DIR;
if (!dir) {
  process.stderr.write('set PG_REGRESS_DIR to the src/test/regress/sql folder of a PostgreSQL checkout\n');
  process.exit(2);
}
const files = (process.env.PG_REGRESS_FILES ?? DEFAULT_FILES).split(',').filter(Boolean);
const target = process.env.PG_REGRESS_TARGET ?? 'http';
const logPath = process.env.PG_REGRESS_LOG ?? join(tmpdir(), 'pg-regress.log');
const port = Number(process.env.PG_REGRESS_PORT ?? 8797);
const verbose = process.env.PG_REGRESS_VERBOSE === '1';
const KEY = 'bench-pg-regress-key';
const log: string[] = [];

/** PostgreSQL values as their text output (arrays still come back as arrays of text). */
const textParsers: Record<number, (x: string) => string> = {};
for (let i = 1; i < 10_000; i++) textParsers[i] = (x) => x;

/** `onek` / `tenk1` rows: the regression data files are not here, so both sides get these. */
function generatedRows(table: string, n: number): string {
  const u1 = `((i * 7919) % ${n})`;
  const str = (e: string) =>
    `chr(65 + (${e} % 26)) || chr(65 + (${e} / 26 % 26)) || chr(65 + (${e} / 676 % 26)) || 'AAAxxx'`;
  return (
    `INSERT INTO ${table} SELECT ${u1}, i, ${u1} % 2, ${u1} % 4, ${u1} % 10, ${u1} % 20, ${u1} % 100, ` +
    `${u1} % 1000, ${u1} % 2000, ${u1} % 5000, ${u1}, (${u1} % 100) * 2 + 1, (${u1} % 100) * 2, ` +
    `${str(u1)}, ${str('i')}, CASE i % 4 WHEN 0 THEN 'AAAAxx' WHEN 1 THEN 'HHHHxx' WHEN 2 THEN 'OOOOxx' ` +
    `ELSE 'VVVVxx' END FROM generate_series(0, ${n - 1}) AS g(i)`
  );
}

function setupStatements(): string[] {
  const out: string[] = [];
  for (const s of splitScript(readFileSync(join(dir!, 'test_setup.sql'), 'utf8'))) {
    const copy = /^COPY\s+(\w+)\s+FROM/i.exec(s.sql);
    if (copy) {
      const t = copy[1].toLowerCase();
      if (t === 'onek') out.push(generatedRows('onek', 1000));
      else if (t === 'tenk1') out.push(generatedRows('tenk1', 10_000));
      continue;
    }
    out.push(s.sql);
  }
  return out;
}

/** One side of the comparison. */
interface Target {
  reset(): Promise<void>;
  run(sql: string): Promise<Answer>;
  close(): Promise<void>;
}

async function engineTarget(): Promise<Target> {
  await initParser();
  let db = await Database.create();
  return {
    async reset() {
      db = await Database.create();
    },
    async run(sql) {
      try {
        const r = await db.query(sql);
        return { ok: true, rows: r.rows, columns: r.columns.length };
      } catch (e) {
        const x = e as { code?: string; message?: string };
        return { ok: false, code: x.code ?? 'XX000', message: String(x.message), status: x.code ? 400 : 500 };
      }
    },
    async close() {},
  };
}

async function httpTarget(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orochi-pg-regress-'));
  const stack = await startStack({ dataDir, port, devApiKey: KEY });
  const call = async (sql: string): Promise<Answer> => {
    try {
      const res = await fetch(`${stack.url}/v1/databases/default/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json().catch(() => ({}))) as {
        rows?: unknown[][];
        columns?: unknown[];
        error?: { code: string; message: string };
      };
      if (res.status === 200) return { ok: true, rows: body.rows ?? [], columns: body.columns?.length ?? 0 };
      return {
        ok: false,
        code: body.error?.code ?? `http_${res.status}`,
        message: body.error?.message ?? '',
        status: res.status,
      };
    } catch (e) {
      return { ok: false, code: 'XX000', message: String(e) };
    }
  };
  return {
    async reset() {
      const r = await call(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      if (r.ok) for (const [name] of r.rows) await call(`DROP TABLE IF EXISTS "${String(name)}"`);
    },
    run: call,
    async close() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The local stack over the wire protocol: node-postgres through `orochi proxy`'s bridge to
 * `/v2`, one connection (one session) per file, so SET lasts from statement to statement as
 * it does in PostgreSQL.
 */
async function wireTarget(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orochi-pg-regress-'));
  const stack = await startStack({ dataDir, port, devApiKey: KEY });
  const proxy = await startProxy({ url: stack.url, database: 'default', port: 0, host: '127.0.0.1' });
  const asText = { getTypeParser: () => (x: string) => x };
  const connect = async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'bench',
      password: KEY,
      database: 'default',
      types: asText,
    });
    await c.connect();
    return c;
  };
  let client = await connect();
  const call = async (sql: string): Promise<Answer> => {
    try {
      const r = (await client.query({ text: sql, rowMode: 'array' })) as unknown as
        | pg.QueryResult
        | pg.QueryResult[];
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { ok: true, rows: (last?.rows ?? []) as unknown[][], columns: last?.fields?.length ?? 0 };
    } catch (e) {
      const x = e as { code?: string; message?: string };
      return { ok: false, code: x.code ?? 'XX000', message: String(x.message), status: x.code ? 400 : 500 };
    }
  };
  return {
    async reset() {
      await client.end().catch(() => {});
      client = await connect();
      const r = await call(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      if (r.ok) for (const [name] of r.rows) await call(`DROP TABLE IF EXISTS "${String(name)}"`);
    },
    run: call,
    async close() {
      await client.end().catch(() => {});
      await proxy.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function pgAnswer(pg: PGlite, sql: string): Promise<{ answer: Answer; oids: number[] }> {
  try {
    const results = await pg.exec(sql, { rowMode: 'array', parsers: textParsers });
    const last = results[results.length - 1];
    const oids = last?.fields.map((f) => f.dataTypeID) ?? [];
    return { answer: { ok: true, rows: (last?.rows ?? []) as unknown[][], columns: oids.length }, oids };
  } catch (e) {
    const x = e as { code?: string; message?: string };
    return { answer: { ok: false, code: x.code ?? 'XX000', message: String(x.message) }, oids: [] };
  }
}

/**
 * Verdicts, plus `explain`: an EXPLAIN both sides answered. Plans are not compared (the
 * engine prints its own plan shapes), so such a statement is neither agreement nor a
 * wrong answer; an EXPLAIN one side fails is judged as usual.
 */
type Tally = Verdict | 'explain';
/**
 * Arrays (PostgreSQL's text literal, the engine's JS arrays) to one canonical text per
 * element type, and bytes to PostgreSQL's hex output, on both sides before judging.
 */
function normalizeAnswer(a: Answer, oids: readonly number[]): Answer {
  if (!a.ok) return a;
  const cell = (v: unknown, oid: number): unknown => {
    if (v instanceof Uint8Array) return byteaHex(v);
    if (v !== null && isArrayOid(oid)) return canonArray(v, oid, canonValue) ?? v;
    return v;
  };
  return { ...a, rows: a.rows.map((r) => r.map((v, i) => cell(v, oids[i] ?? 25))) };
}

const VERDICTS: Tally[] = ['agree', 'unsupported', 'different', 'error-mismatch', 'server-error', 'explain'];

async function main() {
  await loadScanner();
  const ours =
    target === 'engine' ? await engineTarget() : target === 'wire' ? await wireTarget() : await httpTarget();
  const setup = setupStatements();
  const table: string[][] = [];
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Tally, number>;
  try {
    for (const file of files) {
      const statements = splitScript(readFileSync(join(dir!, `${file}.sql`), 'utf8'));
      const pg = new PGlite({ parsers: textParsers });
      await ours.reset();
      let setupFailed = 0;
      for (const s of setup) {
        const theirs = (await pgAnswer(pg, s)).answer;
        const mine = await ours.run(s);
        // A setup statement PostgreSQL takes and Orochi refuses leaves the file's tables unequal: say so.
        if (theirs.ok && !mine.ok) {
          setupFailed++;
          log.push(
            `${file}.sql setup failed: ${mine.code} ${mine.message}\n    ${s.replace(/\s+/g, ' ').slice(0, 200)}`,
          );
        }
      }
      if (setupFailed > 0)
        process.stderr.write(`${file}: ${setupFailed} setup statements failed (see the log)\n`);
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Tally, number>;
      const started = performance.now();
      for (const s of statements) {
        if (verbose)
          process.stderr.write(`${file}.sql:${s.line} ${s.sql.slice(0, 120).replace(/\s+/g, ' ')}\n`);
        const { answer, oids } = await pgAnswer(pg, s.sql);
        const mine = await ours.run(s.sql);
        const judged = judge(
          normalizeAnswer(answer, oids),
          normalizeAnswer(mine, oids),
          oids,
          isOrdered(s.sql),
          orderKeyColumns(s.sql),
        );
        const verdict: Tally = answer.ok && mine.ok && isExplain(s.sql) ? 'explain' : judged.verdict;
        const detail = judged.detail;
        counts[verdict]++;
        totals[verdict]++;
        if (verdict !== 'agree' && verdict !== 'explain')
          log.push(
            `${file}.sql:${s.line} ${verdict}: ${detail ?? ''}\n    ${s.sql.replace(/\s+/g, ' ').slice(0, 300)}`,
          );
      }
      await pg.close();
      const n = statements.length;
      table.push([
        file,
        String(n),
        ...VERDICTS.map((v) => String(counts[v])),
        `${((100 * counts.agree) / n).toFixed(1)}%`,
      ]);
      process.stderr.write(
        `${file}: ${n} statements, ${counts.agree} agree, ${counts.different} different, ${counts['server-error']} 5xx (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    }
  } finally {
    await ours.close();
    writeFileSync(logPath, `${log.join('\n')}\n`);
  }
  const all = VERDICTS.reduce((a, v) => a + totals[v], 0);
  const head = ['file', 'statements', ...VERDICTS, 'agree %'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
  for (const r of table) console.log(`| ${r.join(' | ')} |`);
  console.log(
    `| **total** | ${all} | ${VERDICTS.map((v) => totals[v]).join(' | ')} | ${((100 * totals.agree) / all).toFixed(1)}% |`,
  );
  console.log(
    `RESULT target=${target} statements=${all} ${VERDICTS.map((v) => `${v}=${totals[v]}`).join(' ')} (differences in ${logPath})`,
  );
}

await main();
