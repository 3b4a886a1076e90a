/**
 * @module engine/storage/chunk-builder
 * Freezes columns of JS values into typed vectors (engine/vector physical
 * representations) with zone maps: the in-memory stand-in for the encoded chunk
 * format of engine/columnar. Low-cardinality text becomes a DictVector so the
 * executor can filter and group on dictionary codes.
 */
import { comparatorFor } from '../types/values.ts';
import type { ColumnType, FlatVector, Interval, Vector } from '../vector.ts';
import { newNullBitmap, setNullAt } from '../vector.ts';
import type { ChunkSource, ExecVector, ZoneMap } from './table-store.ts';

/** Builds a vector of `type` from JS values (null = NULL). */
export function vectorFromValues(type: ColumnType, values: ArrayLike<unknown>): Vector {
  const n = values.length;
  let nulls: Uint8Array | undefined;
  const markNull = (i: number) => {
    nulls ??= newNullBitmap(n);
    setNullAt(nulls, i);
  };
  switch (type) {
    case 'bool':
    case 'int16':
    case 'int32':
    case 'date': {
      const out = type === 'bool' ? new Uint8Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) markNull(i);
        else out[i] = type === 'bool' ? (v ? 1 : 0) : (v as number);
      }
      return { kind: 'flat', type, length: n, values: out, nulls };
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) markNull(i);
        else out[i] = BigInt(v as bigint);
      }
      return { kind: 'flat', type, length: n, values: out, nulls };
    }
    case 'float32':
    case 'float64':
    case 'timestamp':
    case 'timestamptz':
    case 'time': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) markNull(i);
        else out[i] = v as number;
      }
      return { kind: 'flat', type, length: n, values: out, nulls };
    }
    case 'text':
    case 'uuid':
    case 'json':
      return textVector(type, values, n);
    default: {
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) {
          markNull(i);
          out[i] =
            type === 'interval'
              ? { months: 0, days: 0, micros: 0 }
              : type === 'bytea'
                ? new Uint8Array(0)
                : '0';
        } else out[i] = v;
      }
      return { kind: 'flat', type, length: n, values: out as string[] | Uint8Array[] | Interval[], nulls };
    }
  }
}

/** Dictionary-encodes text when it has few distinct values (≤ 1/4 of rows). */
function textVector(type: ColumnType, values: ArrayLike<unknown>, n: number): Vector {
  const dict = new Map<string, number>();
  const codes = new Int32Array(n);
  let nulls: Uint8Array | undefined;
  const limit = Math.max(16, n >> 2);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls ??= newNullBitmap(n);
      setNullAt(nulls, i);
      continue;
    }
    let c = dict.get(v as string);
    if (c === undefined) {
      if (dict.size >= limit) {
        const flat: string[] = new Array(n);
        for (let j = 0; j < n; j++) flat[j] = (values[j] as string | null) ?? '';
        return { kind: 'flat', type, length: n, values: flat, nulls: nullsOf(values, n) };
      }
      c = dict.size;
      dict.set(v as string, c);
    }
    codes[i] = c;
  }
  const dictVec: FlatVector = { kind: 'flat', type, length: dict.size, values: [...dict.keys()] };
  return { kind: 'dict', type, length: n, codes, dict: dictVec, nulls };
}

function nullsOf(values: ArrayLike<unknown>, n: number): Uint8Array | undefined {
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) {
      nulls ??= newNullBitmap(n);
      setNullAt(nulls, i);
    }
  }
  return nulls;
}

/** Zone map over JS values (nulls counted, min/max by the type's ordering). */
export function zoneMapOfValues(type: ColumnType, values: ArrayLike<unknown>): ZoneMap {
  const n = values.length;
  let nullCount = 0;
  let min: unknown;
  let max: unknown;
  if (
    type === 'float64' ||
    type === 'float32' ||
    type === 'timestamp' ||
    type === 'timestamptz' ||
    type === 'time' ||
    type === 'int32' ||
    type === 'int16' ||
    type === 'date'
  ) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const v = values[i] as number | null;
      if (v === null || v === undefined) nullCount++;
      else if (v !== v) nan = true;
      else {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (nullCount === n) return { min: undefined, max: undefined, nullCount, rowCount: n };
    // NaN sorts above everything in PostgreSQL.
    return {
      min: lo === Number.POSITIVE_INFINITY && nan ? Number.NaN : lo,
      max: nan ? Number.NaN : hi,
      nullCount,
      rowCount: n,
    };
  }
  const cmp = comparatorFor(type);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    if (min === undefined || cmp(v, min) < 0) min = v;
    if (max === undefined || cmp(v, max) > 0) max = v;
  }
  return { min, max, nullCount, rowCount: n };
}

/** Zone map of a vector: typed arrays are scanned directly, dictionaries through their entries. */
export function zoneMapOfVector(type: ColumnType, v: Vector): ZoneMap {
  const n = v.length;
  let nullCount = 0;
  if (v.kind !== 'const' && v.nulls) {
    for (let i = 0; i < n; i++) if (v.nulls[i >> 3] & (1 << (i & 7))) nullCount++;
  }
  if (v.kind === 'dict') {
    if (nullCount === n) return { min: undefined, max: undefined, nullCount, rowCount: n };
    // Every dictionary entry is used by some row, so its bounds are the column's bounds.
    const z = zoneMapOfValues(type, v.dict.values as ArrayLike<unknown>);
    return { min: z.min, max: z.max, nullCount, rowCount: n };
  }
  if (v.kind === 'flat' && !v.nulls && (v.values instanceof Float64Array || v.values instanceof Int32Array)) {
    return zoneMapOfValues(type, v.values);
  }
  const z = zoneMapOfValues(type, materialize(v));
  return z;
}

/** An immutable in-memory chunk: vectors plus zone maps, keyed by column id. */
export class MemoryChunk implements ChunkSource {
  constructor(
    readonly rowCount: number,
    private readonly vectors: Map<number, ExecVector>,
    private readonly zones: Map<number, ZoneMap>,
  ) {}

  /** Freezes JS-valued columns (by column id) into a chunk. */
  static fromColumns(
    rowCount: number,
    cols: { id: number; type: ColumnType; values: ArrayLike<unknown> | Vector }[],
  ): MemoryChunk {
    const vectors = new Map<number, ExecVector>();
    const zones = new Map<number, ZoneMap>();
    for (const c of cols) {
      const vals = c.values;
      const vec = isVector(vals) ? vals : vectorFromValues(c.type, vals);
      vectors.set(c.id, vec);
      zones.set(c.id, zoneMapOfVector(c.type, vec));
    }
    return new MemoryChunk(rowCount, vectors, zones);
  }

  zoneMap(id: number): ZoneMap | undefined {
    return this.zones.get(id);
  }

  column(id: number): ExecVector | undefined {
    return this.vectors.get(id);
  }
}

export function isVector(v: unknown): v is Vector {
  const k = (v as { kind?: unknown })?.kind;
  return k === 'flat' || k === 'dict' || k === 'const';
}

/** Reads every value of a vector as JS values (null for NULL). */
export function materialize(v: ExecVector): unknown[] {
  const out: unknown[] = new Array(v.length);
  if (v.kind === 'js') return v.values.slice();
  if (v.kind === 'const') return out.fill(v.value);
  const nulls = v.nulls;
  if (v.kind === 'dict') {
    const dv = v.dict.values as ArrayLike<unknown>;
    for (let i = 0; i < v.length; i++) out[i] = dv[v.codes[i]];
  } else {
    const vals = v.values as ArrayLike<unknown>;
    const isBool = v.type === 'bool';
    for (let i = 0; i < v.length; i++) out[i] = isBool ? vals[i] === 1 : vals[i];
  }
  if (nulls) for (let i = 0; i < v.length; i++) if (nulls[i >> 3] & (1 << (i & 7))) out[i] = null;
  return out;
}
