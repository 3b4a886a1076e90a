/**
 * @module bench/tsbs/ingest-pipeline
 * The Worker side of line-protocol ingest run in-process (parse → table
 * columns → route + encode per shard), timed in CPU milliseconds per stage:
 * the ceiling one core sets for HTTP ingest, used by bench/ingest.bench and as
 * the ingest peer of bench/e2e.bench.
 */
import { toTableBatch } from '../../engine/distributed/ingest-columns.ts';
import { encodeForShards } from '../../engine/distributed/ingest-encode.ts';
import { parseLineProtocolBytes } from '../../engine/distributed/ingest-lp-parse.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { CPU_FIELDS, TAG_COLUMNS } from './generate.ts';

/** The `cpu` table as bench/e2e creates it: hypertable (12 h chunks) over 8 shards by hostname. */
export function cpuDistTable(): DistTable {
  const names = ['time', ...TAG_COLUMNS, ...CPU_FIELDS];
  return {
    name: 'cpu',
    columns: names.map((name, id) => ({
      id,
      name,
      type: id === 0 ? 'timestamptz' : id <= TAG_COLUMNS.length ? 'text' : 'float64',
      notNull: id === 0,
    })),
    id: 1,
    version: 1,
    nextColumnId: names.length,
    placement: { kind: 'distributed', columnId: 1 },
    shardCount: 8,
    hypertable: { timeColumnId: 0, chunkIntervalUs: 12 * 3600e6 },
  };
}

/**
 * CPU milliseconds of this process (user + system). The bench machine is shared,
 * so wall time measures the neighbours as much as the code; CPU time does not.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs the byte pipeline over `bodies`; CPU ms per stage and the rows encoded. */
export function runBytePipeline(
  table: DistTable,
  bodies: readonly Uint8Array[],
): { stages: Record<string, number>; rows: number } {
  const stages = { parse: 0, columns: 0, 'route+encode': 0 };
  let rows = 0;
  for (const body of bodies) {
    let t = cpuMs();
    const parsed = parseLineProtocolBytes(body, 'ns');
    stages.parse += cpuMs() - t;
    t = cpuMs();
    const tb = toTableBatch(table, parsed, parsed.batches.get(table.name)!, 0);
    stages.columns += cpuMs() - t;
    t = cpuMs();
    for (const slices of encodeForShards(tb).values())
      for (const chunks of slices) for (const c of chunks) rows += c.rowCount;
    stages['route+encode'] += cpuMs() - t;
  }
  return { stages, rows };
}
