/**
 * @module bench/tsbs/chunk-size
 * Measures the engine's columnar encoding of the TSBS cpu table directly with
 * engine/columnar: the data is cut into chunks of up to 65,536 rows, each column
 * encoded into one block, and the block bytes summed (bytes per row) and timed
 * (rows encoded per second, single thread). Imported dynamically so a tree where
 * the codec module is missing or mid-change still runs the rest of the bench.
 */
import type { CpuData } from './generate.ts';
import { CPU_FIELDS, TAG_COLUMNS, tagColumn } from './generate.ts';

/** Encoded size and speed of the cpu table in engine chunks. */
export interface EncodingStats {
  readonly bytes: number;
  readonly bytesPerRow: number;
  readonly rowsPerSecond: number;
  /** Per-column encoded bytes per row, for the RESULTS note. */
  readonly perColumn: Readonly<Record<string, number>>;
}

interface CodecModule {
  encodeColumn(type: string, input: { values: unknown }, n: number): { bytes: Uint8Array };
}

const CHUNK_ROWS = 65_536;

/** Encodes all columns chunk by chunk; returns why not when engine/columnar cannot be used. */
export async function measureEncoding(data: CpuData): Promise<EncodingStats | string> {
  let codec: CodecModule;
  try {
    const path = '../../engine/columnar/column-codec.ts';
    codec = (await import(/* @vite-ignore */ path)) as CodecModule;
    if (typeof codec.encodeColumn !== 'function')
      return 'engine/columnar/column-codec.ts has no encodeColumn';
  } catch (e) {
    return `engine/columnar failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  const columns: { name: string; type: string; values: Float64Array | string[] }[] = [
    { name: 'time', type: 'timestamptz', values: data.time },
    ...TAG_COLUMNS.map((t) => ({ name: t as string, type: 'text', values: tagColumn(data, t) })),
    ...CPU_FIELDS.map((f) => ({ name: f as string, type: 'float64', values: data.fields[f] })),
  ];
  const perColumn: Record<string, number> = {};
  let bytes = 0;
  const t0 = performance.now();
  for (let start = 0; start < data.rowCount; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, data.rowCount - start);
    for (const c of columns) {
      const values =
        c.values instanceof Float64Array
          ? c.values.subarray(start, start + n)
          : c.values.slice(start, start + n);
      const size = codec.encodeColumn(c.type, { values }, n).bytes.length;
      perColumn[c.name] = (perColumn[c.name] ?? 0) + size;
      bytes += size;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const k of Object.keys(perColumn)) perColumn[k] /= data.rowCount;
  return { bytes, bytesPerRow: bytes / data.rowCount, rowsPerSecond: data.rowCount / seconds, perColumn };
}
