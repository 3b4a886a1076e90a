/**
 * @module bench/tsbs/formats
 * Text encodings of generated TSBS cpu-only data: InfluxDB line protocol (as
 * `tsbs_generate_data --format=influx` writes it, integer fields with the `i`
 * suffix) for HTTP ingest benchmarks, and CSV with a header for COPY-style loads.
 * Both stream in batches so a full-scale dataset never needs one giant string.
 */
import { formatPgTimestamptz } from '../../engine/testing/pg-time.ts';
import { CPU_FIELDS, type CpuData, TAG_COLUMNS } from './generate.ts';

/** Options for line protocol output. */
export interface LineProtocolOptions {
  /** Emit fields as integers with the `i` suffix like TSBS (default true); false emits plain floats. */
  readonly integerFields?: boolean;
  /** Rows per yielded string (default 5000). */
  readonly batchRows?: number;
}

/** The per-host `cpu,tag=value,…` prefix (TSBS tag order). */
function seriesKeys(data: CpuData): string[] {
  return data.hosts.map((h) => `cpu,${TAG_COLUMNS.map((t) => `${t}=${h[t]}`).join(',')}`);
}

/** One line protocol line for row `r` (nanosecond timestamp, no trailing newline). */
export function lineProtocolRow(
  data: CpuData,
  r: number,
  keys = seriesKeys(data),
  integerFields = true,
): string {
  const suffix = integerFields ? 'i' : '';
  let fields = '';
  for (let f = 0; f < CPU_FIELDS.length; f++) {
    if (f > 0) fields += ',';
    fields += `${CPU_FIELDS[f]}=${data.fields[CPU_FIELDS[f]][r]}${suffix}`;
  }
  return `${keys[data.hostIndex[r]]} ${fields} ${BigInt(data.time[r]) * 1000n}`;
}

/** Yields newline-terminated line protocol in batches of `batchRows` rows. */
export function* lineProtocolBatches(data: CpuData, options: LineProtocolOptions = {}): Generator<string> {
  const keys = seriesKeys(data);
  const batch = options.batchRows ?? 5000;
  const integerFields = options.integerFields ?? true;
  for (let start = 0; start < data.rowCount; start += batch) {
    const end = Math.min(data.rowCount, start + batch);
    const lines: string[] = [];
    for (let r = start; r < end; r++) lines.push(lineProtocolRow(data, r, keys, integerFields));
    yield `${lines.join('\n')}\n`;
  }
}

/** CSV header matching the `cpu` table's column order. */
export const CPU_CSV_HEADER = ['time', ...TAG_COLUMNS, ...CPU_FIELDS].join(',');

/** Yields CSV (header first, then rows with PostgreSQL timestamptz text) in batches. */
export function* csvBatches(data: CpuData, batchRows = 5000): Generator<string> {
  yield `${CPU_CSV_HEADER}\n`;
  const tagText = data.hosts.map((h) => TAG_COLUMNS.map((t) => h[t]).join(','));
  for (let start = 0; start < data.rowCount; start += batchRows) {
    const end = Math.min(data.rowCount, start + batchRows);
    const lines: string[] = [];
    for (let r = start; r < end; r++) {
      let line = `${formatPgTimestamptz(data.time[r])},${tagText[data.hostIndex[r]]}`;
      for (const f of CPU_FIELDS) line += `,${data.fields[f][r]}`;
      lines.push(line);
    }
    yield `${lines.join('\n')}\n`;
  }
}
