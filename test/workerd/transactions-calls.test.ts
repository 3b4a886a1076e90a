/**
 * One HTTP call is one transaction: the write statements of a multi-statement
 * `/sql` call commit together or not at all, read their own earlier writes,
 * and a retry under the same Idempotency-Key applies them once. Orphaned
 * prepared entries are resolved by the shard's alarm through the CatalogDO's
 * decision. Checked through HTTP (and the alarm), with faults injected.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ORPHAN_AFTER_MS } from '../../durable-objects/shard-do.ts';
import { ok, sql } from './data-plane-client.ts';
import {
  catalog,
  DB_ID,
  distributed,
  expectSettled,
  ids,
  inject,
  range,
  shard,
  tableDef,
  values,
} from './txn-fixtures.ts';

/** Sum of `v` and row count, as numbers. */
async function totals(table: string): Promise<[number, number]> {
  const r = (await ok(`SELECT count(*), coalesce(sum(v), 0) FROM ${table}`)).rows[0];
  return [Number(r[0]), Number(r[1])];
}

describe('all or nothing', () => {
  it('a call whose 3rd statement fails leaves nothing of statements 1–2 on any shard', async () => {
    await distributed('call_abort', 4);
    await ok(`INSERT INTO call_abort VALUES ${values(range(16))}`);
    const before = await totals('call_abort');
    // Statement 3 fails on the shard that holds id 7 only (division by zero there), after 1–2 prepared on all.
    const r = await sql(
      `INSERT INTO call_abort VALUES ${values(range(16, 101))};
       UPDATE call_abort SET v = v + 1;
       UPDATE call_abort SET v = v / (id - 7) WHERE id < 10`,
    );
    expect([r.status, r.error?.code]).toEqual([422, '22012']);
    expect(r.error).toMatchObject({ statement: 3 });
    expect(r.error).not.toHaveProperty('committed');
    expect(await totals('call_abort')).toEqual(before);
    expect(await ids('call_abort')).toEqual(range(16));
    await expectSettled(4);
  });

  it('an injected prepare failure on one shard in the last statement aborts the whole call; a keyed retry applies it once', async () => {
    await distributed('call_idem', 4);
    await distributed('call_idem_log', 4);
    await inject(4, 2, { phase: 'prepare', match: 'call_idem_log' });
    const call = `INSERT INTO call_idem VALUES ${values(range(20))};
      UPDATE call_idem SET v = v * 2 WHERE id <= 10;
      INSERT INTO call_idem_log VALUES ${values(range(16))}`;
    const key = { 'idempotency-key': 'call-idem-1' };
    const first = await sql(call, undefined, key);
    expect(first.status).not.toBe(200);
    expect(await ids('call_idem')).toEqual([]);
    expect(await ids('call_idem_log')).toEqual([]);
    await expectSettled(4);
    const retry = await sql(call, undefined, key);
    expect(retry.status).toBe(200);
    const counts = (retry as unknown as { results: { rowCount: number }[] }).results.map((x) => x.rowCount);
    expect(counts).toEqual([20, 10, 16]);
    expect(await totals('call_idem')).toEqual([
      20,
      range(20).reduce((s, i) => s + i * 10 * (i <= 10 ? 2 : 1), 0),
    ]);
    // Again: the first outcome, nothing applied twice (the UPDATE would double again).
    const again = await sql(call, undefined, key);
    expect((again as unknown as { results: { rowCount: number }[] }).results.map((x) => x.rowCount)).toEqual(
      counts,
    );
    expect(await totals('call_idem')).toEqual([
      20,
      range(20).reduce((s, i) => s + i * 10 * (i <= 10 ? 2 : 1), 0),
    ]);
    expect(await ids('call_idem_log')).toEqual(range(16));
    const other = await sql('INSERT INTO call_idem VALUES (999, 0); SELECT 1', undefined, key);
    expect(other.status).toBe(422);
    expect(await ids('call_idem')).toEqual(range(20));
    await expectSettled(4);
  });
});

describe('read your writes inside a call', () => {
  it('INSERT then UPDATE / DELETE of the same new rows, across shards', async () => {
    await distributed('ryw_dml', 4);
    await ok(`INSERT INTO ryw_dml VALUES ${values(range(4))}`);
    const r = await ok(
      `INSERT INTO ryw_dml VALUES ${values(range(8, 5))};
       UPDATE ryw_dml SET v = v + 1 WHERE id >= 5;
       DELETE FROM ryw_dml WHERE id IN (2, 6);
       UPDATE ryw_dml SET v = -v WHERE id IN (1, 7)`,
    );
    expect((r as unknown as { results: { rowCount: number }[] }).results.map((x) => x.rowCount)).toEqual([
      8, 8, 2, 2,
    ]);
    const rows = (await ok('SELECT id, v FROM ryw_dml ORDER BY id')).rows.map((x) => x.map(Number));
    expect(rows).toEqual([
      [1, -10],
      [3, 30],
      [4, 40],
      [5, 51],
      [7, -71],
      [8, 81],
      [9, 91],
      [10, 101],
      [11, 111],
      [12, 121],
    ]);
    await expectSettled(4);
  });

  it('a SELECT after a write sees it (fast path and the general path); nothing when the call fails', async () => {
    await distributed('ryw_sel', 4);
    await ok(`INSERT INTO ryw_sel VALUES ${values(range(3))}`);
    const r = await ok(
      `INSERT INTO ryw_sel VALUES ${values(range(5, 10))};
       SELECT count(*) FROM ryw_sel;
       DELETE FROM ryw_sel WHERE id = 1;
       SELECT count(*), sum(v) FROM ryw_sel WHERE id IN (SELECT id FROM ryw_sel WHERE id > 1)`,
    );
    const results = (r as unknown as { results: { rows: unknown[][] }[] }).results;
    expect(Number(results[1].rows[0][0])).toBe(8);
    expect(results[3].rows[0].map(Number)).toEqual([7, 20 + 30 + 100 + 110 + 120 + 130 + 140]);
    const failed = await sql(
      `INSERT INTO ryw_sel VALUES (50, 500); SELECT count(*) FROM ryw_sel; SELECT 1/0`,
    );
    expect(failed.error?.code).toBe('22012');
    expect(await totals('ryw_sel')).toEqual([7, 20 + 30 + 100 + 110 + 120 + 130 + 140]);
  });

  it("unique keys see the call's own writes", async () => {
    await ok('CREATE TABLE ryw_pk (id int PRIMARY KEY, v bigint)');
    await ok(`SELECT create_distributed_table('ryw_pk', 'id', shard_count => 2)`);
    const dup = await sql('INSERT INTO ryw_pk VALUES (1, 1); INSERT INTO ryw_pk VALUES (1, 2)');
    expect(dup.error?.code).toBe('23505');
    expect(await ids('ryw_pk')).toEqual([]);
    await ok(
      'INSERT INTO ryw_pk VALUES (1, 1); DELETE FROM ryw_pk WHERE id = 1; INSERT INTO ryw_pk VALUES (1, 3)',
    );
    await ok(
      'INSERT INTO ryw_pk VALUES (2, 1); INSERT INTO ryw_pk VALUES (2, 5) ON CONFLICT (id) DO UPDATE SET v = ryw_pk.v + excluded.v',
    );
    expect((await ok('SELECT id, v FROM ryw_pk ORDER BY id')).rows.map((x) => x.map(Number))).toEqual([
      [1, 3],
      [2, 6],
    ]);
    await expectSettled(2);
  });
});

describe('limits', () => {
  it('a call whose writes to one shard outgrow one prepared entry is refused whole (54000)', async () => {
    await distributed('call_big', 1, 'id int NOT NULL, s text');
    const r = await sql(
      "INSERT INTO call_big VALUES (1, repeat('x', 1000000)); INSERT INTO call_big VALUES (2, repeat('y', 1000000))",
    );
    expect([r.status, r.error?.code, (r.error as { statement?: number })?.statement]).toEqual([
      413,
      '54000',
      2,
    ]);
    expect(await ids('call_big')).toEqual([]);
    await expectSettled(1);
  });
});

describe('orphaned prepared entries', () => {
  /** Ages the shard's prepared entries past the orphan bound, as if their coordinator had died long ago. */
  async function age(i: number): Promise<void> {
    await runInDurableObject(shard(2, i), async (_o, state) => {
      state.storage.sql.exec(
        `UPDATE shard_log SET at = at - ? WHERE state = 'prepared'`,
        ORPHAN_AFTER_MS + 1000,
      );
    });
  }

  it('the alarm resolves them through the catalog: presumed abort without a record, commit when decided; one failing item blocks no other', async () => {
    await distributed('orphans', 2);
    const t = await tableDef('orphans');
    const s = shard(2, 0);
    const insert = (id: number) => ({ kind: 'insert' as const, rows: [[id, id]], target: 'hot' as const });
    // No coordinator record at all (the Worker died before beginning one): presumed abort.
    await s.prepareStatement('tx-orphan-none', 0, t, insert(1));
    // A record decided committed whose commit never reached the shard.
    await catalog().beginTxn('tx-orphan-won', [`${DB_ID}:2:0`]);
    await s.prepareStatement('tx-orphan-won', 0, t, insert(2));
    await catalog().decide('tx-orphan-won', 'committed');
    // A third whose resolution fails once (injected): it stays, the others are resolved.
    await s.prepareStatement('tx-orphan-flaky', 0, t, insert(3));
    await s.injectFault({ phase: 'alarm', match: 'tx-orphan-flaky' });
    // Young entries are left alone: their coordinator may still be running.
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect((await s.preparedTxns()).length).toBe(3);
    await age(0);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(await s.preparedTxns()).toEqual([`tx-orphan-flaky@${t.id}`]);
    expect(await ids('orphans')).toEqual([2]);
    // Re-armed; the next run resolves the one that failed (presumed abort: it has no record).
    expect(await runInDurableObject(s, (_o, state) => state.storage.getAlarm())).not.toBeNull();
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(await s.preparedTxns()).toEqual([]);
    expect(await ids('orphans')).toEqual([2]);
    // The aborted ones are tombstoned: a late prepare cannot resurrect them.
    const late = await s.prepareStatement('tx-orphan-none', 1, t, insert(4)).catch((e: Error) => e);
    expect(String(late)).toMatch(/40001/);
    expect(await ids('orphans')).toEqual([2]);
  });
});
