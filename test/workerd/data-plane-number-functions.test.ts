/**
 * Exact numeric math and number formatting over HTTP on a distributed table (8 shards; rows
 * both in compacted chunks and hot) against PostgreSQL (the control plane's PGlite) holding
 * the same rows: sqrt / exp / ln / log / power / ^ on numeric, to_char over numeric, int4,
 * int8 and float8, to_number and generate_series over numeric, in the select list (run on
 * the shards) and in WHERE and GROUP BY, compared as PostgreSQL's text.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { withControlPlane } from '../../workers/db/client.ts';
import { ok, sql } from './data-plane-client.ts';

const DDL = 'CREATE TABLE nf_nums (id int, n numeric, i int, b bigint, d double precision)';
const ROWS = [
  [1, '2', 7, '9007199254740993', '1.5'],
  [2, '-34338492.215397047', -4567, '-4567890123456789', '-34.84'],
  [3, '0.00001', 0, '0', '0'],
  [4, '7799461.4119', 123, '123', '1234.5678'],
  [5, 'NaN', 1, '1', 'NaN'],
  [6, '1e20', 2147483647, '9223372036854775807', '1e20'],
  [7, '-0.5', -1, '-1', '-0.5'],
  [8, '12.5', 42, '42', '2.5'],
  [9, 'Infinity', 11, '11', 'Infinity'],
  [10, '99.995', 3999, '3999', '0.125'],
];
const values = (rows: typeof ROWS) =>
  rows.map(([id, n, i, b, d]) => `(${id}, '${n}', ${i}, ${b}, '${d}')`).join(', ');

/** Select lists and clauses run on both; every result column is PostgreSQL's text. */
const QUERIES = [
  "SELECT id, sqrt(abs(n))::text, exp(n / 1e19)::text, ln(abs(n) + 1)::text, log(2.0, abs(n) + 1)::text FROM nf_nums WHERE n <> 'NaN' ORDER BY id",
  "SELECT id, (n ^ 2)::text, power(abs(n), 0.5)::text, (abs(n) ^ -1.5)::text, log10(abs(n) + 1)::text FROM nf_nums WHERE n <> 'NaN' AND n < 'Infinity' ORDER BY id",
  "SELECT id, to_char(n, 'FM999G999G999D999'), to_char(n, '9.999EEEE'), to_char(i, '9999PR'), to_char(b, 'S9999999999999999999'), to_char(d, 'MI9999999999.99') FROM nf_nums ORDER BY id",
  "SELECT id, to_char(i, 'RN'), to_char(i, 'FM999th'), to_char(d, '9.99EEEE'), to_number(to_char(n, '99999999D999'), '99999999D999')::text FROM nf_nums WHERE n < 1e10 ORDER BY id",
  "SELECT id FROM nf_nums WHERE sqrt(abs(n)) > 3 AND n <> 'NaN' ORDER BY id",
  "SELECT to_char(i % 3, 'FM0'), count(*) FROM nf_nums GROUP BY 1 ORDER BY 1",
  'SELECT n.id, g::text FROM nf_nums n, generate_series(0.5, 2.0, 0.75) g WHERE n.id < 3 ORDER BY 1, 2',
];

describe('numeric functions and number formatting over HTTP agree with PostgreSQL', () => {
  const pg: string[][][] = [];
  beforeAll(async () => {
    await ok(DDL);
    await ok(`SELECT create_distributed_table('nf_nums', 'id', shard_count => 8)`);
    await ok(`INSERT INTO nf_nums VALUES ${values(ROWS.slice(0, 6))}`);
    await ok(`SELECT compact_table('nf_nums')`);
    await ok(`INSERT INTO nf_nums VALUES ${values(ROWS.slice(6))}`);
    await withControlPlane(env, async (_db, pool) => {
      const c = await pool.connect();
      try {
        await c.query('DROP SCHEMA IF EXISTS nf_ref CASCADE; CREATE SCHEMA nf_ref; SET search_path = nf_ref');
        await c.query(DDL);
        await c.query(`INSERT INTO nf_nums VALUES ${values(ROWS)}`);
        for (const q of QUERIES) {
          const r = await c.query({ text: q, rowMode: 'array' });
          pg.push(
            (r.rows as unknown[][]).map((row) =>
              row.map((v) => (v === null ? null : String(v))),
            ) as string[][],
          );
        }
        await c.query('RESET search_path; DROP SCHEMA nf_ref CASCADE');
      } finally {
        c.release();
      }
    });
  }, 120_000);

  it.each(QUERIES.map((q, i) => [i, q] as const))('query %i: %s', async (i, q) => {
    expect(pg[i].length, 'PostgreSQL answered rows').toBeGreaterThan(0);
    const r = await sql(q);
    expect(r.error, q).toBeUndefined();
    const ours = r.rows!.map((row) => row.map((v) => (v === null ? null : String(v))));
    expect(ours).toEqual(pg[i]);
  });

  it('refuses what PostgreSQL refuses, with its SQLSTATE', async () => {
    for (const [q, code] of [
      ['SELECT sqrt(n) FROM nf_nums WHERE id = 2', '2201F'],
      ['SELECT ln(n - n) FROM nf_nums WHERE id = 1', '2201E'],
      ['SELECT n ^ 0.5 FROM nf_nums WHERE id = 7', '2201F'],
      ['SELECT exp(n * 1e10) FROM nf_nums WHERE id = 4', '22003'],
      ["SELECT to_char(n, '9.9.9') FROM nf_nums", '42601'],
    ] as const) {
      const r = await sql(q);
      expect(r.error?.code, q).toBe(code);
    }
  });
});
