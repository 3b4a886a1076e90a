/**
 * @module engine/distributed/coordinator-explain
 * EXPLAIN text of a distributed SELECT, in PostgreSQL's shape (one line per
 * row of a "QUERY PLAN" column) and Citus's vocabulary: the exchange (which
 * shards run a task and which were pruned), the fragment each shard runs with
 * the engine's own plan for it (see engine/plan/explain), the coordinator's
 * part, and with ANALYZE the rows and time of each shard.
 */

import type { Fragment } from './fragment.ts';
import { engineOver, engineTableDef } from './fragment-engine.ts';
import { fragmentSql } from './fragment-sql.ts';
import type { DistTable } from './table-schema.ts';

/** One shard's run of a fragment (EXPLAIN ANALYZE). */
export interface ShardRun {
  readonly shard: string;
  readonly rows: number;
  readonly ms: number;
}

/** One exchange: a fragment sent to some of a table's shards. */
export interface ExplainedExchange {
  readonly table: DistTable;
  readonly fragment: Fragment;
  readonly shards: readonly string[];
  /** What pruned the others (the distribution values), when any were. */
  readonly prunedBy?: readonly unknown[];
  readonly runs?: readonly ShardRun[];
}

/** Shows `c<id>` (the shards' column names) as the catalog's column names. */
function named(line: string, t: DistTable): string {
  return line.replace(/\bc(\d+)\b/g, (m, id) => {
    const c = t.columns.find((x) => x.id === Number(id));
    return c ? `"${c.name.replaceAll('"', '""')}"` : m;
  });
}

/** The engine's plan of `f` as a shard runs it. */
async function fragmentPlan(t: DistTable, f: Fragment): Promise<string[]> {
  const db = await engineOver([{ def: engineTableDef(t), segments: () => [] }]);
  const sql = fragmentSql(f);
  const r = await db.query(`EXPLAIN ${sql}`, [...(f.params ?? [])]);
  return [`Fragment: ${named(sql, t)}`, ...r.rows.map((x) => named(String(x[0]), t))];
}

const ms = (x: number) => `${x.toFixed(3)} ms`;

/** Lines of one exchange, indented by `depth`. */
export async function exchangeLines(x: ExplainedExchange, depth: number, label: string): Promise<string[]> {
  const pad = '  '.repeat(depth);
  const total = x.table.shardCount;
  const pruned = total - x.shards.length;
  const lines = [
    `${pad}${label}  (shards: ${x.shards.length} of ${total} scanned, ${pruned} pruned)`,
    `${pad}  Task Count: ${x.shards.length}`,
  ];
  if (x.prunedBy)
    lines.push(
      `${pad}  Pruned by: distribution column = ${x.prunedBy.map((v) => JSON.stringify(v)).join(', ')}`,
    );
  lines.push(`${pad}  Tasks Shown: One of ${x.shards.length}`, `${pad}  ->  Task`);
  for (const l of await fragmentPlan(x.table, x.fragment)) lines.push(`${pad}        ${l}`);
  for (const r of x.runs ?? []) lines.push(`${pad}  Shard ${r.shard}: rows=${r.rows} time=${ms(r.ms)}`);
  return lines;
}

/** EXPLAIN of a SELECT the fast path answers: shards run the fragment, the coordinator merges. */
export async function explainFastPath(
  x: ExplainedExchange,
  merge: { readonly orderBy: number; readonly limit?: number; readonly offset: number },
  analyze?: { readonly rows: number; readonly ms: number },
): Promise<string[]> {
  const steps = [
    x.fragment.mode === 'agg' ? 'combine partial aggregates' : 'concatenate rows',
    merge.orderBy > 0 ? 'sort' : '',
    merge.limit !== undefined || merge.offset > 0
      ? `limit ${merge.limit ?? 'ALL'} offset ${merge.offset}`
      : '',
  ].filter(Boolean);
  return [
    `Custom Scan (Orochi Distributed)${analyze ? `  (actual rows=${analyze.rows})` : ''}`,
    `  Merge on coordinator: ${steps.join(', ')}`,
    ...(await exchangeLines(x, 1, `->  Exchange on ${JSON.stringify(x.table.name)}`)),
    ...(analyze ? [`Execution Time: ${ms(analyze.ms)}`] : []),
  ];
}

/** EXPLAIN of a SELECT the coordinator runs over rows gathered from the shards. */
export async function explainGeneralPath(
  coordinatorPlan: readonly string[],
  exchanges: readonly ExplainedExchange[],
  analyze?: { readonly rows: number; readonly ms: number },
): Promise<string[]> {
  const lines = [
    `Custom Scan (Orochi Coordinator)${analyze ? `  (actual rows=${analyze.rows})` : ''}`,
    '  Coordinator plan (the statement on the coordinator engine over gathered rows):',
    ...coordinatorPlan.map((l) => `    ${l}`),
  ];
  for (const x of exchanges)
    lines.push(...(await exchangeLines(x, 1, `->  Gather from ${JSON.stringify(x.table.name)}`)));
  if (analyze) lines.push(`Execution Time: ${ms(analyze.ms)}`);
  return lines;
}
