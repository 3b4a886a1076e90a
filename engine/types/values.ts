/**
 * @module engine/types/values
 * Value semantics per logical type: the JS value each type uses inside the
 * executor, ordering (C collation for text), type names, and implicit
 * promotion rules used by the binder.
 *
 * In-executor JS values: bool → boolean; int16/int32/float32/float64 → number;
 * int64 → bigint; numeric → canonical decimal string; text/uuid/json → string;
 * bpchar → string as stored (blank-padded to n); bytea → Uint8Array; date → days
 * (number); timestamp(tz) → µs (number); time → µs since midnight (number);
 * interval → Interval; NULL → null.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType, Interval } from '../vector.ts';
import { compareBpchar, stripPadding } from './bpchar.ts';
import { compareInterval, intervalKey } from './datetime.ts';
import { compareNumeric } from './numeric.ts';

/** A one-dimensional array of a column type, spelled `<element>[]` (e.g. `int32[]`). */
export type ArrayType = `${ColumnType}[]`;

/**
 * Binder-level type: a column type, an array type, or an untyped literal
 * ('unknown', e.g. a quoted string or NULL). Array values are JS arrays of
 * element values (null for NULL elements), always with lower bound 1.
 */
export type SqlType = ColumnType | ArrayType | 'unknown';

/** A type a value can have at run time (everything but 'unknown'). */
export type ValueType = Exclude<SqlType, 'unknown'>;

export const isArrayType = (t: SqlType): t is ArrayType => t.endsWith('[]');
/** The element type of an array type. */
export const elemType = (t: ArrayType): ColumnType => t.slice(0, -2) as ColumnType;
/** The array type over `t` ('unknown' elements become text, as PostgreSQL resolves them). */
export const arrayOf = (t: SqlType): ArrayType =>
  `${t === 'unknown' ? 'text' : isArrayType(t) ? elemType(t) : t}[]`;

const TYPE_NAMES: Record<string, ColumnType> = {
  bool: 'bool',
  boolean: 'bool',
  int2: 'int16',
  smallint: 'int16',
  int4: 'int32',
  int: 'int32',
  integer: 'int32',
  serial: 'int32',
  serial4: 'int32',
  int8: 'int64',
  bigint: 'int64',
  bigserial: 'int64',
  serial8: 'int64',
  float4: 'float32',
  real: 'float32',
  float8: 'float64',
  'double precision': 'float64',
  float: 'float64',
  numeric: 'numeric',
  decimal: 'numeric',
  text: 'text',
  varchar: 'text',
  bpchar: 'bpchar',
  char: 'bpchar',
  'character varying': 'text',
  character: 'bpchar',
  name: 'text',
  bytea: 'bytea',
  uuid: 'uuid',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
  time: 'time',
  json: 'json',
  jsonb: 'json',
};

/** Maps a PostgreSQL type name (last component of a qualified name) to a column type. */
export function columnTypeFromName(name: string): ColumnType | undefined {
  return TYPE_NAMES[name.toLowerCase()];
}

/** PostgreSQL's spelling of a type, for messages and EXPLAIN. */
export function pgTypeName(t: SqlType): string {
  if (isArrayType(t)) return `${pgTypeName(elemType(t))}[]`;
  const names: Record<ColumnType | 'unknown', string> = {
    bool: 'boolean',
    int16: 'smallint',
    int32: 'integer',
    int64: 'bigint',
    float32: 'real',
    float64: 'double precision',
    numeric: 'numeric',
    text: 'text',
    bpchar: 'character',
    bytea: 'bytea',
    uuid: 'uuid',
    date: 'date',
    timestamp: 'timestamp without time zone',
    timestamptz: 'timestamp with time zone',
    interval: 'interval',
    time: 'time without time zone',
    json: 'jsonb',
    unknown: 'unknown',
  };
  return names[t];
}

export const isIntegerType = (t: SqlType): boolean => t === 'int16' || t === 'int32' || t === 'int64';
export const isFloatType = (t: SqlType): boolean => t === 'float32' || t === 'float64';
export const isNumericType = (t: SqlType): boolean => isIntegerType(t) || isFloatType(t) || t === 'numeric';
export const isTimeType = (t: SqlType): boolean => t === 'timestamp' || t === 'timestamptz' || t === 'date';
export const isTextType = (t: SqlType): boolean =>
  t === 'text' || t === 'uuid' || t === 'json' || t === 'bpchar';

const NUMERIC_RANK: Partial<Record<SqlType, number>> = {
  int16: 1,
  int32: 2,
  int64: 3,
  numeric: 4,
  float32: 5,
  float64: 6,
};

/**
 * The common type two operands are promoted to (PostgreSQL's implicit casts),
 * or undefined when there is none. 'unknown' adopts the other side's type.
 */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a === b) return a;
  if (a === 'unknown') return b;
  if (b === 'unknown') return a;
  const ra = NUMERIC_RANK[a];
  const rb = NUMERIC_RANK[b];
  if (ra !== undefined && rb !== undefined) return ra >= rb ? a : b;
  if (isTimeType(a) && isTimeType(b)) {
    if (a === 'timestamptz' || b === 'timestamptz') return 'timestamptz';
    return 'timestamp';
  }
  if (isTextType(a) && isTextType(b)) return 'text';
  if (isArrayType(a) && isArrayType(b)) {
    const e = commonType(elemType(a), elemType(b));
    return e === undefined ? undefined : arrayOf(e);
  }
  return undefined;
}

/** Comparator for two non-null values of one type (C collation for text). */
export function comparatorFor(t: SqlType): (a: unknown, b: unknown) => number {
  if (isArrayType(t)) return arrayComparator(comparatorFor(elemType(t)));
  switch (t) {
    case 'numeric':
      // -Infinity < numbers < Infinity < NaN; NaN equals NaN.
      return (a, b) => compareNumeric(a as string, b as string);
    case 'interval':
      return (a, b) => compareInterval(a as Interval, b as Interval);
    case 'bytea':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'bpchar':
      return compareBpchar;
    case 'bool':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'float32':
    case 'float64':
      // PostgreSQL orders NaN above every other float and treats NaN = NaN.
      return (a, b) => {
        const x = a as number;
        const y = b as number;
        if (x < y) return -1;
        if (x > y) return 1;
        if (x === y) return 0;
        const xn = Number.isNaN(x);
        const yn = Number.isNaN(y);
        return xn === yn ? 0 : xn ? 1 : -1;
      };
    case 'text':
    case 'uuid':
    case 'json':
    case 'unknown':
      return compareText;
    default:
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  }
}

/** C collation: compares by Unicode code point (which equals UTF-8 byte order). */
export function compareText(a: unknown, b: unknown): number {
  const x = a as string;
  const y = b as string;
  if (x === y) return 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(i)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
    if (cx > 0xffff) i++;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

/**
 * PostgreSQL's array_cmp for one-dimensional arrays: element by element, a NULL
 * element sorts after any value and equals another NULL; when one array is a
 * prefix of the other the shorter sorts first. Also the array `=` (array_eq).
 */
function arrayComparator(cmp: (a: unknown, b: unknown) => number): (a: unknown, b: unknown) => number {
  return (a, b) => {
    const x = a as readonly unknown[];
    const y = b as readonly unknown[];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (p === null || q === null) {
        if (p === q) continue;
        return p === null ? 1 : -1;
      }
      const c = cmp(p, q);
      if (c !== 0) return c;
    }
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

/**
 * A Map-key for a non-null value such that equal SQL values get equal keys
 * (used by hash aggregation, hash join, DISTINCT and set operations).
 */
export function hashKeyFor(t: SqlType): (v: unknown) => unknown {
  if (isArrayType(t)) {
    const el = hashKeyFor(elemType(t));
    // Element keys as text, joined unambiguously by JSON (NULL elements stay null).
    return (v) => JSON.stringify((v as unknown[]).map((x) => (x === null ? null : String(el(x)))));
  }
  switch (t) {
    case 'numeric':
      return (v) => {
        // 1.50 and 1.5 are equal numerics: strip trailing fractional zeros.
        const s = v as string;
        const t = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
        return t === '-0' ? '0' : t;
      };
    case 'interval':
      return (v) => intervalKey(v as Interval);
    case 'bytea':
      return (v) => Array.from(v as Uint8Array).join(',');
    case 'bpchar':
      return (v) => stripPadding(v as string);
    case 'float32':
    case 'float64':
      return (v) => ((v as number) === 0 ? 0 : v); // -0 = 0
    default:
      return (v) => v;
  }
}

export function typeMismatch(msg: string, position?: number): SqlError {
  return new SqlError(SqlState.datatypeMismatch, msg, position);
}
