/**
 * @module engine/testing/random-queries/runner
 * Runs random queries in an oracle (PostgreSQL) and a target (the engine) and
 * judges each: same rows → pass; target raises 0A000 → unsupported; oracle
 * rejects the query at bind time (42xxx) → invalid (a generator bug, counted);
 * both raise the same SQLSTATE → pass; exactly one raises a data exception
 * (class 22, e.g. overflow) → error-order: PostgreSQL does not fix the order in
 * which quals, join inputs and set-operation sides are evaluated (docs §4.2.14),
 * so whether an overflowing value is ever computed is plan-dependent — counted
 * and listed, not failed (`strictErrors` fails them); anything else → fail,
 * shrunk to a minimal failing query and reported with its seed and index.
 *
 * Reproduce one query: the dataset depends only on the seed, and query i uses
 * its own PRNG derived from (seed, i), so `RQG_SEED=s` with the index suffices.
 */
import { Prng } from '../prng.ts';
import { type Cell, diffResults } from '../result-compare.ts';
import {
  clusterBy,
  createStatement,
  csvRows,
  generateTable,
  LiteralPools,
  loadStatements,
  type RqgTable,
} from './dataset.ts';
import { generateQuery, isTotallyOrdered, type RqgQuery, renderQuery } from './query.ts';
import { shrinkQuery } from './shrink.ts';

/** A system that runs SQL and returns normalized rows; errors carry `code` (SQLSTATE). */
export interface QueryTarget {
  query(sql: string): Promise<{ readonly rows: readonly (readonly Cell[])[] }>;
}

/** The judgement on one query. */
export type Verdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'unsupported'; readonly message: string }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'errorOrder'; readonly message: string }
  | { readonly kind: 'fail'; readonly message: string };

/** A failing query with everything needed to reproduce it. */
export interface RqgFailure {
  readonly seed: number;
  readonly index: number;
  readonly sql: string;
  readonly minimal: string;
  readonly message: string;
}

/** Totals of a run. */
export interface RqgReport {
  readonly seed: number;
  readonly total: number;
  readonly passed: number;
  readonly unsupported: number;
  readonly invalid: number;
  /** One side raised a class-22 data exception, the other did not (plan-dependent; see module doc). */
  readonly errorOrder: number;
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

/** Builds the dataset for `seed` (t1 with 40–80 rows, t2 with 20–50). */
export function rqgDataset(seed: number): RqgDataset {
  const rng = new Prng(seed);
  const pools = new LiteralPools(rng);
  const tables = [
    generateTable('t1', rng.range(40, 80), rng, pools),
    generateTable('t2', rng.range(20, 50), rng, pools),
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
  const err = e as { code?: unknown; message?: unknown };
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
      message: `engine raised ${te.code} ${te.message}${oracleError ? `; PostgreSQL raised ${oracleError.code} ${oracleError.message}` : ''}`,
    };
  }
  if (oracleError) {
    if (oracleError.code.startsWith('22') && !strictErrors) {
      return { kind: 'errorOrder', message: `PostgreSQL raised ${oracleError.code} ${oracleError.message}` };
    }
    return {
      kind: 'fail',
      message: `PostgreSQL raised ${oracleError.code} ${oracleError.message}; engine returned ${actual.length} rows`,
    };
  }
  const diff = diffResults(expected!, actual, isTotallyOrdered(q));
  return diff === undefined ? { kind: 'pass' } : { kind: 'fail', message: diff };
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
}

/** Generates and judges `count` queries starting at index `first`. */
export async function runRandomQueries(run: RqgRun): Promise<RqgReport> {
  const { seed, count, oracle, target, first = 0, strictErrors = false } = run;
  const dataset = run.dataset ?? rqgDataset(seed);
  let passed = 0;
  let unsupported = 0;
  let invalid = 0;
  let errorOrder = 0;
  const failures: RqgFailure[] = [];
  const notes = new Map<string, number>();
  for (let index = first; index < first + count; index++) {
    const q = generateQuery(queryRng(seed, index), dataset.pools, dataset.tables, dataset.joins ?? true);
    const v = await judge(oracle, target, q, strictErrors);
    if (v.kind === 'pass') passed++;
    else if (v.kind === 'unsupported' || v.kind === 'invalid' || v.kind === 'errorOrder') {
      if (v.kind === 'unsupported') unsupported++;
      else if (v.kind === 'invalid') invalid++;
      else errorOrder++;
      const key = `${v.kind}: ${v.message.slice(0, 120)}`;
      notes.set(key, (notes.get(key) ?? 0) + 1);
    } else {
      const minimal = await minimize(oracle, target, q, 150, strictErrors);
      const again = await judge(oracle, target, minimal, strictErrors);
      const message = again.kind === 'fail' ? again.message : v.message;
      failures.push({ seed, index, sql: renderQuery(q), minimal: renderQuery(minimal), message });
    }
  }
  const sorted = [...notes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`);
  return { seed, total: count, passed, unsupported, invalid, errorOrder, failures, notes: sorted };
}

/** A human-readable report (failures first, each with seed, index and minimal query). */
export function formatReport(r: RqgReport): string {
  const lines = [
    `random queries seed=${r.seed}: ${r.total} total, ${r.passed} pass, ${r.unsupported} unsupported (0A000), ${r.invalid} invalid, ${r.errorOrder} error-order, ${r.failures.length} FAIL`,
  ];
  for (const f of r.failures) {
    lines.push(
      `FAIL seed=${f.seed} index=${f.index}: ${f.message}`,
      `  minimal: ${f.minimal}`,
      `  original: ${f.sql}`,
    );
  }
  lines.push(...r.notes.slice(0, 15).map((n) => `  ${n}`));
  return lines.join('\n');
}
