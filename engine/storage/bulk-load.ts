/**
 * @module engine/storage/bulk-load
 * Bulk load: JS column arrays (or vectors) → columnar chunks of SEGMENT_ROWS,
 * skipping the hot store. Values are normalized to the executor's physical
 * form (Date/ISO text → µs for timestamps, numbers → decimal text for numeric)
 * and ordered inside each chunk by the table's chunk layout (engine/storage/chunk-layout), if any.
 */
import { SqlError, SqlState } from '../errors.ts';
import { parseText } from '../types/cast.ts';
import { decFromFloat, decimalToString } from '../types/numeric.ts';
import { isArrayType } from '../types/values.ts';
import type { ColumnType, Vector } from '../vector.ts';
import { isVector, MemoryChunk, materialize } from './chunk-builder.ts';
import { applyChunkLayout } from './chunk-layout.ts';
import type { ChunkBuilder } from './encoded-chunk.ts';
import { SEGMENT_ROWS, type TableData } from './table-store.ts';

/** Converts one JS value to the executor's representation of `type`. */
export function normalizeValue(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && type !== 'text' && type !== 'json' && type !== 'bpchar')
    return parseText(v, type);
  switch (type) {
    case 'timestamp':
    case 'timestamptz':
      if (v instanceof Date) return v.getTime() * 1000;
      return Number(v);
    case 'date':
      if (v instanceof Date) return Math.floor(v.getTime() / 86400000);
      return Number(v);
    case 'int64':
      return BigInt(v as number);
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
    case 'time':
      return Number(v);
    case 'numeric':
      return typeof v === 'number' ? decimalToString(decFromFloat(v)) : String(v);
    case 'bool':
      return Boolean(v);
    default:
      return v;
  }
}

const PASS_THROUGH = new Set<ColumnType>([
  'float64',
  'float32',
  'timestamp',
  'timestamptz',
  'time',
  'int32',
  'int16',
  'date',
]);

/** A typed-array source slice becomes a vector without touching values one by one. */
function typedSlice(
  src: ArrayLike<unknown> | undefined,
  type: ColumnType,
  start: number,
  n: number,
): Vector | undefined {
  if (src instanceof Float64Array && (type === 'float64' || type === 'timestamp' || type === 'timestamptz')) {
    return { kind: 'flat', type, length: n, values: src.slice(start, start + n) };
  }
  if (src instanceof Int32Array && (type === 'int32' || type === 'date')) {
    return { kind: 'flat', type, length: n, values: src.slice(start, start + n) };
  }
  return undefined;
}

export function bulkLoadInto(
  t: TableData,
  columns: Record<string, ArrayLike<unknown> | Vector>,
  rowCount: number,
  builder?: ChunkBuilder,
): void {
  const def = t.def;
  const arrayColumn = def.columns.find((c) => isArrayType(c.type));
  if (arrayColumn)
    throw new SqlError(
      SqlState.featureNotSupported,
      `bulk load into a table with an array column ("${arrayColumn.name}") is not supported`,
    );
  for (const name of Object.keys(columns)) {
    if (!def.columns.some((c) => c.name === name)) {
      throw new SqlError(
        SqlState.undefinedColumn,
        `column "${name}" of relation "${def.name}" does not exist`,
      );
    }
  }
  const sources = def.columns.map((c) => {
    const src = columns[c.name];
    if (src === undefined) {
      if (c.notNull)
        throw new SqlError(
          SqlState.notNullViolation,
          `null value in column "${c.name}" violates not-null constraint`,
        );
      return undefined;
    }
    return isVector(src) ? materialize(src) : src;
  });
  for (let start = 0; start < rowCount; start += SEGMENT_ROWS) {
    const n = Math.min(SEGMENT_ROWS, rowCount - start);
    const cols = def.columns.map((col, k) => {
      const c = { ...col, type: col.type as ColumnType }; // no array columns (refused above)
      const src = sources[k];
      const typed = typedSlice(src, c.type, start, n);
      if (typed) return { id: c.id, name: c.name, type: c.type, values: typed };
      const out: unknown[] = new Array(n);
      if (!src) out.fill(null);
      else {
        // Typed arrays of plain numbers need no per-value normalization.
        const fast = PASS_THROUGH.has(c.type) && ArrayBuffer.isView(src);
        for (let i = 0; i < n; i++) {
          const v = fast ? (src as ArrayLike<unknown>)[start + i] : normalizeValue(src[start + i], c.type);
          if (v === null && c.notNull) {
            throw new SqlError(
              SqlState.notNullViolation,
              `null value in column "${c.name}" violates not-null constraint`,
            );
          }
          out[i] = v;
        }
      }
      return { id: c.id, name: c.name, type: c.type, values: out };
    });
    // Rows of a bulk-loaded chunk have no ids yet, so they may be reordered (hot-segment freezes may not).
    const laid = applyChunkLayout(def.layout, cols, n);
    const chunks = builder ? builder(n, laid) : [MemoryChunk.fromColumns(n, laid)];
    for (const ch of chunks) t.appendChunk(ch);
  }
}
