/**
 * @module bench/tsbs/peers/sql-peer
 * The seam every system under comparison implements: run SQL, get normalized
 * cells back (see engine/testing/result-compare). Loading is per peer because
 * each has its own fastest path (appender, COPY, prepared INSERT, bulkLoad).
 */
import type { Cell } from '../../../engine/testing/result-compare.ts';

/** A normalized result: column names and rows of cells. */
export interface PeerResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A database we can run a query against. */
export interface SqlPeer {
  readonly name: string;
  /** Runs one statement and returns normalized rows. */
  query(sql: string): Promise<PeerResult>;
  close(): Promise<void>;
}
