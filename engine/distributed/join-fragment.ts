/**
 * @module engine/distributed/join-fragment
 * The shard side of a pushed-down join (see `join-pushdown`): an engine over
 * the join's relations — the shard's own segments of each distributed table,
 * shipped rows for broadcast reference tables — with columns named by virtual
 * id, running the join as a CTE and the planned fragment over it. Pure
 * TypeScript: the Durable Object and the Node differential test share it.
 */
import type { SegmentView } from '../storage/table-store.ts';
import { chunkColumnName } from './chunk-rows.ts';
import type { ColumnBound, Fragment, PartialResult } from './fragment.ts';
import { engineOver, engineTableDef, hotSegment } from './fragment-engine.ts';
import { fragmentSql, quoteIdent, toPartial } from './fragment-sql.ts';
import { JOIN_VIEW, type JoinPushdown } from './join-pushdown.ts';
import type { DistTable, Row } from './table-schema.ts';

/** One relation as the shard receives it. */
export interface JoinRelationSpec {
  readonly engineName: string;
  readonly table: DistTable;
  readonly vids: readonly number[];
  /** Broadcast tables: every row, one column per `table.columns` entry. */
  readonly rows?: PartialResult;
}

/** What a shard runs for a pushed-down join. */
export interface JoinRequest {
  readonly relations: readonly JoinRelationSpec[];
  /** The complete SQL (join CTE + fragment over it). */
  readonly sql: string;
  /** The fragment over the virtual table (for converting the answer). */
  readonly fragment: Fragment;
  /** Virtual ids the join and the fragment read (to fetch only those columns' cold blocks). */
  readonly reads: readonly number[];
}

/** What `req` reads of relation `r`: its column ids, and the fragment's zone-map bounds on them. */
export function relationNeeds(
  req: JoinRequest,
  r: JoinRelationSpec,
): { reads: number[]; bounds: ColumnBound[] } {
  const wanted = new Set(req.reads);
  const reads = r.table.columns.filter((c) => wanted.has(r.vids[c.id])).map((c) => c.id);
  const bounds: ColumnBound[] = [];
  for (const b of req.fragment.bounds) {
    const c = r.table.columns.find((x) => r.vids[x.id] === b.columnId);
    if (c) bounds.push({ ...b, columnId: c.id });
  }
  return { reads, bounds };
}

/** The request for `p`, with broadcast rows by relation index. */
export function joinRequest(p: JoinPushdown, shipped: ReadonlyMap<number, PartialResult>): JoinRequest {
  const f = p.planned.fragment;
  // The join as a CTE named `v` (projecting only the columns the fragment reads, filtered there
  // so the engine pushes the conjuncts into the scans), then the fragment over it.
  const reads = [...new Set(f.reads)];
  const list = reads.length > 0 ? reads.map(chunkColumnName).join(', ') : '1 AS one';
  const where = f.filter ? ` WHERE ${f.filter.sql}` : '';
  const sql = `WITH ${quoteIdent(JOIN_VIEW)} AS (SELECT ${list} FROM ${p.from}${where}) ${fragmentSql({ ...f, filter: undefined })}`;
  return {
    relations: p.relations.map((r, i) => ({
      engineName: r.engineName,
      table: r.table,
      vids: r.vids,
      rows: shipped.get(i),
    })),
    sql,
    fragment: { ...f, table: JOIN_VIEW },
    reads: [...new Set([...f.reads, ...p.joinReads])],
  };
}

/** Shipped columnar rows as rows by column id. */
function shippedRows(t: DistTable, p: PartialResult): Row[] {
  const rows: Row[] = new Array(p.rowCount);
  for (let r = 0; r < p.rowCount; r++) {
    const row: Row = [];
    t.columns.forEach((c, i) => {
      row[c.id] = p.columns[i][r];
    });
    rows[r] = row;
  }
  return rows;
}

/**
 * Runs `req` over the shard's segments (`segmentsOf` a stored table) on a fresh engine.
 * The parser must be initialized, or `wasmModule` given.
 */
export async function runJoinOnEngine(
  req: JoinRequest,
  segmentsOf: (table: DistTable) => Promise<readonly SegmentView[]>,
  wasmModule?: WebAssembly.Module,
): Promise<{ result: PartialResult; chunksScanned: number; chunksSkipped: number }> {
  const tables = await Promise.all(
    req.relations.map(async (r) => {
      const def = engineTableDef(r.table);
      const segments = r.rows
        ? [hotSegment(r.table, shippedRows(r.table, r.rows))]
        : await segmentsOf(r.table);
      return {
        def: {
          ...def,
          name: r.engineName,
          columns: def.columns.map((c) => ({ ...c, name: chunkColumnName(r.vids[c.id]) })),
        },
        segments: () => segments,
      };
    }),
  );
  const db = await engineOver(tables, wasmModule);
  const res = await db.query(req.sql, [...(req.fragment.params ?? [])], { raw: true });
  return {
    result: toPartial(req.fragment, res),
    chunksScanned: res.stats.chunksScanned,
    chunksSkipped: res.stats.chunksSkipped,
  };
}
