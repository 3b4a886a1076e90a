/**
 * @module bench/tsbs/peers/duckdb
 * DuckDB (`@duckdb/node-api`) as the performance peer: one thread, a native
 * in-memory table, ICU loaded with TimeZone UTC so `timestamptz` behaves like
 * PostgreSQL's. The cpu table is loaded through the appender in DataChunks of
 * typed values (fields and time) plus a join against a 1-row-per-host tag table,
 * which is far faster than appending 21 values per row through N-API calls.
 */
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
  type DuckDBVector,
  INTEGER,
} from '@duckdb/node-api';
import { formatPgTimestamp, formatPgTimestamptz } from '../../../engine/testing/pg-time.ts';
import { type Cell, normalizeDecimal } from '../../../engine/testing/result-compare.ts';
import { CPU_FIELDS, type CpuData, TAG_COLUMNS } from '../generate.ts';
import type { PeerResult, SqlPeer } from './sql-peer.ts';

/** DuckDB value → normalized cell (timestamps as PostgreSQL text, decimals canonical). */
function toCell(v: DuckDBValue): Cell {
  if (
    v === null ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'string' ||
    typeof v === 'boolean'
  ) {
    return v;
  }
  if (v instanceof DuckDBTimestampTZValue) return formatPgTimestamptz(Number(v.micros));
  if (v instanceof DuckDBTimestampValue) return formatPgTimestamp(Number(v.micros));
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return normalizeDecimal(v.toString());
  return String(v);
}

/** DuckDB wrapped as a {@link SqlPeer}. */
export class DuckdbPeer implements SqlPeer {
  readonly name = 'duckdb';
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  /** An in-memory database with `threads` worker threads (1 for fair single-core comparisons). */
  static async create(threads = 1): Promise<DuckdbPeer> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const conn = await instance.connect();
    await conn.run('LOAD icu');
    await conn.run(`SET TimeZone = 'UTC'`);
    return new DuckdbPeer(instance, conn);
  }

  async query(sql: string): Promise<PeerResult> {
    const reader = await this.conn.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(toCell)) };
  }

  /** Runs a statement and discards rows; the timing path (no JS conversion of results beyond fetching). */
  async run(sql: string): Promise<number> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.currentRowCount;
  }

  /** Creates `cpu` (same columns as the PostgreSQL DDL) and loads `data` in time-major order. */
  async loadCpu(data: CpuData): Promise<void> {
    const c = this.conn;
    await c.run(
      `CREATE TABLE cpu_hosts (host INTEGER, ${TAG_COLUMNS.map((t) => `${t} VARCHAR`).join(', ')})`,
    );
    const esc = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const values = data.hosts.map((h, i) => `(${i}, ${TAG_COLUMNS.map((t) => esc(h[t])).join(', ')})`);
    for (let i = 0; i < values.length; i += 1000) {
      await c.run(`INSERT INTO cpu_hosts VALUES ${values.slice(i, i + 1000).join(', ')}`);
    }
    await c.run(
      `CREATE TABLE cpu_stage (time DOUBLE, host INTEGER, ${CPU_FIELDS.map((f) => `${f} DOUBLE`).join(', ')})`,
    );
    const appender = await c.createAppender('cpu_stage');
    const types = [DOUBLE, INTEGER, ...CPU_FIELDS.map(() => DOUBLE)];
    const sources: ArrayLike<number>[] = [
      data.time,
      data.hostIndex,
      ...CPU_FIELDS.map((f) => data.fields[f]),
    ];
    const CHUNK = 2048;
    for (let start = 0; start < data.rowCount; start += CHUNK) {
      const n = Math.min(CHUNK, data.rowCount - start);
      const chunk = DuckDBDataChunk.create(types, n);
      for (let col = 0; col < types.length; col++) {
        const vec = chunk.getColumnVector(col) as DuckDBVector<number>;
        const src = sources[col];
        for (let i = 0; i < n; i++) vec.setItem(i, src[start + i]);
        vec.flush();
      }
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    await c.run(
      `CREATE TABLE cpu AS SELECT make_timestamp(s.time::BIGINT)::TIMESTAMPTZ AS time,
        ${TAG_COLUMNS.map((t) => `h.${t}`).join(', ')}, ${CPU_FIELDS.map((f) => `s.${f}`).join(', ')}
       FROM cpu_stage s JOIN cpu_hosts h ON s.host = h.host ORDER BY s.time, s.host`,
    );
    await c.run('DROP TABLE cpu_stage');
    await c.run('DROP TABLE cpu_hosts');
  }

  /** Size in bytes of a zstd Parquet export of `table` (DuckDB defaults otherwise). */
  async parquetBytes(table: string, path: string): Promise<number> {
    await this.conn.run(`COPY ${table} TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    const { statSync, unlinkSync } = await import('node:fs');
    const size = statSync(path).size;
    unlinkSync(path);
    return size;
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
