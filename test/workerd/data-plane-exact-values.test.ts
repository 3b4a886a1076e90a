/**
 * Values the distributed data plane once changed on their way through it, over HTTP against
 * the engine's own answer on the same values (one front end, one answer): int8 sums and
 * averages whose shard partials pass ±2^53 (the fast path added them as doubles), float8
 * -0 (row JSON wrote it as 0) and lag's default typed as PostgreSQL types it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok } from './data-plane-client.ts';

/**
 * Odd values past ±2^53 (a double cannot hold them) in pairs that nearly cancel, on hosts
 * that hash to different shards: each shard's partial sum is beyond 2^53, the total is 24.
 */
const VALUES = Array.from({ length: 24 }, (_, j) => {
  const x = (2n ** 53n + BigInt(2 * j + 1)) * BigInt(1 + (j % 3));
  return [
    { host: `p${j}`, n: x },
    { host: `q${j}`, n: -x + 1n },
  ];
}).flat();
const LITERALS = VALUES.map((v) => `(${v.n}::int8)`).join(', ');

describe('exact values through the distributed data plane', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE xv_nums (host text, n bigint, d double precision)');
    await ok(`SELECT create_distributed_table('xv_nums', 'host', shard_count => 8)`);
    await ok(
      `INSERT INTO xv_nums VALUES ${VALUES.map((v, i) => `('${v.host}', ${v.n}, ${i === 0 ? "'-0'" : i})`).join(', ')}`,
    );
  }, 60_000);

  it('sums and averages int8 exactly when shard partials pass ±2^53', async () => {
    const got = await ok('SELECT sum(n), avg(n) FROM xv_nums');
    const want = await ok(`SELECT sum(x), avg(x) FROM (VALUES ${LITERALS}) v(x)`);
    expect(got.rows).toEqual(want.rows);
    expect(got.rows[0][0]).toBe(String(VALUES.reduce((s, v) => s + v.n, 0n)));
  });

  it('keeps float8 -0 (PostgreSQL prints it as -0), also through a join', async () => {
    const r = await ok("SELECT d::text FROM xv_nums WHERE host = 'p0' ORDER BY d LIMIT 1");
    expect(r.rows).toEqual([['-0']]);
    const j = await ok(
      "SELECT a.d::text FROM xv_nums a JOIN xv_nums b ON a.host = b.host AND a.n = b.n WHERE a.host = 'p0' ORDER BY a.d LIMIT 1",
    );
    expect(j.rows).toEqual([['-0']]);
  });

  it("types lag's default as PostgreSQL does (common type with the value)", async () => {
    const r = await ok(
      "SELECT lag(d, 1, -1.25) OVER (ORDER BY d), lag(n, 1, 0.5) OVER (ORDER BY d) FROM xv_nums WHERE host = 'p1' ORDER BY d",
    );
    expect(r.columns.map((c) => c.type)).toEqual(['double precision', 'numeric']);
    expect(r.rows[0]).toEqual([-1.25, '0.5']);
  });
});
