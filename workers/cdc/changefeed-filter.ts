/**
 * @module workers/cdc/changefeed-filter
 * A changefeed's `filter` (a SQL boolean expression over one row) and
 * `columns` (the row columns its events carry). The filter is evaluated by
 * the engine, through the same evaluator the shards run UPDATE / DELETE
 * predicates with (`evaluateDml`), so it means what it means in a WHERE
 * clause: three-valued, typed as PostgreSQL types it, with the engine's
 * functions and errors. It sees the changed row only: a subquery names a
 * table the evaluator does not hold and fails when the changefeed is created.
 *
 * Which image is tested: an insert's new row, a delete's old row, and for an
 * update either one, so a consumer keeping a filtered copy also learns of
 * rows that leave the filter.
 */
import { ensureDmlEngine } from '../../durable-objects/shard-engine.ts';
import type { DmlSql } from '../../engine/distributed/dml-sql.ts';
import { ROW_POSITION } from '../../engine/distributed/dml-sql.ts';
import { evaluateDml } from '../../engine/distributed/fragment-engine.ts';
import { quoteIdent } from '../../engine/distributed/fragment-sql.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { isSqlError } from '../../engine/errors.ts';
import { parseSql } from '../../engine/sql/parser.ts';
import { ApiError } from '../errors.ts';

/** The filter could not decide on a row: the changefeed pauses with this reason. */
export class FilterFailed extends Error {}

/** Longest filter text accepted. */
export const MAX_FILTER_LENGTH = 4096;

const bad = (message: string) => new ApiError(400, '22023', message);

/**
 * Checks a filter's shape: one SQL expression, nothing around it. The text is
 * later spliced into `… WHERE (filter)`, so a text that closes the parenthesis
 * and adds clauses (`true) UNION SELECT …`) must be refused here: the parser
 * is the judge, `SELECT (filter)` must parse to one SELECT with one target and
 * no other clause.
 */
export async function checkFilterText(filter: unknown): Promise<string> {
  if (typeof filter !== 'string' || filter.trim() === '' || filter.length > MAX_FILTER_LENGTH)
    throw bad(`"filter" must be a SQL boolean expression of 1 to ${MAX_FILTER_LENGTH} characters`);
  if (filter.includes('\0')) throw bad('"filter" must not contain NUL characters');
  await ensureDmlEngine();
  let parsed: ReturnType<typeof parseSql>;
  try {
    parsed = parseSql(`SELECT (${filter})`);
  } catch (e) {
    if (!isSqlError(e)) throw e;
    throw new ApiError(400, e.code, `"filter": ${e.message}`);
  }
  const select = parsed.length === 1 ? parsed[0].stmt.SelectStmt : undefined;
  const clauses = select
    ? Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k))
    : [];
  if (select?.targetList?.length !== 1 || select.op !== 'SETOP_NONE' || clauses.length > 0)
    throw bad('"filter" must be one SQL expression over the row\'s columns');
  return filter;
}

/** The evaluator's query: the positions of `def`'s rows that pass `filter`. */
function filterSql(def: DistTable, filter: string): DmlSql {
  return {
    text: `SELECT ${quoteIdent(ROW_POSITION)} FROM ${quoteIdent(def.name)} WHERE (${filter})`,
    params: [],
    table: def,
  };
}

/**
 * Binds `filter` against `def` (no rows): unknown columns, wrong types and subqueries fail now,
 * as a 400 with the engine's SQLSTATE (the request body is what is wrong, not a missing object).
 */
export async function checkFilterAgainst(def: DistTable, filter: string): Promise<void> {
  await ensureDmlEngine();
  try {
    evaluateDml(filterSql(def, filter), []);
  } catch (e) {
    if (!isSqlError(e)) throw e;
    throw new ApiError(400, e.code, `"filter" on table "${def.name}": ${e.message}`);
  }
}

/** Per row of `rows`, whether it passes `filter` (NULL does not). */
export async function filterMatches(
  def: DistTable,
  filter: string,
  rows: readonly Row[],
): Promise<boolean[]> {
  const out = new Array<boolean>(rows.length).fill(false);
  if (rows.length === 0) return out;
  await ensureDmlEngine();
  for (const p of evaluateDml(filterSql(def, filter), rows).positions) out[p] = true;
  return out;
}

/** Every name of `columns` is a column of `def`, or 400 / 42703 naming the first that is not. */
export function checkColumnsOf(def: DistTable, columns: readonly string[]): void {
  for (const name of columns)
    if (!def.columns.some((c) => c.name === name))
      throw new ApiError(400, '42703', `column "${name}" of relation "${def.name}" does not exist`);
}

/** `row` cut to `columns`, in their order (the whole row when no list is set). */
export function projectRow(
  row: Record<string, unknown> | null,
  columns: readonly string[] | undefined,
): Record<string, unknown> | null {
  if (!row || !columns) return row;
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}
