/**
 * @module engine/storage/chunk-layout
 * Row order inside a columnar chunk, TimescaleDB-compression style: rows are
 * grouped by the `segmentBy` columns (e.g. hostname) and ordered by the
 * `orderBy` columns (e.g. time) inside each group. A chunk of time-major
 * metrics then holds each host as one contiguous row range, so an equality
 * predicate on the segment column selects a few ranges, the other columns
 * decode only those ranges, and per-host series compress as smooth sequences.
 *
 * Only the order of rows inside one chunk changes; which rows a chunk holds
 * (its time range) does not, so zone-map pruning is unaffected.
 */
import { gatherVector } from '../columnar/gather.ts';
import { rowOrder } from '../columnar/row-order.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType, Vector } from '../vector.ts';
import { isVector, vectorFromValues } from './chunk-builder.ts';

/** How rows are ordered inside each chunk of a table (column ids). */
export interface ChunkLayout {
  readonly segmentBy: readonly number[];
  readonly orderBy: readonly { readonly id: number; readonly desc: boolean }[];
}

/** A column as the chunk builders take it. */
export interface LayoutColumn {
  readonly id: number;
  readonly name: string;
  readonly type: ColumnType;
  readonly values: ArrayLike<unknown> | Vector;
}

/**
 * Reorders one chunk's columns by `layout`. Columns come back as vectors (the
 * builders take either form); without a usable layout they come back unchanged.
 */
export function applyChunkLayout(
  layout: ChunkLayout | undefined,
  cols: readonly LayoutColumn[],
  n: number,
): LayoutColumn[] {
  if (layout === undefined || n < 2) return [...cols];
  const vectors = cols.map((c) => (isVector(c.values) ? c.values : vectorFromValues(c.type, c.values)));
  const index = (id: number) => cols.findIndex((c) => c.id === id);
  const keys = [
    ...layout.segmentBy.map((id) => ({ column: index(id) })),
    ...layout.orderBy.map((o) => ({ column: index(o.id), desc: o.desc })),
  ].filter((k) => k.column >= 0);
  const perm = rowOrder(vectors, keys, 0, n);
  if (perm === undefined) return [...cols];
  return cols.map((c, i) => ({ ...c, values: gatherVector(vectors[i], perm) }));
}

/** A storage parameter of `ALTER TABLE … SET (namespace.name = value, …)`. */
export interface RelOption {
  readonly namespace?: string;
  readonly name: string;
  readonly value?: string;
}

function optionError(code: string, message: string): never {
  throw new SqlError(code, message);
}

/** What {@link layoutFromOptions} reads of a table (an engine `TableDef` or the data plane's catalog entry). */
export interface LayoutTable {
  readonly name: string;
  readonly columns: readonly { readonly id: number; readonly name: string }[];
  readonly layout?: ChunkLayout;
}

/**
 * The layout that TimescaleDB compression options describe, on top of `current`:
 * `timescaledb.compress` (accepted; chunks are always compressed),
 * `timescaledb.compress_segmentby = 'a, b'` and
 * `timescaledb.compress_orderby = 'time DESC, c'`. Unknown options or columns
 * are errors (0A000, 42703), as in TimescaleDB.
 */
export function layoutFromOptions(
  def: LayoutTable,
  options: readonly RelOption[],
  current: ChunkLayout | undefined = def.layout,
): ChunkLayout {
  let segmentBy = current?.segmentBy ?? [];
  let orderBy = current?.orderBy ?? [];
  const idOf = (name: string): number => {
    const c = def.columns.find((x) => x.name === name);
    if (c === undefined)
      optionError(SqlState.undefinedColumn, `column "${name}" of relation "${def.name}" does not exist`);
    return c.id;
  };
  const list = (v: string | undefined): string[] =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  for (const o of options) {
    const name = o.namespace ? `${o.namespace}.${o.name}` : o.name;
    switch (name) {
      case 'timescaledb.compress':
        break;
      case 'timescaledb.compress_segmentby':
        segmentBy = list(o.value).map((s) => idOf(s.replace(/^"(.*)"$/, '$1')));
        break;
      case 'timescaledb.compress_orderby':
        orderBy = list(o.value).map((s) => {
          const m = /^("?)([^"\s]+)\1(?:\s+(ASC|DESC))?$/i.exec(s);
          if (m === null) optionError(SqlState.syntaxError, `invalid compress_orderby item "${s}"`);
          return { id: idOf(m[2]), desc: (m[3] ?? '').toUpperCase() === 'DESC' };
        });
        break;
      default:
        optionError(SqlState.featureNotSupported, `storage parameter "${name}" is not supported`);
    }
  }
  return { segmentBy, orderBy };
}
