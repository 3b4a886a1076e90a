/**
 * Bad input to `/sql` gets a 4xx with a SQLSTATE — never a 500 or a hang —
 * and anything the distributed executor cannot answer correctly is 0A000.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH, DB, ok, sql } from './data-plane-client.ts';

async function raw(body: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`https://orochi.test${DB}/sql`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe('/sql bad input', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE errs (id int NOT NULL, name text, v double precision, ts timestamptz)');
    await ok(`SELECT create_distributed_table('errs', 'id', shard_count => 8)`);
    await ok(`INSERT INTO errs VALUES (1, 'a', 1.5, '2024-01-01'), (2, 'b', 0, '2024-01-02')`);
  });

  it.each([
    ['SELEC 1', 400, '42601'],
    ['SELECT * FROM missing_table', 404, '42P01'],
    ['SELECT nope FROM errs', 404, '42703'],
    ['INSERT INTO errs (id, name) VALUES (1, 2, 3)', 400, '42601'],
    [`INSERT INTO errs (id, v) VALUES ('x', 1)`, 422, '22P02'],
    ['INSERT INTO errs (name) VALUES (1)', 409, '23502'],
    // PostgreSQL: integer out of range (the engine binds and evaluates VALUES).
    ['INSERT INTO errs (id) VALUES (3000000000)', 422, '22003'],
    ['SELECT id / 0 FROM errs', 422, '22012'],
    ['SELECT sum(name) FROM errs', 404, '42883'],
    ['SELECT name, count(*) FROM errs', 400, '42803'],
    ['CREATE TABLE errs (id int)', 409, '42P07'],
    ['ALTER TABLE errs ADD COLUMN name text', 409, '42701'],
    // Joins, DISTINCT, expressions over aggregates … run on the coordinator: its errors are the engine's.
    ['SELECT * FROM errs a JOIN missing_table b ON a.id = b.id', 404, '42P01'],
    ['SELECT a.nope FROM errs a JOIN errs b ON a.id = b.id', 404, '42703'],
    ['SELECT max(v) - min(name) FROM errs', 404, '42883'],
    ['SET orochi.coordinator_row_limit = -1', 422, '22023'],
    ['SET work_mem = 5', 422, '0A000'],
    ['UPDATE errs SET id = 5', 422, '0A000'],
    ['UPDATE errs SET nope = 1', 404, '42703'],
    ['UPDATE errs SET name = NULL, id = id', 422, '0A000'],
    // 'yesterday' is a valid timestamptz in PostgreSQL; this is not.
    [`UPDATE errs SET ts = 'not a time'`, 422, '22007'],
    ['CREATE TABLE n (x interval)', 422, '0A000'],
    [`SELECT create_distributed_table('errs', 'id')`, 422, '0A000'],
    ['SELECT * FROM errs WHERE id = $3', 400, '42P02'],
    ['', 400, '42601'],
  ])('%s → %i %s', async (query, status, code) => {
    const r = await sql(query);
    expect(r.status).toBe(status);
    expect(r.error?.code).toBe(code);
    expect(r.error?.message.length).toBeGreaterThan(0);
  });

  it('answers a BETWEEN next to another conjunct on the gather path (was 500 "cannot plan the scan")', async () => {
    // The random HTTP generator's shrunk case (seed 5): each conjunct ships alone, their AND must too.
    const r = await ok(
      "SELECT NULLIF(v, 1) AS c FROM errs WHERE (id BETWEEN 1 AND 5) AND (name NOT LIKE 'x%') ORDER BY 1",
    );
    expect(r.rows).toEqual([[0], [1.5]]);
    const none = await ok(
      "SELECT NULLIF(v, 1) FROM errs WHERE (id BETWEEN 5 AND 1) AND (name NOT LIKE 'x%')",
    );
    expect(none.rows).toEqual([]);
  });

  it('reports the position of a syntax error', async () => {
    const r = await sql('SELECT id FROM errs WHERE');
    expect(r.error).toMatchObject({ code: '42601' });
    expect(r.error?.position).toBe(26);
  });

  it('rejects malformed bodies, too many parameters and oversized bodies', async () => {
    expect(await raw('not json')).toMatchObject({ status: 400, body: { error: { code: '22P02' } } });
    expect(await raw('{"sql": 1}')).toMatchObject({ status: 400, body: { error: { code: '22023' } } });
    expect(await raw('{"sql": "SELECT 1", "params": {}}')).toMatchObject({ status: 400 });
    expect(await raw('{"sql": "SELECT * FROM errs WHERE id = $1", "params": [{"a": 1}]}')).toMatchObject({
      status: 400,
      body: { error: { code: '22023' } },
    });
    const many = await raw(JSON.stringify({ sql: 'SELECT 1', params: new Array(10_001).fill(1) }));
    expect(many).toMatchObject({ status: 400, body: { error: { code: '54023' } } });
    const big = await raw(JSON.stringify({ sql: `SELECT '${'x'.repeat(1 << 20)}'` }));
    expect(big).toMatchObject({ status: 413, body: { error: { code: '54000' } } });
  });

  it('requires an API key and a known database', async () => {
    const noKey = await SELF.fetch(`https://orochi.test${DB}/sql`, {
      method: 'POST',
      body: '{"sql":"SELECT 1"}',
    });
    expect(noKey.status).toBe(401);
    const res = await SELF.fetch('https://orochi.test/v1/databases/nope/sql', {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: '{"sql":"SELECT 1"}',
    });
    expect(res.status).toBe(404);
  });

  it('fails a multi-statement call before running anything when a later statement is unsupported', async () => {
    const r = await sql(`INSERT INTO errs VALUES (9, 'z', 9, '2024-01-09'); SELECT * FROM errs FOR UPDATE`);
    expect(r.status).toBe(422);
    expect((await ok('SELECT count(*) FROM errs WHERE id = 9')).rows[0][0]).toBe(0);
  });
});
