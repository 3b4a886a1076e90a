/**
 * @module engine/distributed/segment-slices
 * Slices of a clustered chunk (rows grouped by a segment-by column, e.g.
 * hostname, then ordered by time; see `table-layout`): each run of one segment
 * value is cut into slices of at most {@link SEGMENT_SLICE_ROWS} rows, with
 * exact zone maps for the segment column (one value) and the time column — the
 * compressed batches of TimescaleDB. `hostname = 'x' AND time in [a, b)` then
 * skips every slice but x's few inside [a, b), where time slices of a
 * time-major chunk (see `time-slices`) still scan every host of the hour.
 *
 * Slices read the chunk's decoded columns (keep the reader's cache on) and hand
 * out sub-views; a run may start at any row, so null bitmaps are re-based when
 * a slice does not start on a byte. Other columns report the chunk's bounds
 * (valid for skipping and for proving conjuncts) when the chunk has no NULLs there.
 */
import type { ChunkSource, ExecVector, SegmentView, ZoneMap } from '../storage/table-store.ts';
import { sliceBits, sliceVector } from './time-slices.ts';

/** Rows per slice at most (TimescaleDB's compressed batches hold 1,000). */
export const SEGMENT_SLICE_ROWS = 1024;

/** Value of row i (null for NULL), for the zone maps of the two sliced columns. */
function valueAt(v: ExecVector, i: number): unknown {
  switch (v.kind) {
    case 'const':
      return v.value ?? null;
    case 'js':
      return v.values[i] ?? null;
    case 'dict':
      return v.nulls && v.nulls[i >> 3] & (1 << (i & 7))
        ? null
        : (v.dict.values as ArrayLike<unknown>)[v.codes[i]];
    case 'flat':
      return v.nulls && v.nulls[i >> 3] & (1 << (i & 7)) ? null : (v.values as ArrayLike<unknown>)[i];
  }
}

/** Exact zone map of rows [start, end) of a number or text column. */
function exactZone(v: ExecVector, start: number, end: number): ZoneMap {
  let min: unknown;
  let max: unknown;
  let nullCount = 0;
  for (let i = start; i < end; i++) {
    const x = valueAt(v, i);
    if (x === null || x === undefined) {
      nullCount++;
      continue;
    }
    if (typeof x === 'number' && Number.isNaN(x))
      return { min: undefined, max: undefined, nullCount: 0, rowCount: end - start };
    if (min === undefined || (x as number) < (min as number)) min = x;
    if (max === undefined || (x as number) > (max as number)) max = x;
  }
  return { min, max, nullCount, rowCount: end - start };
}

class SegmentSliceSource implements ChunkSource {
  readonly rowCount: number;
  private readonly zones = new Map<number, ZoneMap>();

  constructor(
    private readonly parent: ChunkSource,
    private readonly start: number,
    private readonly end: number,
    private readonly exact: readonly number[],
  ) {
    this.rowCount = end - start;
  }

  zoneMap(id: number): ZoneMap | undefined {
    if (this.exact.includes(id)) {
      let z = this.zones.get(id);
      if (z === undefined) {
        const v = this.parent.column(id);
        if (v === undefined) return undefined;
        z = exactZone(v, this.start, this.end);
        this.zones.set(id, z);
      }
      return z;
    }
    const z = this.parent.zoneMap(id);
    if (z?.nullCount !== 0) return undefined;
    return { min: z.min, max: z.max, nullCount: 0, rowCount: this.rowCount };
  }

  column(id: number): ExecVector | undefined {
    const v = this.parent.column(id);
    return v && sliceVector(v, this.start, this.end);
  }
}

/**
 * A clustered chunk as slices of one segment value each (≤ `maxRows` rows); the
 * segment itself when it is hot, small, or lacks the segment column; undefined
 * when the chunk is not grouped by that column (written before the layout was
 * set), so the caller slices it by time instead.
 */
export function segmentSlices(
  seg: SegmentView,
  segmentColumnId: number,
  timeColumnId: number,
  maxRows = SEGMENT_SLICE_ROWS,
): SegmentView[] | undefined {
  const n = seg.source.rowCount;
  if (seg.hot || n <= maxRows) return [seg];
  const key = seg.source.column(segmentColumnId);
  if (key === undefined) return [seg];
  const cuts: number[] = [0];
  let runStart = 0;
  let prev = valueAt(key, 0);
  const seen = new Set([prev]);
  for (let i = 1; i <= n; i++) {
    const x = i < n ? valueAt(key, i) : undefined;
    const changed = i < n && x !== prev;
    // A value seen before another one: the chunk is not grouped by this column.
    if (changed && seen.has(x)) return undefined;
    if (changed) seen.add(x);
    if (i === n || changed || i - runStart === maxRows) {
      cuts.push(i);
      if (changed) prev = x;
      runStart = i;
    }
  }
  const exact = [segmentColumnId, timeColumnId];
  const out: SegmentView[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [start, end] = [cuts[k], cuts[k + 1]];
    out.push({
      source: new SegmentSliceSource(seg.source, start, end, exact),
      deleted: sliceBits(seg.deleted, start, end),
      hot: false,
    });
  }
  return out;
}
