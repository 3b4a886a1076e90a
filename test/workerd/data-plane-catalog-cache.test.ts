/**
 * The Worker's per-isolate catalog cache: a schema change made elsewhere (here
 * straight on the CatalogDO, as another isolate would) is noticed through the
 * newer version a shard reports, and the statement is planned again.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ok } from './data-plane-client.ts';

const DB_ID = '00000000-0000-4000-8000-000000000002';
const shard = (count: number, i: number) => env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));
const catalog = () => env.CATALOG.get(env.CATALOG.idFromName(DB_ID));

describe('catalog cache by version', () => {
  it('refetches when a shard reports a newer catalog version', async () => {
    await ok('CREATE TABLE cc (id int NOT NULL, a text)');
    await ok(`SELECT create_distributed_table('cc', 'id', shard_count => 2)`);
    await ok(`INSERT INTO cc VALUES (1, 'x'), (2, 'y'), (3, 'z')`);
    // Warm this isolate's cache.
    expect((await ok('SELECT * FROM cc ORDER BY id')).columns.map((c) => c.name)).toEqual(['id', 'a']);

    // Another isolate adds a column and pushes it, with the new version, to the shards.
    const t = await catalog().alterTable(
      'cc',
      [{ name: 'b', type: 'int32', notNull: false, default: 7 }],
      [],
    );
    const { version } = await catalog().snapshot();
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(t, version);

    const r = await ok('SELECT * FROM cc ORDER BY id');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'a', 'b']);
    expect(r.rows).toEqual([
      [1, 'x', 7],
      [2, 'y', 7],
      [3, 'z', 7],
    ]);
  });

  it('finds a table created by another isolate (a miss refetches once)', async () => {
    await ok('SELECT 1 FROM cc LIMIT 1'); // cache a snapshot without `cc2`
    await catalog().createTable('cc2', [{ name: 'id', type: 'int32', notNull: true }], false);
    const r = await ok('SELECT count(*) FROM cc2');
    expect(r.rows).toEqual([[0]]);
  });
});
