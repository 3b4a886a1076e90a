/**
 * @module engine/testing/random-queries/runner
 * Runs random queries in an oracle (PostgreSQL) and a target (the engine) and
 * judges each: same rows → pass; target raises 0A000 → unsupported; oracle
 * rejects the query at bind time (42xxx) → invalid (a generator bug, counted);
 * both raise the same SQLSTATE → pass; exactly one raises a data exception
 * (class 22, e.g. overflow) → error-order: PostgreSQL does not fix the order in
 * which quals, join inputs and set-operation sides are evaluated (docs §4.2.14),
 * so whether an overflowing value is ever computed is plan-dependent — counted
 * and listed, not failed (`strictErrors` fails them); different rows that
 * PostgreSQL itself returns under another join/aggregate strategy (float
 * rounding in summation order, ./plan-variants.ts) are counted there too;
 * anything else → fail,
 * shrunk to a minimal failing query and reported with its seed and index.
 *
 * With `dmlRate` > 0 a share of the steps are UPDATE/DELETE (see ./dml.ts):
 * both systems run it, then the affected-row counts and the whole table are
 * compared; a table that shrank below half its rows (or whose two copies
 * diverged) is reloaded in both. Steps are then no longer independent: replay
 * a failing step by running the same seed from index 0.
 *
 * Reproduce one query: the dataset depends only on the seed, and query i uses
 * its own PRNG derived from (seed, i), so `RQG_SEED=s` with the index suffices.
 */
import { Prng } from '../prng.ts';
import { type Cell, DEFAULT_REL_TOL, diffResults } from '../result-compare.ts';
import {
  clusterBy,
  createStatement,
  csvRows,
  ENGINE_SHAPE,
  generateTable,
  insertStatements,
  LiteralPools,
  loadStatements,
  type RqgTable,
  type TableShape,
} from './dataset.ts';
import { generateDml, type RqgDml } from './dml.ts';
import { floatSumTolerances } from './float-sum-bound.ts';
import { planGivingAnswer } from './plan-variants.ts';
import { generateQuery, isTotallyOrdered, type RqgQuery, renderQuery } from './query.ts';
import { shrinkQuery } from './shrink.ts';

/** A system that runs SQL and returns normalized rows; errors carry `code` (SQLSTATE). */
export interface QueryTarget {
  query(sql: string): Promise<{ readonly rows: readonly (readonly Cell[])[] }>;
  /** Runs a data-modifying statement; resolves to the number of rows it affected (needed for `dmlRate`). */
  modify?(sql: string): Promise<number>;
}

/** The judgement on one query. */
export type Verdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'unsupported'; readonly message: string }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'errorOrder'; readonly message: string }
  | { readonly kind: 'fail'; readonly message: string; readonly category: FailureCategory };

/**
 * What kind of disagreement a failure is: different rows or affected-row counts
 * (`answer`), an error on one side or different SQLSTATEs (`sqlstate`), or the
 * target answered HTTP 5xx (`server`, its `code` then starts with `HTTP5`).
 */
export type FailureCategory = 'answer' | 'sqlstate' | 'server';

/** A failing query with everything needed to reproduce it. */
export interface RqgFailure {
  readonly seed: number;
  readonly index: number;
  readonly sql: string;
  readonly minimal: string;
  readonly message: string;
  readonly category: FailureCategory;
}

/** Totals of a run. */
export interface RqgReport {
  readonly seed: number;
  readonly total: number;
  readonly passed: number;
  readonly unsupported: number;
  readonly invalid: number;
  /**
   * Plan-dependent outcomes: one side raised a class-22 data exception, the other did not, or
   * PostgreSQL gives the target's rows under another plan (see module doc).
   */
  readonly errorOrder: number;
  /** UPDATE/DELETE steps among `total`, and table reloads they caused. */
  readonly dml: number;
  readonly resets: number;
  readonly failures: readonly RqgFailure[];
  /** Unsupported/invalid messages with counts, most frequent first. */
  readonly notes: readonly string[];
}

/** The dataset of a seed: two tables and the statements that create them. */
export interface RqgDataset {
  readonly tables: readonly RqgTable[];
  readonly pools: LiteralPools;
  readonly statements: readonly string[];
  /** t1's rows as CSV when `statements` only create t1 (load it with COPY). */
  readonly t1Csv?: string;
  /** False when t1 is too large to join (queries then read t2 only in subqueries). */
  readonly joins?: boolean;
}

/**
 * Builds the dataset for `seed` (t1 with 40–80 rows, t2 with 20–50), with tables
 * named `names` and of `shape` (default: every engine type, NULLs anywhere).
 */
export function rqgDataset(
  seed: number,
  names: readonly [string, string] = ['t1', 't2'],
  shape: TableShape = ENGINE_SHAPE,
): RqgDataset {
  const rng = new Prng(seed);
  const pools = new LiteralPools(rng);
  const tables = [
    generateTable(names[0], rng.range(40, 80), rng, pools, 0.15, shape),
    generateTable(names[1], rng.range(20, 50), rng, pools, 0.15, shape),
  ];
  return { tables, pools, statements: tables.flatMap((t) => loadStatements(t)) };
}

/**
 * A dataset whose t1 has `rows` rows clustered by `k` — large enough to span
 * several engine chunks (65,536 rows each) so zone-map pruning and encoded-data
 * filters are exercised — and a small t2 for subqueries. No joins.
 */
export function rqgChunkDataset(seed: number, rows: number): RqgDataset {
  const rng = new Prng(seed);
  const pools = new LiteralPools(rng);
  const big = clusterBy(generateTable('t1', rows, rng, pools), 'k');
  const small = generateTable('t2', rng.range(20, 50), rng, pools);
  return {
    tables: [big, small],
    pools,
    statements: [createStatement(big), ...loadStatements(small)],
    t1Csv: csvRows(big),
    joins: false,
  };
}

/** The PRNG of query `index` under `seed`. */
export function queryRng(seed: number, index: number): Prng {
  return new Prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

function errorOf(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown; status?: unknown };
  if (typeof err.status === 'number' && err.status >= 500) {
    return { code: `HTTP${err.status}`, message: `${String(err.code ?? '')} ${String(err.message ?? e)}` };
  }
  return {
    code: typeof err.code === 'string' ? err.code : '?',
    message: String(err.message ?? e).split('\n')[0],
  };
}

/** Runs `q` in both systems and judges the outcome. */
export async function judge(
  oracle: QueryTarget,
  target: QueryTarget,
  q: RqgQuery,
  strictErrors = false,
): Promise<Verdict> {
  const sql = renderQuery(q);
  let expected: readonly (readonly Cell[])[] | undefined;
  let oracleError: { code: string; message: string } | undefined;
  try {
    expected = (await oracle.query(sql)).rows;
  } catch (e) {
    oracleError = errorOf(e);
    if (oracleError.code.startsWith('42'))
      return { kind: 'invalid', message: `${oracleError.code} ${oracleError.message}` };
  }
  let actual: readonly (readonly Cell[])[];
  try {
    actual = (await target.query(sql)).rows;
  } catch (e) {
    const te = errorOf(e);
    if (te.code === '0A000') return { kind: 'unsupported', message: te.message };
    if (oracleError && oracleError.code === te.code) return { kind: 'pass' };
    if (!oracleError && te.code.startsWith('22') && !strictErrors) {
      return { kind: 'errorOrder', message: `engine raised ${te.code} ${te.message}` };
    }
    return {
      kind: 'fail',
      category: te.code.startsWith('HTTP5') ? 'server' : 'sqlstate',
      message: `engine raised ${te.code} ${te.message}${oracleError ? `; PostgreSQL raised ${oracleError.code} ${oracleError.message}` : ''}`,
    };
  }
  if (oracleError) {
    if (oracleError.code.startsWith('22') && !strictErrors) {
      return { kind: 'errorOrder', message: `PostgreSQL raised ${oracleError.code} ${oracleError.message}` };
    }
    return {
      kind: 'fail',
      category: 'sqlstate',
      message: `PostgreSQL raised ${oracleError.code} ${oracleError.message}; engine returned ${actual.length} rows`,
    };
  }
  const ordered = isTotallyOrdered(q);
  const diff = diffResults(expected!, actual, ordered);
  if (diff === undefined) return { kind: 'pass' };
  // float8 sum/avg: an answer within the float summation error bound differs only in addition order.
  const tols = await floatSumTolerances(oracle, q);
  if (tols && diffResults(expected!, actual, ordered, DEFAULT_REL_TOL, tols) === undefined)
    return { kind: 'errorOrder', message: `float summation order: ${diff}` };
  const plan = await planGivingAnswer(oracle, sql, actual, ordered);
  if (plan) return { kind: 'errorOrder', message: `plan-dependent: PostgreSQL answers so with ${plan}` };
  return { kind: 'fail', category: 'answer', message: diff };
}

/** A DML step's verdict, and whether the two copies of its table may now differ. */
export interface DmlVerdict {
  readonly verdict: Verdict;
  readonly diverged: boolean;
}

/**
 * Runs an UPDATE/DELETE in both systems, then compares the affected-row counts
 * and the table's contents (as multisets). Errors are judged as for queries.
 */
export async function judgeDml(
  oracle: QueryTarget,
  target: QueryTarget,
  dml: RqgDml,
  strictErrors = false,
): Promise<DmlVerdict> {
  let expected: number | undefined;
  let oracleError: { code: string; message: string } | undefined;
  try {
    expected = await oracle.modify!(dml.sql);
  } catch (e) {
    oracleError = errorOf(e);
    if (oracleError.code.startsWith('42'))
      return {
        verdict: { kind: 'invalid', message: `${oracleError.code} ${oracleError.message}` },
        diverged: false,
      };
  }
  let actual: number | undefined;
  let te: { code: string; message: string } | undefined;
  try {
    actual = await target.modify!(dml.sql);
  } catch (e) {
    te = errorOf(e);
  }
  const diverged = (te === undefined) !== (oracleError === undefined);
  if (te?.code === '0A000') return { verdict: { kind: 'unsupported', message: te.message }, diverged };
  if (te && oracleError) {
    // Both refused the statement: it must have changed nothing on any shard (atomicity).
    if (te.code === oracleError.code) return compareTables(oracle, target, dml, 'after the failed statement');
    const message = `engine raised ${te.code} ${te.message}; PostgreSQL raised ${oracleError.code} ${oracleError.message}`;
    return { verdict: { kind: 'fail', category: 'sqlstate', message }, diverged: false };
  }
  const one = te ?? oracleError;
  if (one) {
    const who = te ? 'engine' : 'PostgreSQL';
    const message = `${who} raised ${one.code} ${one.message}`;
    if (one.code.startsWith('22') && !strictErrors)
      return { verdict: { kind: 'errorOrder', message }, diverged };
    const category = one.code.startsWith('HTTP5') ? 'server' : 'sqlstate';
    return { verdict: { kind: 'fail', category, message }, diverged };
  }
  if (actual !== expected) {
    const message = `affected rows: expected ${expected}, got ${actual}`;
    return { verdict: { kind: 'fail', category: 'answer', message }, diverged: true };
  }
  return compareTables(oracle, target, dml, 'after the statement');
}

/** Compares the DML statement's table in both systems (as multisets). */
async function compareTables(
  oracle: QueryTarget,
  target: QueryTarget,
  dml: RqgDml,
  when: string,
): Promise<DmlVerdict> {
  const contents = `SELECT * FROM ${dml.table.name}`;
  const want = await oracle.query(contents);
  let got: Awaited<ReturnType<QueryTarget['query']>>;
  try {
    got = await target.query(contents);
  } catch (e) {
    const err = errorOf(e);
    const message = `reading the table ${when}: engine raised ${err.code} ${err.message}`;
    return { verdict: { kind: 'fail', category: 'sqlstate', message }, diverged: true };
  }
  const diff = diffResults(want.rows, got.rows, false);
  if (diff === undefined) return { verdict: { kind: 'pass' }, diverged: false };
  return { verdict: { kind: 'fail', category: 'answer', message: `table ${when}: ${diff}` }, diverged: true };
}

/** Greedily shrinks a failing query while it keeps failing (at most `budget` re-runs). */
export async function minimize(
  oracle: QueryTarget,
  target: QueryTarget,
  q: RqgQuery,
  budget = 150,
  strictErrors = false,
): Promise<RqgQuery> {
  let current = q;
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (const candidate of shrinkQuery(current)) {
      if (--budget < 0) break;
      if ((await judge(oracle, target, candidate, strictErrors)).kind === 'fail') {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return current;
}

/** What {@link runRandomQueries} runs. */
export interface RqgRun {
  readonly seed: number;
  readonly count: number;
  readonly oracle: QueryTarget;
  readonly target: QueryTarget;
  /** Defaults to `rqgDataset(seed)`; pass it when the systems were loaded from it. */
  readonly dataset?: RqgDataset;
  /** First query index (default 0). */
  readonly first?: number;
  /** Fail one-sided class-22 errors instead of counting them as error-order. */
  readonly strictErrors?: boolean;
  /** Share of steps that are UPDATE/DELETE (default 0; both targets need `modify`). */
  readonly dmlRate?: number;
  /** Re-runs allowed to shrink a failing query (default 150; 0 when the oracle is a replay). */
  readonly shrinkBudget?: number;
  /**
   * Reload a table whose copies diverged after a failed DML step (default true).
   * Off for a replayed oracle, whose steps were recorded without divergence.
   */
  readonly resetOnDivergence?: boolean;
  /** Called after each step (progress output). */
  readonly onStep?: (index: number, verdict: Verdict, sql: string) => void;
}

/** The step at `index`: a query, or (with `dmlRate`) an UPDATE/DELETE. */
export function generateStep(
  seed: number,
  index: number,
  dataset: RqgDataset,
  dmlRate = 0,
): { readonly query: RqgQuery } | { readonly dml: RqgDml } {
  const rng = queryRng(seed, index);
  if (dmlRate > 0 && rng.chance(dmlRate)) return { dml: generateDml(rng, dataset.pools, dataset.tables) };
  return { query: generateQuery(rng, dataset.pools, dataset.tables, dataset.joins ?? true) };
}

/** Deletes every row of `table` and inserts the generated rows again (in `target`). */
async function reload(target: QueryTarget, table: RqgTable): Promise<void> {
  await target.modify!(`DELETE FROM ${table.name}`);
  for (const sql of insertStatements(table)) await target.modify!(sql);
}

/** Row count of `table` in `target`. */
async function rowCount(target: QueryTarget, table: RqgTable): Promise<number> {
  const r = await target.query(`SELECT count(*) FROM ${table.name}`);
  return Number(r.rows[0][0]);
}

/** Generates and judges `count` queries starting at index `first`. */
export async function runRandomQueries(run: RqgRun): Promise<RqgReport> {
  const { seed, count, oracle, target, first = 0, strictErrors = false, dmlRate = 0 } = run;
  const dataset = run.dataset ?? rqgDataset(seed);
  let passed = 0;
  let unsupported = 0;
  let invalid = 0;
  let errorOrder = 0;
  let dml = 0;
  let resets = 0;
  const failures: RqgFailure[] = [];
  const notes = new Map<string, number>();
  for (let index = first; index < first + count; index++) {
    const step = generateStep(seed, index, dataset, dmlRate);
    let v: Verdict;
    if ('dml' in step) {
      dml++;
      const d = await judgeDml(oracle, target, step.dml, strictErrors);
      v = d.verdict;
      const table = step.dml.table;
      const diverged = d.diverged && (run.resetOnDivergence ?? true);
      if (diverged || (await rowCount(oracle, table)) < table.rows.length / 2) {
        resets++;
        await reload(oracle, table);
        await reload(target, table);
      }
      run.onStep?.(index, v, step.dml.sql);
      if (v.kind === 'fail') {
        failures.push({
          seed,
          index,
          sql: step.dml.sql,
          minimal: step.dml.sql,
          message: v.message,
          category: v.category,
        });
        continue;
      }
    } else {
      v = await judge(oracle, target, step.query, strictErrors);
      run.onStep?.(index, v, renderQuery(step.query));
    }
    const q = 'query' in step ? step.query : undefined;
    if (v.kind === 'pass') passed++;
    else if (v.kind === 'unsupported' || v.kind === 'invalid' || v.kind === 'errorOrder') {
      if (v.kind === 'unsupported') unsupported++;
      else if (v.kind === 'invalid') invalid++;
      else errorOrder++;
      const key = `${v.kind}: ${v.message.slice(0, 120)}`;
      notes.set(key, (notes.get(key) ?? 0) + 1);
    } else if (q && v.kind === 'fail') {
      const budget = run.shrinkBudget ?? 150;
      const minimal = budget > 0 ? await minimize(oracle, target, q, budget, strictErrors) : q;
      const again = budget > 0 ? await judge(oracle, target, minimal, strictErrors) : v;
      const { message, category } = again.kind === 'fail' ? again : v;
      failures.push({ seed, index, sql: renderQuery(q), minimal: renderQuery(minimal), message, category });
    }
  }
  const sorted = [...notes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`);
  return {
    seed,
    total: count,
    passed,
    unsupported,
    invalid,
    errorOrder,
    dml,
    resets,
    failures,
    notes: sorted,
  };
}

/** A human-readable report (failures first, each with seed, index and minimal query). */
export function formatReport(r: RqgReport): string {
  const lines = [
    `random queries seed=${r.seed}: ${r.total} total (${r.dml} UPDATE/DELETE, ${r.resets} reloads), ${r.passed} pass, ${r.unsupported} unsupported (0A000), ${r.invalid} invalid, ${r.errorOrder} error-order, ${r.failures.length} FAIL`,
  ];
  for (const f of r.failures) {
    lines.push(
      `FAIL (${f.category}) seed=${f.seed} index=${f.index}: ${f.message}`,
      `  minimal: ${f.minimal}`,
      `  original: ${f.sql}`,
    );
  }
  lines.push(...r.notes.slice(0, 15).map((n) => `  ${n}`));
  return lines.join('\n');
}
