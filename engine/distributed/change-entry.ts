/**
 * @module engine/distributed/change-entry
 * The entries of a shard's change log, as its readers see them (see
 * durable-objects/change-log). One commit-ordered sequence per shard: the LSN
 * is assigned when a change commits, so a transaction prepared first but
 * committed second comes second. Row images are arrays indexed by column id
 * (holes for dropped columns), normalized to the table definition in force at
 * the entry: a column a stored row lacks (added later) reads as its default.
 */
import type { DistTable, Row } from './table-schema.ts';

/** What one entry changed. A large statement is split over consecutive entries of one transaction. */
export type ChangeBody =
  | { readonly kind: 'insert'; readonly after: Row[] }
  /** `before[i]` became `after[i]`. */
  | { readonly kind: 'update'; readonly before: Row[]; readonly after: Row[] }
  | { readonly kind: 'delete'; readonly before: Row[] }
  /**
   * A bulk load that wrote columnar chunks: references, not bytes. A referenced
   * chunk stays readable (`readLogChunk`) while the entry is retained, even
   * after compaction merges it or its table is dropped.
   */
  | { readonly kind: 'bulk'; readonly chunks: { readonly id: number; readonly rows: number }[] }
  /** The table as this shard first saw it (`create`), a changed definition (`alter`), or `drop`. */
  | { readonly kind: 'ddl'; readonly op: 'create' | 'alter' | 'drop'; readonly def?: DistTable }
  /** drop_chunks / the retention policy removed these whole time buckets (hot rows and chunks). */
  | { readonly kind: 'drop_buckets'; readonly buckets: number[] };

/** One log entry. */
export interface ChangeEntry {
  readonly lsn: number;
  /** The transaction (or write batch) id; `catalog:<version>` for a definition pushed by the catalog. */
  readonly txnId: string;
  /** Commit time in ms since the epoch, taken once when the change committed. */
  readonly commitMs: number;
  /** The table's id (what the entry is keyed by) and its name as the shard last knew it. */
  readonly tableId: number;
  readonly table: string;
  readonly change: ChangeBody;
}

/** A page of the log (`readLog`). */
export interface LogPage {
  readonly entries: ChangeEntry[];
  /** Where the next read starts. */
  readonly nextLsn: number;
  /** The retained range: `oldestLsn` … `newestLsn` (empty when oldest > newest). */
  readonly oldestLsn: number;
  readonly newestLsn: number;
  /**
   * The shard's clock when it read the page. Entries appended later carry a commit time at or
   * after it, so once a reader has every entry up to `newestLsn` it has every change committed
   * before `readMs` (what a changefeed's resolved message reports).
   */
  readonly readMs?: number;
}
