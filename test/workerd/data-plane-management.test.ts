/**
 * The Citus/TimescaleDB management functions through HTTP, as new users call
 * them: typed, engine-evaluated arguments (timestamps vs intervals, now(),
 * parameters), show_* in FROM, argument validation before any change,
 * hypertable ids, the NOT NULL time column on every write route, live row
 * counts, honest Server-Timing and PostgreSQL type names in messages.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { AUTH, DB, ingest, ok, sql } from './data-plane-client.ts';

const DB_ID = '00000000-0000-4000-8000-000000000002';
const catalog = () => env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
const shard = (count: number, i: number) => env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));
const DAY_MS = 86_400_000;
const INTERNAL = /float64|int32|int64|FuncCall|A_Const|A_Expr|TypeCast|ColumnRef/;

async function tableDef(name: string): Promise<DistTable | undefined> {
  const snap = (await catalog().snapshot()) as unknown as { tables: DistTable[] };
  return snap.tables.find((t) => t.name === name);
}

/** A hypertable with 1-day chunks over 2 shards and 3 rows per age (days before now). */
async function hypertableWithAges(name: string, ages: number[]): Promise<void> {
  await ok(`CREATE TABLE ${name} (time timestamptz NOT NULL, device text NOT NULL, v double precision)`);
  await ok(
    `SELECT create_hypertable('${name}', 'time', chunk_time_interval => interval '1 day', partitioning_column => 'device', number_partitions => 2)`,
  );
  const now = Date.now();
  const values = ages.flatMap((d) =>
    ['a', 'b', 'c'].map((dev) => `('${new Date(now - d * DAY_MS).toISOString()}', '${dev}', ${d})`),
  );
  await ok(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  for (let i = 0; i < 2; i++) await shard(2, i).compact();
}

const ages = async (name: string) =>
  (await ok(`SELECT DISTINCT v FROM ${name} ORDER BY v`)).rows.map((r) => r[0] as number);

describe('drop_chunks arguments are evaluated by the engine, typed', () => {
  it('a timestamptz older_than is absolute, an interval is relative to now', async () => {
    await hypertableWithAges('dc_abs', [10, 6, 2, 0.1]);
    const cutoff = new Date(Date.now() - 5 * DAY_MS).toISOString();
    const dropped = await ok(`SELECT drop_chunks('dc_abs', older_than => '${cutoff}'::timestamptz)`);
    expect(dropped.rowCount).toBe(2);
    expect(await ages('dc_abs')).toEqual([0.1, 2]);
    // An expression: now() minus an interval (was 0A000).
    await ok(`SELECT drop_chunks('dc_abs', older_than => now() - interval '1 day')`);
    expect(await ages('dc_abs')).toEqual([0.1]);
  });

  it('takes parameters and newer_than', async () => {
    await hypertableWithAges('dc_new', [10, 6, 2, 0.1]);
    const r = await ok(`SELECT drop_chunks('dc_new', newer_than => $1::timestamptz - interval '3 days')`, [
      new Date().toISOString(),
    ]);
    expect(r.rowCount).toBeGreaterThan(0);
    expect(await ages('dc_new')).toEqual([6, 10]);
    await ok(`SELECT drop_chunks('dc_new', older_than => $1::interval)`, ['8 days']);
    expect(await ages('dc_new')).toEqual([6]);
  });

  it('refuses a time argument of another type with PostgreSQL type names', async () => {
    await hypertableWithAges('dc_bad', [1]);
    const num = await sql(`SELECT drop_chunks('dc_bad', older_than => 1.5::float8)`);
    expect(num.status).toBe(422);
    expect(num.error?.code).toBe('22023');
    expect(num.error?.message).toContain('double precision');
    const cast = await sql(`SELECT drop_chunks('dc_bad', older_than => 'x'::float8)`);
    expect(cast.error?.code).toBe('22P02');
    expect(cast.error?.message).toContain('double precision');
    const shards = await sql(
      `SELECT create_distributed_table('dc_bad', 'device', shard_count => 'abc'::int)`,
    );
    expect(shards.error?.code).toBe('22P02');
    for (const m of [num, cast, shards]) expect(m.error?.message).not.toMatch(INTERNAL);
    expect(await ages('dc_bad')).toEqual([1]);
  });
});

describe('show_chunks and show_shards', () => {
  it('show_chunks honours older_than / newer_than', async () => {
    await hypertableWithAges('sc_win', [10, 6, 2, 0.1]);
    const all = (await ok(`SELECT show_chunks('sc_win')`)).rowCount;
    const old = await ok(`SELECT show_chunks('sc_win', older_than => interval '5 days')`);
    const recent = await ok(`SELECT show_chunks('sc_win', newer_than => now() - interval '5 days')`);
    expect(old.rowCount).toBeGreaterThan(0);
    expect(recent.rowCount).toBeGreaterThan(0);
    expect(old.rowCount + recent.rowCount).toBe(all);
    for (const c of old.rows) expect(Date.parse(c[4] as string)).toBeLessThanOrEqual(Date.now() - 5 * DAY_MS);
  });

  it('are tables in FROM: WHERE, ORDER BY, LIMIT, count(*)', async () => {
    await hypertableWithAges('sc_from', [10, 6, 2]);
    const n = await ok(`SELECT count(*) FROM show_chunks('sc_from')`);
    expect(n.rows[0][0]).toBe((await ok(`SELECT show_chunks('sc_from')`)).rowCount);
    const latest = await ok(
      `SELECT c.chunk_name, c.rows FROM show_chunks('sc_from') AS c WHERE c.tier = 'warm' ORDER BY c.range_start DESC, c.shard_index LIMIT 1`,
    );
    expect(latest.columns.map((c) => c.name)).toEqual(['chunk_name', 'rows']);
    expect(latest.columns[1].type).toBe('bigint');
    expect(latest.rows).toHaveLength(1);
    expect(String(latest.rows[0][0])).toMatch(/^_hyper_sc_from_/);
    const total = await ok(`SELECT sum(rows), count(*) FROM show_shards('sc_from') WHERE rows >= 0`);
    // sum(bigint) is numeric: exact text in JSON.
    expect(total.rows[0]).toEqual(['9', 2]);
    const named = await ok(`SELECT show_shards.shard_name FROM show_shards('sc_from') ORDER BY 1`);
    expect(named.rowCount).toBe(2);
    const mixed = await sql(`SELECT * FROM show_chunks('sc_from') c JOIN sc_from ON true`);
    expect(mixed.error?.code).toBe('0A000');
  });

  it('show_shards and show_chunks count live rows (deletes before compaction)', async () => {
    await ok('CREATE TABLE live_rows (k int NOT NULL, v int)');
    await ok(`SELECT create_distributed_table('live_rows', 'k', shard_count => 2)`);
    const values = Array.from({ length: 100 }, (_, i) => `(${i}, ${i})`).join(', ');
    await ok(`INSERT INTO live_rows VALUES ${values}`);
    await ok(`SELECT compact_table('live_rows')`);
    await ok('INSERT INTO live_rows VALUES (1000, 1), (1001, 1)');
    await ok('DELETE FROM live_rows WHERE k < 30 OR k = 1000');
    const shards = await ok(`SELECT show_shards('live_rows')`);
    expect(shards.rows.reduce((s, r) => s + (r[4] as number), 0)).toBe(71);
    const chunks = await ok(`SELECT sum(rows) FROM show_chunks('live_rows')`);
    expect(chunks.rows[0][0]).toBe('70'); // sum(bigint) is numeric: exact text
  });
});

describe('validation before change', () => {
  it('add_retention_policy refuses a non-positive drop_after', async () => {
    await hypertableWithAges('ret_neg', [1]);
    for (const bad of [`interval '-1 day'`, `interval '0 days'`]) {
      const r = await sql(`SELECT add_retention_policy('ret_neg', drop_after => ${bad})`);
      expect(r.status).toBe(422);
      expect(r.error?.code).toBe('22023');
      expect(r.error?.message).toMatch(/drop_after/);
    }
    expect((await tableDef('ret_neg'))?.retentionUs).toBeUndefined();
    expect(await ages('ret_neg')).toEqual([1]);
  });

  it('add_retention_policy refuses a second policy (42710) and if_not_exists keeps the first', async () => {
    await hypertableWithAges('ret_twice', [1]);
    await ok(`SELECT add_retention_policy('ret_twice', drop_after => interval '4 days')`);
    const again = await sql(`SELECT add_retention_policy('ret_twice', drop_after => interval '1 day')`);
    expect(again.error?.code).toBe('42710');
    expect(again.error?.message).toMatch(/already exists/);
    const kept = await ok(
      `SELECT add_retention_policy('ret_twice', drop_after => interval '1 day', if_not_exists => true)`,
    );
    expect(kept.rows).toEqual([[1000]]);
    expect((await tableDef('ret_twice'))?.retentionUs).toBe(4 * 86_400_000_000);
    await ok(`SELECT remove_retention_policy('ret_twice')`);
    expect((await sql(`SELECT remove_retention_policy('ret_twice')`)).error?.code).toBe('42704');
    await ok(`SELECT remove_retention_policy('ret_twice', if_exists => true)`);
    await ok(`SELECT add_retention_policy('ret_twice', drop_after => interval '1 day')`);
    expect((await tableDef('ret_twice'))?.retentionUs).toBe(86_400_000_000);
  });

  it('create_hypertable checks every argument first and changes nothing on error', async () => {
    await ok('CREATE TABLE ht_bad (time timestamptz, device text, v double precision)');
    const before = await tableDef('ht_bad');
    for (const args of [
      `partitioning_column => 'device', number_partitions => 0`,
      `partitioning_column => 'device', number_partitions => 5000`,
      `chunk_time_interval => interval '-1 hour'`,
      `partitioning_column => 'nope', number_partitions => 2`,
    ]) {
      const r = await sql(`SELECT create_hypertable('ht_bad', 'time', ${args})`);
      expect(r.status, args).toBeGreaterThanOrEqual(400);
      expect(r.status, args).toBeLessThan(500);
      expect(['22023', '42703']).toContain(r.error?.code);
    }
    expect(await tableDef('ht_bad')).toEqual(before);
    const created = await ok(
      `SELECT create_hypertable('ht_bad', 'time', partitioning_column => 'device', number_partitions => 2)`,
    );
    expect(created.rows[0][2]).toBe(true);
  });

  it('gives each hypertable its own stable id', async () => {
    await ok('CREATE TABLE ht_id1 (time timestamptz NOT NULL, v int)');
    await ok('CREATE TABLE ht_id2 (time timestamptz NOT NULL, v int)');
    const a = await ok(`SELECT create_hypertable('ht_id1', 'time')`);
    const b = await ok(`SELECT create_hypertable('ht_id2', 'time')`);
    expect(a.rows[0][0]).not.toBe(b.rows[0][0]);
    const again = await ok(`SELECT create_hypertable('ht_id1', 'time', if_not_exists => true)`);
    expect(again.rows[0]).toEqual([a.rows[0][0], 'ht_id1', false]);
  });
});

describe('the hypertable time column is NOT NULL', () => {
  const violation = 'null value in column "time" of relation "ht_nn" violates not-null constraint';

  it('on INSERT, INSERT … SELECT and bulk ingest', async () => {
    await ok('CREATE TABLE ht_nn (time timestamptz, device text, v double precision)');
    await ok(`SELECT create_hypertable('ht_nn', 'time')`);
    expect((await tableDef('ht_nn'))?.columns.find((c) => c.name === 'time')?.notNull).toBe(true);
    const ins = await sql(`INSERT INTO ht_nn VALUES (NULL, 'a', 1)`);
    expect(ins.error?.code).toBe('23502');
    expect(ins.error?.message).toBe(violation);
    const omitted = await sql(`INSERT INTO ht_nn (device, v) VALUES ('a', 1)`);
    expect(omitted.error?.code).toBe('23502');
    const sel = await sql(`INSERT INTO ht_nn SELECT NULL::timestamptz, 'b', 2`);
    expect(sel.error?.code).toBe('23502');
    expect(sel.error?.message).toBe(violation);
    const bulk = await ingest(
      'ht_nn',
      'application/json',
      JSON.stringify([
        { time: null, device: 'c', v: 3 },
        { time: '2026-01-01T00:00:00Z', device: 'c', v: 4 },
      ]),
    );
    expect(bulk.body.accepted).toBe(1);
    expect(bulk.body.rejected).toBe(1);
    expect(bulk.body.errors[0].reason).toBe(violation);
    expect((await ok('SELECT count(*), min(v) FROM ht_nn')).rows[0]).toEqual([1, 4]);
  });
});

describe('Server-Timing', () => {
  const timing = async (query: string, headers: Record<string, string> = {}) => {
    const res = await SELF.fetch(`https://orochi.test${DB}/sql`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ sql: query }),
    });
    expect(res.status).toBe(200);
    await res.json();
    return (res.headers.get('server-timing') ?? '').split(', ').map((s) => s.split(';')[0]);
  };

  it('times a write statement, and the Idempotency-Key claim, as their own stages', async () => {
    await hypertableWithAges('st_w', [1]);
    const keyed = await timing(`INSERT INTO st_w SELECT * FROM st_w LIMIT 0`, {
      'idempotency-key': 'st-w-1',
    });
    for (const stage of ['request', 'database', 'idempotency', 'parse', 'bind', 'json'])
      expect(keyed).toContain(stage);
    const insert = await timing(`INSERT INTO st_w (time, device, v) VALUES (now(), 'd', 1)`);
    expect(insert).toContain('write');
    expect(insert.indexOf('bind')).toBeLessThan(insert.indexOf('write'));
  });

  it('splits management functions and the general path into stages', async () => {
    await hypertableWithAges('st_t', [1]);
    const mgmt = await timing(`SELECT show_shards('st_t')`);
    for (const stage of ['parse', 'plan', 'shards', 'format', 'json']) expect(mgmt).toContain(stage);
    const drop = await timing(`SELECT drop_chunks('st_t', older_than => interval '30 days')`);
    for (const stage of ['parse', 'plan', 'shards', 'format']) expect(drop).toContain(stage);
    const general = await timing('SELECT a.device, count(*) FROM st_t a JOIN st_t b ON a.v = b.v GROUP BY 1');
    for (const stage of ['parse', 'plan', 'shards', 'merge', 'format', 'json'])
      expect(general).toContain(stage);
    // A join on the distribution column runs on the shards (join pushdown): the same stages.
    const pushed = await timing(
      'SELECT count(*) FROM st_t a JOIN st_t b ON a.device = b.device AND a.time = b.time',
    );
    for (const stage of ['parse', 'plan', 'shards', 'merge', 'format', 'json'])
      expect(pushed).toContain(stage);
    const fromShow = await timing(`SELECT count(*) FROM show_chunks('st_t')`);
    for (const stage of ['parse', 'plan', 'shards', 'merge', 'format']) expect(fromShow).toContain(stage);
  });
});
