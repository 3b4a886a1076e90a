/**
 * @module durable-objects/shard-dml
 * UPDATE / DELETE shipped as SQL (see engine/distributed/dml-sql): the shard
 * reads its live rows of the table, and the engine evaluates the statement's
 * WHERE and SET expressions over them (see `evaluateDml`), so DML means on a
 * shard exactly what it means in the engine and in PostgreSQL.
 */
import type { DmlSql } from '../engine/distributed/dml-sql.ts';
import { type DmlMatch, evaluateDml } from '../engine/distributed/fragment-engine.ts';
import { matchRows, type RowOverlay } from './shard-scan.ts';
import type { Meter } from './shard-storage.ts';

type Hits = ReturnType<typeof matchRows>;

/**
 * The rows `dml` matches (as hits for the delete path) and, for UPDATE, their SET values;
 * with an `overlay`, over the transaction's own view (matching overlay rows in `hits.pending`).
 */
export function matchDml(
  m: Meter,
  op: {
    readonly tableId: number;
    readonly reads: readonly number[];
    readonly defaults: readonly unknown[];
    readonly dml: DmlSql;
  },
  overlay?: RowOverlay,
): { hits: Hits; match: DmlMatch } {
  const all = matchRows(m, op.tableId, op.reads, overlay);
  const match = evaluateDml(op.dml, all.rows);
  // `all.rows` is in scan order: hot rows (rids in `all.hot`), then chunk rows chunk by chunk.
  const hotCount = all.hot.length;
  const chunkRefs: [number, number][] = [];
  for (const [chunkId, offsets] of all.chunks) for (const o of offsets) chunkRefs.push([chunkId, o]);
  const hits: Hits = { hot: [], chunks: new Map(), rows: [], ...(overlay ? { pending: [] } : {}) };
  const storedCount = hotCount + chunkRefs.length;
  for (const p of match.positions) {
    hits.rows.push(all.rows[p]);
    if (p < hotCount) hits.hot.push(all.hot[p]);
    else if (p >= storedCount) hits.pending!.push(all.pending![p - storedCount]);
    else {
      const [chunkId, offset] = chunkRefs[p - hotCount];
      const list = hits.chunks.get(chunkId);
      if (list) list.push(offset);
      else hits.chunks.set(chunkId, [offset]);
    }
  }
  return { hits, match };
}
