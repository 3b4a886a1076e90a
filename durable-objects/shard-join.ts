/**
 * @module durable-objects/shard-join
 * Runs a pushed-down join (see engine/distributed/join-pushdown) on this
 * shard: the distributed relations read the shard's own segments (the same
 * cached segments single-table fragments use, blocks billed to this query's
 * meter), broadcast reference tables arrive with the request.
 */
import wasmModule from 'libpg-query/wasm/libpg-query.wasm';
import type { ColumnBound, PartialResult } from '../engine/distributed/fragment.ts';
import { type JoinRequest, relationNeeds, runJoinOnEngine } from '../engine/distributed/join-fragment.ts';
import type { ShardEngine } from './shard-engine.ts';
import type { Meter } from './shard-storage.ts';

/** Makes a table's cold blocks readable while `run` runs (the shard's R2 prefetch, or just `run`). */
export type WithColdBlocks = <T>(
  table: number,
  needs: { reads: number[]; bounds: ColumnBound[] },
  run: () => Promise<T>,
) => Promise<T>;

/** Runs `req` over this shard's tables; adds the engine's chunk counters to `m.stats`. */
export async function runShardJoin(
  m: Meter,
  req: JoinRequest,
  engine: ShardEngine,
  withCold: WithColdBlocks,
): Promise<PartialResult> {
  // Cold blocks: only the columns (and zone-map ranges) the join reads, per stored relation.
  const stored = req.relations.filter((r) => !r.rows);
  const run = async () => {
    const { result, chunksScanned, chunksSkipped } = await runJoinOnEngine(
      req,
      (t) => engine.segmentsOf(m, t),
      wasmModule,
    );
    m.stats.chunksScanned += chunksScanned;
    m.stats.chunksSkipped += chunksSkipped;
    return result;
  };
  // Nest the cold prefetch of every stored table around the run.
  const wrapped = stored.reduce<() => Promise<PartialResult>>(
    (inner, r) => () => withCold(r.table.id, relationNeeds(req, r), inner),
    run,
  );
  return wrapped();
}
