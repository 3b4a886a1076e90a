/**
 * @module engine/columnar/zone-map
 * Per-column zone maps (min, max, null count, row count) and the checks the
 * planner/executor use to skip a chunk or column block without reading it.
 * Comparisons follow PostgreSQL: NaN equals NaN and sorts above every number;
 * text compares in C collation (Unicode code point order, i.e. UTF-8 byte order).
 */

import type { ByteReader, ByteWriter } from './byte-io.ts';

/** A value a zone map can hold or be compared with. */
export type ZoneValue = number | bigint | string;

/** Statistics of one column block. `min`/`max` cover non-null values (and exclude NaN). */
export interface ZoneMap {
  readonly rowCount: number;
  readonly nullCount: number;
  /** Undefined when all values are NULL (or NaN), or when the type keeps no bounds (numeric, bytea, interval, json, long text). */
  readonly min?: ZoneValue;
  readonly max?: ZoneValue;
  /** Float columns: some non-null value is NaN. */
  readonly hasNaN?: boolean;
}

/** Comparison operators a zone map can answer. */
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** Whether a three-way comparison result `c` (negative, 0, positive) satisfies `op`. */
export function compareHolds(c: number, op: CompareOp): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Code point order for UTF-16 strings (equals UTF-8 byte order, PostgreSQL's C collation). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF, so they must sort after E000–FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

function compareBigNumber(a: bigint, b: number): number {
  if (Number.isNaN(b) || b === Infinity) return -1;
  if (b === -Infinity) return 1;
  const f = Math.floor(b);
  const fb = BigInt(f);
  if (a < fb) return -1;
  if (a > fb) return 1;
  return f === b ? 0 : -1;
}

/** Total order used by zone maps; NaN is the greatest number. Mixed bigint/number compare exactly. */
export function compareZoneValues(a: ZoneValue, b: ZoneValue): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    return an === bn ? 0 : an ? 1 : -1;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'number') return compareBigNumber(a, b);
  if (typeof a === 'number' && typeof b === 'bigint') return -compareBigNumber(b, a);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Can some row satisfy `column op value`? False only when provably none can, so
 * a false answer lets the caller skip the block. A NULL `value` never matches.
 */
export function zoneMayMatch(zone: ZoneMap, op: CompareOp, value: ZoneValue | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (zone.nullCount >= zone.rowCount) return false;
  const min = zone.min ?? (zone.hasNaN ? Number.NaN : undefined);
  const max = zone.hasNaN ? Number.NaN : zone.max;
  if (min === undefined || max === undefined) return true;
  const cMin = compareZoneValues(min, value);
  const cMax = compareZoneValues(max, value);
  switch (op) {
    case '=':
      return cMin <= 0 && cMax >= 0;
    case '<':
      return cMin < 0;
    case '<=':
      return cMin <= 0;
    case '>':
      return cMax > 0;
    case '>=':
      return cMax >= 0;
    case '<>':
      return !(cMin === 0 && cMax === 0);
  }
}

/** Can some row fall in the range? Omit a bound for an open range. */
export function zoneMayMatchRange(
  zone: ZoneMap,
  lo: ZoneValue | undefined,
  hi: ZoneValue | undefined,
  loInclusive = true,
  hiInclusive = true,
): boolean {
  if (zone.nullCount >= zone.rowCount) return false;
  if (lo !== undefined && !zoneMayMatch(zone, loInclusive ? '>=' : '>', lo)) return false;
  if (hi !== undefined && !zoneMayMatch(zone, hiInclusive ? '<=' : '<', hi)) return false;
  return true;
}

/** Can some row equal one of `values` (SQL `IN (…)`)? */
export function zoneMayMatchIn(zone: ZoneMap, values: readonly (ZoneValue | null)[]): boolean {
  for (const v of values) if (zoneMayMatch(zone, '=', v)) return true;
  return false;
}

/** Can some row be NULL (`IS NULL`)? */
export function zoneMayBeNull(zone: ZoneMap): boolean {
  return zone.nullCount > 0;
}

/** Can some row be non-NULL (`IS NOT NULL`)? */
export function zoneMayBeNotNull(zone: ZoneMap): boolean {
  return zone.nullCount < zone.rowCount;
}

const TAG_NONE = 0;
const TAG_NUMBER = 1;
const TAG_BIGINT = 2;
const TAG_STRING = 3;
const FLAG_NAN = 0x80;

function tagOf(v: ZoneValue | undefined): number {
  if (v === undefined) return TAG_NONE;
  return typeof v === 'number' ? TAG_NUMBER : typeof v === 'bigint' ? TAG_BIGINT : TAG_STRING;
}

export function writeZoneMap(w: ByteWriter, z: ZoneMap): void {
  w.varuint(z.rowCount);
  w.varuint(z.nullCount);
  const tag = z.min === undefined || z.max === undefined ? TAG_NONE : tagOf(z.min);
  w.u8(tag | (z.hasNaN ? FLAG_NAN : 0));
  if (tag === TAG_NUMBER) {
    w.f64(z.min as number);
    w.f64(z.max as number);
  } else if (tag === TAG_BIGINT) {
    w.i64(z.min as bigint);
    w.i64(z.max as bigint);
  } else if (tag === TAG_STRING) {
    w.string(z.min as string);
    w.string(z.max as string);
  }
}

export function readZoneMap(r: ByteReader): ZoneMap {
  const rowCount = r.varuint();
  const nullCount = r.varuint();
  const t = r.u8();
  const hasNaN = (t & FLAG_NAN) !== 0 ? true : undefined;
  switch (t & 0x7f) {
    case TAG_NUMBER:
      return { rowCount, nullCount, min: r.f64(), max: r.f64(), hasNaN };
    case TAG_BIGINT:
      return { rowCount, nullCount, min: r.i64(), max: r.i64(), hasNaN };
    case TAG_STRING:
      return { rowCount, nullCount, min: r.string(), max: r.string(), hasNaN };
    default:
      return { rowCount, nullCount, hasNaN };
  }
}
