/**
 * Clustered chunks end to end in workerd: the same time-major metrics go into
 * three distributed hypertables — segmented by the distribution column then
 * time, `compress_orderby = 'time DESC'`, both set by ALTER TABLE, and arrival
 * order (`compress_segmentby = ''`, the same as no layout) — through line
 * protocol, JSON and INSERT (hot rows), then through the compaction the alarm
 * runs. Every answer, before and after compaction, is compared with
 * PostgreSQL (the control plane's PGlite); the chunks in the shards' SQLite
 * are checked to be in layout order.
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { openChunkParts } from '../../engine/columnar/index.ts';
import { columnIdOf, vectorValues } from '../../engine/distributed/chunk-rows.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { type Cell, diffResults } from '../../engine/testing/result-compare.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { AUTH, DB, ingest, ok, sql } from './data-plane-client.ts';

const DB_ID = '00000000-0000-4000-8000-000000000002';
const HOSTS = 24;
const STEPS = 240; // one point a minute for 4 hours: four 1-hour chunks
const BASE = Date.UTC(2024, 2, 1);

interface Point {
  time: string;
  hostname: string;
  usage_user: number | null;
  usage_system: number;
}

/** Time-major points (every minute lists the hosts in order), one random walk per host. */
function points(): Point[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const walk = Array.from({ length: HOSTS }, () => rnd() * 100);
  const out: Point[] = [];
  for (let s = 0; s < STEPS; s++) {
    for (let h = 0; h < HOSTS; h++) {
      walk[h] = Math.min(100, Math.max(0, walk[h] + (rnd() - 0.5) * 6));
      out.push({
        time: new Date(BASE + s * 60_000).toISOString(),
        hostname: `host_${h}`,
        usage_user: rnd() < 0.04 ? null : Math.round(walk[h] * 100) / 100,
        usage_system: Math.round(rnd() * 10_000) / 100,
      });
    }
  }
  return out;
}

const P = points();
const TABLES = {
  cl_host: [
    "ALTER TABLE cl_host SET (timescaledb.compress_segmentby = 'hostname', timescaledb.compress_orderby = 'time')",
  ],
  cl_desc: [
    "ALTER TABLE cl_desc SET (timescaledb.compress, timescaledb.compress_segmentby = 'hostname', timescaledb.compress_orderby = 'time DESC')",
  ],
  cl_arrival: [
    "ALTER TABLE cl_arrival SET (timescaledb.compress_segmentby = '', timescaledb.compress_orderby = '')",
  ],
} as const;
type Table = keyof typeof TABLES;

const Q = (t: string) => [
  `SELECT time, usage_user FROM ${t} WHERE hostname = 'host_3' AND time >= '2024-03-01 01:30:00+00' AND time < '2024-03-01 02:45:00+00' ORDER BY time`,
  `SELECT hostname, count(*), count(usage_user), max(usage_user), min(usage_system) FROM ${t} WHERE hostname IN ('host_1', 'host_7', 'host_20') GROUP BY hostname ORDER BY hostname`,
  `SELECT count(*), sum(usage_system), max(usage_user) FROM ${t} WHERE time >= '2024-03-01 00:50:00+00' AND time < '2024-03-01 03:10:00+00' AND usage_user > 40`,
  `SELECT time_bucket('15 minutes', time) AS b, max(usage_user), avg(usage_system) FROM ${t} WHERE hostname = 'host_5' GROUP BY b ORDER BY b`,
  `SELECT DISTINCT ON (hostname) hostname, time, usage_user FROM ${t} ORDER BY hostname, time DESC`,
  `SELECT time, hostname, usage_user FROM ${t} ORDER BY usage_user DESC NULLS LAST, time, hostname LIMIT 10`,
  `SELECT * FROM ${t} WHERE hostname = 'host_2' ORDER BY time DESC LIMIT 6`,
  `SELECT hostname, max(usage_user) - min(usage_user) AS spread FROM ${t} GROUP BY hostname HAVING count(*) > 100 ORDER BY spread DESC, hostname LIMIT 5`,
];

/** PostgreSQL's answer as API cells (timestamps ISO text, int8/numeric as numbers). */
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

/** Hostname and time of every chunk row of `table` on every shard, straight from SQLite, chunk by chunk. */
async function storedChunks(table: string): Promise<{ host: string; time: number }[][]> {
  const shards = await ok(`SELECT show_shards('${table}')`);
  const catalog = env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
  const t = ((await catalog.snapshot()) as unknown as { tables: DistTable[] }).tables.find(
    (x) => x.name === table,
  )!;
  const hostId = t.columns.find((c) => c.name === 'hostname')!.id;
  const timeId = t.columns.find((c) => c.name === 'time')!.id;
  const out: { host: string; time: number }[][] = [];
  for (const [, name] of shards.rows as [number, string][]) {
    const stub = env.SHARD.get(env.SHARD.idFromName(name));
    const chunks = await runInDurableObject(stub, async (_o, state) => {
      const sqlite = state.storage.sql;
      const heads = sqlite
        .exec<{ id: number; header: ArrayBuffer }>(
          `SELECT id, header FROM chunks WHERE table_id = (SELECT id FROM shard_tables WHERE name = ? AND dropped = 0)`,
          table,
        )
        .toArray();
      return heads.map((h) => {
        const reader = openChunkParts(new Uint8Array(h.header), (i) => {
          const b = sqlite
            .exec<{ data: ArrayBuffer }>(
              `SELECT data FROM chunk_blocks WHERE chunk_id = ? AND col = ?`,
              h.id,
              i,
            )
            .one();
          return new Uint8Array(b.data);
        });
        const col = (id: number) =>
          vectorValues(reader.column(reader.columns.findIndex((c) => columnIdOf(c.name) === id)));
        const hosts = col(hostId) as string[];
        const times = col(timeId) as number[];
        return hosts.map((host, i) => ({ host, time: times[i] }));
      });
    });
    out.push(...chunks);
  }
  return out;
}

describe('clustered distributed hypertables vs PostgreSQL', () => {
  const expected = new Map<string, Cell[][]>();

  beforeAll(async () => {
    const third = Math.floor(P.length / 3);
    for (const [t, alters] of Object.entries(TABLES)) {
      await ok(
        `CREATE TABLE ${t} (time timestamptz NOT NULL, hostname text NOT NULL, usage_user double precision, usage_system double precision)`,
      );
      await ok(
        `SELECT create_hypertable('${t}', 'time', chunk_time_interval => interval '1 hour', partitioning_column => 'hostname', number_partitions => 4)`,
      );
      for (const a of alters) await ok(a);
      // A third by line protocol, a third by JSON (both encode chunks in the Worker), a third hot.
      const lp = P.slice(0, third)
        .map(
          (p) =>
            `${t},hostname=${p.hostname} ${p.usage_user === null ? '' : `usage_user=${p.usage_user},`}usage_system=${p.usage_system} ${Date.parse(p.time)}`,
        )
        .join('\n');
      const r1 = await SELF.fetch(`https://orochi.test${DB}/tables/${t}/rows?precision=ms`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'text/plain' },
        body: lp,
      });
      expect(await r1.json()).toMatchObject({ accepted: third, rejected: 0 });
      const r2 = await ingest(t, 'application/json', JSON.stringify(P.slice(third, 2 * third)));
      expect(r2.body).toMatchObject({ accepted: third, rejected: 0 });
      const hot = P.slice(2 * third);
      for (let i = 0; i < hot.length; i += 500) {
        const part = hot.slice(i, i + 500);
        await ok(
          `INSERT INTO ${t} VALUES ${part.map((_, k) => `($${4 * k + 1}, $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`).join(', ')}`,
          part.flatMap((p) => [p.time, p.hostname, p.usage_user, p.usage_system]),
        );
      }
    }
    await withControlPlane(env, async (_db, pool) => {
      const c = await pool.connect();
      try {
        await c.query(
          'DROP SCHEMA IF EXISTS cl_ref CASCADE; CREATE SCHEMA cl_ref; CREATE TABLE cl_ref.m (time timestamptz, hostname text, usage_user double precision, usage_system double precision)',
        );
        await c.query('INSERT INTO cl_ref.m SELECT * FROM json_populate_recordset(NULL::cl_ref.m, $1)', [
          JSON.stringify(P),
        ]);
        for (const q of Q('cl_ref.m')) {
          // time_bucket as TimescaleDB defines it (origin Monday 2000-01-03).
          const text = q.replace(
            /time_bucket\('([^']+)', time\)/,
            "date_bin(interval '$1', time, timestamptz '2000-01-03 00:00:00+00')",
          );
          expected.set(q.replace('cl_ref.m', 'T'), pgCells(await c.query({ text, rowMode: 'array' })));
        }
        await c.query('DROP SCHEMA cl_ref CASCADE');
      } finally {
        c.release();
      }
    });
  }, 180_000);

  const check = async (t: Table) => {
    for (const q of Q(t)) {
      const want = expected.get(q.replaceAll(t, 'T'))!;
      expect(want.length).toBeGreaterThan(0);
      const r = await ok(q);
      expect(diffResults(want, r.rows as Cell[][], true, 1e-9), q).toBeUndefined();
    }
  };

  it('stores the layout in the catalog: none by default, explicit after ALTER', async () => {
    await ok('CREATE TABLE cl_plain (time timestamptz NOT NULL, hostname text NOT NULL)');
    await ok(
      `SELECT create_hypertable('cl_plain', 'time', partitioning_column => 'hostname', number_partitions => 4)`,
    );
    const catalog = env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
    const tables = ((await catalog.snapshot()) as unknown as { tables: DistTable[] }).tables;
    const def = (n: string) => tables.find((x) => x.name === n)!;
    expect(def('cl_plain').layout).toBeUndefined();
    expect(def('cl_host').layout).toEqual({ segmentBy: [1], orderBy: [{ id: 0, desc: false }] });
    expect(def('cl_desc').layout).toEqual({ segmentBy: [1], orderBy: [{ id: 0, desc: true }] });
    expect(def('cl_arrival').layout).toEqual({ segmentBy: [], orderBy: [] });
  });

  it('rejects unknown columns (42703) and storage parameters (0A000)', async () => {
    const a = await sql("ALTER TABLE cl_host SET (timescaledb.compress_segmentby = 'nope')");
    expect(a.error?.code).toBe('42703');
    const b = await sql('ALTER TABLE cl_host SET (fillfactor = 50)');
    expect(b.error?.code).toBe('0A000');
    const c = await sql("ALTER TABLE cl_host SET (timescaledb.compress_orderby = 'time SIDEWAYS')");
    expect(c.error?.code).toBe('42601');
  });

  /** Chunk rows in layout order (time-major arrival order for cl_arrival). */
  const ORDER: Record<
    Table,
    (a: { host: string; time: number }, b: { host: string; time: number }) => number
  > = {
    cl_host: (a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.time - b.time),
    cl_desc: (a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : b.time - a.time),
    cl_arrival: (a, b) => a.time - b.time,
  };
  const checkChunks = async (t: Table, rows: number) => {
    const chunks = await storedChunks(t);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.reduce((s, c) => s + c.length, 0)).toBe(rows);
    let inOrder = 0;
    for (const c of chunks) {
      for (let i = 1; i < c.length; i++) expect(ORDER[t](c[i - 1], c[i])).toBeLessThanOrEqual(0);
      inOrder += c.length;
    }
    expect(inOrder).toBe(rows);
  };
  const shardTotals = async (t: Table) => {
    const r = await ok(`SELECT show_shards('${t}')`);
    const sum = (k: number) => (r.rows as number[][]).reduce((s, x) => s + Number(x[k]), 0);
    return { rows: sum(4), hot: sum(5), bytes: sum(7) };
  };

  it.each(Object.keys(TABLES) as Table[])('%s answers like PostgreSQL after ingest', async (t) => {
    await check(t);
    // Line protocol and JSON wrote chunks (two thirds of the rows); INSERTs are hot rows.
    const totals = await shardTotals(t);
    expect(totals.rows).toBe(P.length);
    await checkChunks(t, totals.rows - totals.hot);
  });

  it.each(Object.keys(TABLES) as Table[])('%s answers like PostgreSQL after compaction', async (t) => {
    await ok(`SELECT compact_table('${t}')`);
    const totals = await shardTotals(t);
    expect(totals.hot).toBe(0);
    await checkChunks(t, P.length);
    await check(t);
  });

  it('clustered chunks are smaller than arrival-order chunks of the same rows', async () => {
    const bytes = Object.fromEntries(
      await Promise.all((Object.keys(TABLES) as Table[]).map(async (t) => [t, (await shardTotals(t)).bytes])),
    );
    console.log('chunk bytes after compaction', bytes);
    expect(bytes.cl_host).toBeLessThan(bytes.cl_arrival);
  });
});
