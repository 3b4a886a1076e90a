/**
 * Distributed SQL beyond single-table SELECT, end to end in workerd: two
 * co-located tables hash-distributed over 8 shards (part bulk-loaded into
 * chunks, part INSERTed hot) and a reference table, queried through the HTTP
 * API. Every answer is compared with PostgreSQL — the PGlite behind the
 * control plane, in a scratch schema holding the same rows.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Cell, diffResults } from '../../engine/testing/result-compare.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { ingest, ok, sql } from './data-plane-client.ts';

const BASE = Date.UTC(2024, 0, 1);
const T = Array.from({ length: 1200 }, (_, k) => ({
  id: k,
  host: `h${(k * 7) % 45}`,
  v: k % 13 === 0 ? null : ((k * 37) % 101) / 4,
  ts: new Date(BASE + k * 90_000).toISOString(),
}));
// Hosts h0..h39 have a row in dj_u; h40..h44 do not (LEFT JOIN keeps them with NULLs).
const U = Array.from({ length: 40 }, (_, i) => ({
  host: `h${i}`,
  region_id: i % 9 === 4 ? null : i % 6,
  w: i * 1000 + 7,
}));
const R = Array.from({ length: 5 }, (_, i) => ({ region_id: i, name: `region-${i}` }));

const DDL = [
  'CREATE TABLE dj_t (id int NOT NULL, host text, v double precision, ts timestamptz)',
  'CREATE TABLE dj_u (host text, region_id int, w bigint)',
  'CREATE TABLE dj_r (region_id int, name text)',
  'CREATE TABLE dj_target (host text, n bigint, total double precision)',
];

/** Statement → ordered? Each is run through the API and on PostgreSQL. */
const QUERIES: [string, boolean][] = [
  // bigint through the general path (LIKE is outside the fast path): sum is numeric, max stays bigint.
  ["SELECT sum(w), max(w), count(*) FROM dj_u WHERE host LIKE 'h1%'", false],
  ["SELECT region_id, sum(w) FROM dj_u WHERE host LIKE 'h%' GROUP BY region_id ORDER BY 1 NULLS FIRST", true],
  ['SELECT sum(w), avg(w) FROM dj_u', false],
  [
    'SELECT u.region_id, count(*), sum(t.v), max(u.w) FROM dj_t t JOIN dj_u u ON t.host = u.host WHERE t.v > 5 GROUP BY u.region_id ORDER BY 1 NULLS FIRST',
    true,
  ],
  [
    'SELECT r.name, count(*) AS n, min(t.ts) FROM dj_t t JOIN dj_u u ON u.host = t.host JOIN dj_r r ON r.region_id = u.region_id GROUP BY r.name ORDER BY r.name',
    true,
  ],
  [
    "SELECT t.host, count(u.w), count(*) FROM dj_t t LEFT JOIN dj_u u ON t.host = u.host WHERE t.host >= 'h38' GROUP BY t.host ORDER BY t.host",
    true,
  ],
  ["SELECT t.id, u.w FROM dj_t t JOIN dj_u u ON t.host = u.host WHERE t.host = 'h3' ORDER BY t.id", true],
  ['SELECT count(*) FROM dj_t WHERE host IN (SELECT host FROM dj_u WHERE region_id = 2)', true],
  [
    'SELECT id FROM dj_t t WHERE NOT EXISTS (SELECT 1 FROM dj_u u WHERE u.host = t.host) AND id < 300 ORDER BY id',
    true,
  ],
  ['SELECT id, v FROM dj_t WHERE v > (SELECT avg(v) + 10 FROM dj_t) ORDER BY v DESC, id LIMIT 8', true],
  ['SELECT host, count(*) FROM dj_t GROUP BY host HAVING count(*) > 26 ORDER BY host', true],
  [
    "SELECT id, host, v, rank() OVER (PARTITION BY host ORDER BY v DESC NULLS LAST, id) AS rk FROM dj_t WHERE host IN ('h1', 'h2') ORDER BY host, rk",
    true,
  ],
  ['SELECT host FROM dj_t WHERE id < 40 UNION SELECT host FROM dj_u WHERE region_id = 1 ORDER BY 1', true],
  ['SELECT host, max(v) - min(v) AS spread FROM dj_t GROUP BY host ORDER BY spread DESC, host LIMIT 5', true],
];

/** CREATE TABLE AS over a join of distributed tables: the new (local) table's rows. */
const CTAS =
  'CREATE TABLE dj_ctas (host, rows) AS SELECT t.host, count(*), sum(t.v) AS total, min(t.ts) AS first FROM dj_t t JOIN dj_u u ON t.host = u.host GROUP BY t.host';

const INSERT_SELECT =
  'INSERT INTO dj_target (host, n, total) SELECT t.host, count(*), sum(t.v) FROM dj_t t JOIN dj_u u ON t.host = u.host WHERE u.region_id IS NOT NULL GROUP BY t.host';

/** PostgreSQL's answer as API-style cells (timestamps ISO text, int8/numeric as numbers). */
function pgCells(res: { rows: unknown[][]; fields: { dataTypeID: number }[] }): Cell[][] {
  return res.rows.map((r) =>
    r.map((c, i): Cell => {
      if (c instanceof Date) return c.toISOString();
      const type = res.fields[i].dataTypeID;
      // As the API sends them: int8 a number within ±2^53 (else text), numeric exact text.
      if (typeof c === 'string' && type === 20) return Number.isSafeInteger(Number(c)) ? Number(c) : c;
      return c as Cell;
    }),
  );
}

const expected = new Map<string, Cell[][]>();

/**
 * The statement over the scratch schema's copies. The control-plane PGlite serves one session
 * to every client, so no session state (search_path) may change: names are qualified instead.
 */
const inRef = (q: string) => q.replace(/\bdj_(t|u|r|target|ctas)\b/g, 'dj_ref.dj_$1');

describe('distributed joins, subqueries and INSERT … SELECT over 8 shards', () => {
  beforeAll(async () => {
    for (const d of DDL) await ok(d);
    await ok(`SELECT create_distributed_table('dj_t', 'host', shard_count => 8)`);
    await ok(`SELECT create_distributed_table('dj_u', 'host', shard_count => 8)`);
    await ok(`SELECT create_distributed_table('dj_target', 'host', shard_count => 8)`);
    await ok(`SELECT create_reference_table('dj_r')`);
    const r = await ingest('dj_t', 'application/json', JSON.stringify(T.slice(0, 1000)));
    expect(r.body).toMatchObject({ accepted: 1000, rejected: 0 });
    const insert = async (table: string, rows: Record<string, unknown>[]) => {
      const cols = Object.keys(rows[0]);
      const values = rows.map((_, i) => `(${cols.map((_, j) => `$${i * cols.length + j + 1}`).join(', ')})`);
      const params = rows.flatMap((x) => cols.map((c) => x[c]));
      await ok(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')}`, params);
    };
    await insert('dj_t', T.slice(1000));
    // dj_u: bigint values both in columnar chunks (bulk ingest) and in hot rows.
    const u = await ingest('dj_u', 'application/json', JSON.stringify(U.slice(0, 25)));
    expect(u.body).toMatchObject({ accepted: 25, rejected: 0 });
    await insert('dj_u', U.slice(25));
    await insert('dj_r', R);

    // The same rows in PostgreSQL, and its answers.
    await withControlPlane(env, async (_db, pool) => {
      const c = await pool.connect();
      try {
        await c.query('DROP SCHEMA IF EXISTS dj_ref CASCADE; CREATE SCHEMA dj_ref');
        for (const d of DDL) await c.query(inRef(d));
        for (const [table, rows] of [
          ['dj_t', T],
          ['dj_u', U],
          ['dj_r', R],
        ] as const) {
          await c.query(
            inRef(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1)`),
            [JSON.stringify(rows)],
          );
        }
        for (const [q] of QUERIES)
          expected.set(q, pgCells(await c.query({ text: inRef(q), rowMode: 'array' })));
        await c.query(inRef(CTAS));
        expected.set(
          'ctas',
          pgCells(await c.query({ text: inRef('SELECT * FROM dj_ctas ORDER BY host'), rowMode: 'array' })),
        );
        await c.query(inRef(INSERT_SELECT));
        expected.set(
          'target',
          pgCells(await c.query({ text: inRef('SELECT * FROM dj_target ORDER BY host'), rowMode: 'array' })),
        );
        await c.query('DROP SCHEMA dj_ref CASCADE');
      } finally {
        c.release();
      }
    });
  }, 120_000);

  it.each(QUERIES)('%s', async (q, ordered) => {
    const r = await ok(q);
    const want = expected.get(q)!;
    expect(want.length).toBeGreaterThan(0);
    expect(diffResults(want, r.rows as Cell[][], ordered, 1e-9)).toBeUndefined();
  });

  it('prunes the shards of a join pinned to one distribution value', async () => {
    const r = await ok(
      "SELECT count(*) FROM dj_t t JOIN dj_u u ON t.host = u.host WHERE t.host = 'h3' AND u.host = 'h3'",
    );
    expect(r.stats.shards).toBe(1);
  });

  it('INSERT … SELECT from a join writes the rows through 2PC', async () => {
    const r = await ok(INSERT_SELECT);
    const want = expected.get('target')!;
    expect(r.rowCount).toBe(want.length);
    const got = await ok('SELECT * FROM dj_target ORDER BY host');
    expect(diffResults(want, got.rows as Cell[][], true, 1e-9)).toBeUndefined();
    // VALUES with expressions the fast path cannot evaluate go the same way.
    await ok(
      "INSERT INTO dj_target (host, n, total) VALUES ('zz', 2 + 3, sqrt(16::float8)), (lower('ZY'), $1, NULL)",
      [7],
    );
    const zs = await ok("SELECT host, n, total FROM dj_target WHERE host IN ('zy', 'zz') ORDER BY host");
    expect(zs.rows).toEqual([
      ['zy', 7, null],
      ['zz', 5, 4],
    ]);
    const bad = await sql('INSERT INTO dj_target (host) SELECT host, id FROM dj_t');
    expect(bad.error?.code).toBe('42601');
  });

  it('CREATE TABLE AS creates a table from a distributed join, atomically', async () => {
    const r = await ok(CTAS);
    const want = expected.get('ctas')!;
    expect(want.length).toBeGreaterThan(0);
    expect(r.rowCount).toBe(want.length);
    const got = await ok('SELECT * FROM dj_ctas ORDER BY host');
    expect(got.columns.map((c: { name: string }) => c.name)).toEqual(['host', 'rows', 'total', 'first']);
    expect(diffResults(want, got.rows as Cell[][], true, 1e-9)).toBeUndefined();
    // A failing query leaves no table behind; WITH NO DATA makes an empty one with the columns.
    const bad = await sql('CREATE TABLE dj_ctas_bad AS SELECT 1 / (id - id) FROM dj_t');
    expect(bad.error?.code).toBe('22012');
    expect((await sql('SELECT * FROM dj_ctas_bad')).error?.code).toBe('42P01');
    await ok('CREATE TABLE dj_ctas_empty AS SELECT host, v FROM dj_t WITH NO DATA');
    const empty = await ok('SELECT * FROM dj_ctas_empty');
    expect([empty.rows, empty.columns.map((c: { name: string }) => c.name)]).toEqual([[], ['host', 'v']]);
    expect((await sql(CTAS)).error?.code).toBe('42P07');
  });

  it('lists the catalog through information_schema (as the dashboard reads it)', async () => {
    const r = await ok(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('dj_t', 'dj_r') ORDER BY table_name, ordinal_position",
    );
    expect(r.rows).toEqual([
      ['dj_r', 'region_id', 'integer', 'YES'],
      ['dj_r', 'name', 'text', 'YES'],
      ['dj_t', 'id', 'integer', 'NO'],
      ['dj_t', 'host', 'text', 'YES'],
      ['dj_t', 'v', 'double precision', 'YES'],
      ['dj_t', 'ts', 'timestamp with time zone', 'YES'],
    ]);
  });

  it('refuses to gather more than the coordinator row limit (54000), never a partial answer', async () => {
    // HAVING needs the coordinator: it would gather dj_t's 1200 rows.
    const r = await sql(
      'SET orochi.coordinator_row_limit = 500; SELECT host, count(*) FROM dj_t GROUP BY host HAVING count(*) > 1',
    );
    expect(r.status).toBe(413);
    expect(r.error?.code).toBe('54000');
    expect(r.error?.message).toMatch(/add filters/);
    // Under the same limit, a filtered statement is answered.
    const fine = await ok(
      "SET orochi.coordinator_row_limit = 500; SELECT host, count(*) FROM dj_t WHERE host IN ('h1', 'h2') GROUP BY host HAVING count(*) > 1",
    );
    expect(fine.rows.length).toBe(2);
    // Joins the shards answer alone (co-located, and broadcast with the reference table) gather
    // nothing: the same limit does not apply, and the answer is PostgreSQL's.
    for (const q of [QUERIES[0][0], QUERIES[1][0]]) {
      const pushed = await ok(`SET orochi.coordinator_row_limit = 500; ${q}`);
      expect(diffResults(expected.get(q)!, pushed.rows as Cell[][], true, 1e-9)).toBeUndefined();
    }
  });
});
