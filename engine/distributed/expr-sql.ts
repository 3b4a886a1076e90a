/**
 * @module engine/distributed/expr-sql
 * Renders the engine's bound expressions (engine/plan/nodes `Expr`) back to SQL
 * text, as PostgreSQL's ruleutils deparses a bound query tree for Citus's
 * workers: one generic renderer, every constant typed and every implicit
 * coercion spelled as an explicit cast, so a shard's engine binds the text to
 * the very same expression (same functions, same types). Whatever it cannot
 * spell (subqueries, outer references, per-statement values such as now())
 * renders as undefined: the caller keeps such expressions on the coordinator.
 * The caller proves each round trip by binding the rendered text over the
 * shard's table definition and comparing `bindingKey`s (see `sql-select`).
 */

import { fingerprint, mapExpr } from '../plan/expr-utils.ts';
import type { Expr } from '../plan/nodes.ts';
import { sqlTypeName } from '../sql/sql-names.ts';
import { formatText } from '../types/cast.ts';
import { intervalTypmodName } from '../types/interval-fields.ts';
import type { TypMod } from '../types/typmod.ts';
import type { SqlType } from '../types/values.ts';

/**
 * Calls whose value is one per statement (now() is the statement's start time, sequences
 * advance once per call): evaluated per shard they would differ between shards.
 */
export const PER_STATEMENT = new Set(['now', 'nextval', 'currval', 'setval', 'lastval']);

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

function typmodName(type: SqlType, m: TypMod): string {
  switch (m.kind) {
    case 'numeric':
      return `numeric(${m.precision},${m.scale})`;
    case 'varchar':
      return `varchar(${m.length})`;
    case 'bpchar':
      return `char(${m.length})`;
    case 'time':
      return `time(${m.precision})`;
    case 'name':
      return 'name';
    case 'interval':
      return intervalTypmodName(m.range, m.precision);
    case 'timestamp':
      return `${type === 'timestamptz' ? 'timestamptz' : 'timestamp'}(${m.precision})`;
  }
}

/** A constant as a typed SQL literal. */
function literal(value: unknown, type: SqlType): string {
  if (value === null || value === undefined)
    return type === 'unknown' ? 'NULL' : `NULL::${sqlTypeName(type)}`;
  if (type === 'unknown') return quote(String(value));
  return `${quote(formatText(value, type))}::${sqlTypeName(type)}`;
}

/**
 * SQL text of `e`, its columns spelled by `column(index)`; undefined when the expression
 * cannot be evaluated elsewhere than where it was bound.
 */
export function exprSql(e: Expr, column: (index: number) => string): string | undefined {
  const r = (x: Expr) => exprSql(x, column);
  const all = (xs: readonly Expr[]): string[] | undefined => {
    const out: string[] = [];
    for (const x of xs) {
      const s = r(x);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  };
  switch (e.kind) {
    case 'col':
      return column(e.index);
    case 'const':
      return literal(e.value, e.type);
    case 'param':
      return `$${e.index + 1}`;
    case 'and':
    case 'or': {
      const args = all(e.args);
      return args && `(${args.join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not': {
      const a = r(e.arg);
      return a && `(NOT ${a})`;
    }
    case 'isnull': {
      const a = r(e.arg);
      return a && `(${a} IS ${e.negate ? 'NOT ' : ''}NULL)`;
    }
    case 'istrue': {
      const a = r(e.arg);
      const v = e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE';
      return a && `(${a} IS ${e.negate ? 'NOT ' : ''}${v})`;
    }
    case 'distinctfrom': {
      const args = all([e.left, e.right]);
      return args && `(${args[0]} IS ${e.negate ? 'NOT ' : ''}DISTINCT FROM ${args[1]})`;
    }
    case 'case': {
      const parts: string[] = [];
      for (const w of e.whens) {
        const p = all([w.when, w.result]);
        if (!p) return undefined;
        parts.push(`WHEN ${p[0]} THEN ${p[1]}`);
      }
      const other = e.otherwise ? r(e.otherwise) : 'NULL';
      return other && `(CASE ${parts.join(' ')} ELSE ${other} END)`;
    }
    case 'coalesce':
    case 'minmax': {
      const args = all(e.args);
      const name = e.kind === 'coalesce' ? 'COALESCE' : e.op === 'greatest' ? 'GREATEST' : 'LEAST';
      return args && `${name}(${args.join(', ')})`;
    }
    case 'in': {
      const args = all([e.arg, ...e.list]);
      return args && `(${args[0]} ${e.negate ? 'NOT IN' : 'IN'} (${args.slice(1).join(', ')}))`;
    }
    case 'call':
      return callSql(e, all);
    default:
      return undefined; // subqueries and outer references
  }
}

function callSql(
  e: Extract<Expr, { kind: 'call' }>,
  all: (xs: readonly Expr[]) => string[] | undefined,
): string | undefined {
  if (PER_STATEMENT.has(e.name)) return undefined;
  const args = all(e.args);
  if (!args) return undefined;
  if (e.name.startsWith('::')) return `CAST(${args[0]} AS ${sqlTypeName(e.type)})`;
  if (e.name === 'typmod')
    return e.typmod?.explicit ? `CAST(${args[0]} AS ${typmodName(e.type, e.typmod.mod)})` : undefined;
  if (e.name === 'neg') return `(- ${args[0]})`;
  if (e.name === 'array') return `ARRAY[${args.join(', ')}]`;
  if (e.name === 'subscript') return `(${args[0]})[${args[1]}]`;
  if (/^[a-z_][a-z0-9_]*$/i.test(e.name)) return `${e.name}(${args.join(', ')})`;
  // An operator: infix with two operands, prefix with one.
  if (args.length === 2) return `(${args[0]} ${e.name} ${args[1]})`;
  return args.length === 1 ? `(${e.name} ${args[0]})` : undefined;
}

/** A fingerprint that ignores how columns were named (the shard names them by id). */
export function bindingKey(e: Expr): string {
  return fingerprint(mapExpr(e, (x) => (x.kind === 'col' ? { ...x, name: undefined } : undefined)));
}
