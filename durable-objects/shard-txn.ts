/**
 * @module durable-objects/shard-txn
 * The statements of one `/sql` call as one transaction on this shard. Every
 * write statement of the call is prepared under the call's transaction id; the
 * transaction keeps ONE prepared entry per table here (`txnEntryId`), whose
 * effect is the net of its statements so far: the committed rows it removes
 * (hot rids, chunk offsets: write intents other transactions' prepares are
 * refused on, see `heldRows`) and the rows it will insert (new rows and new
 * images of updated ones). A statement is evaluated over the transaction's own
 * view — committed rows minus the ones it removes, plus the ones it inserts —
 * so an UPDATE after an INSERT of the same call finds the inserted rows, and
 * unique keys are checked against that view. The commit applies the net
 * effect (shard-log `resolveEntry`), so it cannot fail on data.
 */
import { parsePlaneJson, planeJson } from '../engine/distributed/row-json.ts';
import type { DistTable, Row, UniqueConstraint } from '../engine/distributed/table-schema.ts';
import {
  intentKeys,
  type KeyHolder,
  type KeyLookup,
  keyOf,
  resolveKeys,
  touchesKeys,
} from '../engine/distributed/unique-keys.ts';
import { SqlError, SqlState } from '../engine/errors.ts';
import {
  appendLog,
  heldRows,
  loggedBatch,
  type PreparedEffect,
  RETRY_STATE,
  ROW_CONFLICT,
  resolveEntry,
} from './shard-log.ts';
import { deleteHitsOf, type ShardOp, updatedRows } from './shard-ops.ts';
import type { RowOverlay } from './shard-scan.ts';
import type { Meter } from './shard-storage.ts';
import { rememberTable } from './shard-tables.ts';
import { ShardKeyLookup } from './shard-unique.ts';

/** The prepared entry of transaction `txn` on `table` (batch ids are unique per shard). */
export function txnEntryId(txn: string, table: number): string {
  return `${txn}@${table}`;
}

/**
 * Bytes of one transaction's prepared entry for one table (its row images, JSON): DO
 * SQLite refuses values past 2 MB, so a call whose writes there grow beyond this is refused.
 */
export const MAX_TXN_ENTRY_BYTES = 1_900_000;

/** A call transaction's prepared entry (the shape shard-log's `resolveEntry` applies). */
interface TxnPayload {
  readonly txn: string;
  readonly table: DistTable;
  readonly effect: PreparedEffect & { readonly rows: Row[] };
  readonly keys?: Record<string, string[]>;
  /** Rows each statement (by its index in the call) affected here: a re-sent prepare answers it. */
  readonly counts: Record<number, number>;
}

/** The transaction's prepared entry on `table`, if still undecided. */
function openEntry(m: Meter, txn: string, table: number): TxnPayload | undefined {
  const e = loggedBatch(m, txnEntryId(txn, table));
  return e?.state === 'prepared' && e.payload ? parsePlaneJson<TxnPayload>(e.payload) : undefined;
}

/** The transaction's own view of `table` as an overlay over the committed rows (undefined: none). */
export function txnOverlay(m: Meter, txn: string, table: number): RowOverlay | undefined {
  const p = openEntry(m, txn, table);
  if (!p) return undefined;
  const chunks = new Set<string>();
  for (const [chunk, offsets] of p.effect.chunks) for (const o of offsets) chunks.add(`${chunk}:${o}`);
  return { hot: new Set(p.effect.hot), chunks, rows: p.effect.rows };
}

/** Stored rows the transaction removed are gone for its key checks; its pending rows hold their keys. */
class TxnKeyLookup implements KeyLookup {
  constructor(
    private readonly stored: KeyLookup,
    private readonly gone: ReadonlySet<string>,
    private readonly pending: readonly Row[],
  ) {}

  find(c: UniqueConstraint, keys: ReadonlyMap<string, Row>): Map<string, KeyHolder> {
    const out = this.stored.find(c, keys);
    for (const [k, h] of out) if (this.gone.has(h.ref)) out.delete(k);
    this.pending.forEach((row, i) => {
      const k = keyOf(row, c.columnIds);
      if (k !== undefined && keys.has(k) && !out.has(k)) out.set(k, { ref: `p:${i}`, row: () => row });
    });
    return out;
  }
}

/**
 * Prepares statement `stmt` of transaction `txn` (call inside a SQLite
 * transaction): evaluates `op` over the transaction's view and folds its effect
 * into the transaction's entry for the table. Returns rows affected. Idempotent
 * per (`txn`, `stmt`); 40001 when the transaction was already decided here or a
 * row it touches is held by another undecided transaction.
 */
export function prepareInTxn(m: Meter, txn: string, stmt: number, table: DistTable, op: ShardOp): number {
  const id = txnEntryId(txn, table.id);
  const logged = loggedBatch(m, id);
  if (loggedBatch(m, txn)?.state === 'aborted' || (logged && logged.state !== 'prepared'))
    throw new SqlError(RETRY_STATE, `transaction ${txn} was already decided; not applied, retry`);
  const prior = openEntry(m, txn, table.id);
  if (prior?.counts[stmt] !== undefined) return prior.counts[stmt];
  rememberTable(m, table);
  const hot = new Set(prior?.effect.hot);
  const chunks = new Map<number, Set<number>>(prior?.effect.chunks.map(([c, o]) => [c, new Set(o)]));
  let pending = [...(prior?.effect.rows ?? [])];
  const overlay = txnOverlay(m, txn, table.id) ?? { hot, chunks: new Set<string>(), rows: pending };
  const gone = new Set([...overlay.hot].map((r) => `h:${r}`));
  for (const c of overlay.chunks) gone.add(`c:${c}`);
  const lookup = () => new TxnKeyLookup(new ShardKeyLookup(m, table, id), gone, pending);
  /** Removes stored rows (refs `h:` / `c:`) and pending rows (`p:`) from the transaction's view. */
  const remove = (refs: readonly string[]) => {
    const held = heldRows(m, table.id, id);
    const dropped = new Set<number>();
    for (const ref of refs) {
      const [kind, a, b] = ref.split(':');
      if (kind === 'p') {
        dropped.add(Number(a));
        continue;
      }
      if (held.has(ref))
        throw new SqlError(
          RETRY_STATE,
          `${ROW_CONFLICT} to "${table.name}": a row is being written by a concurrent transaction; not applied, retry`,
        );
      if (kind === 'h') hot.add(Number(a));
      else {
        const set = chunks.get(Number(a)) ?? new Set<number>();
        set.add(Number(b));
        chunks.set(Number(a), set);
      }
    }
    pending = pending.filter((_, i) => !dropped.has(i));
  };
  const refsOf = (hits: ReturnType<typeof deleteHitsOf>) => [
    ...hits.hot.map((r) => `h:${r}`),
    ...[...hits.chunks].flatMap(([c, offsets]) => offsets.map((o) => `c:${c}:${o}`)),
    ...(hits.pending ?? []).map((i) => `p:${i}`),
  ];
  let affected: number;
  if (op.kind === 'insert') {
    const w = table.unique?.length
      ? resolveKeys(table, op.rows, lookup(), op.onConflict)
      : { rows: op.rows, replaced: [], affected: op.rows.length };
    remove(w.replaced);
    pending.push(...w.rows);
    affected = w.affected;
  } else if (op.kind === 'delete') {
    const refs = refsOf(deleteHitsOf(m, op, overlay));
    remove(refs);
    affected = refs.length;
  } else {
    const { hits, rows } = updatedRows(m, op, overlay);
    const refs = refsOf(hits);
    if (
      touchesKeys(
        table,
        op.set.map((s) => s.column.id),
      )
    )
      resolveKeys(table, rows, lookup(), undefined, new Set(refs));
    remove(refs);
    pending.push(...rows);
    affected = rows.length;
  }
  const payload: TxnPayload = {
    txn,
    table,
    effect: { hot: [...hot], chunks: [...chunks].map(([c, o]) => [c, [...o]]), rows: pending },
    ...(table.unique?.length ? { keys: intentKeys(table, pending) } : {}),
    counts: { ...prior?.counts, [stmt]: affected },
  };
  const total = Object.values(payload.counts).reduce((s, n) => s + n, 0);
  const json = planeJson(payload);
  if (json.length > MAX_TXN_ENTRY_BYTES)
    throw new SqlError(
      SqlState.programLimitExceeded,
      `the call writes more than ${MAX_TXN_ENTRY_BYTES} bytes of rows of "${table.name}" to one shard in one transaction`,
      undefined,
      'split the call into several calls (or use the bulk-ingest endpoint)',
    );
  if (prior) m.all(`UPDATE shard_log SET payload = ?, row_count = ? WHERE batch_id = ?`, json, total, id);
  else appendLog(m, id, table.id, 'txn', total, 'prepared', json);
  return affected;
}

/** Entry ids of `txn` here: a statement's own entry (single-statement 2PC) and the call's per-table entries. */
function entriesOf(m: Meter, txn: string): string[] {
  const prefix = `${txn}@`;
  return (
    m
      .all<{ batch_id: string; payload: string | null }>(
        `SELECT batch_id, payload FROM shard_log WHERE batch_id = ? OR substr(batch_id, 1, ?) = ?`,
        txn,
        prefix.length,
        prefix,
      )
      // Ids are client-influenced (Idempotency-Key): an undecided entry that merely shares the prefix is another's.
      .filter(
        (r) => r.batch_id === txn || !r.payload || (JSON.parse(r.payload) as { txn?: string }).txn === txn,
      )
      .map((r) => r.batch_id)
  );
}

/**
 * 2PC phase 2 for every entry of `txn` here (call inside a SQLite transaction);
 * returns rows affected. An abort also leaves a tombstone under `txn` itself,
 * so a prepare arriving late cannot resurrect it.
 */
export function resolveTxn(m: Meter, txn: string, decision: 'committed' | 'aborted'): number {
  const ids = entriesOf(m, txn);
  if (decision === 'aborted' && !ids.includes(txn)) ids.push(txn);
  return ids.reduce((n, id) => n + resolveEntry(m, id, decision), 0);
}

/** Transactions (ids the coordinator decides) with an entry prepared before `before` (ms since the epoch). */
export function preparedBefore(m: Meter, before: number): string[] {
  const rows = m.all<{ batch_id: string; payload: string | null }>(
    `SELECT batch_id, payload FROM shard_log WHERE state = 'prepared' AND at < ?`,
    before,
  );
  const txns = rows.map((r) =>
    r.payload && r.batch_id.includes('@')
      ? ((JSON.parse(r.payload) as { txn?: string }).txn ?? r.batch_id)
      : r.batch_id,
  );
  return [...new Set(txns)];
}

/**
 * The chunks each prepared entry of `txn` removes rows from, by table (a call
 * transaction has one entry per table): their cold blocks are fetched before the
 * commit reads the rows' before images for the change log.
 */
export function preparedChunks(m: Meter, txn: string): { table: number; chunks: number[] }[] {
  const out: { table: number; chunks: number[] }[] = [];
  for (const id of entriesOf(m, txn)) {
    const row = m.all<{ table_id: number; chunks: string | null }>(
      `SELECT table_id, json_extract(payload, '$.effect.chunks') AS chunks FROM shard_log
       WHERE batch_id = ? AND state = 'prepared'`,
      id,
    )[0];
    if (!row?.chunks) continue;
    const chunks = (JSON.parse(row.chunks) as [number, number[]][]).map(([chunk]) => chunk);
    if (chunks.length > 0) out.push({ table: row.table_id, chunks });
  }
  return out;
}
