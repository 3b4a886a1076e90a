/**
 * @module engine/distributed/time-slices
 * Row-range slices of a hypertable chunk, each with an exact zone map of the
 * time column, so a scan skips the parts of a chunk outside a query's time
 * range. A shard keeps one chunk per time bucket (12 h in TSBS) holding tens of
 * thousands of rows; a one-hour query otherwise scans all of them, where the
 * in-process engine's smaller bulk-loaded chunks are pruned by their zone maps.
 *
 * Slices read the chunk's decoded columns (the reader's cache) and hand out
 * sub-views: typed arrays by `subarray`, null bitmaps by byte offset (slice
 * starts are multiples of 8). Other columns report the chunk's bounds, which
 * still bound every slice (valid for skipping and for proving conjuncts), and
 * no zone map when the chunk has NULLs there (a slice's null count is unknown).
 * The time zone maps are computed on first use, in one pass over the column.
 */
import type { ChunkSource, ExecVector, SegmentView, ZoneMap } from '../storage/table-store.ts';

/** Rows per slice (a multiple of 8, so null bitmaps slice on byte boundaries). */
export const SLICE_ROWS = 8192;

/** Bits [start, end) of a bitmap: a view when start is a multiple of 8, else a shifted copy. */
export function sliceBits(bits: Uint8Array | undefined, start: number, end: number): Uint8Array | undefined {
  if (bits === undefined) return undefined;
  if ((start & 7) === 0) return bits.subarray(start >> 3, (end + 7) >> 3);
  const out = new Uint8Array((end - start + 7) >> 3);
  for (let i = start; i < end; i++)
    if (bits[i >> 3] & (1 << (i & 7))) out[(i - start) >> 3] |= 1 << ((i - start) & 7);
  return out;
}

/** Rows [start, end) of a vector, at any start (views where the layout allows). */
export function sliceVector(v: ExecVector, start: number, end: number): ExecVector {
  const length = end - start;
  switch (v.kind) {
    case 'const':
      return { ...v, length };
    case 'js':
      return { ...v, length, values: v.values.slice(start, end) };
    case 'dict':
      return { ...v, length, codes: v.codes.subarray(start, end), nulls: sliceBits(v.nulls, start, end) };
    case 'flat': {
      const values = Array.isArray(v.values)
        ? v.values.slice(start, end)
        : (v.values as Float64Array).subarray(start, end);
      return { ...v, length, values, nulls: sliceBits(v.nulls, start, end) } as ExecVector;
    }
  }
}

/** Exact time bounds per slice, computed once for all slices of a chunk. */
class TimeZones {
  private zones: ZoneMap[] | undefined;

  constructor(
    private readonly parent: ChunkSource,
    private readonly timeColumnId: number,
    private readonly ranges: readonly (readonly [number, number])[],
  ) {}

  get(slice: number): ZoneMap | undefined {
    if (!this.zones) {
      const v = this.parent.column(this.timeColumnId);
      if (v?.kind !== 'flat' || !(v.values instanceof Float64Array)) return undefined;
      const vals = v.values;
      const nulls = v.nulls;
      this.zones = this.ranges.map(([start, end]) => {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        let nullCount = 0;
        for (let i = start; i < end; i++) {
          if (nulls && nulls[i >> 3] & (1 << (i & 7))) {
            nullCount++;
            continue;
          }
          const x = vals[i];
          if (x < min) min = x;
          if (x > max) max = x;
        }
        const none = nullCount === end - start;
        return { min: none ? undefined : min, max: none ? undefined : max, nullCount, rowCount: end - start };
      });
    }
    return this.zones[slice];
  }
}

class SliceSource implements ChunkSource {
  readonly rowCount: number;

  constructor(
    private readonly parent: ChunkSource,
    private readonly start: number,
    private readonly end: number,
    private readonly slice: number,
    private readonly times: TimeZones,
    private readonly timeColumnId: number,
  ) {
    this.rowCount = end - start;
  }

  zoneMap(id: number): ZoneMap | undefined {
    if (id === this.timeColumnId) return this.times.get(this.slice);
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
 * The segment as slices of `sliceRows` rows with exact time zone maps, or the
 * segment itself when it is hot or small. The parent's columns should be cached
 * (each slice reads the whole decoded column and takes its part).
 */
export function timeSlices(seg: SegmentView, timeColumnId: number, sliceRows = SLICE_ROWS): SegmentView[] {
  const n = seg.source.rowCount;
  if (seg.hot || n <= sliceRows || sliceRows % 8 !== 0) return [seg];
  const ranges: [number, number][] = [];
  for (let start = 0; start < n; start += sliceRows) ranges.push([start, Math.min(n, start + sliceRows)]);
  const times = new TimeZones(seg.source, timeColumnId, ranges);
  return ranges.map(([start, end], i) => ({
    source: new SliceSource(seg.source, start, end, i, times, timeColumnId),
    deleted: sliceBits(seg.deleted, start, end),
    hot: false,
  }));
}
