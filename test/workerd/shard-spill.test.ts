/**
 * Bounded memory inside a ShardDO: a big ORDER BY fragment run with a 64 kB
 * operator budget spills sorted runs to the shard's SQLite (`spill_blocks`),
 * returns exactly the rows of the unlimited run, bills the spill rows, and
 * leaves no spill rows behind.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShardEngine } from '../../durable-objects/shard-engine.ts';
import type { Fragment, PartialResult } from '../../engine/distributed/fragment.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import type { ShardDO } from '../../workers/index.ts';

const table: DistTable = {
  name: 'spilly',
  columns: [
    { id: 0, name: 'id', type: 'int32', notNull: true },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'v', type: 'float64', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 3,
  placement: { kind: 'local' },
  shardCount: 1,
};

const N = 20_000;
const rows: Row[] = Array.from({ length: N }, (_, i) => [
  i,
  i % 7 === 0 ? null : `host-${(i * 7919) % 503}`,
  i % 11 === 0 ? null : ((i * 104729) % 10007) / 7,
]);

const col = (id: number) => ({ sql: `c${id}`, type: table.columns[id].type });
const fragment: Fragment = {
  table: 'spilly',
  reads: [0, 1, 2],
  defaults: [null, null, null],
  bounds: [],
  mode: 'rows',
  project: [col(0), col(1), col(2)],
  aggs: [],
  orderBy: [
    { index: 1, desc: true, nullsFirst: false },
    { index: 2, desc: false, nullsFirst: true },
    { index: 0, desc: false, nullsFirst: false },
  ],
};

const spillRows = (sql: SqlStorage): number => {
  const exists = sql
    .exec<{ n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'spill_blocks'`)
    .one().n;
  return exists ? sql.exec<{ n: number }>(`SELECT count(*) AS n FROM spill_blocks`).one().n : 0;
};

describe('ShardDO spills big sorts to SQLite', () => {
  it('sorts 20k rows within 64 kB of operator memory and cleans up', async () => {
    const stub = env.SHARD.get(env.SHARD.idFromName('spill-test'));
    await stub.write({ batchId: 'b1', table, rows, target: 'chunks' });

    const run = async () =>
      (await stub.execute(fragment, table)) as unknown as {
        result: PartialResult;
        stats: { rowsWritten: number; rowsRead: number };
      };
    const full = await run();
    expect(full.result.rowCount).toBe(N);
    expect(full.stats.rowsWritten).toBe(0);

    await runInDurableObject(stub, (instance: ShardDO) => {
      (instance as unknown as { engine: ShardEngine }).engine.memoryLimit = 64 * 1024;
    });
    const small = await run();
    // Spill blocks were written (and billed) and the rows are exactly the unlimited run's.
    expect(small.stats.rowsWritten).toBeGreaterThan(10);
    expect(small.result.columns).toEqual(full.result.columns);
    await runInDurableObject(stub, (_: ShardDO, state) => {
      expect(spillRows(state.storage.sql)).toBe(0);
    });

    // And the order is the one asked for: host DESC NULLS LAST, v NULLS FIRST, id.
    const [ids, hosts, vs] = small.result.columns as [number[], (string | null)[], (number | null)[]];
    for (let i = 1; i < N; i++) {
      const a = [hosts[i - 1], vs[i - 1], ids[i - 1]];
      const b = [hosts[i], vs[i], ids[i]];
      const hc = a[0] === b[0] ? 0 : a[0] === null ? 1 : b[0] === null ? -1 : a[0]! < b[0]! ? 1 : -1;
      const vc = a[1] === b[1] ? 0 : a[1] === null ? -1 : b[1] === null ? 1 : a[1]! < b[1]! ? -1 : 1;
      expect(hc || vc || (a[2]! < b[2]! ? -1 : 1), `row ${i}`).toBeLessThan(0);
    }
  });
});
