/**
 * @module engine/testing/random-queries/expressions
 * Random typed SQL expressions over a scope of qualified columns: scalar
 * expressions (arithmetic, CASE, COALESCE, NULLIF, string and date functions),
 * predicates (comparisons, IS NULL, IN with NULLs, BETWEEN, LIKE/ILIKE, AND/OR/NOT,
 * IN-subquery, EXISTS) as a tree the shrinker can cut, and aggregates.
 * Every expression is valid PostgreSQL by construction; values may still raise
 * runtime errors (overflow), which the runner compares by SQLSTATE.
 */
import type { Prng } from '../prng.ts';
import type { LiteralPools, RqgType } from './dataset.ts';
import { functionOf } from './scalar-functions.ts';

/** A typed SQL expression. */
export interface Expr {
  readonly sql: string;
  readonly type: RqgType;
}

/** A predicate tree: atoms are opaque SQL; AND/OR/NOT nodes can be cut by the shrinker. */
export type Pred =
  | { readonly kind: 'atom'; readonly sql: string }
  | { readonly kind: 'not'; readonly arg: Pred }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Pred[] };

/** Renders a predicate with full parenthesization. */
export function renderPred(p: Pred): string {
  if (p.kind === 'atom') return p.sql;
  if (p.kind === 'not') return `NOT (${renderPred(p.arg)})`;
  return p.args.map((a) => `(${renderPred(a)})`).join(` ${p.kind.toUpperCase()} `);
}

/** What expressions can reference, and where literals come from. */
export interface Scope {
  readonly rng: Prng;
  readonly pools: LiteralPools;
  readonly columns: readonly Expr[];
  /** A table name usable in a subquery (aliased `sq`), or undefined for none. */
  readonly subqueryTable?: string;
}

const NUMERIC_TYPES: readonly RqgType[] = ['int', 'bigint', 'double', 'numeric'];
const ORDERABLE: readonly RqgType[] = ['int', 'bigint', 'double', 'numeric', 'text', 'timestamptz'];

function columnOf(s: Scope, types?: readonly RqgType[]): Expr {
  const cands = types ? s.columns.filter((c) => types.includes(c.type)) : s.columns;
  if (cands.length) return s.rng.pick(cands);
  // A table without a numeric column (the data plane's shape): cast another number to numeric.
  const nums = s.columns.filter((c) => NUMERIC_TYPES.includes(c.type));
  if (types?.includes('numeric') && nums.length)
    return { sql: `(${s.rng.pick(nums).sql})::numeric`, type: 'numeric' };
  return s.rng.pick(s.columns);
}

/** A pool literal `v` of `type`, cast where PostgreSQL would otherwise infer another type. */
export function typedLiteral(type: RqgType, v: string): string {
  if (type === 'timestamptz') return `${v}::timestamptz`;
  if (type === 'double' && v.startsWith("'")) return `${v}::float8`;
  return v;
}

/** A random literal of `type` from the seed's pools. */
export function literal(s: Scope, type: RqgType): string {
  return typedLiteral(type, s.pools.pick(type, s.rng));
}

/** A scalar (non-aggregate) expression, preferably of `type`. */
export function scalar(s: Scope, depth: number, type?: RqgType): Expr {
  const e = anyScalar(s, depth, type);
  // Some forms change type (length(text) → int); a caller that asked for a type gets the column instead.
  return type && e.type !== type ? columnOf(s, [type]) : e;
}

function anyScalar(s: Scope, depth: number, type?: RqgType): Expr {
  const { rng } = s;
  const base = columnOf(s, type ? [type] : undefined);
  if (depth <= 0 || rng.chance(0.55)) return base;
  const t = base.type;
  const c = base.sql;
  switch (rng.int(4)) {
    case 0:
      return { sql: `COALESCE(${c}, ${literal(s, t)})`, type: t };
    case 1:
      return { sql: `NULLIF(${c}, ${literal(s, t)})`, type: t };
    case 2:
      return {
        sql: `CASE WHEN ${renderPred(pred(s, depth - 1))} THEN ${c} ELSE ${scalar(s, depth - 1, t).sql} END`,
        type: t,
      };
    default:
      break;
  }
  if (s.subqueryTable && rng.chance(0.1)) {
    const k = columnOf(s, ['int']).sql;
    const f = rng.pick(['max', 'min', 'sum']);
    const typ: RqgType = f === 'sum' ? 'bigint' : 'int';
    return { sql: `(SELECT ${f}(sq.i) FROM ${s.subqueryTable} sq WHERE sq.k = ${k})`, type: typ };
  }
  if (rng.chance(0.45)) return functionOf(s, base);
  switch (t) {
    case 'int':
    case 'bigint':
      return rng.pick<Expr>([
        { sql: `(${c} + ${rng.range(-3, 3)})`, type: t },
        { sql: `(${c} * ${rng.range(-2, 3)})`, type: t },
        { sql: `(${c} % ${rng.pick([2, 3, -4])})`, type: t },
        { sql: `(${c} / ${rng.pick([2, -3, 5])})`, type: t },
        { sql: `abs(${c})`, type: t },
      ]);
    case 'double':
      return rng.pick<Expr>([
        { sql: `(${c} * 0.5)`, type: t },
        { sql: `(${c} + 1)`, type: t },
        { sql: `abs(${c})`, type: t },
      ]);
    case 'numeric':
      return rng.pick<Expr>([
        { sql: `(${c} + 1)`, type: t },
        { sql: `(${c} * 2)`, type: t },
        { sql: `round(${c}, 1)`, type: t },
      ]);
    case 'text':
      return rng.pick<Expr>([
        { sql: `lower(${c})`, type: t },
        { sql: `upper(${c})`, type: t },
        { sql: `(${c} || 'x')`, type: t },
        { sql: `substr(${c}, 1, 2)`, type: t },
        { sql: `length(${c})`, type: 'int' },
      ]);
    case 'timestamptz':
      return { sql: `date_trunc('${rng.pick(['day', 'month', 'hour'])}', ${c})`, type: t };
    case 'bool':
      return { sql: `(${c} IS NOT TRUE)`, type: t };
  }
}

const LIKE_PATTERNS = ['a%', '%b%', 'x_y', '_', '%', 'A%', '%\\%%', ''];

function atom(s: Scope, depth: number): string {
  const { rng } = s;
  const e = scalar(s, depth);
  const op = rng.pick(['=', '<>', '<', '<=', '>', '>=']);
  const roll = rng.int(12);
  if (e.type === 'bool' && roll < 3)
    return rng.chance(0.5) ? e.sql : `${e.sql} IS ${rng.pick(['TRUE', 'NOT FALSE'])}`;
  if (roll < 4) return `${e.sql} ${op} ${literal(s, e.type)}`;
  if (roll < 5) {
    const same = s.columns.filter(
      (c) => c.type === e.type || (NUMERIC_TYPES.includes(c.type) && NUMERIC_TYPES.includes(e.type)),
    );
    return `${e.sql} ${op} ${rng.pick(same).sql}`;
  }
  if (roll < 6) return `${e.sql} IS ${rng.chance(0.5) ? '' : 'NOT '}NULL`;
  if (roll < 7) {
    const items = Array.from({ length: rng.range(1, 4) }, () => literal(s, e.type));
    if (rng.chance(0.2)) items.push('NULL');
    return `${e.sql} ${rng.chance(0.3) ? 'NOT ' : ''}IN (${items.join(', ')})`;
  }
  if (roll < 8 && ORDERABLE.includes(e.type)) {
    return `${e.sql} ${rng.chance(0.2) ? 'NOT ' : ''}BETWEEN ${literal(s, e.type)} AND ${literal(s, e.type)}`;
  }
  if (roll < 10) {
    const t = columnOf(s, ['text']);
    if (t.type === 'text') {
      const like = rng.pick(['LIKE', 'NOT LIKE', 'ILIKE']);
      return `${t.sql} ${like} '${rng.pick(LIKE_PATTERNS)}'`;
    }
  }
  if (roll === 10 && s.subqueryTable) {
    const k = columnOf(s, ['int']);
    return `${k.sql} ${rng.chance(0.3) ? 'NOT ' : ''}IN (SELECT sq.k FROM ${s.subqueryTable} sq WHERE sq.i ${op} ${literal(s, 'int')})`;
  }
  if (roll === 11 && s.subqueryTable) {
    const k = columnOf(s, ['int']);
    return `${rng.chance(0.3) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${s.subqueryTable} sq WHERE sq.k = ${k.sql})`;
  }
  return `${e.sql} ${op} ${literal(s, e.type)}`;
}

/** A random predicate tree of bounded depth. */
export function pred(s: Scope, depth: number): Pred {
  const { rng } = s;
  if (depth <= 0 || rng.chance(0.45)) return { kind: 'atom', sql: atom(s, depth) };
  const roll = rng.int(5);
  if (roll === 0) return { kind: 'not', arg: pred(s, depth - 1) };
  const args = Array.from({ length: rng.range(2, 3) }, () => pred(s, depth - 1));
  return { kind: roll < 3 ? 'and' : 'or', args };
}

/** An aggregate call with its PostgreSQL result type family. */
export function aggregate(s: Scope): Expr {
  const { rng } = s;
  const roll = rng.int(10);
  if (roll === 0) return { sql: 'count(*)', type: 'bigint' };
  if (roll === 1) return { sql: `count(${columnOf(s).sql})`, type: 'bigint' };
  if (roll === 2) return { sql: `count(DISTINCT ${columnOf(s).sql})`, type: 'bigint' };
  if (roll < 5) {
    const c = columnOf(s, NUMERIC_TYPES);
    const f = rng.pick(['sum', 'avg']);
    return { sql: `${f}(${c.sql})`, type: c.type === 'double' ? 'double' : 'numeric' };
  }
  if (roll < 8) {
    const c = scalar(s, 1, rng.pick(ORDERABLE));
    return { sql: `${rng.pick(['min', 'max'])}(${c.sql})`, type: c.type };
  }
  if (roll === 8) {
    if (rng.chance(0.5)) {
      const t = columnOf(s, ['text']).sql;
      return { sql: `string_agg(${t}, ',' ORDER BY ${t})`, type: 'text' };
    }
    return { sql: `${rng.pick(['bool_and', 'bool_or'])}(${columnOf(s, ['bool']).sql})`, type: 'bool' };
  }
  const c = columnOf(s, ['int', 'double']);
  return {
    sql: `${rng.pick(['stddev', 'variance'])}(${c.sql})`,
    type: c.type === 'int' ? 'numeric' : 'double',
  };
}

const FRAMES_BY_PEERS = [
  '',
  ' RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW',
  ' RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING',
  ' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING',
  ' GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW',
];
/** RANGE frames with offsets of the key's in_range type (none for text). */
function rangeOffsetFrames(t: RqgType): string[] {
  const off =
    t === 'int' || t === 'bigint'
      ? ['3', '0']
      : t === 'double'
        ? ['0.5', "'Infinity'"]
        : t === 'numeric'
          ? ['1.5', '0']
          : t === 'timestamptz'
            ? ["interval '1 hour'", "'1 day'"]
            : [];
  if (off.length === 0) return [];
  return [
    ` RANGE BETWEEN ${off[0]} PRECEDING AND ${off[1]} FOLLOWING`,
    ` RANGE BETWEEN CURRENT ROW AND ${off[0]} FOLLOWING`,
    ` RANGE BETWEEN ${off[1]} PRECEDING AND CURRENT ROW EXCLUDE GROUP`,
  ];
}
const FRAMES_BY_ROWS = [
  ' ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING',
  ' ROWS BETWEEN 2 PRECEDING AND CURRENT ROW',
  ' ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING',
  ' ROWS UNBOUNDED PRECEDING',
  ' ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING',
  ' ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW',
];

/** sum's result type family for an argument type. */
function sumType(t: RqgType): RqgType {
  return t === 'int' ? 'bigint' : t === 'bigint' ? 'numeric' : t;
}

/**
 * A window function call over the scope. Determinism: a frame or function that
 * depends on the order among peers (ROWS frames, row_number, lag/lead,
 * first/last_value, ntile) orders by every column in scope after its key,
 * so only rows identical in every column can swap — and they yield the same
 * values; peer-based forms (rank, RANGE/GROUPS frames) order by the key alone.
 */
export function windowCall(s: Scope): Expr {
  const { rng } = s;
  const part = rng.chance(0.7) ? `PARTITION BY ${columnOf(s).sql}` : '';
  const key = columnOf(s, ORDERABLE);
  const dir = `${rng.chance(0.5) ? ' DESC' : ''}${rng.pick(['', '', ' NULLS FIRST', ' NULLS LAST'])}`;
  const num = () => columnOf(s, NUMERIC_TYPES);
  const mode = rng.int(3);
  if (mode === 0) {
    const over = `OVER (${part})`;
    const c = num();
    return rng.pick<Expr>([
      { sql: `count(*) ${over}`, type: 'bigint' },
      { sql: `sum(${c.sql}) ${over}`, type: sumType(c.type) },
      { sql: `max(${key.sql}) ${over}`, type: key.type },
      { sql: `count(${key.sql}) ${over}`, type: 'bigint' },
    ]);
  }
  if (mode === 1) {
    const order = `${part}${part ? ' ' : ''}ORDER BY ${key.sql}${dir}`;
    const frame = rng.pick([...FRAMES_BY_PEERS, ...rangeOffsetFrames(key.type)]);
    const c = num();
    return rng.pick<Expr>([
      { sql: `rank() OVER (${order})`, type: 'bigint' },
      { sql: `dense_rank() OVER (${order})`, type: 'bigint' },
      { sql: `percent_rank() OVER (${order})`, type: 'double' },
      { sql: `cume_dist() OVER (${order})`, type: 'double' },
      { sql: `count(*) OVER (${order}${frame})`, type: 'bigint' },
      { sql: `sum(${c.sql}) OVER (${order}${frame})`, type: sumType(c.type) },
      { sql: `${rng.pick(['min', 'max'])}(${key.sql}) OVER (${order}${frame})`, type: key.type },
    ]);
  }
  const rest = s.columns.filter((c) => c.sql !== key.sql).map((c) => c.sql);
  const order = `${part}${part ? ' ' : ''}ORDER BY ${key.sql}${dir}, ${rest.join(', ')}`;
  const frame = rng.pick(FRAMES_BY_ROWS);
  const c = columnOf(s);
  const n = num();
  return rng.pick<Expr>([
    { sql: `row_number() OVER (${order})`, type: 'bigint' },
    { sql: `ntile(3) OVER (${order})`, type: 'int' },
    { sql: `lag(${c.sql}) OVER (${order})`, type: c.type },
    { sql: `lead(${c.sql}, 2) OVER (${order})`, type: c.type },
    { sql: `lag(${key.sql}, 1, ${literal(s, key.type)}) OVER (${order})`, type: key.type },
    { sql: `first_value(${c.sql}) OVER (${order}${frame})`, type: c.type },
    { sql: `last_value(${c.sql}) OVER (${order}${frame})`, type: c.type },
    { sql: `sum(${n.sql}) OVER (${order}${frame})`, type: sumType(n.type) },
    { sql: `count(${c.sql}) OVER (${order}${frame})`, type: 'bigint' },
    { sql: `avg(${n.sql}) OVER (${order}${frame})`, type: n.type === 'double' ? 'double' : 'numeric' },
  ]);
}
