/**
 * @module workers/data-plane/insert-select
 * `INSERT INTO t [(cols)] SELECT …`: the source query runs like any SELECT
 * (fast path or the coordinator's engine, so it may read distributed tables,
 * join, aggregate …); its rows are coerced to the target's columns, routed by
 * the target's distribution column and committed atomically with 2PC.
 *
 * Bounded: at most `GATHER_LIMITS.rows` rows, and each shard's share must fit
 * one prepared log record (`MAX_SHARD_PAYLOAD`); beyond that, 54000.
 */

import type { ShardOp } from '../../durable-objects/shard-ops.ts';
import { castResultValue } from '../../engine/distributed/column-types.ts';
import { GATHER_LIMITS } from '../../engine/distributed/coordinator-plan.ts';
import { onConflictOf } from '../../engine/distributed/on-conflict.ts';
import { planeJson } from '../../engine/distributed/row-json.ts';
import { type Command, tableRow } from '../../engine/distributed/sql-statements.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { parseSql } from '../../engine/sql/parser.ts';
import type { Cluster } from './cluster.ts';
import type { StatsCollector } from './query-stats.ts';
import type { StatementResult } from './statement-result.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** JSON bytes of one shard's rows in a prepared record (DO SQLite values are limited to 2 MB). */
export const MAX_SHARD_PAYLOAD = 1_500_000;

/** AST text without source positions (`location`, `stmt_len`, `rexpr_list_start` …). */
const withoutLocations = (n: Node): string =>
  JSON.stringify(n, (k, v) => (/location$|_len$|_start$|_end$/.test(k) ? undefined : v));

/**
 * The source query's text inside the INSERT's text: the first suffix starting at a
 * query keyword or parenthesis that parses to exactly `source` (the parser is the judge,
 * so quoting and comments cannot fool it).
 */
export function sourceText(insertText: string, source: Node): string {
  const want = withoutLocations(source);
  for (const m of insertText.matchAll(/\b(?:select|with|values|table)\b|\(/gi)) {
    const candidate = insertText.slice(m.index);
    let parsed: ReturnType<typeof parseSql>;
    try {
      parsed = parseSql(candidate);
    } catch {
      continue;
    }
    if (parsed.length === 1 && withoutLocations(parsed[0].stmt) === want) return candidate;
  }
  throw new SqlError(SqlState.syntaxError, 'could not find the source query of INSERT … SELECT');
}

/** What `insertSelect` needs from the call. */
export interface InsertSelectCall {
  readonly cluster: Cluster;
  readonly stats: StatsCollector;
  /** `$n` values (ON CONFLICT DO UPDATE may use them). */
  readonly params?: readonly unknown[];
}

/**
 * Runs INSERT … SELECT; `runQuery` runs the source (a statement node and its text), `write`
 * commits (or prepares, inside a call's transaction) the routed rows. Returns rows inserted.
 */
export async function insertSelect(
  call: InsertSelectCall,
  cmd: Extract<Command, { kind: 'insertSelect' }>,
  write: (t: DistTable, ops: ReadonlyMap<string, ShardOp>) => Promise<number>,
  text: string,
  runQuery: (stmt: Node, text: string) => Promise<StatementResult>,
): Promise<number> {
  const { cluster } = call;
  const t = await cluster.table(cmd.table);
  const names: string[] = cmd.stmt.cols
    ? (cmd.stmt.cols as Node[]).map((c) => c.ResTarget.name as string)
    : t.columns.map((c) => c.name);
  const source = cmd.stmt.selectStmt;
  const result = await runQuery(source, sourceText(text, source));
  const width = result.columns.length;
  if (width !== names.length) {
    throw new SqlError(
      SqlState.syntaxError,
      width > names.length
        ? 'INSERT has more expressions than target columns'
        : 'INSERT has more target columns than expressions',
    );
  }
  if (result.rows.length > GATHER_LIMITS.rows) {
    throw new SqlError(
      SqlState.programLimitExceeded,
      `INSERT … SELECT writes at most ${GATHER_LIMITS.rows} rows per statement; split it with a WHERE range`,
    );
  }
  // Number sources assign to number columns by the engine's casts (rounding, range); the rest read as text.
  const targets = names.map((n) => t.columns.find((c) => c.name === n));
  const rows = result.rows.map((r) => {
    const named: Record<string, unknown> = {};
    names.forEach((n, i) => {
      const col = targets[i];
      named[n] = col ? castResultValue(r[i], result.columns[i].type, col) : r[i];
    });
    return tableRow(t, named);
  });
  const onConflict = onConflictOf(cmd.stmt, t, call.params ?? []);
  const ops = new Map<string, ShardOp>();
  for (const [name, list] of cluster.routeRows(t, rows)) {
    if (planeJson(list).length > MAX_SHARD_PAYLOAD) {
      throw new SqlError(
        SqlState.programLimitExceeded,
        `INSERT … SELECT sends more than ${MAX_SHARD_PAYLOAD} bytes to one shard in one transaction; ` +
          'split it with a WHERE range (or use the bulk-ingest endpoint)',
      );
    }
    ops.set(name, { kind: 'insert', rows: list as Row[], target: 'hot', onConflict });
  }
  return write(t, ops);
}
