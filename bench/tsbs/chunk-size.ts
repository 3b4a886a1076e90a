/**
 * @module bench/tsbs/chunk-size
 * Measures the engine's columnar encoding of the TSBS cpu table with
 * engine/columnar's `encodeTable`: chunks of up to 65,536 rows in the generator's
 * time-major order, header plus block bytes summed (the split form stored in a
 * Durable Object), timed single-threaded. Input columns are what `bulkLoad`
 * receives (Float64Array for time and fields, string[] for tags), so the rate
 * includes building dictionaries from plain strings (and, with `segmentby`, ordering
 * each chunk's rows by hostname then time). Imported dynamically so a
 * tree where engine/columnar is mid-change still runs the rest of the bench.
 */
import { CPU_FIELDS, type CpuData, cpuTableColumns, TAG_COLUMNS } from './generate.ts';

/** Encoded size and speed of the cpu table in engine chunks. */
export interface EncodingStats {
  readonly bytes: number;
  readonly chunks: number;
  readonly bytesPerRow: number;
  readonly rowsPerSecond: number;
  /** Per-column encoded bytes per row, for the RESULTS note. */
  readonly perColumn: Readonly<Record<string, number>>;
}

interface TableEncoder {
  encodeTable(
    schema: readonly { name: string; type: string }[],
    columns: readonly { kind: 'flat'; type: string; length: number; values: unknown }[],
    rowCount: number,
    options?: { order?: readonly { column: number }[] },
  ): {
    stats: {
      bytes: number;
      chunks: number;
      bytesPerRow: number;
      rowsPerSecond: number;
      columnBytes: readonly number[];
    };
  };
}

/** Encodes the table (from prebuilt `columns` when given); returns why not when engine/columnar cannot be used. */
export async function measureEncoding(
  data: CpuData,
  columns: Record<string, Float64Array | string[]> = cpuTableColumns(data),
  segmentby = false,
): Promise<EncodingStats | string> {
  let columnar: TableEncoder;
  try {
    const path = '../../engine/columnar/index.ts';
    columnar = (await import(/* @vite-ignore */ path)) as TableEncoder;
    if (typeof columnar.encodeTable !== 'function') return 'engine/columnar has no encodeTable';
  } catch (e) {
    return `engine/columnar failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  const schema = [
    { name: 'time', type: 'timestamptz' },
    ...TAG_COLUMNS.map((t) => ({ name: t as string, type: 'text' })),
    ...CPU_FIELDS.map((f) => ({ name: f as string, type: 'float64' })),
  ];
  const vectors = schema.map((s) => ({
    kind: 'flat' as const,
    type: s.type,
    length: data.rowCount,
    values: columns[s.name],
  }));
  const order = [{ column: schema.findIndex((s) => s.name === 'hostname') }, { column: 0 }];
  const { stats } = columnar.encodeTable(schema, vectors, data.rowCount, segmentby ? { order } : {});
  const perColumn: Record<string, number> = {};
  schema.forEach((s, i) => {
    perColumn[s.name] = stats.columnBytes[i] / data.rowCount;
  });
  return {
    bytes: stats.bytes,
    chunks: stats.chunks,
    bytesPerRow: stats.bytesPerRow,
    rowsPerSecond: stats.rowsPerSecond,
    perColumn,
  };
}
