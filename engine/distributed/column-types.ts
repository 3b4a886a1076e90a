/**
 * @module engine/distributed/column-types
 * A data-plane column's declared type is the engine's type with its modifier
 * (`smallint`, `real`, `varchar(4)`, `timestamp(3)`, `date`…); what shards store is a
 * representation derived from it (`DistType`: i32, i64, f64, text, µs). SQL INSERT is
 * bound and evaluated by the engine itself (casts, modifiers); UPDATE and ON CONFLICT DO
 * UPDATE cast to the declared type in the shard's engine, then apply the modifier
 * (`enforceTypmod`); ingest and INSERT … SELECT go through the engine's input functions
 * and `typmodEnforcer`, so a smallint column refuses 100000 with 22003
 * and a real column keeps float4 values, whichever route the row took.
 *
 * Catalogs written before declared types existed store only the representation; such a
 * column reads as the engine type of the same name (`int32` → integer, `timestamptz` →
 * timestamp with time zone), which is what it always meant.
 */
import { isSqlError, SqlError, SqlState } from '../errors.ts';
import { castFn, parseText } from '../types/cast.ts';
import { type TypMod, typmodEnforcer } from '../types/typmod.ts';
import { columnTypeFromName, isNumericType, pgTypeName } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import type { DistColumn, DistType } from './table-schema.ts';

/** The stored representation of each engine type a data-plane column may have. */
const STORAGE: Partial<Record<ColumnType, DistType>> = {
  bool: 'bool',
  int16: 'int32',
  int32: 'int32',
  int64: 'int64',
  float32: 'float64',
  float64: 'float64',
  // Canonical decimal text (numeric(p,s) already rounded): exact, and what the engine holds.
  numeric: 'text',
  text: 'text',
  // char(n) keeps its padding; the engine reads it back as bpchar (the declared type).
  bpchar: 'text',
  date: 'int32',
  // µs since midnight (≤ 86 400 000 000): exact in a double.
  time: 'float64',
  timestamp: 'timestamptz',
  timestamptz: 'timestamptz',
};

const INT32 = 2 ** 31;

/**
 * Thrown by coercion with a user-facing reason; `code` and `pgMessage` when the engine
 * refused the value (its SQLSTATE and PostgreSQL's wording, without the column prefix).
 */
export class CoercionError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly pgMessage?: string,
  ) {
    super(message);
  }
}

/**
 * Coerces one incoming value to a column, as the engine assigns it (see `column-types`: the
 * type's input function, then the modifier). Values already of the representation's type
 * store as they are (what the engine would return for them), without the round trip through
 * text: a float into double precision, a string into text, a safe integer into integer or
 * bigint in range, a boolean, µs into a timestamp. Engine errors become CoercionErrors with
 * their SQLSTATE and PostgreSQL's wording.
 */
export function coerceToColumn(v: unknown, col: Pick<DistColumn, 'type' | 'sqlType' | 'typmod'>): unknown {
  if (v === null || v === undefined) return null;
  const t = col.type;
  if (!col.typmod && readsAsStored(col)) {
    if (typeof v === 'number') {
      if (t === 'float64') return v;
      const fits = t === 'int32' ? v >= -INT32 && v < INT32 : t === 'int64' || t === 'timestamptz';
      if (fits && Number.isSafeInteger(v)) return v;
    } else if ((typeof v === 'string' && t === 'text') || (typeof v === 'boolean' && t === 'bool')) return v;
  }
  if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol')
    throw new CoercionError(
      `invalid input syntax for type ${pgTypeName(declaredType(col))}: ${JSON.stringify(v)}`,
    );
  // A JSON number beyond ±2^53 has already lost digits: refuse it rather than store a neighbour.
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && t === 'int64')
    throw new CoercionError(`bigint ${v} is beyond ±2^53 as a number (inexact): send it as a string`);
  // The plane's convention for timestamps: an integer (or a string of digits) is µs since the epoch.
  if (t === 'timestamptz' && typeof v === 'string' && /^\s*-?\d+\s*$/.test(v))
    return coerceToColumn(Number(v), col);
  try {
    return assignToColumn(col, v);
  } catch (e) {
    if (isSqlError(e)) throw new CoercionError(e.message, e.code, e.message);
    throw e;
  }
}

/** The representation shards store a column of engine type `t` in (0A000 for types they cannot store). */
export function storageTypeOf(t: ColumnType): DistType {
  const s = STORAGE[t];
  if (!s)
    throw new SqlError(
      SqlState.featureNotSupported,
      `columns of type ${pgTypeName(t)} are not supported in data-plane tables`,
    );
  return s;
}

/** A column's declared engine type (the representation's own type for columns from older catalogs). */
export function declaredType(c: Pick<DistColumn, 'type' | 'sqlType'>): ColumnType {
  return c.sqlType ?? c.type;
}

/**
 * Whether the column's values mean what their representation's type means: the fast path's
 * own expressions (see `sql-expr`) may then read them. Others (smallint, real, timestamp,
 * date) are read by the engine only, with their declared type.
 */
export function readsAsStored(c: Pick<DistColumn, 'type' | 'sqlType'>): boolean {
  return c.sqlType === undefined || c.sqlType === c.type;
}

/** An engine value as the plane stores it (int8 within ±2^53 a number, else a bigint). */
export function storedValue(v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/**
 * A result value (JSON-ready: numeric as text, int8 beyond ±2^53 as text, NaN/Infinity as
 * text) of a source column typed `sourceType` (PostgreSQL's name, as results report it), cast
 * to the column's declared type the way PostgreSQL assigns between number types (2.5 into an
 * integer is 3; 1e39 into real is 22003). Other values are returned unchanged, for
 * `coerceToColumn` to read as text.
 */
export function castResultValue(
  v: unknown,
  sourceType: string,
  c: Pick<DistColumn, 'type' | 'sqlType'>,
): unknown {
  const from = columnTypeFromName(sourceType);
  const to = declaredType(c);
  if (v === null || from === undefined || from === to || !isNumericType(from) || !isNumericType(to)) return v;
  const value =
    from === 'numeric'
      ? String(v)
      : from === 'int64'
        ? BigInt(v as number | string)
        : typeof v === 'string'
          ? parseText(v, from)
          : v;
  const out = castFn(from, to)(value);
  return typeof out === 'bigint' ? String(out) : out;
}

/** `t` with every column read as its representation (declared types and modifiers dropped). */
export function storedView<T extends { readonly columns: readonly DistColumn[] }>(t: T): T {
  if (t.columns.every((c) => c.sqlType === undefined && !c.typmod)) return t;
  return { ...t, columns: t.columns.map(({ sqlType: _, typmod: __, ...c }) => c) };
}

const enforcers = new WeakMap<object, (v: unknown) => unknown>();

/** The column's modifier applied to a non-null engine value with assignment semantics (22001, 22003). */
export function enforceTypmod(c: Pick<DistColumn, 'typmod'>, v: unknown): unknown {
  if (!c.typmod || v === null || v === undefined) return v;
  let f = enforcers.get(c);
  if (!f) {
    f = typmodEnforcer(c.typmod, false);
    enforcers.set(c, f);
  }
  return f(v);
}

const assigners = new WeakMap<object, (v: unknown) => unknown>();

/**
 * The engine's assignment of a non-null incoming value to a column whose declared type is
 * not its representation's (or that has a modifier): the type's input function over the
 * value's text, as PostgreSQL reads JSON and CSV values (json_populate_record, COPY), then
 * the modifier with assignment semantics (22001 / 22003). Timestamps given as integers are
 * µs since the epoch (the plane's convention). Throws the engine's SqlError.
 */
export function assignToColumn(c: Pick<DistColumn, 'type' | 'sqlType' | 'typmod'>, v: unknown): unknown {
  let f = assigners.get(c);
  if (!f) {
    f = assigner(declaredType(c), c.typmod);
    assigners.set(c, f);
  }
  return f(v);
}

function assigner(type: ColumnType, typmod: TypMod | undefined): (v: unknown) => unknown {
  const mod = typmod ? typmodEnforcer(typmod, false) : (v: unknown) => v;
  const timeUs = type === 'timestamp' || type === 'timestamptz';
  return (v) => {
    const x = timeUs && typeof v === 'number' && Number.isInteger(v) ? v : parseText(String(v), type);
    return storedValue(mod(x));
  };
}
