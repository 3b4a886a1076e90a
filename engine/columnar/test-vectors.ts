/**
 * @module engine/columnar/test-vectors
 * Test helpers: build executor vectors from JS values (null = NULL) and read
 * them back, plus fast-check arbitraries per column type. Used only by tests.
 */

import fc from 'fast-check';
import type { ColumnType, FlatVector, Interval, Vector } from '../vector.ts';
import { TYPE_IDS } from './chunk-format.ts';

export type JsValue = boolean | number | bigint | string | Uint8Array | Interval | null;

/** A FlatVector of `type` holding `values` (null = NULL; the slot gets garbage to prove it is ignored). */
export function vectorOf(type: ColumnType, values: readonly JsValue[]): FlatVector {
  const n = values.length;
  const nulls = new Uint8Array((n + 7) >> 3);
  let anyNull = false;
  values.forEach((v, i) => {
    if (v === null) {
      nulls[i >> 3] |= 1 << (i & 7);
      anyNull = true;
    }
  });
  let out: FlatVector['values'];
  switch (type) {
    case 'bool':
      out = Uint8Array.from(values, (v) => (v === null ? 7 : v ? 1 : 0));
      break;
    case 'int16':
    case 'int32':
    case 'date':
      out = Int32Array.from(values, (v) => (v === null ? 12345 : (v as number)));
      break;
    case 'int64':
      out = BigInt64Array.from(values, (v) => (v === null ? -99n : (v as bigint)));
      break;
    case 'float32':
    case 'float64':
    case 'timestamp':
    case 'timestamptz':
    case 'time':
      out = Float64Array.from(values, (v) => (v === null ? Number.NaN : (v as number)));
      break;
    case 'bytea':
      out = values.map((v) => (v === null ? new Uint8Array([9]) : (v as Uint8Array)));
      break;
    case 'interval':
      out = values.map((v) => (v === null ? { months: 1, days: 2, micros: 3 } : (v as Interval)));
      break;
    default:
      out = values.map((v) => (v === null ? 'garbage' : (v as string)));
  }
  return anyNull
    ? { kind: 'flat', type, length: n, values: out, nulls }
    : { kind: 'flat', type, length: n, values: out };
}

function isNull(nulls: Uint8Array | undefined, i: number): boolean {
  return nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0;
}

/** Reads a vector back into JS values (null = NULL), materializing dictionaries and constants. */
export function valuesOf(v: Vector): JsValue[] {
  const out: JsValue[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v.kind === 'const') {
      out.push(v.value as JsValue);
      continue;
    }
    if (isNull(v.nulls, i)) {
      out.push(null);
      continue;
    }
    const src = v.kind === 'dict' ? v.dict.values : v.values;
    const at = v.kind === 'dict' ? v.codes[i] : i;
    const x = (src as ArrayLike<unknown>)[at];
    out.push(v.type === 'bool' ? x === 1 : (x as JsValue));
  }
  return out;
}

const f64 = new Float64Array(1);
const f64bits = new Uint32Array(f64.buffer);

/** Bit-exact equality for numbers (NaN payloads, -0), structural for the rest. */
export function sameValue(a: JsValue, b: JsValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    f64[0] = a;
    const a0 = f64bits[0];
    const a1 = f64bits[1];
    f64[0] = b;
    return a0 === f64bits[0] && a1 === f64bits[1];
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const x = a as Interval;
    const y = b as Interval;
    return x.months === y.months && x.days === y.days && x.micros === y.micros;
  }
  return a === b;
}

/** Index of the first difference, or -1. */
export function firstDifference(a: readonly JsValue[], b: readonly JsValue[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return i;
  return -1;
}

const safeInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const timestamp = fc.oneof(
  safeInt,
  fc.integer({ min: 1.5e15, max: 1.8e15 }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 1e6, max: Number.MAX_SAFE_INTEGER }),
);

/** Arbitrary single (non-null) values of a type. */
export function valueArb(type: ColumnType): fc.Arbitrary<JsValue> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int32':
    case 'date':
      return fc.oneof(
        fc.integer(),
        fc.constantFrom(-2147483648, 2147483647, 0),
        fc.integer({ min: -100, max: 100 }),
      );
    case 'int64':
      return fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n),
        fc.bigInt({ min: -1000n, max: 1000n }),
      );
    case 'float32':
      return fc.float().map((x) => x);
    case 'float64':
      return fc.oneof(
        fc.double(),
        fc.constantFrom(
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          -0,
          0,
          Number.MIN_VALUE,
        ),
        fc.integer({ min: -100000, max: 100000 }).map((i) => i / 100),
        fc.integer({ min: 0, max: 100 }),
      );
    case 'timestamp':
    case 'timestamptz':
      return timestamp;
    case 'time':
      return fc.integer({ min: 0, max: 86_400_000_000 / 1000 }).map((ms) => ms * 1000);
    case 'numeric':
      return fc.tuple(fc.bigInt(), fc.nat(40)).map(([d, s]) => {
        const t = (d < 0n ? -d : d).toString().padStart(s + 1, '0');
        return (d < 0n ? '-' : '') + (s === 0 ? t : `${t.slice(0, -s)}.${t.slice(-s)}`);
      });
    case 'text':
    case 'bpchar':
      return fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        fc.constantFrom('', 'a', 'é', '😀', '\u{10ffff}'),
      );
    case 'uuid':
      return fc.uuid();
    case 'json':
      return fc.json();
    case 'bytea':
      return fc.uint8Array({ maxLength: 40 });
    case 'interval':
      return fc.record({ months: fc.integer(), days: fc.integer(), micros: safeInt });
  }
}

/**
 * Arbitrary columns of a type shaped to reach every codec path: random values,
 * few distinct values (dictionary / FOR), runs (RLE), sorted (delta), NULLs.
 */
export function columnArb(type: ColumnType, maxLength = 300): fc.Arbitrary<JsValue[]> {
  const v = valueArb(type);
  const maybeNull = (a: fc.Arbitrary<JsValue>) => fc.option(a, { nil: null, freq: 5 });
  const random = fc.array(maybeNull(v), { maxLength });
  const fewDistinct = fc
    .tuple(fc.array(v, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength }))
    .map(([pool, picks]) => picks.map((p) => (p % 11 === 10 ? null : pool[p % pool.length])));
  const runs = fc
    .array(fc.tuple(maybeNull(v), fc.integer({ min: 1, max: 50 })), { maxLength: 20 })
    .map((rs) => rs.flatMap(([x, k]) => Array.from({ length: k }, () => x)));
  const sorted = fc.array(v, { maxLength }).map((a) => [...a].sort(compareJs));
  const allNull = fc.nat(100).map((k) => Array.from({ length: k }, () => null));
  const series = seriesArb(type, maxLength);
  return series
    ? fc.oneof(random, fewDistinct, runs, sorted, allNull, series)
    : fc.oneof(random, fewDistinct, runs, sorted, allNull);
}

/** Regular series with rare jitter and NULLs (delta-of-delta territory), for numeric types. */
function seriesArb(type: ColumnType, maxLength: number): fc.Arbitrary<JsValue[]> | undefined {
  const small = type === 'int16' || type === 'bool';
  if (small || !['int32', 'date', 'int64', 'timestamp', 'timestamptz', 'float64'].includes(type))
    return undefined;
  const wide = type === 'timestamp' || type === 'timestamptz';
  return fc
    .record({
      start: fc.integer({ min: wide ? -1e15 : -1e6, max: wide ? 1e15 : 1e6 }),
      step: fc.integer({ min: -1000, max: wide ? 1e7 : 1000 }),
      n: fc.integer({ min: 0, max: maxLength * 4 }),
      jitter: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -5, max: 5 })), { maxLength: 4 }),
      nullEvery: fc.integer({ min: 0, max: 50 }),
      accel: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ start, step, n, jitter, nullEvery, accel }) => {
      const out: JsValue[] = [];
      for (let i = 0; i < n; i++) out.push(start + i * step + accel * i * i);
      for (const [at, d] of jitter) if (n > 0) out[at % n] = (out[at % n] as number) + d;
      if (nullEvery > 0) for (let i = nullEvery - 1; i < n; i += nullEvery) out[i] = null;
      if (type === 'int64') return out.map((v) => (v === null ? null : BigInt(v as number)));
      return out;
    });
}

function compareJs(a: JsValue, b: JsValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b || 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

/** Every column type. */
export const ALL_TYPES: readonly ColumnType[] = TYPE_IDS;
