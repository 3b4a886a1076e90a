/**
 * @module engine/distributed/fragment-expr
 * The small expression language of plan fragments: what a shard can evaluate
 * over rows indexed by column id. Fragments cross RPC as structured-clone data,
 * so every node is plain JSON-like data with a `k` discriminant.
 *
 * Semantics follow PostgreSQL: NULL propagates, AND/OR use three-valued logic,
 * integer division truncates, division by zero raises 22012.
 */
import { compareHolds } from '../columnar/zone-map.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { DistType, Row } from './table-schema.ts';

/** Comparison operators. */
export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A fragment expression node. */
export type FExpr =
  | { readonly k: 'col'; readonly id: number; readonly type: DistType }
  | { readonly k: 'const'; readonly v: unknown; readonly type: DistType | 'null' }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly l: FExpr; readonly r: FExpr }
  | { readonly k: 'and' | 'or'; readonly args: readonly FExpr[] }
  | { readonly k: 'not'; readonly arg: FExpr }
  | { readonly k: 'in'; readonly arg: FExpr; readonly list: readonly unknown[]; readonly negated: boolean }
  | { readonly k: 'isnull'; readonly arg: FExpr; readonly negated: boolean }
  | {
      readonly k: 'arith';
      readonly op: '+' | '-' | '*' | '/' | '%';
      readonly l: FExpr;
      readonly r: FExpr;
      readonly type: DistType;
    }
  | { readonly k: 'bucket'; readonly widthUs: number; readonly offsetUs: number; readonly arg: FExpr };

/** Result type of an expression ('bool' for predicates). */
export function exprType(e: FExpr): DistType | 'null' {
  switch (e.k) {
    case 'col':
    case 'const':
    case 'arith':
      return e.type;
    case 'bucket':
      return 'timestamptz';
    default:
      return 'bool';
  }
}

/** Total order used by comparisons and ORDER BY over non-null values (text in code-point order). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    // PostgreSQL sorts NaN above every number and equal to itself.
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  // int8 beyond ±2^53 is a bigint: JS compares bigint with number exactly.
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function arith(op: string, a: number, b: number, type: DistType): number {
  const isInt = type === 'int32' || type === 'int64';
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0 && (isInt || type === 'float64'))
        throw new SqlError(SqlState.divisionByZero, 'division by zero');
      r = isInt ? Math.trunc(a / b) : a / b;
      break;
    default:
      if (b === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
      r = a % b;
  }
  if (type === 'int32' && (r < -(2 ** 31) || r >= 2 ** 31))
    throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range');
  if (type === 'int64' && !Number.isSafeInteger(r))
    throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
  return r;
}

/** Evaluates `e` over `row`; predicates return true/false/null. Missing slots read as `defaults[id]` or NULL. */
export function evalExpr(e: FExpr, row: Row, defaults?: readonly unknown[]): unknown {
  switch (e.k) {
    case 'col': {
      const v = row[e.id];
      return v === undefined ? (defaults?.[e.id] ?? null) : v;
    }
    case 'const':
      return e.v;
    case 'cmp': {
      const l = evalExpr(e.l, row, defaults);
      const r = evalExpr(e.r, row, defaults);
      if (l === null || r === null) return null;
      return compareHolds(compareValues(l, r), e.op);
    }
    case 'and': {
      let sawNull = false;
      for (const a of e.args) {
        const v = evalExpr(a, row, defaults);
        if (v === false) return false;
        if (v === null) sawNull = true;
      }
      return sawNull ? null : true;
    }
    case 'or': {
      let sawNull = false;
      for (const a of e.args) {
        const v = evalExpr(a, row, defaults);
        if (v === true) return true;
        if (v === null) sawNull = true;
      }
      return sawNull ? null : false;
    }
    case 'not': {
      const v = evalExpr(e.arg, row, defaults);
      return v === null ? null : !v;
    }
    case 'in': {
      const v = evalExpr(e.arg, row, defaults);
      if (v === null) return null;
      let sawNull = false;
      for (const item of e.list) {
        if (item === null) sawNull = true;
        else if (compareValues(v, item) === 0) return !e.negated;
      }
      return sawNull ? null : e.negated;
    }
    case 'isnull': {
      const v = evalExpr(e.arg, row, defaults);
      return (v === null) !== e.negated;
    }
    case 'arith': {
      const l = evalExpr(e.l, row, defaults);
      const r = evalExpr(e.r, row, defaults);
      if (l === null || r === null) return null;
      return arith(e.op, l as number, r as number, e.type);
    }
    case 'bucket': {
      const v = evalExpr(e.arg, row, defaults);
      if (v === null) return null;
      const t = (v as number) - e.offsetUs;
      return t - (((t % e.widthUs) + e.widthUs) % e.widthUs) + e.offsetUs;
    }
  }
}

/** Column ids an expression reads. */
export function columnsOf(e: FExpr, out: Set<number> = new Set()): Set<number> {
  switch (e.k) {
    case 'col':
      out.add(e.id);
      break;
    case 'cmp':
    case 'arith':
      columnsOf(e.l, out);
      columnsOf(e.r, out);
      break;
    case 'and':
    case 'or':
      for (const a of e.args) columnsOf(a, out);
      break;
    case 'not':
    case 'in':
    case 'isnull':
    case 'bucket':
      columnsOf(e.arg, out);
      break;
  }
  return out;
}
