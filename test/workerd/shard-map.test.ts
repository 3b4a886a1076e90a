/**
 * The versioned shard map and storage keyed by table id, end to end: requests
 * planned with a stale table version, a stale map version or to a shard that
 * does not own a row's hash are refused (40001) and, through HTTP, retried on
 * the refetched catalog without the client seeing it; a table dropped and
 * created again under the same name never sees a stale writer's rows; a rename
 * moves no shard data. "Another isolate" acts straight on the CatalogDO and the
 * shards, as data-plane-catalog-cache.test.ts does.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from '../../durable-objects/catalog-do.ts';
import { encodeTableRows } from '../../engine/distributed/chunk-rows.ts';
import { hashValue } from '../../engine/distributed/hash-ranges.ts';
import { placementOf, type ShardMap } from '../../engine/distributed/shard-map.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { ok, sql } from './data-plane-client.ts';
import { catalog, DB_ID, distributed, shard, tableDef } from './txn-fixtures.ts';

async function mapOf(shardCount: number): Promise<ShardMap> {
  const snap = (await catalog().snapshot()) as unknown as CatalogSnapshot;
  return snap.maps.find((m) => m.shardCount === shardCount)!;
}

/** Expects an RPC to be refused as stale (40001), with `what` in the message. */
async function refusedStale(call: Promise<unknown>, what: string): Promise<void> {
  const e = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'the shard applied a stale request').toBeInstanceOf(Error);
  expect(String((e as Error).message)).toContain('40001');
  expect(String((e as Error).message)).toContain('stale catalog');
  expect(String((e as Error).message)).toContain(what);
}

/** A distribution value from `from` on whose hash falls in the ranges of shard entry `entry` of `map`. */
function valueOwnedBy(map: ShardMap, entry: string, from = 1000): number {
  const ranges = placementOf(map, entry).ranges;
  for (let v = from; ; v++) {
    const h = hashValue(v);
    if (ranges.some((r) => h >= r.min && h <= r.max)) return v;
  }
}

const rowCount = async (table: string, where = '') =>
  (await ok(`SELECT count(*) FROM ${table} ${where}`)).rows[0][0];

describe('table ids and versions', () => {
  it('every table gets a new id at CREATE (never reused) and a version bumped by each change', async () => {
    await ok('CREATE TABLE ids_a (id int NOT NULL)');
    const a = await tableDef('ids_a');
    expect(a.version).toBe(1);
    await ok(`SELECT create_distributed_table('ids_a', 'id', shard_count => 2)`);
    const placed = await tableDef('ids_a');
    expect(placed.id).toBe(a.id);
    expect(placed.version).toBe(2);
    await ok('ALTER TABLE ids_a ADD COLUMN v int');
    expect((await tableDef('ids_a')).version).toBe(3);
    await ok('DROP TABLE ids_a');
    await ok('CREATE TABLE ids_a (id int NOT NULL)');
    const again = await tableDef('ids_a');
    expect(again.id).toBeGreaterThan(a.id);
    expect(again.version).toBe(1);
  });

  it('a write planned with an older table version is refused, and through HTTP retried transparently', async () => {
    await distributed('sv_t', 2);
    await ok(`INSERT INTO sv_t VALUES (1, 10), (2, 20), (3, 30)`);
    expect(await rowCount('sv_t')).toBe(3); // this isolate caches version 2 of sv_t
    const old = await tableDef('sv_t');

    // Another isolate adds a column and pushes the new definition to the shards.
    const t = (await catalog().alterTable(
      'sv_t',
      [{ name: 'w', type: 'int32', notNull: false, default: 7 }],
      [],
    )) as unknown as DistTable;
    expect(t.version).toBe(old.version + 1);
    const { version } = await catalog().snapshot();
    const map = await mapOf(2);
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(t, version, placementOf(map, `2:${i}`));

    // Straight to a shard with the old definition: refused, nothing applied.
    const target = valueOwnedBy(map, '2:0');
    await refusedStale(
      shard(2, 0).commitLocal(
        'sv-direct',
        old,
        { kind: 'insert', rows: [[target, 1]], target: 'hot' },
        version,
      ),
      `version ${old.version} of table "sv_t"`,
    );
    // Through HTTP from the isolate still caching the old definition: success, the row once.
    const r = await sql('INSERT INTO sv_t VALUES (100, 1)');
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    expect(r.rowCount).toBe(1);
    expect((await ok('SELECT id, v, w FROM sv_t WHERE id = 100')).rows).toEqual([[100, 1, 7]]);
    expect(await rowCount('sv_t')).toBe(4);
  });

  it('EXPLAIN ANALYZE planned with an older table version is explained again, not refused', async () => {
    await distributed('sx_t', 2);
    await ok(`INSERT INTO sx_t VALUES (1, 10), (2, 20), (3, 30)`);
    expect(await rowCount('sx_t')).toBe(3); // this isolate caches the current definition
    // Another isolate adds a column and pushes the new definition to the shards.
    const t = (await catalog().alterTable(
      'sx_t',
      [{ name: 'w', type: 'int32', notNull: false, default: 7 }],
      [],
    )) as unknown as DistTable;
    const { version } = await catalog().snapshot();
    const map = await mapOf(2);
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(t, version, placementOf(map, `2:${i}`));

    const r = await sql('EXPLAIN ANALYZE SELECT id FROM sx_t');
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    const plan = r.rows.map((row) => String(row[0])).join('\n');
    expect(plan).toContain('(actual rows=3)');
  });

  it("an unrelated table's DDL does not refuse writes planned before it", async () => {
    await distributed('unrel_a', 2);
    await ok(`INSERT INTO unrel_a VALUES (1, 1)`);
    const a = await tableDef('unrel_a');
    const { version: before } = await catalog().snapshot();
    await ok('CREATE TABLE unrel_b (id int NOT NULL)');
    await ok(`SELECT create_distributed_table('unrel_b', 'id', shard_count => 2)`);
    await ok('ALTER TABLE unrel_b ADD COLUMN v int'); // pushed to the same shards, newer catalog version
    const map = await mapOf(2);
    const v = valueOwnedBy(map, '2:1');
    const r = await shard(2, 1).commitLocal(
      'unrel-direct',
      a,
      { kind: 'insert', rows: [[v, 5]], target: 'hot' },
      before,
      placementOf(map, '2:1'),
    );
    expect(r.rowCount).toBe(1);
    expect(await rowCount('unrel_a', `WHERE id = ${v}`)).toBe(1);
  });
});

describe('the shard map', () => {
  it('the catalog stores each placement’s ranges and object names; show_shards reports them', async () => {
    await distributed('map_t', 3);
    const map = await mapOf(3);
    expect(map.ranges.map((r) => r.shard)).toEqual(['3:0', '3:1', '3:2']);
    expect(map.ranges[0].min).toBe(-(2 ** 31));
    expect(map.ranges[2].max).toBe(2 ** 31 - 1);
    for (let i = 1; i < 3; i++) expect(map.ranges[i].min).toBe(map.ranges[i - 1].max + 1);
    const shown = (await ok(`SELECT shard_name, hash_min, hash_max FROM show_shards('map_t')`)).rows;
    expect(shown).toEqual(map.ranges.map((r) => [`${DB_ID}:${r.shard}`, r.min, r.max]));
  });

  it('a request planned with an older map version than the shard’s ranges is refused', async () => {
    // A placement of its own: the newer map told to its shard below exists nowhere else.
    await distributed('mv_t', 5);
    const t = await tableDef('mv_t');
    const map = await mapOf(5);
    const mine = placementOf(map, '5:0');
    const v = valueOwnedBy(map, '5:0');
    const write = (batchId: string, version: number) =>
      shard(5, 0).write({
        batchId,
        table: t,
        rows: [[v, 1]],
        target: 'hot',
        placement: { version, ranges: mine.ranges },
      });
    // A newer map (as a later split of another range would publish) is recorded by the shard…
    expect((await write('mv-new', mine.version + 1)).rowCount).toBe(1);
    // …after which a request routed with the older map is refused, and applies nothing.
    await refusedStale(write('mv-old', mine.version), `shard map version ${mine.version}`);
    await refusedStale(
      shard(5, 0).execute(
        { mode: 'rows', reads: [0], bounds: [], project: [], aggs: [], orderBy: [] } as never,
        t,
        undefined,
        undefined,
        mine,
      ),
      'shard map version',
    );
    expect((await shard(5, 0).tableInfo(t.id)).hotRows).toBe(1);
  });

  it('a row whose hash the shard does not own is refused', async () => {
    await distributed('own_t', 2);
    const t = await tableDef('own_t');
    const map = await mapOf(2);
    const foreign = valueOwnedBy(map, '2:1');
    const rows: Row[] = [[foreign, 1]];
    await refusedStale(
      shard(2, 0).commitLocal(
        'own-direct',
        t,
        { kind: 'insert', rows, target: 'hot' },
        undefined,
        placementOf(map, '2:0'),
      ),
      'outside the ranges this shard owns',
    );
    // A bulk load's chunks (encoded by the Worker) are checked the same way, one foreign row among many.
    const mine = Array.from({ length: 50 }, (_, i) => [valueOwnedBy(map, '2:0', 2000 + i * 100), i]);
    await refusedStale(
      shard(2, 0).write({
        batchId: 'own-bulk',
        table: t,
        rows: [],
        encoded: encodeTableRows(t, [...mine, [foreign, 0]]),
        target: 'chunks',
        placement: placementOf(map, '2:0'),
      }),
      'outside the ranges this shard owns',
    );
    const bulk = await shard(2, 0).write({
      batchId: 'own-bulk-ok',
      table: t,
      rows: [],
      encoded: encodeTableRows(t, mine),
      target: 'chunks',
      placement: placementOf(map, '2:0'),
    });
    expect(bulk.rowCount).toBe(50);
    expect(await rowCount('own_t')).toBe(50);
  });
});

describe('drop, recreate and rename', () => {
  it('a stale writer of a dropped table never puts rows under the new table of that name', async () => {
    await ok('CREATE TABLE dr_t (id int NOT NULL, note text)');
    await ok(`INSERT INTO dr_t VALUES (1, 'old')`);
    expect(await rowCount('dr_t')).toBe(1); // this isolate caches the old dr_t
    const old = await tableDef('dr_t');

    // Another isolate drops it (reaching its shard) and creates a new dr_t.
    const dropped = (await catalog().dropTable('dr_t', false)) as unknown as DistTable;
    const { version } = await catalog().snapshot();
    await shard(1, 0).dropTable(dropped, version);
    await catalog().createTable(
      'dr_t',
      [
        { name: 'id', type: 'int32', notNull: true },
        { name: 'note', type: 'text', notNull: false },
      ],
      false,
    );

    // Straight to the shard with the old definition: refused.
    await refusedStale(
      shard(1, 0).commitLocal('dr-direct', old, { kind: 'insert', rows: [[9, 'ghost']], target: 'hot' }),
      'was dropped',
    );
    // Through HTTP from the stale isolate: planned again on the new table.
    const r = await sql(`INSERT INTO dr_t VALUES (2, 'stale writer')`);
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    expect((await ok('SELECT id, note FROM dr_t ORDER BY id')).rows).toEqual([[2, 'stale writer']]);
  });

  it('a stale writer of a table dropped for good gets 42P01', async () => {
    await ok('CREATE TABLE gone_t (id int NOT NULL)');
    expect(await rowCount('gone_t')).toBe(0); // cached
    const dropped = (await catalog().dropTable('gone_t', false)) as unknown as DistTable;
    await shard(1, 0).dropTable(dropped, (await catalog().version()) as number);
    const r = await sql('INSERT INTO gone_t VALUES (1)');
    expect(r.error?.code).toBe('42P01');
  });

  it('ALTER TABLE … RENAME TO keeps the data where it is; the old name is gone', async () => {
    await distributed('rn_a', 2);
    await ok(`INSERT INTO rn_a VALUES (1, 10), (2, 20), (3, 30)`);
    for (let i = 0; i < 2; i++) await shard(2, i).compact(); // chunks as well as hot rows
    const before = await tableDef('rn_a');
    const infos = await Promise.all([0, 1].map((i) => shard(2, i).tableInfo(before.id)));
    await ok('ALTER TABLE rn_a RENAME TO rn_b');
    const after = await tableDef('rn_b');
    expect(after.id).toBe(before.id);
    expect(after.version).toBe(before.version + 1);
    expect(await Promise.all([0, 1].map((i) => shard(2, i).tableInfo(after.id)))).toEqual(infos);
    expect((await ok('SELECT id, v FROM rn_b ORDER BY id')).rows).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    expect((await sql('SELECT * FROM rn_a')).error?.code).toBe('42P01');
    await ok('INSERT INTO rn_b VALUES (4, 40)');
    expect(await rowCount('rn_b')).toBe(4);
    await ok('CREATE TABLE rn_c (id int)');
    expect((await sql('ALTER TABLE rn_b RENAME TO rn_c')).error?.code).toBe('42P07');
    expect((await sql('ALTER TABLE IF EXISTS no_such RENAME TO x')).status).toBe(200);
  });
});
