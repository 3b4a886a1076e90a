/**
 * @module engine/testing/random-queries/query
 * The random SELECT as a small immutable AST (so the shrinker can drop clauses),
 * its generator and its SQL rendering. Determinism rule: ORDER BY, when present,
 * lists every output column (by ordinal), so the expected row sequence is fixed up
 * to identical rows; LIMIT/OFFSET only appear under such an ORDER BY. Results
 * without it are compared as multisets.
 */
import type { Prng } from '../prng.ts';
import type { LiteralPools, RqgTable } from './dataset.ts';
import {
  aggregate,
  type Expr,
  literal,
  type Pred,
  pred,
  renderPred,
  type Scope,
  scalar,
  windowCall,
} from './expressions.ts';

/** One ORDER BY key: an output column ordinal (1-based) with direction and NULLS placement. */
export interface OrderKey {
  readonly ordinal: number;
  readonly desc: boolean;
  readonly nulls?: 'FIRST' | 'LAST';
}

/** A generated query. */
export interface RqgQuery {
  /** A WITH clause rendered before SELECT (the FROM clause may read its CTE). */
  readonly with?: string;
  readonly distinct: boolean;
  /** DISTINCT ON (1): only with an ORDER BY that starts with ordinal 1. */
  readonly distinctOn?: boolean;
  readonly items: readonly Expr[];
  readonly from: string;
  readonly where?: Pred;
  readonly groupBy?: readonly string[];
  readonly having?: Pred;
  readonly orderBy: readonly OrderKey[];
  readonly limit?: number;
  readonly offset?: number;
  /** A set operation with a second SELECT of the same column types, applied before ORDER BY. */
  readonly setOp?: { readonly op: string; readonly right: string };
}

/** True when ORDER BY fixes the order of all output columns (compare as sequences). */
export function isTotallyOrdered(q: RqgQuery): boolean {
  const seen = new Set(q.orderBy.map((k) => k.ordinal));
  return q.items.every((_, i) => seen.has(i + 1));
}

/** Renders the query as PostgreSQL SQL. */
export function renderQuery(q: RqgQuery): string {
  const distinct = q.distinctOn ? 'DISTINCT ON (1) ' : q.distinct ? 'DISTINCT ' : '';
  let sql = `${q.with ? `${q.with} ` : ''}SELECT ${distinct}${q.items.map((e, i) => `${e.sql} AS c${i + 1}`).join(', ')} FROM ${q.from}`;
  if (q.where) sql += ` WHERE ${renderPred(q.where)}`;
  if (q.groupBy?.length) sql += ` GROUP BY ${q.groupBy.join(', ')}`;
  if (q.having) sql += ` HAVING ${renderPred(q.having)}`;
  if (q.setOp) sql += ` ${q.setOp.op} ${q.setOp.right}`;
  if (q.orderBy.length) {
    const keys = q.orderBy.map(
      (k) => `${k.ordinal}${k.desc ? ' DESC' : ''}${k.nulls ? ` NULLS ${k.nulls}` : ''}`,
    );
    sql += ` ORDER BY ${keys.join(', ')}`;
  }
  if (q.limit !== undefined) sql += ` LIMIT ${q.limit}`;
  if (q.offset !== undefined) sql += ` OFFSET ${q.offset}`;
  return sql;
}

/** FROM: one table (plain, subquery in FROM, or a CTE), or a join of t1 and t2 of any kind. */
function fromClause(
  rng: Prng,
  pools: LiteralPools,
  tables: readonly RqgTable[],
  joins: boolean,
): { from: string; aliases: string[]; sub?: string; with?: string } {
  const [t1, t2] = tables;
  const roll = rng.int(joins ? 10 : 6);
  if (roll < 5) return { from: `${t1.name} a`, aliases: ['a'], sub: t2.name };
  if (roll < 6) {
    const where = renderPred(pred({ rng, pools, columns: columnsOf('x', t1) }, 1));
    const body = `SELECT * FROM ${t1.name} x WHERE ${where}`;
    return rng.chance(0.5)
      ? { from: `(${body}) a`, aliases: ['a'], sub: t2.name }
      : { with: `WITH w AS (${body})`, from: 'w a', aliases: ['a'], sub: t2.name };
  }
  if (roll < 7) return { from: `${t1.name} a CROSS JOIN ${t2.name} b`, aliases: ['a', 'b'] };
  const kind = rng.pick(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN']);
  const extra = kind !== 'FULL JOIN' && rng.chance(0.3) ? ' AND a.i < b.i' : '';
  return { from: `${t1.name} a ${kind} ${t2.name} b ON a.k = b.k${extra}`, aliases: ['a', 'b'] };
}

function orderBy(rng: Prng, width: number): OrderKey[] {
  const ordinals = rng.sample(
    Array.from({ length: width }, (_, i) => i + 1),
    width,
  );
  return ordinals.map((ordinal) => {
    const nulls = rng.pick([undefined, undefined, 'FIRST', 'LAST'] as const);
    return nulls ? { ordinal, desc: rng.chance(0.5), nulls } : { ordinal, desc: rng.chance(0.5) };
  });
}

function columnsOf(alias: string, table: RqgTable): Expr[] {
  return table.columns.map((c) => ({ sql: `${alias}.${c.name}`, type: c.type }));
}

/** A plain SELECT over t2 whose items have the given types, for the right side of a set operation. */
function setOperand(rng: Prng, pools: LiteralPools, table: RqgTable, items: readonly Expr[]): string {
  const scope: Scope = { rng, pools, columns: columnsOf('r', table) };
  const exprs = items.map((e) => scalar(scope, 1, e.type).sql);
  const where = rng.chance(0.6) ? ` WHERE ${renderPred(pred(scope, 1))}` : '';
  return `SELECT ${exprs.join(', ')} FROM ${table.name} r${where}`;
}

/**
 * Generates one random query over `tables` (two tables with the RQG column set;
 * the second is joined, or only read by subqueries when `joins` is false).
 */
export function generateQuery(
  rng: Prng,
  pools: LiteralPools,
  tables: readonly RqgTable[],
  joins = true,
): RqgQuery {
  const { from, aliases, sub, with: withClause } = fromClause(rng, pools, tables, joins);
  const columns: Expr[] = aliases.flatMap((a) => columnsOf(a, tables[0]));
  const scope: Scope = { rng, pools, columns, subqueryTable: sub };
  const where = rng.chance(0.75) ? pred(scope, 2) : undefined;
  let items: Expr[];
  let groupBy: string[] | undefined;
  let having: Pred | undefined;
  let distinct = false;
  const shape = rng.int(10);
  if (shape < 4) {
    const keys = Array.from({ length: rng.range(1, 2) }, () => scalar(scope, 1));
    groupBy = [...new Set(keys.map((k) => k.sql))];
    const aggs = Array.from({ length: rng.range(1, 3) }, () => aggregate(scope));
    items = [
      ...keys.filter((k, i) => keys.findIndex((x) => x.sql === k.sql) === i && rng.chance(0.8)),
      ...aggs,
    ];
    if (rng.chance(0.3)) {
      const agg = aggregate(scope);
      having = {
        kind: 'atom',
        sql: `${agg.sql} ${rng.pick(['>', '<', '>=', '<>'])} ${literal(scope, agg.type)}`,
      };
    }
  } else if (shape < 5) {
    items = Array.from({ length: rng.range(1, 3) }, () => aggregate(scope));
  } else {
    items = Array.from({ length: rng.range(1, 4) }, () => scalar(scope, 2));
    if (rng.chance(0.35)) items.push(windowCall(scope));
    distinct = rng.chance(0.3);
  }
  const setOp = rng.chance(0.12)
    ? {
        op: rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'INTERSECT ALL', 'EXCEPT ALL']),
        right: setOperand(rng, pools, tables[1], items),
      }
    : undefined;
  const ordered = rng.chance(0.6);
  let keys = ordered ? orderBy(rng, items.length) : [];
  const distinctOn = ordered && !groupBy && !setOp && !distinct && rng.chance(0.15);
  if (distinctOn) keys = [...keys.filter((k) => k.ordinal === 1), ...keys.filter((k) => k.ordinal !== 1)];
  const limit = ordered && rng.chance(0.4) ? rng.range(0, 10) : undefined;
  const offset = limit !== undefined && rng.chance(0.3) ? rng.range(0, 5) : undefined;
  return {
    with: withClause,
    distinct,
    distinctOn,
    items,
    from,
    where,
    groupBy,
    having,
    orderBy: keys,
    limit,
    offset,
    setOp,
  };
}
