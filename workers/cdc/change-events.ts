/**
 * @module workers/cdc/change-events
 * Turns a shard's change log into changefeed events in the Debezium envelope:
 * `{id, op, before, after, source, ts_ms}`, rows as objects keyed by column
 * name with values as `/sql` answers them (statement-result). Event `i` of
 * log entry `lsn` on shard `s` has the id `s:lsn:i` whatever batch carries
 * it, so a receiver can drop repeats. Bulk loads expand to their rows
 * (`readLogChunk`, paged); DDL and whole-bucket drops carry no row events.
 */
import type { ChunkPage } from '../../durable-objects/change-log-chunks.ts';
import type { ChangefeedCursor, ChangefeedSpec } from '../../durable-objects/changefeed-store.ts';
import type { ChangeEntry, LogPage } from '../../engine/distributed/change-entry.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { isSqlError } from '../../engine/errors.ts';
import { timestampFormatter, toStatementResult } from '../data-plane/statement-result.ts';
import { FilterFailed, filterMatches, projectRow } from './changefeed-filter.ts';

/** One changefeed event (Debezium envelope). */
export interface CdcEvent {
  readonly id: string;
  readonly op: 'c' | 'u' | 'd';
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly source: {
    readonly database: string;
    readonly table: string;
    readonly shard: string;
    readonly lsn: number;
    readonly txId: string;
    readonly commitTime: string;
    readonly snapshot: false;
  };
  /** The commit time in ms (Debezium's processing time would make a retried batch differ). */
  readonly ts_ms: number;
}

/** What the pump reads a shard's log through (ShardDO RPC, or a fake in tests). */
export interface LogSource {
  readLog(fromLsn: number, limit: number): Promise<LogPage>;
  readLogChunk(lsn: number, chunkId: number, offset: number, limit: number): Promise<ChunkPage>;
}

/** Events up to a batch, and the cursor once they are acknowledged. */
export interface EventBatch {
  readonly events: CdcEvent[];
  readonly to: { readonly lsn: number; readonly skip: number };
  /**
   * Set when the batch reaches the end of the log: the shard's clock at that read. Once the
   * batch is acknowledged, every change the shard committed before it has been delivered.
   */
  readonly drainedMs?: number;
}

/** Entries read per log page, and at most this many entries scanned per batch with nothing to send. */
const PAGE = 200;
const MAX_SCAN = 5000;

const OP = { insert: 'c', update: 'u', delete: 'd', bulk: 'c' } as const;
const OPTION = { insert: 'insert', update: 'update', delete: 'delete', bulk: 'insert' } as const;

/** How many row events entry `e` holds for `spec` (0 when it is not delivered). */
function eventCount(spec: ChangefeedSpec, e: ChangeEntry): number {
  const c = e.change;
  if (c.kind === 'ddl' || c.kind === 'drop_buckets') return 0;
  if (!spec.tables.includes(e.table) || !spec.ops.includes(OPTION[c.kind])) return 0;
  if (c.kind === 'insert' || c.kind === 'update') return c.after.length;
  if (c.kind === 'delete') return c.before.length;
  return c.chunks.reduce((n, ch) => n + ch.rows, 0);
}

/** Rows of `def` as JSON objects, typed as `/sql` types them. */
function rowObjects(def: DistTable | undefined, rows: readonly Row[]): Record<string, unknown>[] {
  if (!def) return rows.map((r) => Object.fromEntries(r.map((v, i) => [String(i), v ?? null])));
  const cols = def.columns.map((c) => ({ name: c.name, type: c.type }));
  const grid = rows.map((r) => def.columns.map((c) => r[c.id] ?? null));
  const json = toStatementResult(cols, grid).rows;
  return json.map((r) => Object.fromEntries(cols.map((c, i) => [c.name, r[i]])));
}

/**
 * Which of a window's events pass the changefeed's filter: an insert's new row, a delete's old
 * row, an update's old or new row. A table whose definition is unknown cannot be filtered, and
 * a filter that fails on a row (22012 and the like) cannot decide: both stop the batch rather
 * than send rows the receiver asked not to get.
 */
async function passing(
  filter: string,
  def: DistTable | undefined,
  e: ChangeEntry,
  before: readonly Row[],
  after: readonly Row[],
): Promise<boolean[]> {
  if (!def)
    throw new FilterFailed(`the definition of table "${e.table}" at LSN ${e.lsn} is unknown to the filter`);
  try {
    const [b, a] = [await filterMatches(def, filter, before), await filterMatches(def, filter, after)];
    return Array.from({ length: Math.max(b.length, a.length) }, (_, i) => b[i] === true || a[i] === true);
  } catch (err) {
    const why = isSqlError(err) ? `SQLSTATE ${err.code}: ${err.message}` : String(err);
    throw new FilterFailed(`the filter failed on a row of "${e.table}" at LSN ${e.lsn} (${why})`);
  }
}

/** Rows `from` … `to` (exclusive) of a bulk entry, across its chunks. */
async function bulkRows(src: LogSource, e: ChangeEntry, from: number, to: number): Promise<Row[]> {
  if (e.change.kind !== 'bulk') return [];
  const out: Row[] = [];
  let base = 0;
  for (const ch of e.change.chunks) {
    const lo = Math.max(from, base);
    const hi = Math.min(to, base + ch.rows);
    for (let off = lo - base; lo < hi && off < hi - base; ) {
      const page = await src.readLogChunk(e.lsn, ch.id, off, hi - base - off);
      out.push(...page.rows.slice(0, hi - base - off));
      if (page.nextOffset <= off || page.rows.length === 0) break;
      off = page.nextOffset;
    }
    base += ch.rows;
    if (base >= to) break;
  }
  return out;
}

/**
 * The next batch after `cursor`: at most `spec.batchSize` events, in log
 * order. `defs` (table id → definition) names the columns; definitions met in
 * DDL entries replace them as the log goes. A gap in the log (58P01) throws.
 */
export async function collectBatch(
  src: LogSource,
  spec: ChangefeedSpec,
  where: { database: string; shard: string },
  cursor: Pick<ChangefeedCursor, 'lsn' | 'skip'>,
  defs: Map<number, DistTable>,
): Promise<EventBatch> {
  const events: CdcEvent[] = [];
  let to = { lsn: cursor.lsn, skip: cursor.skip };
  let skip = cursor.skip;
  let from = cursor.lsn + 1;
  let scanned = 0;
  const iso = timestampFormatter();
  for (;;) {
    const page = await src.readLog(from, PAGE);
    if (page.entries.length === 0) return { events, to, drainedMs: page.readMs };
    for (const e of page.entries) {
      let first = skip;
      skip = 0;
      scanned++;
      if (e.change.kind === 'ddl' && e.change.def) defs.set(e.tableId, e.change.def);
      const total = eventCount(spec, e);
      const c = e.change;
      const def = defs.get(e.tableId);
      const source = {
        database: where.database,
        table: e.table,
        shard: where.shard,
        lsn: e.lsn,
        txId: e.txnId,
        commitTime: iso(e.commitMs * 1000),
        snapshot: false as const,
      };
      const op = OP[c.kind as keyof typeof OP];
      // Windows of the entry's rows until the batch is full: with a filter a window may keep none.
      while (first < total && events.length < spec.batchSize) {
        const end = Math.min(total, first + spec.batchSize - events.length);
        const slice = <T>(xs: readonly T[]) => xs.slice(first, end);
        const beforeRows = c.kind === 'update' || c.kind === 'delete' ? slice(c.before) : [];
        const afterRows =
          c.kind === 'bulk'
            ? await bulkRows(src, e, first, end)
            : c.kind === 'insert' || c.kind === 'update'
              ? slice(c.after)
              : [];
        const keep = spec.filter ? await passing(spec.filter, def, e, beforeRows, afterRows) : undefined;
        const before = rowObjects(def, beforeRows);
        const after = rowObjects(def, afterRows);
        for (let i = first; i < end; i++) {
          if (keep && !keep[i - first]) continue;
          events.push({
            id: `${where.shard}:${e.lsn}:${i}`,
            op,
            before: projectRow(before[i - first] ?? null, spec.columns),
            after: projectRow(after[i - first] ?? null, spec.columns),
            source,
            // The commit time, not the send time: a retried batch is the same bytes.
            ts_ms: e.commitMs,
          });
        }
        first = end;
      }
      if (first < total) return { events, to: { lsn: e.lsn - 1, skip: first } };
      to = { lsn: e.lsn, skip: 0 };
      if (events.length >= spec.batchSize) return { events, to };
    }
    from = page.nextLsn;
    if (events.length === 0 && scanned >= MAX_SCAN) return { events, to };
  }
}
