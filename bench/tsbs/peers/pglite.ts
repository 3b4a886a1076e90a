/**
 * @module bench/tsbs/peers/pglite
 * PGlite (real PostgreSQL 18 in wasm) as the correctness oracle. Results keep
 * PostgreSQL's text forms for timestamps, dates, intervals and numeric, so they
 * compare directly with the engine's output. A `time_bucket` SQL function
 * (date_bin with TimescaleDB's default origin, Monday 2000-01-03) lets the TSBS
 * TimescaleDB-dialect queries run unchanged.
 */
import { PGlite } from '@electric-sql/pglite';
import { formatPgTimestamp, formatPgTimestamptz, parsePgTimestamp } from '../../../engine/testing/pg-time.ts';
import { normalizeDecimal } from '../../../engine/testing/result-compare.ts';
import { csvBatches } from '../formats.ts';
import { CPU_TABLE_DDL, type CpuData } from '../generate.ts';
import type { PeerResult, SqlPeer } from './sql-peer.ts';

const TIME_BUCKET_SHIM = `
CREATE FUNCTION time_bucket(bucket interval, ts timestamptz) RETURNS timestamptz
  AS $$ SELECT date_bin(bucket, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION time_bucket(bucket interval, ts timestamp) RETURNS timestamp
  AS $$ SELECT date_bin(bucket, ts, TIMESTAMP '2000-01-03 00:00:00') $$ LANGUAGE sql IMMUTABLE;`;

/** Type OID → parser from PostgreSQL text to a normalized cell. */
const PARSERS: Record<number, (text: string) => unknown> = {
  20: (x) => BigInt(x), // int8
  1700: (x) => normalizeDecimal(x), // numeric
  1114: (x) => {
    const us = parsePgTimestamp(x);
    return us === undefined ? x : formatPgTimestamp(us);
  },
  1184: (x) => {
    const us = parsePgTimestamp(x);
    return us === undefined ? x : formatPgTimestamptz(us);
  },
  1082: (x) => x, // date
  1186: (x) => x, // interval
  1083: (x) => x, // time
  2950: (x) => x, // uuid
};

/** PGlite wrapped as a {@link SqlPeer}. */
export class PglitePeer implements SqlPeer {
  readonly name = 'pglite';
  private constructor(readonly db: PGlite) {}

  /** An empty in-memory database in UTC with the time_bucket shim installed. */
  static async create(): Promise<PglitePeer> {
    const db = await PGlite.create();
    await db.exec(`SET TimeZone = 'UTC'; ${TIME_BUCKET_SHIM}`);
    return new PglitePeer(db);
  }

  /** Runs statements without results (DDL, INSERT). */
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async query(sql: string): Promise<PeerResult> {
    const r = await this.db.query<unknown[]>(sql, [], { rowMode: 'array', parsers: PARSERS });
    return { columns: r.fields.map((f) => f.name), rows: r.rows as PeerResult['rows'] };
  }

  /** Appends CSV rows (no header) to `table` with COPY FROM a blob. */
  async copyCsv(table: string, csv: string): Promise<void> {
    await this.db.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
  }

  /** Creates and fills the `cpu` table through COPY FROM a CSV blob. */
  async loadCpu(data: CpuData): Promise<void> {
    await this.db.exec(CPU_TABLE_DDL);
    const csv = [...csvBatches(data)].join('');
    await this.db.query(`COPY cpu FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {
      blob: new Blob([csv]),
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
