/**
 * Fault injection over two-phase commit, in workerd with real Durable
 * Objects. Each case injects one fault (through ShardDO's local-only seam or
 * by playing a dead coordinator) and checks the invariant: every acknowledged
 * write is present exactly once, every refused write is absent, and nothing is
 * half-applied (no prepared entry, no unfinished record) after recovery.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ingest, ok, sql } from './data-plane-client.ts';
import {
  ageRecords,
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

describe('retry after abort (Idempotency-Key)', () => {
  it('a prepare failure on one shard, then a retry: all rows, once, on every shard', async () => {
    await distributed('idem_abort', 4);
    await inject(4, 0, { phase: 'prepare', match: 'idem_abort' });
    const rows = range(24);
    const key = { 'idempotency-key': 'idem-abort-1' };
    const first = await sql(`INSERT INTO idem_abort VALUES ${values(rows)}`, undefined, key);
    expect(first.status).not.toBe(200);
    expect(await ids('idem_abort')).toEqual([]); // refused: absent everywhere
    const retry = await sql(`INSERT INTO idem_abort VALUES ${values(rows)}`, undefined, key);
    expect(retry.status).toBe(200);
    expect(retry.rowCount).toBe(24);
    expect(await ids('idem_abort')).toEqual(rows);
    for (let i = 0; i < 4; i++)
      expect((await shard(4, i).tableInfo((await tableDef('idem_abort')).id)).hotRows).toBeGreaterThan(0);
    // A further retry answers the first outcome and applies nothing.
    const again = await sql(`INSERT INTO idem_abort VALUES ${values(rows)}`, undefined, key);
    expect([again.status, again.rowCount]).toEqual([200, 24]);
    expect(await ids('idem_abort')).toEqual(rows);
    // Same key, another body: refused, nothing applied.
    const other = await sql(`INSERT INTO idem_abort VALUES (999, 0)`, undefined, key);
    expect(other.status).toBe(422);
    expect(await ids('idem_abort')).toEqual(rows);
    await expectSettled(4);
  });

  it('a single-shard statement (no coordinator) is applied whole or not at all, once', async () => {
    await distributed('idem_local', 1);
    await inject(1, 0, { phase: 'prepare', match: 'idem_local' });
    const key = { 'idempotency-key': 'idem-local-1' };
    const stmt = `INSERT INTO idem_local VALUES ${values(range(5))}`;
    expect((await sql(stmt, undefined, key)).status).not.toBe(200);
    expect(await ids('idem_local')).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const r = await sql(stmt, undefined, key);
      expect([r.status, r.rowCount]).toEqual([200, 5]);
    }
    expect(await ids('idem_local')).toEqual(range(5));
    const upd = await sql('UPDATE idem_local SET v = v / (id - 3) WHERE id > 1');
    expect([upd.status, upd.error?.code]).toEqual([422, '22012']);
    expect((await ok('SELECT sum(v) FROM idem_local')).rows[0][0]).toBe('150');
    await expectSettled(1);
  });

  it('a late prepare of an aborted transaction is refused on the shard (abort tombstone)', async () => {
    await distributed('late_prep', 2);
    const t = await tableDef('late_prep');
    await shard(2, 0).resolve('tx-late', 'aborted'); // presumed abort reached the shard first
    const late = await shard(2, 0)
      .prepare('tx-late', t, { kind: 'insert', rows: [[1, 1]], target: 'hot' })
      .catch((e: Error) => e);
    expect(String(late)).toMatch(/40001/);
    expect(await shard(2, 0).preparedTxns()).toEqual([]);
  });
});

describe('the coordinator respects its decision', () => {
  it('a statement aborted by recovery while it prepared answers 40001 and applies nothing', async () => {
    await distributed('slow_coord', 2);
    // Both prepares succeed but answer late; meanwhile recovery presumes the coordinator dead.
    await inject(2, 0, { phase: 'prepared', match: 'slow_coord', delayMs: 1500 });
    await inject(2, 1, { phase: 'prepared', match: 'slow_coord', delayMs: 1500 });
    const call = sql(`INSERT INTO slow_coord VALUES ${values(range(12))}`);
    for (let i = 0; i < 100 && (await shard(2, 0).preparedTxns()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await catalog().recover(0)).length).toBeGreaterThan(0);
    const r = await call;
    expect([r.status, r.error?.code]).toEqual([409, '40001']);
    expect(await ids('slow_coord')).toEqual([]);
    await expectSettled(2);
  });
});

describe('commit cannot fail on data', () => {
  it('DELETE whose filter fails on one shard deletes nothing anywhere', async () => {
    await distributed('div_del', 4, 'id int NOT NULL, x int');
    await ok(
      `INSERT INTO div_del VALUES ${range(16)
        .map((i) => `(${i}, ${i === 5 ? 0 : 1})`)
        .join(', ')}`,
    );
    const r = await sql('DELETE FROM div_del WHERE 10 / x > 1');
    expect([r.status, r.error?.code]).toEqual([422, '22012']);
    expect(await ids('div_del')).toEqual(range(16));
    await expectSettled(4);
    // And a good DELETE afterwards applies exactly its prepared effect.
    await ok('DELETE FROM div_del WHERE x = 0');
    expect((await ok('DELETE FROM div_del WHERE id > 12')).rowCount).toBe(4);
    expect(await ids('div_del')).toEqual(range(12).filter((i) => i !== 5));
  });

  it('rows under a prepared DELETE are not compacted away before the decision', async () => {
    await distributed('held_rows', 1);
    await ok(`INSERT INTO held_rows VALUES ${values(range(6))}`);
    const t = await tableDef('held_rows');
    const name = `${DB_ID}:1:0`;
    await catalog().beginTxn('tx-held', [name]);
    await shard(1, 0).prepare('tx-held', t, {
      kind: 'delete',
      table: 'held_rows',
      tableId: t.id,
      dml: { text: 'SELECT "__orochi_row" FROM "held_rows"', params: [], table: t },
      reads: [0, 1],
      defaults: [null, null],
    });
    await shard(1, 0).setMaintenancePolicy({ minRows: 1, maxAgeMs: 0 });
    expect(await runDurableObjectAlarm(shard(1, 0))).toBe(true);
    expect((await shard(1, 0).tableInfo((await tableDef('held_rows')).id)).hotRows).toBe(6); // held: not moved
    expect(await catalog().decide('tx-held', 'committed')).toBe('committed');
    expect((await shard(1, 0).resolve('tx-held', 'committed')).rowCount).toBe(6);
    await catalog().finishTxn('tx-held');
    expect(await ids('held_rows')).toEqual([]);
  });
});

describe('recovery', () => {
  it('a lost commit RPC is re-sent; the write is present once', async () => {
    await distributed('lost_commit', 2);
    await ok(`INSERT INTO lost_commit VALUES (1, 1)`);
    // Commit faults match the transaction id, which embeds the Idempotency-Key: every shard loses its first commit.
    const key = { 'idempotency-key': 'lost-commit-1' };
    for (let i = 0; i < 2; i++) await inject(2, i, { phase: 'commit', match: 'lost-commit-1' });
    const r = await sql(`INSERT INTO lost_commit VALUES ${values(range(10, 2))}`, undefined, key);
    expect([r.status, r.rowCount]).toEqual([200, 10]);
    expect(await ids('lost_commit')).toEqual(range(11));
    await expectSettled(2);
  });

  it('the coordinator dies after deciding; the alarm commits; one bad record blocks no other', async () => {
    await distributed('dead_coord', 2);
    const t = await tableDef('dead_coord');
    const names = [0, 1].map((i) => `${DB_ID}:2:${i}`);
    const prepare = async (txn: string, id: number) => {
      await catalog().beginTxn(txn, names);
      for (let i = 0; i < 2; i++)
        await shard(2, i).prepare(txn, t, { kind: 'insert', rows: [[id + i, 0]], target: 'hot' });
    };
    await prepare('tx-dead-bad', 100); // its shard 0 keeps failing commits
    await prepare('tx-dead-ok', 200); // decided, never told to the shards
    await prepare('tx-dead-undecided', 300); // never decided: presumed abort
    expect(await catalog().decide('tx-dead-bad', 'committed')).toBe('committed');
    expect(await catalog().decide('tx-dead-ok', 'committed')).toBe('committed');
    await inject(2, 0, { phase: 'commit', match: 'tx-dead-bad', times: 1 });
    await ageRecords();
    expect(await runDurableObjectAlarm(catalog())).toBe(true);
    expect(await ids('dead_coord')).toEqual([101, 200, 201]);
    expect((await catalog().pendingTxns()).map((x) => x.id)).toEqual(['tx-dead-bad']);
    // Re-armed: the next alarm finishes the bad one.
    await ageRecords();
    expect(await runDurableObjectAlarm(catalog())).toBe(true);
    expect(await ids('dead_coord')).toEqual([100, 101, 200, 201]);
    await expectSettled(2);
    // Decisions are tombstones: a late coordinator cannot flip them.
    expect(await catalog().decide('tx-dead-undecided', 'committed')).toBe('aborted');
  });

  it('a shard that dies after preparing (answer lost): the statement is refused and absent', async () => {
    await distributed('lost_prep', 2);
    await inject(2, 1, { phase: 'prepared', match: 'lost_prep' });
    const r = await sql(`INSERT INTO lost_prep VALUES ${values(range(10))}`);
    expect(r.status).toBe(500);
    expect(await ids('lost_prep')).toEqual([]);
    await expectSettled(2);
  });
});

describe('stale catalog', () => {
  it('a shard refuses a prepare or write planned from an older version of its table', async () => {
    await distributed('stale_t', 3);
    // A shard of its own: the table version it is told is ahead of the one the requests carry.
    const t = await tableDef('stale_t');
    const v = (await catalog().version()) as number;
    await shard(3, 0).updateTable({ ...t, version: t.version + 1 }, v);
    const prep = await shard(3, 0)
      .prepare('tx-stale', t, { kind: 'insert', rows: [[1, 1]], target: 'hot' }, v)
      .catch((e: Error) => e);
    expect(String(prep)).toMatch(/40001.*stale catalog/);
    const write = await shard(3, 0)
      .write({ batchId: 'b-stale', table: t, rows: [[1, 1]], target: 'hot', catalogVersion: v })
      .catch((e: Error) => e);
    expect(String(write)).toMatch(/40001.*stale catalog/);
    expect((await shard(3, 0).tableInfo((await tableDef('stale_t')).id)).hotRows).toBe(0);
  });

  it('the Worker refetches and retries a write its cache planned from an older version', async () => {
    await distributed('stale_http', 2);
    await ok('INSERT INTO stale_http VALUES (1, 1)'); // the Worker caches the catalog
    await catalog().createTable(
      'stale_other',
      [{ name: 'a', type: 'int32', notNull: false }] as never,
      false,
    ); // bumps the version elsewhere
    const v = (await catalog().version()) as number;
    const t = await tableDef('stale_http');
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(t, v);
    const r = await sql(`INSERT INTO stale_http VALUES ${values(range(8, 2))}`);
    expect([r.status, r.rowCount, JSON.stringify(r.error)]).toEqual([200, 8, undefined]);
    expect(await ids('stale_http')).toEqual(range(9));
  });
});

describe('stale table definition', () => {
  it('an INSERT planned before an ALTER elsewhere is planned again, and never undoes the ALTER', async () => {
    await distributed('stale_alter', 2);
    await ok('INSERT INTO stale_alter VALUES (1, 1)'); // the Worker caches the catalog
    // Another isolate's ALTER TABLE ADD COLUMN: the catalog and the shards change, this Worker's cache does not.
    const altered = (await catalog().alterTable(
      'stale_alter',
      [{ name: 'extra', type: 'int32', notNull: false }] as never,
      [],
    )) as unknown as DistTable;
    const v = (await catalog().version()) as number;
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(altered, v);
    const r = await sql(`INSERT INTO stale_alter VALUES ${values(range(8, 2))}`);
    expect([r.status, r.rowCount, JSON.stringify(r.error)]).toEqual([200, 8, undefined]);
    expect(await ids('stale_alter')).toEqual(range(9));
    for (let i = 0; i < 2; i++) {
      const def = await runInDurableObject(
        shard(2, i),
        async (_o, state) =>
          state.storage.sql
            .exec<{ def: string }>(`SELECT def FROM shard_tables WHERE name = 'stale_alter'`)
            .toArray()[0]?.def ?? '',
      );
      expect(def).toContain('"extra"');
    }
    await ok('UPDATE stale_alter SET extra = id WHERE id > 5');
    expect((await ok('SELECT count(extra) FROM stale_alter')).rows[0][0]).toBe(4);
  });
});

describe('stale catalog on bulk ingest', () => {
  // Shards refuse by table and map version: another table's DDL does not refuse this table's writes.
  it('a bulk write from a cache stale only about another table is applied at once', async () => {
    await distributed('stale_bulk', 2);
    const first = await ingest('stale_bulk', 'application/json', JSON.stringify([{ id: 1, v: 1 }]));
    expect(first.body.accepted).toBe(1); // the Worker caches the catalog
    await catalog().createTable(
      'stale_bulk_other',
      [{ name: 'a', type: 'int32', notNull: false }] as never,
      false,
    );
    const v = (await catalog().version()) as number;
    const t = await tableDef('stale_bulk');
    for (let i = 0; i < 2; i++) await shard(2, i).updateTable(t, v);
    const body = JSON.stringify(range(8, 2).map((id) => ({ id, v: id })));
    const r = await ingest('stale_bulk', 'application/json', body);
    expect([r.status, r.body.accepted]).toEqual([200, 8]);
    expect(await ids('stale_bulk')).toEqual(range(9));
  });
});

describe('alarms isolate failures', () => {
  it('a table whose maintenance throws does not stop the others, and the alarm re-arms', async () => {
    await distributed('alarm_bad', 1);
    await distributed('alarm_good', 1);
    await ok(`INSERT INTO alarm_bad VALUES ${values(range(5))}`);
    await ok(`INSERT INTO alarm_good VALUES ${values(range(5))}`);
    await shard(1, 0).setMaintenancePolicy({ minRows: 1, maxAgeMs: 0 });
    await inject(1, 0, { phase: 'alarm', match: 'alarm_bad' });
    await inject(1, 0, { phase: 'tiering', match: 'tiering' });
    expect(await runDurableObjectAlarm(shard(1, 0))).toBe(true);
    expect((await shard(1, 0).tableInfo((await tableDef('alarm_good')).id)).hotRows).toBe(0);
    expect((await shard(1, 0).tableInfo((await tableDef('alarm_bad')).id)).hotRows).toBe(5);
    const armed = await runInDurableObject(shard(1, 0), (_i, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(await runDurableObjectAlarm(shard(1, 0))).toBe(true);
    expect((await shard(1, 0).tableInfo((await tableDef('alarm_bad')).id)).hotRows).toBe(0);
    expect(await ids('alarm_bad')).toEqual(range(5));
  });

  it('a table definition the shard cannot read is skipped; the other tables are compacted', async () => {
    await distributed('alarm_corrupt_ok', 6);
    await ok(`INSERT INTO alarm_corrupt_ok VALUES ${values(range(12))}`);
    let i = 0;
    while ((await shard(6, i).tableInfo((await tableDef('alarm_corrupt_ok')).id)).hotRows === 0) i++;
    const hot = (await shard(6, i).tableInfo((await tableDef('alarm_corrupt_ok')).id)).hotRows;
    await shard(6, i).setMaintenancePolicy({ minRows: 1, maxAgeMs: 0 });
    await runInDurableObject(shard(6, i), (_o, state) => {
      state.storage.sql.exec(
        `INSERT INTO shard_tables (id, name, version, def) VALUES (1000000, 'alarm_corrupt_bad', 1, '{"name": "alar')`,
      );
    });
    expect(await runDurableObjectAlarm(shard(6, i))).toBe(true);
    const info = await shard(6, i).tableInfo((await tableDef('alarm_corrupt_ok')).id);
    expect(info.hotRows).toBe(0);
    expect(info.chunks.reduce((a, c) => a + c.rows, 0)).toBe(hot);
    expect(await ids('alarm_corrupt_ok')).toEqual(range(12));
  });
});
