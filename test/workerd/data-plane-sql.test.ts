/**
 * Distributed SQL end to end in workerd: a table over 8 shards, bulk-loaded
 * into chunks and INSERTed into hot rows, queried through the HTTP API, with
 * every answer checked against a reference computed here from the same rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ingest, ok, sql } from './data-plane-client.ts';

const BASE = Date.UTC(2024, 0, 1);
const N = 2000;
const rows = Array.from({ length: N }, (_, k) => {
  const id = k + 1;
  return {
    id,
    host: `host_${id % 97}`,
    v: ((id * 37) % 101) / 4,
    ts: new Date(BASE + id * 60_000).toISOString(),
  };
});
// Rows 1..1800 are bulk-loaded (chunks), the rest INSERTed (hot rows).
const BULK = 1800;

describe('distributed table over 8 shards', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE metrics (id bigint NOT NULL, host text, v double precision, ts timestamptz)');
    await ok(`SELECT create_distributed_table('metrics', 'host', shard_count => 8)`);
    const r = await ingest('metrics', 'application/json', JSON.stringify(rows.slice(0, BULK)));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: BULK, rejected: 0 });
    const values = rows
      .slice(BULK)
      .map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`)
      .join(', ');
    const params = rows.slice(BULK).flatMap((x) => [x.id, x.host, x.v, x.ts]);
    const ins = await ok(`INSERT INTO metrics (id, host, v, ts) VALUES ${values}`, params);
    expect(ins.rowCount).toBe(N - BULK);
  });

  it('spreads rows over all 8 shards', async () => {
    const r = await ok(`SELECT show_shards('metrics')`);
    expect(r.rows).toHaveLength(8);
    const total = r.rows.reduce((s, row) => s + (row[4] as number), 0);
    expect(total).toBe(N);
    for (const row of r.rows) expect(row[4] as number).toBeGreaterThan(0);
  });

  it('computes global aggregates exactly', async () => {
    const r = await ok('SELECT count(*), sum(v), min(v), max(v), avg(v), min(ts), max(id) FROM metrics');
    const sum = rows.reduce((s, x) => s + x.v, 0);
    expect(r.columns.map((c) => c.type)).toEqual([
      'bigint',
      'double precision',
      'double precision',
      'double precision',
      'double precision',
      'timestamptz',
      'bigint',
    ]);
    expect(r.rows[0][0]).toBe(N);
    expect(r.rows[0][1]).toBeCloseTo(sum, 6);
    expect(r.rows[0][2]).toBe(Math.min(...rows.map((x) => x.v)));
    expect(r.rows[0][3]).toBe(Math.max(...rows.map((x) => x.v)));
    expect(r.rows[0][4]).toBeCloseTo(sum / N, 9);
    expect(r.rows[0][5]).toBe(rows[0].ts);
    expect(r.rows[0][6]).toBe(N);
    expect(r.stats.shards).toBe(8);
    expect(r.stats.chunksScanned).toBeGreaterThan(0);
    expect(r.stats.rowsRead).toBeGreaterThan(0);
  });

  it('re-aggregates GROUP BY across shards, ordered', async () => {
    const r = await ok(
      'SELECT host, count(*) AS n, avg(v) FROM metrics WHERE id > $1 GROUP BY host ORDER BY n DESC, host LIMIT 5',
      [100],
    );
    const groups = new Map<string, { n: number; s: number }>();
    for (const x of rows.filter((x) => x.id > 100)) {
      const g = groups.get(x.host) ?? { n: 0, s: 0 };
      g.n++;
      g.s += x.v;
      groups.set(x.host, g);
    }
    const expected = [...groups.entries()]
      .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5)
      .map(([h, g]) => [h, g.n, g.s / g.n]);
    expect(r.rows.map((x) => [x[0], x[1]])).toEqual(expected.map((x) => [x[0], x[1]]));
    r.rows.forEach((x, i) => {
      expect(x[2]).toBeCloseTo(expected[i][2] as number, 9);
    });
  });

  it('merge-sorts top-k with LIMIT/OFFSET', async () => {
    const r = await ok('SELECT id, v FROM metrics ORDER BY v DESC, id LIMIT 7 OFFSET 3');
    const expected = [...rows]
      .sort((a, b) => b.v - a.v || a.id - b.id)
      .slice(3, 10)
      .map((x) => [x.id, x.v]);
    expect(r.rows).toEqual(expected);
  });

  it('prunes shards on equality / IN on the distribution column', async () => {
    const one = await ok(`SELECT count(*) FROM metrics WHERE host = 'host_3'`);
    expect(one.rows[0][0]).toBe(rows.filter((x) => x.host === 'host_3').length);
    expect(one.stats.shards).toBe(1);
    const two = await ok(`SELECT count(*) FROM metrics WHERE host IN ('host_3', 'host_5')`);
    expect(two.rows[0][0]).toBe(rows.filter((x) => x.host === 'host_3' || x.host === 'host_5').length);
    expect(two.stats.shards).toBeLessThanOrEqual(2);
  });

  it('groups by time_bucket and skips chunks by zone map', async () => {
    const r = await ok(
      `SELECT time_bucket('1 hour', ts) AS b, count(*) FROM metrics WHERE ts >= '2024-01-01T10:00:00Z' AND ts < '2024-01-01T13:00:00Z' GROUP BY b ORDER BY b`,
    );
    expect(r.rows).toEqual([
      ['2024-01-01T10:00:00.000Z', 60],
      ['2024-01-01T11:00:00.000Z', 60],
      ['2024-01-01T12:00:00.000Z', 60],
    ]);
  });

  it('returns every statement of a multi-statement call', async () => {
    const r = await ok(
      `SELECT count(*) FROM metrics WHERE v > 20; SELECT max(v) FROM metrics WHERE host = 'host_1'`,
    );
    expect(r.results).toHaveLength(2);
    expect(r.results![0].rows[0][0]).toBe(rows.filter((x) => x.v > 20).length);
    expect(r.rows[0][0]).toBe(Math.max(...rows.filter((x) => x.host === 'host_1').map((x) => x.v)));
  });

  it('updates across shards (hot and warm rows) atomically; a failing row aborts all', async () => {
    await ok('CREATE TABLE upd_t (k int NOT NULL, v int, note text NOT NULL)');
    await ok(`SELECT create_distributed_table('upd_t', 'k', shard_count => 8)`);
    const r = await ingest(
      'upd_t',
      'application/json',
      JSON.stringify(Array.from({ length: 40 }, (_, k) => ({ k, v: k, note: 'bulk' }))),
    );
    expect(r.body.accepted).toBe(40);
    await ok(
      `INSERT INTO upd_t VALUES ${Array.from({ length: 10 }, (_, i) => `(${40 + i}, ${40 + i}, 'hot')`).join(',')}`,
    );
    const u = await ok(`UPDATE upd_t SET v = v * 10, note = 'x' WHERE v % 2 = 0`);
    expect(u.rowCount).toBe(25);
    const s = await ok(`SELECT count(*), sum(v) FROM upd_t WHERE note = 'x'`);
    expect(s.rows[0]).toEqual([
      25,
      Array.from({ length: 25 }, (_, i) => i * 2 * 10).reduce((a, b) => a + b, 0),
    ]);
    expect((await ok('SELECT count(*) FROM upd_t')).rows[0][0]).toBe(50);
    // NOT NULL fails on some shard at prepare: nothing changes anywhere.
    const bad = await sql(`UPDATE upd_t SET note = NULL WHERE k = 3 OR k = 4`);
    expect(bad.error?.code).toBe('23502');
    expect((await ok(`SELECT count(*) FROM upd_t WHERE note = 'x'`)).rows[0][0]).toBe(25);
  });

  it('deletes across shards atomically and reports the count', async () => {
    await ok('CREATE TABLE del_t (k int NOT NULL, v int)');
    await ok(`SELECT create_distributed_table('del_t', 'k', shard_count => 8)`);
    const values = Array.from({ length: 50 }, (_, i) => `(${i}, ${i % 5})`).join(',');
    await ok(`INSERT INTO del_t VALUES ${values}`);
    const d = await ok('DELETE FROM del_t WHERE v = 2');
    expect(d.rowCount).toBe(10);
    expect((await ok('SELECT count(*), sum(v) FROM del_t')).rows[0]).toEqual([40, 80]);
  });
});

describe('NDJSON results', () => {
  it('streams a header, one line per row and a trailer', async () => {
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('https://orochi.test/v1/databases/default/sql', {
      method: 'POST',
      headers: {
        authorization: 'Bearer test-dev-key',
        'content-type': 'application/json',
        accept: 'application/x-ndjson',
      },
      body: JSON.stringify({ sql: 'SELECT id FROM metrics ORDER BY id LIMIT 3' }),
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ columns: [{ name: 'id', type: 'bigint' }] });
    expect(lines.slice(1, 4)).toEqual([[1], [2], [3]]);
    expect(lines[4]).toMatchObject({ rowCount: 3, stats: { shards: 8 } });
  });
});
