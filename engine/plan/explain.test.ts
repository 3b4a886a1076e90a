/**
 * Golden tests: EXPLAIN output for representative plans (filter pushdown into
 * scans, zone-map pruning counts, hash joins from WHERE equalities, top-k).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';

let db: Database;

beforeAll(async () => {
  db = await Database.create();
  await db.exec(
    'CREATE TABLE m (time timestamptz, host text, v double precision); CREATE TABLE h (host text, region text)',
  );
  const n = 200_000;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = Date.UTC(2016, 0, 1) * 1000 + i * 1e6;
  await db.bulkLoad(
    'm',
    { time, host: Array.from({ length: n }, (_, i) => `h${i % 10}`), v: new Float64Array(n).fill(1) },
    n,
  );
});

async function explain(sql: string): Promise<string> {
  const r = await db.query(`EXPLAIN ${sql}`);
  return r.rows.map((x) => x[0]).join('\n');
}

describe('EXPLAIN', () => {
  test('time range prunes chunks', async () => {
    expect(
      await explain("SELECT max(v) FROM m WHERE time >= '2016-01-02' AND time < '2016-01-02 01:00'"),
    ).toBe(
      [
        'HashAggregate: keys [] aggs [max]',
        '  -> Seq Scan on m (chunks: 1 scanned, 3 pruned)',
        "      Filter: ((time >= '2016-01-02 00:00:00+00'::timestamp with time zone) AND (time < '2016-01-02 01:00:00+00'::timestamp with time zone))",
      ].join('\n'),
    );
  });

  test('comma join becomes a hash join; ORDER BY LIMIT becomes top-k', async () => {
    expect(
      await explain(
        "SELECT m.host, h.region FROM m, h WHERE m.host = h.host AND h.region = 'eu' ORDER BY m.time DESC LIMIT 3",
      ),
    ).toBe(
      [
        'Project: $col0, $col1',
        '  -> Limit',
        '    -> Top-3 Sort: $col2 DESC',
        '      -> Project: host, region, time',
        '        -> Hash inner Join on host = host',
        '          -> Seq Scan on m (chunks: 4 scanned, 0 pruned)',
        '          -> Seq Scan on h (chunks: 0 scanned, 0 pruned)',
        "              Filter: (region = 'eu'::text)",
      ].join('\n'),
    );
  });
});
