/**
 * @module workers/data-plane/show-from
 * show_* functions in FROM (`SELECT count(*) FROM show_chunks('t') WHERE
 * tier = 'cold'`): each call's rows are materialized from the shards, the
 * call is replaced by a relation of the same name (or its alias) holding
 * them, and the statement runs on an engine `Database` in the Worker — WHERE,
 * ORDER BY, LIMIT, aggregates, joins between show_* calls — the way the
 * general path runs statements over gathered rows (see `coordinator-select`).
 */

import { Database } from '../../engine/database.ts';
import { coordinatorRows } from '../../engine/distributed/coordinator-engine.ts';
import { referencedRelations, walkAst } from '../../engine/distributed/coordinator-plan.ts';
import { evaluateArgs } from '../../engine/distributed/management-args.ts';
import { callArgs, funcName, showCall } from '../../engine/distributed/sql-statements.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import { JsHotSource, type SegmentTable, SegmentTableStore } from '../../engine/storage/segment-store.ts';
import type { ColumnType } from '../../engine/vector.ts';
import { coordinatorResult } from './coordinator-result.ts';
import type { GeneralCall } from './coordinator-select.ts';
import { runShowFunction, type ShowRows } from './show-functions.ts';
import type { StatementResult } from './statement-result.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** An engine table holding one show_* call's rows (int64 values as bigint, as the executor keeps them). */
function showTable(name: string, r: ShowRows): SegmentTable {
  const columns = r.columns.map((c, id) => ({
    id,
    name: c.name,
    type: c.type as ColumnType,
    notNull: false,
    default: undefined,
  }));
  const cols = new Map<number, unknown[]>();
  r.columns.forEach((c, id) => {
    cols.set(
      id,
      r.rows.map((row) => (c.type === 'int64' && row[id] !== null ? BigInt(row[id] as number) : row[id])),
    );
  });
  const segments = r.rows.length === 0 ? [] : [{ source: new JsHotSource(r.rows.length, cols), hot: true }];
  return { def: { name, columns, primaryKey: [], checks: [] }, segments: () => segments };
}

/**
 * Runs a statement with show_* calls in FROM (whose text is `text`). Each call
 * becomes a relation named after the function (`show_chunks`, `show_chunks_2`
 * for a second one), aliased as written or by the function name, as PostgreSQL names it.
 */
export async function runShowQuery(call: GeneralCall, stmt: Node, text: string): Promise<StatementResult> {
  const { cluster, stats, params } = call;
  if (referencedRelations(stmt).size > 0)
    throw new SqlError(
      SqlState.featureNotSupported,
      'show_shards() and show_chunks() in FROM cannot be combined with tables in the same statement',
    );
  const rewritten = structuredClone(stmt);
  const calls: { name: string; fn: string; fc: Node }[] = [];
  walkAst(rewritten, (n) => {
    const rf = n.RangeFunction;
    const fc = rf && showCall(rf);
    if (!fc) return;
    if (rf.ordinality || rf.is_rowsfrom || rf.coldeflist)
      throw new SqlError(
        SqlState.featureNotSupported,
        `${funcName(fc)}() in FROM with WITH ORDINALITY, ROWS FROM or a column definition list`,
      );
    const fn = funcName(fc);
    const taken = calls.filter((c) => c.fn === fn).length;
    const name = taken === 0 ? fn : `${fn}_${taken + 1}`;
    calls.push({ name, fn, fc });
    delete n.RangeFunction;
    n.RangeVar = { relname: name, inh: true, relpersistence: 'p', alias: rf.alias ?? { aliasname: fn } };
  });
  const evaluated = await Promise.all(calls.map((c) => evaluateArgs(c.fn, callArgs(c.fc), text, params)));
  stats.lap('plan');
  const rows = await Promise.all(calls.map((c, i) => runShowFunction(cluster, c.fn, evaluated[i], stats)));
  stats.lap('shards');
  const db = await Database.create({
    store: new SegmentTableStore(calls.map((c, i) => showTable(c.name, rows[i]))),
  });
  const answer = coordinatorRows(db.runParsed(rewritten, text, params));
  stats.lap('merge');
  const result = coordinatorResult(answer);
  stats.lap('format');
  return result;
}
