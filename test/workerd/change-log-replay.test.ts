/**
 * Property: replaying a shard's change log into an empty shard gives the same
 * answers to the same queries. A seeded random history (printed; set
 * CHANGE_LOG_SEED to replay one) of inserts, bulk loads, updates, deletes,
 * ALTER TABLE ADD/DROP COLUMN, drop_chunks, compaction and tiering (cold or
 * frozen) runs on one shard of a hypertable; its
 * log is then applied entry by entry (`applyChange`) to a fresh Durable
 * Object, and the same plan fragments run on both.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { applyChange } from '../../durable-objects/change-log-apply.ts';
import { Meter } from '../../durable-objects/shard-storage.ts';
import type { ChangeEntry } from '../../engine/distributed/change-entry.ts';
import type { Fragment, FragmentExpr } from '../../engine/distributed/fragment.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { chunkPage, distributed, logOf, shard, tableDef } from './change-log-fixtures.ts';
import { ingest, ok } from './data-plane-client.ts';

const fromEnv = Number((env as unknown as { CHANGE_LOG_SEED?: string }).CHANGE_LOG_SEED);
const SEED = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;

/** mulberry32: a small deterministic generator. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = 'insert' | 'bulk' | 'update' | 'delete' | 'ddl' | 'compact' | 'tier' | 'drop_chunks';
const EVERY = 'insert bulk update ddl delete compact insert tier update drop_chunks ddl'.split(' ') as Step[];
const RANDOM = 'insert insert bulk bulk update update delete ddl compact tier drop_chunks'.split(
  ' ',
) as Step[];

async function runHistory(table: string, rand: () => number, steps: number): Promise<void> {
  const s = shard(1, 0);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const extra: string[] = [];
  let nextId = 1;
  let added = 0;
  const value = () => (rand() < 0.1 ? '9007199254740993' : String(Math.floor(rand() * 100)));
  // One-hour buckets over eight hours: drop_chunks removes whole early ones.
  const time = () =>
    `2024-01-01T0${Math.floor(rand() * 8)}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00Z`;
  for (let i = 0; i < steps; i++) {
    const step = i < EVERY.length ? EVERY[i] : pick(RANDOM);
    if (step === 'insert') {
      const rows = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => {
        const g = pick(["'a'", "'b'", "'c'", 'NULL']);
        return `(${nextId++}, ${g}, ${value()}, '${time()}')`;
      });
      await ok(`INSERT INTO ${table} (id, g, v, ts) VALUES ${rows.join(', ')}`);
    } else if (step === 'bulk') {
      const n = 20 + Math.floor(rand() * 60);
      const body = Array.from({ length: n }, () =>
        JSON.stringify({ id: nextId++, g: pick(['a', 'b', null]), v: Math.floor(rand() * 100), ts: time() }),
      ).join('\n');
      expect((await ingest(table, 'application/x-ndjson', body)).body.accepted).toBe(n);
    } else if (step === 'update') {
      const set = extra.length > 0 && rand() < 0.5 ? `${pick(extra)} = id * 3` : `v = v + 1, g = 'u'`;
      await ok(`UPDATE ${table} SET ${set} WHERE id % 5 = ${Math.floor(rand() * 5)}`);
    } else if (step === 'delete') {
      await ok(`DELETE FROM ${table} WHERE id % 7 = ${Math.floor(rand() * 7)}`);
    } else if (step === 'ddl') {
      if (extra.length < 2 || rand() < 0.3) {
        const name = `x${added++}`;
        await ok(`ALTER TABLE ${table} ADD COLUMN ${name} bigint`);
        extra.push(name);
      } else await ok(`ALTER TABLE ${table} DROP COLUMN ${extra.shift()}`);
    } else if (step === 'drop_chunks') {
      const hour = 1 + Math.floor(rand() * 2);
      await ok(`SELECT drop_chunks('${table}', older_than => '2024-01-01T0${hour}:00:00Z'::timestamptz)`);
    } else if (step === 'compact') await s.compact();
    else await s.tierChunks(await tableDef(table), undefined, {}, rand() < 0.5 ? 'cold' : 'frozen');
  }
}

/** Applies `log` to the shard `target`, fetching bulk-load rows from `source`. */
async function replay(
  source: ReturnType<typeof shard>,
  target: ReturnType<typeof shard>,
  log: ChangeEntry[],
) {
  for (const e of log) {
    const rows = new Map<number, Row[]>();
    if (e.change.kind === 'bulk')
      for (const c of e.change.chunks) {
        const list: Row[] = [];
        for (let off = 0; off < c.rows; ) {
          const page = await chunkPage(source, e.lsn, c.id, off);
          list.push(...(page.rows as Row[]));
          off = page.nextOffset;
        }
        rows.set(c.id, list);
      }
    await runInDurableObject(target, async (_i, state) => {
      state.storage.transactionSync(() =>
        applyChange(new Meter(state.storage.sql), e, (id) => rows.get(id)!),
      );
    });
  }
}

/** The same queries, as plan fragments: every row, a grouped aggregate, a filtered projection. */
function queries(t: DistTable): Fragment[] {
  const col = (name: string): FragmentExpr => {
    const c = t.columns.find((x) => x.name === name)!;
    return { sql: `c${c.id}`, type: c.type };
  };
  const base = {
    table: t.name,
    reads: t.columns.map((c) => c.id),
    defaults: (() => {
      const d: unknown[] = [];
      for (const c of t.columns) d[c.id] = c.default ?? null;
      return d;
    })(),
    bounds: [],
    aggs: [],
    orderBy: [],
  };
  const all = t.columns.map((c) => col(c.name));
  return [
    { ...base, mode: 'rows', project: all },
    {
      ...base,
      mode: 'agg',
      project: [col('g')],
      aggs: [{ fn: 'count' }, { fn: 'sum', arg: col('v') }, { fn: 'max', arg: col('id') }],
    },
    {
      ...base,
      mode: 'rows',
      project: [col('id'), col('v')],
      filter: { sql: `(${col('v').sql} > 50)`, type: 'bool' },
    },
  ];
}

type Answer = { result: { rowCount: number; columns: readonly ArrayLike<unknown>[] } };

/** A fragment's answer as sorted rows (fragments leave the row order open). */
function rowsOf(r: { rowCount: number; columns: readonly ArrayLike<unknown>[] }): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.rowCount; i++)
    out.push(
      JSON.stringify(
        r.columns.map((c) => c[i]),
        (_k, v) => (typeof v === 'bigint' ? `${v}n` : v),
      ),
    );
  return out.sort();
}

it(`replaying the log of a random history into an empty shard answers the same (seed ${SEED})`, async () => {
  console.log(`change-log replay seed: ${SEED} (set CHANGE_LOG_SEED=${SEED} to replay it)`);
  // Three histories from the seed, each on its own table, replayed into its own fresh object.
  for (let round = 0; round < 3; round++) await historyReplays(`cl_hist_${round}`, SEED + round);
});

async function historyReplays(table: string, seed: number): Promise<void> {
  await distributed(table, 1, 'id int NOT NULL, g text, v bigint, ts timestamptz NOT NULL');
  await ok(`SELECT create_hypertable('${table}', 'ts', chunk_time_interval => interval '1 hour')`);
  await runHistory(table, generator(seed), 24);
  const source = shard(1, 0);
  const log = await logOf(source, table);
  for (const k of ['ddl', 'insert', 'bulk', 'update', 'delete', 'drop_buckets'])
    expect(log.some((e) => e.change.kind === k)).toBe(true);
  const target = env.SHARD.get(env.SHARD.idFromName(`change-log-replay-${seed}-${table}`));
  await replay(source, target, log);
  const t = await tableDef(table);
  const count = (await ok(`SELECT count(*) FROM ${table}`)).rows[0][0];
  for (const [i, q] of queries(t).entries()) {
    const want = rowsOf(((await source.execute(q, t)) as unknown as Answer).result);
    const got = rowsOf(((await target.execute(q, t)) as unknown as Answer).result);
    expect(got, `${table} (seed ${seed}) query ${i}`).toEqual(want);
    if (i === 0) expect(want.length).toBe(count);
  }
}
