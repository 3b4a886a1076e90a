/**
 * The shard change log (durable-objects/change-log): row images per statement
 * kind over HTTP, commit-ordered LSNs, bulk loads by chunk reference, and
 * retention held back by a consumer cursor up to a hard cap with an explicit gap.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_RETENTION } from '../../durable-objects/change-log-retention.ts';
import { LOG_HELD_TABLE } from '../../durable-objects/shard-tables.ts';
import type { ChangeEntry } from '../../engine/distributed/change-entry.ts';
import type { Row } from '../../engine/distributed/table-schema.ts';
import { chunkPage, distributed, logOf, named, readPage, shard, tableDef } from './change-log-fixtures.ts';
import { ingest, ok, sql } from './data-plane-client.ts';

const kinds = (es: ChangeEntry[]) => es.map((e) => e.change.kind);

describe('change log: row images', () => {
  it('logs INSERT, UPDATE, DELETE and ON CONFLICT on one shard with full images, in commit order', async () => {
    await distributed('cl_img', 1, 'id int PRIMARY KEY, v text, n bigint');
    await ok(`INSERT INTO cl_img VALUES (1, 'a', 10), (2, 'b', 9007199254740993)`);
    await ok(`UPDATE cl_img SET n = n + 1 WHERE id = 1`);
    await ok(`DELETE FROM cl_img WHERE id = 2`);
    await ok(`INSERT INTO cl_img VALUES (1, 'z', 0) ON CONFLICT (id) DO UPDATE SET v = excluded.v`);
    const t = await tableDef('cl_img');
    const log = await logOf(shard(1, 0), 'cl_img');
    expect(kinds(log)).toEqual(['ddl', 'insert', 'update', 'delete', 'delete', 'insert']);
    const img = (rows: Row[]) => rows.map((r) => named(t, r));
    const [ddl, ins, upd, del, replaced, upserted] = log.map((e) => e.change);
    expect(ddl).toMatchObject({ kind: 'ddl', op: 'create', def: { name: 'cl_img' } });
    if (ins.kind !== 'insert' || upd.kind !== 'update' || del.kind !== 'delete') throw new Error('kinds');
    expect(img(ins.after)).toEqual([
      { id: 1, v: 'a', n: 10 },
      { id: 2, v: 'b', n: 9007199254740993n },
    ]);
    expect(img(upd.before)).toEqual([{ id: 1, v: 'a', n: 10 }]);
    expect(img(upd.after)).toEqual([{ id: 1, v: 'a', n: 11 }]);
    expect(img(del.before)).toEqual([{ id: 2, v: 'b', n: 9007199254740993n }]);
    if (replaced.kind !== 'delete' || upserted.kind !== 'insert') throw new Error('kinds');
    expect(img(replaced.before)).toEqual([{ id: 1, v: 'a', n: 11 }]);
    expect(img(upserted.after)).toEqual([{ id: 1, v: 'z', n: 11 }]);
    // One commit per statement: LSNs strictly increase, the upsert's two entries share a transaction.
    for (let i = 1; i < log.length; i++) expect(log[i].lsn).toBeGreaterThan(log[i - 1].lsn);
    expect(new Set(log.slice(1, 4).map((e) => e.txnId)).size).toBe(3);
    expect(log[4].txnId).toBe(log[5].txnId);
    for (const e of log) expect(e.commitMs).toBeGreaterThan(0);
  });

  it('a multi-shard UPDATE logs each shard part under one transaction id; an aborted one logs nothing', async () => {
    await distributed('cl_2pc', 4, 'id int NOT NULL, v bigint');
    const ids = Array.from({ length: 24 }, (_, i) => i + 1);
    await ok(`INSERT INTO cl_2pc VALUES ${ids.map((i) => `(${i}, ${i})`).join(', ')}`);
    await ok(`UPDATE cl_2pc SET v = v * 100`);
    const t = await tableDef('cl_2pc');
    const updates = (await Promise.all([0, 1, 2, 3].map((i) => logOf(shard(4, i), 'cl_2pc'))))
      .flat()
      .filter((e) => e.change.kind === 'update');
    expect(new Set(updates.map((e) => e.txnId)).size).toBe(1);
    const pairs = updates.flatMap((e) => {
      const c = e.change;
      return c.kind === 'update' ? c.before.map((b, k) => [named(t, b), named(t, c.after[k])]) : [];
    });
    expect(pairs.map(([b]) => b.id).sort((a, b) => Number(a) - Number(b))).toEqual(ids);
    for (const [b, a] of pairs) expect(a).toEqual({ id: b.id, v: Number(b.v) * 100 });
    const before = await Promise.all([0, 1, 2, 3].map((i) => logOf(shard(4, i))));
    await shard(4, 2).injectFault({ phase: 'prepare', match: 'cl_2pc' });
    expect((await sql(`UPDATE cl_2pc SET v = 0`)).status).not.toBe(200);
    const after = await Promise.all([0, 1, 2, 3].map((i) => logOf(shard(4, i))));
    expect(after).toEqual(before);
  });

  it('assigns the LSN at commit: prepared first, committed second comes second; an abort logs nothing', async () => {
    await distributed('cl_order', 1, 'id int NOT NULL, v bigint');
    await ok(`INSERT INTO cl_order VALUES (0, 0)`); // the shard learns the table
    const t = await tableDef('cl_order');
    const s = shard(1, 0);
    const row = (id: number): Row => {
      const r: Row = [];
      for (const c of t.columns) r[c.id] = id;
      return r;
    };
    for (const [txn, id] of [
      ['cl-txn-a', 1],
      ['cl-txn-b', 2],
      ['cl-txn-c', 3],
    ] as const)
      await s.prepare(txn, t, { kind: 'insert', rows: [row(id)], target: 'hot' });
    await s.resolve('cl-txn-b', 'committed');
    await s.resolve('cl-txn-c', 'aborted');
    await s.resolve('cl-txn-a', 'committed');
    const log = await logOf(s, 'cl_order');
    const lsnOf = (txn: string) => log.filter((e) => e.txnId === txn).map((e) => e.lsn);
    expect(lsnOf('cl-txn-c')).toEqual([]);
    expect(lsnOf('cl-txn-b')).toHaveLength(1);
    expect(lsnOf('cl-txn-a')[0]).toBeGreaterThan(lsnOf('cl-txn-b')[0]);
  });
});

describe('change log: sizes', () => {
  it('splits a large statement over entries of about 1 MiB, and readLog answers at most 4 MiB', async () => {
    await distributed('cl_big', 1, 'id int NOT NULL, t text');
    for (let i = 0; i < 4; i++)
      await ok(
        `INSERT INTO cl_big SELECT g, repeat('x', 100000) FROM generate_series(${i * 14 + 1}, ${i * 14 + 14}) g`,
      );
    const s = shard(1, 0);
    const big = await logOf(s, 'cl_big');
    const size = (e: ChangeEntry) => JSON.stringify(e.change).length;
    const inserts = big.filter((e) => e.change.kind === 'insert');
    // 14 rows of ~100 KB per statement (INSERT … SELECT ships at most 1.5 MB to a shard): two entries each, of one transaction, none far past 1 MiB.
    expect(inserts).toHaveLength(8);
    for (const e of inserts) expect(size(e)).toBeLessThan((1 << 20) + 110_000);
    expect(new Set(inserts.map((e) => e.txnId)).size).toBe(4);
    const rows = inserts.flatMap((e) => (e.change.kind === 'insert' ? e.change.after : []));
    expect(rows).toHaveLength(56);
    const page = await readPage(s, inserts[0].lsn, 1000);
    const bytes = page.entries.reduce((n, e) => n + size(e), 0);
    expect(bytes).toBeLessThanOrEqual(4 << 20);
    expect(page.entries.length).toBeLessThan(big.filter((e) => e.lsn >= inserts[0].lsn).length);
    expect(page.nextLsn).toBe(page.entries[page.entries.length - 1].lsn + 1);
  });
});

describe('change log: bulk loads', () => {
  it('references the chunks a bulk load wrote; they stay readable after merging, without double counting', async () => {
    await distributed('cl_bulk', 1, 'id int NOT NULL, v bigint');
    const load = (from: number) =>
      ingest(
        'cl_bulk',
        'application/x-ndjson',
        Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: from + i, v: (from + i) * 2 })).join('\n'),
      );
    expect((await load(1)).body.accepted).toBe(50);
    expect((await load(51)).body.accepted).toBe(50);
    const s = shard(1, 0);
    const bulks = (await logOf(s, 'cl_bulk')).filter((e) => e.change.kind === 'bulk');
    expect(bulks).toHaveLength(2);
    const refs = bulks.flatMap((e) =>
      e.change.kind === 'bulk' ? e.change.chunks.map((c) => ({ lsn: e.lsn, ...c })) : [],
    );
    expect(refs.reduce((n, r) => n + r.rows, 0)).toBe(100);
    await s.compact(); // merges the two small chunks into one
    const live = (await s.tableInfo((await tableDef('cl_bulk')).id)).chunks.map((c) => c.id);
    expect(live.some((id) => refs.some((r) => r.id === id))).toBe(false);
    const t = await tableDef('cl_bulk');
    const loaded: number[] = [];
    for (const r of refs) {
      const page = await chunkPage(s, r.lsn, r.id);
      expect(page.nextOffset).toBe(r.rows);
      for (const row of page.rows) {
        expect(named(t, row as Row).v).toBe(Number(named(t, row as Row).id) * 2);
        loaded.push(Number(named(t, row as Row).id));
      }
    }
    expect(loaded.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const answer = async () => {
      const [count, sum] = (await ok(`SELECT count(*), sum(v) FROM cl_bulk`)).rows[0];
      return [count, Number(sum)];
    };
    expect(await answer()).toEqual([100, 10100]);
    // Retention releases the entries; the detached chunks go with them.
    const held = () =>
      runInDurableObject(
        s,
        async (_i, state) =>
          state.storage.sql
            .exec<{ n: number }>(`SELECT count(*) AS n FROM chunks WHERE table_id = ?`, LOG_HELD_TABLE)
            .one().n,
      );
    expect(await held()).toBe(refs.length);
    await s.setLogRetention({ ...DEFAULT_LOG_RETENTION, maxAgeMs: 0 });
    await runDurableObjectAlarm(s);
    expect(await held()).toBe(0);
    const gone = await chunkPage(s, refs[0].lsn, refs[0].id).catch((e: Error) => e);
    expect(String(gone)).toMatch(/SQLSTATE 58P01/);
    expect(await answer()).toEqual([100, 10100]);
    await s.setLogRetention(DEFAULT_LOG_RETENTION);
  });

  it('a 2PC DELETE of cold (R2) rows logs their full before images, fetching at commit what prepare did not read', async () => {
    await distributed('cl_cold', 2, 'id int NOT NULL, v bigint, s text');
    const rows = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: i + 1, v: (i + 1) * 5, s: `s${i + 1}` }),
    );
    expect((await ingest('cl_cold', 'application/x-ndjson', rows.join('\n'))).body.accepted).toBe(40);
    const t = await tableDef('cl_cold');
    const idCol = t.columns.find((c) => c.name === 'id')!;
    const forget = (i: number) =>
      runInDurableObject(shard(2, i), async (inst) =>
        (inst as unknown as { cold: { clear(): void } }).cold.clear(),
      );
    for (const i of [0, 1]) {
      const s = shard(2, i);
      await s.tierChunks(t, undefined, {}, 'cold');
      const tiers = (await s.tableInfo((await tableDef('cl_cold')).id)).chunks.map((c) => c.tier);
      expect(tiers.length > 0 && tiers.every((x) => x === 'cold')).toBe(true);
      await forget(i);
      // Prepare reads only the filter's column; the commit needs every column for the before images.
      await s.prepare('cl-cold-delete', t, {
        kind: 'delete',
        table: 'cl_cold',
        tableId: t.id,
        reads: [idCol.id],
        defaults: [],
        dml: {
          text: `SELECT "__orochi_row" FROM "cl_cold" WHERE ("${idCol.name}" <= 10)`,
          params: [],
          table: t,
        },
      });
      await forget(i);
      await s.resolve('cl-cold-delete', 'committed');
    }
    const deleted = (await Promise.all([0, 1].map((i) => logOf(shard(2, i), 'cl_cold'))))
      .flat()
      .flatMap((e) => (e.change.kind === 'delete' ? e.change.before.map((r) => named(t, r)) : []))
      .sort((a, b) => Number(a.id) - Number(b.id));
    expect(deleted).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: i + 1, v: (i + 1) * 5, s: `s${i + 1}` })),
    );
    expect((await ok(`SELECT count(*) FROM cl_cold`)).rows).toEqual([[30]]);
  });

  it('log bytes per bulk-loaded row stay under 1% of chunk bytes (prints the measurement)', async () => {
    await distributed('cl_measure', 1, 'id int NOT NULL, host text, v bigint, x double precision');
    const n = 20_000;
    const body = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ id: i, host: `h${i % 50}`, v: i * 7, x: i / 3 }),
    ).join('\n');
    expect((await ingest('cl_measure', 'application/x-ndjson', body)).body.accepted).toBe(n);
    const s = shard(1, 0);
    const bulk = (await logOf(s, 'cl_measure')).filter((e) => e.change.kind === 'bulk');
    const lsns = bulk.map((e) => e.lsn);
    // Every stored byte of the entries: text fields, three integers, and one reference row per chunk.
    const logBytes = await runInDurableObject(s, async (_i, state) => {
      const q = (sql: string) =>
        Number(state.storage.sql.exec<{ b: number }>(sql, JSON.stringify(lsns)).one().b ?? 0);
      const inList = `(SELECT value FROM json_each(?))`;
      return (
        q(`SELECT sum(length(body) + length(txn_id) + length(kind) + length(table_id) + 24) AS b
           FROM change_log WHERE lsn IN ${inList}`) +
        q(`SELECT count(*) * 16 AS b FROM change_log_chunks WHERE lsn IN ${inList}`)
      );
    });
    const chunkBytes = (await s.tableInfo((await tableDef('cl_measure')).id)).chunks.reduce(
      (t, c) => t + c.bytes,
      0,
    );
    const ratio = logBytes / chunkBytes;
    console.log(
      `bulk load of ${n} rows: log ${logBytes} B (${(logBytes / n).toFixed(4)} B/row), ` +
        `chunks ${chunkBytes} B (${(chunkBytes / n).toFixed(2)} B/row), log/chunk = ${(ratio * 100).toFixed(3)}%`,
    );
    expect(ratio).toBeLessThan(0.01);
  });
});

describe('change log: retention', () => {
  it('is held back by a consumer cursor; past the hard cap the consumer gets a gap error', async () => {
    await distributed('cl_ret', 3, 'id int NOT NULL, v bigint');
    const s = shard(3, 0);
    const start = await s.registerLogConsumer('cl-consumer');
    expect(String(await s.registerLogConsumer('cl-consumer').catch((e: Error) => e))).toMatch(
      /SQLSTATE 42710/,
    );
    for (let i = 0; i < 6; i++) await ok(`INSERT INTO cl_ret SELECT g, ${i} FROM generate_series(1, 30) g`);
    const all = await logOf(s);
    expect(all.length).toBeGreaterThan(3);
    const big = 1e12;
    await s.setLogRetention({ maxAgeMs: 0, maxBytes: 0, hardMaxAgeMs: big, hardMaxBytes: big });
    await runDurableObjectAlarm(s);
    expect((await s.logStatus()).oldestLsn).toBe(start.lsn + 1); // nothing past the cursor went
    const mid = all[Math.floor(all.length / 2)].lsn;
    await s.advanceLogCursor('cl-consumer', mid);
    await runDurableObjectAlarm(s);
    expect((await s.logStatus()).oldestLsn).toBe(mid + 1);
    // Rewinding (changefeed replay) may go back to what is kept, not into what retention removed.
    expect(String(await s.rewindLogConsumer('cl-consumer', { lsn: mid - 1 }).catch((e: Error) => e))).toMatch(
      /SQLSTATE 58P01/,
    );
    expect(String(await s.rewindLogConsumer('cl-consumer', { fromMs: 0 }).catch((e: Error) => e))).toMatch(
      /SQLSTATE 58P01/,
    );
    expect(await s.rewindLogConsumer('cl-consumer', { lsn: mid })).toEqual({ lsn: mid });
    expect(await s.rewindLogConsumer('cl-consumer', { fromMs: Date.now() + 60_000 })).toEqual({
      lsn: all[all.length - 1].lsn,
    });
    await s.rewindLogConsumer('cl-consumer', { lsn: mid });
    expect((await readPage(s, mid + 1, 1000)).entries.map((e) => e.lsn)).toEqual(
      all.filter((e) => e.lsn > mid).map((e) => e.lsn),
    );
    expect(String(await readPage(s, mid, 10).catch((e: Error) => e))).toMatch(
      /SQLSTATE 58P01: requested log position/,
    );
    // Past the hard cap the oldest entries go although the consumer has not read them.
    await s.setLogRetention({ maxAgeMs: 0, maxBytes: 0, hardMaxAgeMs: big, hardMaxBytes: 0 });
    await runDurableObjectAlarm(s);
    const newest = all[all.length - 1].lsn;
    expect(await s.logStatus()).toMatchObject({ oldestLsn: newest + 1, newestLsn: newest });
    expect(String(await readPage(s, mid + 1, 10).catch((e: Error) => e))).toMatch(
      new RegExp(`SQLSTATE 58P01: .*entries ${mid + 1} to ${newest} are gone`),
    );
    expect(String(await s.advanceLogCursor('nobody', 1).catch((e: Error) => e))).toMatch(/SQLSTATE 42704/);
    await s.dropLogConsumer('cl-consumer');
  });
});
