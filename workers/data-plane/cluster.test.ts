import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.ts';

/** A namespace that records the options each stub was obtained with. */
function recordingNamespace(calls: unknown[]) {
  return {
    idFromName: (name: string) => `id:${name}`,
    get: (id: string, options?: unknown) => {
      calls.push([id, options]);
      return {};
    },
  };
}

describe('Cluster stubs', () => {
  it("pass the database's location as the locationHint of its catalog and shards", () => {
    const calls: unknown[] = [];
    const env = { CATALOG: recordingNamespace(calls), SHARD: recordingNamespace(calls) } as unknown as Env;
    const cluster = new Cluster(env, 'db1', 'weur');
    cluster.catalog();
    cluster.shard(cluster.shardName(8, 3));
    expect(calls).toEqual([
      ['id:db1', { locationHint: 'weur' }],
      ['id:db1:8:3', { locationHint: 'weur' }],
    ]);
  });

  it('leave placement to Cloudflare when the database has no location', () => {
    const calls: unknown[] = [];
    const env = { CATALOG: recordingNamespace(calls), SHARD: recordingNamespace(calls) } as unknown as Env;
    const cluster = new Cluster(env, 'db1');
    cluster.catalog();
    cluster.shard('db1:8:0');
    expect(calls).toEqual([
      ['id:db1', undefined],
      ['id:db1:8:0', undefined],
    ]);
  });
});
