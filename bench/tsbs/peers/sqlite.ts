/**
 * @module bench/tsbs/peers/sqlite
 * SQLite (`better-sqlite3`) as the row-store baseline: one row per data row, time
 * as integer µs since the epoch, tags as text columns, indexes on (hostname, time)
 * as TSBS's loaders create, and on time (TimescaleDB's default hypertable index).
 * Loaded with one prepared INSERT inside one transaction.
 */
import Database from 'better-sqlite3';
import { formatPgTimestamptz } from '../../../engine/testing/pg-time.ts';
import type { Cell } from '../../../engine/testing/result-compare.ts';
import { CPU_FIELDS, type CpuData, TAG_COLUMNS } from '../generate.ts';
import type { PeerResult, SqlPeer } from './sql-peer.ts';

/** Result columns holding integer µs that PostgreSQL would print as timestamptz. */
const TIME_COLUMNS = new Set(['time', 'minute', 'hour']);

/** better-sqlite3 wrapped as a {@link SqlPeer}. */
export class SqlitePeer implements SqlPeer {
  readonly name = 'sqlite';
  readonly db: Database.Database;

  /** An in-memory database (or a file at `path`). */
  constructor(path = ':memory:') {
    this.db = new Database(path);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -1000000');
  }

  async query(sql: string): Promise<PeerResult> {
    const stmt = this.db.prepare(sql);
    const columns = stmt.columns().map((c) => c.name);
    const isTime = columns.map((c) => TIME_COLUMNS.has(c));
    const rows = (stmt.raw(true).all() as Cell[][]).map((r) =>
      r.map((v, i) => (isTime[i] && typeof v === 'number' ? formatPgTimestamptz(v) : v)),
    );
    return { columns, rows };
  }

  /** Runs a query and returns its row count without normalizing values (the timing path). */
  run(sql: string): number {
    return this.db.prepare(sql).raw(true).all().length;
  }

  /** Creates and fills `cpu`, then builds the indexes. */
  loadCpu(data: CpuData): void {
    const cols = ['time', ...TAG_COLUMNS, ...CPU_FIELDS];
    this.db.exec(
      `CREATE TABLE cpu (time INTEGER NOT NULL, ${TAG_COLUMNS.map((t) => `${t} TEXT`).join(', ')}, ${CPU_FIELDS.map((f) => `${f} REAL`).join(', ')})`,
    );
    const insert = this.db.prepare(
      `INSERT INTO cpu (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    );
    const tagValues = data.hosts.map((h) => TAG_COLUMNS.map((t) => h[t]));
    const fields = CPU_FIELDS.map((f) => data.fields[f]);
    const row = new Array<unknown>(cols.length);
    const BATCH = 100_000;
    for (let start = 0; start < data.rowCount; start += BATCH) {
      const end = Math.min(data.rowCount, start + BATCH);
      this.db.transaction(() => {
        for (let r = start; r < end; r++) {
          row[0] = data.time[r];
          const tags = tagValues[data.hostIndex[r]];
          for (let t = 0; t < tags.length; t++) row[1 + t] = tags[t];
          for (let f = 0; f < fields.length; f++) row[1 + tags.length + f] = fields[f][r];
          insert.run(row);
        }
      })();
    }
    this.db.exec('CREATE INDEX cpu_hostname_time ON cpu (hostname, time DESC)');
    this.db.exec('CREATE INDEX cpu_time ON cpu (time DESC)');
    this.db.exec('ANALYZE');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
