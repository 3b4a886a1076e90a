/**
 * @module engine/storage/array-columns
 * Array-typed columns in columnar chunks. The chunk format has no array
 * encoding, so an array column is stored as one text value per row (PostgreSQL's
 * array text, `{1,2,NULL}`), compressed like any text block, and read back
 * through a wrapper that parses it into JS arrays. Every reader of a chunk (scan,
 * row reads of UPDATE/DELETE) therefore sees the same values as in hot rows.
 * Zone maps of array columns are withheld: min/max of the array text would
 * not order like arrays do, so no predicate may prune on them.
 */
import { formatText, parseText } from '../types/cast.ts';
import { type ArrayType, isArrayType } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import { materialize } from './chunk-builder.ts';
import type { ChunkSource, ExecVector, JsVector, ZoneMap } from './table-store.ts';

interface TypedColumn {
  readonly id: number;
  readonly type: ColumnType | ArrayType;
}

/** The columns as chunk builders take them: array columns become text columns of array text. */
export function encodeArrayColumns<C extends TypedColumn & { values: ArrayLike<unknown> | unknown }>(
  cols: readonly C[],
): (Omit<C, 'type'> & { type: ColumnType })[] {
  return cols.map((c) => {
    if (!isArrayType(c.type)) return c as Omit<C, 'type'> & { type: ColumnType };
    const t = c.type;
    const values = Array.from(materializeAny(c.values), (v) =>
      v === null || v === undefined ? null : formatText(v, t),
    );
    return { ...c, type: 'text' as const, values };
  });
}

function materializeAny(v: unknown): ArrayLike<unknown> {
  const k = (v as { kind?: unknown })?.kind;
  return k === 'flat' || k === 'dict' || k === 'const' || k === 'js'
    ? materialize(v as ExecVector)
    : (v as ArrayLike<unknown>);
}

/** A chunk whose array columns (stored as text) read as JS arrays. */
class ArrayColumnsChunk implements ChunkSource {
  private readonly decoded = new Map<number, JsVector>();
  constructor(
    private readonly inner: ChunkSource,
    private readonly arrays: ReadonlyMap<number, ArrayType>,
  ) {}
  get rowCount(): number {
    return this.inner.rowCount;
  }
  zoneMap(id: number): ZoneMap | undefined {
    return this.arrays.has(id) ? undefined : this.inner.zoneMap(id);
  }
  column(id: number): ExecVector | undefined {
    const t = this.arrays.get(id);
    if (!t) return this.inner.column(id);
    let v = this.decoded.get(id);
    if (!v) {
      const raw = this.inner.column(id);
      if (!raw) return undefined;
      v = decode(raw, t);
      this.decoded.set(id, v);
    }
    return v;
  }
  selectEqual(id: number, values: readonly string[]): Uint32Array | undefined {
    return this.arrays.has(id) ? undefined : this.inner.selectEqual?.(id, values);
  }
  gather(id: number, sel: Uint32Array): ExecVector | undefined {
    const t = this.arrays.get(id);
    if (!t) return this.inner.gather?.(id, sel);
    const raw = this.inner.gather?.(id, sel);
    return raw && decode(raw, t);
  }
  evict(): void {
    this.decoded.clear();
    this.inner.evict?.();
  }
}

function decode(raw: ExecVector, t: ArrayType): JsVector {
  const values = materialize(raw).map((s) => (s === null ? null : parseText(String(s), t)));
  return { kind: 'js', type: t, length: values.length, values };
}

/** `chunk` as it reads for columns `cols`: wrapped when some column is an array. */
export function withArrayColumns(chunk: ChunkSource, cols: readonly TypedColumn[]): ChunkSource {
  const arrays = new Map<number, ArrayType>();
  for (const c of cols) if (isArrayType(c.type)) arrays.set(c.id, c.type);
  return arrays.size === 0 ? chunk : new ArrayColumnsChunk(chunk, arrays);
}
