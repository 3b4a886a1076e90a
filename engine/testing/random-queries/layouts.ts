/**
 * @module engine/testing/random-queries/layouts
 * The random query generator's two tables as the distributed data plane holds
 * them: hash-distributed over 8 shards on `k` (co-located, so joins on `k` run
 * inside the shards), hypertables on `t` also partitioned by `k` over 8 shards,
 * or reference tables. PostgreSQL gets plain tables with the same rows; the
 * engine side also compacts t1's hot rows into columnar chunks, so queries and
 * UPDATE/DELETE meet both hot rows and chunks.
 */
import { createStatement, HTTP_SHAPE, insertStatements } from './dataset.ts';
import { type RqgDataset, rqgDataset } from './runner.ts';

/** How the data plane places the two tables. */
export type RqgLayout = 'distributed' | 'hypertable' | 'reference';

/** Every layout, in the order suites run them. */
export const RQG_LAYOUTS: readonly RqgLayout[] = ['distributed', 'hypertable', 'reference'];

/** The dataset of `seed` for `layout`: tables `rq_<layout>_1` / `_2` of the data plane's shape. */
export function layoutDataset(seed: number, layout: RqgLayout): RqgDataset {
  const prefix = `rq_${layout.slice(0, 4)}`;
  return rqgDataset(seed, [`${prefix}_1`, `${prefix}_2`], HTTP_SHAPE);
}

/** The statements that create and load `dataset` on the data plane in `layout`. */
export function layoutStatements(dataset: RqgDataset, layout: RqgLayout): string[] {
  const out: string[] = [];
  for (const t of dataset.tables) {
    out.push(createStatement(t));
    if (layout === 'distributed')
      out.push(`SELECT create_distributed_table('${t.name}', 'k', shard_count => 8)`);
    else if (layout === 'reference') out.push(`SELECT create_reference_table('${t.name}')`);
    else
      out.push(
        `SELECT create_hypertable('${t.name}', 't', partitioning_column => 'k', number_partitions => 8, chunk_time_interval => interval '30 days')`,
      );
    out.push(...insertStatements(t));
  }
  out.push(`SELECT compact_table('${dataset.tables[0].name}')`);
  return out;
}
