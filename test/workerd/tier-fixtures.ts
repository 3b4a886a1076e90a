/**
 * Shared setup of the tiering tests (cold and frozen): a 2-shard hypertable
 * with rows of several ages, a direct look at a shard's chunk rows in SQLite,
 * and queries whose answers must not change when chunks change tier.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { readChunkHeader } from '../../engine/columnar/index.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ok, type SqlResponse } from './data-plane-client.ts';

export const DB_ID = '00000000-0000-4000-8000-000000000002';
export const shard = (i: number) => env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:2:${i}`));
export const DAY_MS = 86_400_000;
const DEVICES = ['a', 'b', 'c', 'd'];

export async function tableDef(name: string): Promise<DistTable> {
  const cat = env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
  const snap = (await cat.snapshot()) as unknown as { tables: DistTable[] };
  return snap.tables.find((t) => t.name === name)!;
}

/** A 2-shard hypertable with 1-day chunks and rows 10, 9, 6, 1 and 0 days old. */
export async function loadMetrics(name: string): Promise<void> {
  await ok(
    `CREATE TABLE ${name} (time timestamptz NOT NULL, device text NOT NULL, cpu double precision, mem bigint, note text)`,
  );
  await ok(
    `SELECT create_hypertable('${name}', 'time', chunk_time_interval => interval '1 day', partitioning_column => 'device', number_partitions => 2)`,
  );
  const base = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const rows: unknown[] = [];
  let n = 0;
  for (const age of [10, 9, 6, 1, 0]) {
    for (let i = 0; i < 40; i++) {
      const t = new Date(base - age * DAY_MS + i * 60_000).toISOString();
      rows.push(t, DEVICES[i % 4], (i * 7) % 50, (age * 1000 + i) * 3, i % 5 === 0 ? null : `n${i % 3}`);
      n++;
    }
  }
  const ph = Array.from(
    { length: n },
    (_, r) => `(${[1, 2, 3, 4, 5].map((k) => `$${r * 5 + k}`).join(', ')})`,
  );
  await ok(`INSERT INTO ${name} VALUES ${ph.join(', ')}`, rows);
  for (let i = 0; i < 2; i++) await shard(i).compact();
}

/** Chunk ids, tier and per-column block sizes of a table on one shard, straight from SQLite. */
export async function shardChunks(i: number, table: string) {
  return runInDurableObject(shard(i), async (_o, state) => {
    const sqlite = state.storage.sql;
    return sqlite
      .exec<{
        id: number;
        header: ArrayBuffer;
        blocks: number;
        cold: string | null;
        tier: string | null;
        layout: string | null;
        moving: string | null;
      }>(
        `SELECT id, header, (SELECT count(*) FROM chunk_blocks WHERE chunk_id = id) AS blocks,
         (SELECT object_key FROM cold_chunks WHERE chunk_id = id) AS cold,
         (SELECT tier FROM cold_chunks WHERE chunk_id = id) AS tier,
         (SELECT layout FROM cold_chunks WHERE chunk_id = id) AS layout,
         (SELECT object_key FROM tier_moves WHERE chunk_id = id) AS moving
         FROM chunks WHERE table_id = (SELECT id FROM shard_tables WHERE name = ? AND dropped = 0) ORDER BY id`,
        table,
      )
      .toArray()
      .map((c) => {
        const h = readChunkHeader(new Uint8Array(c.header));
        const bytes = Object.fromEntries(h.columns.map((col) => [col.name, col.byteLength]));
        const layout = c.layout ? (JSON.parse(c.layout) as [number, number, number][]) : [];
        return {
          id: c.id,
          rows: h.rowCount,
          blocks: c.blocks,
          cold: c.cold,
          tier: c.tier ?? 'warm',
          layout,
          moving: c.moving,
          bytes,
        };
      });
  });
}

/** A timestamp literal `days` before now. */
export const ago = (days: number) => `'${new Date(Date.now() - days * DAY_MS).toISOString()}'`;

export const QUERIES = [
  'SELECT device, count(*), sum(cpu), min(mem), max(mem) FROM {t} GROUP BY device ORDER BY device',
  'SELECT time, device, cpu, mem, note FROM {t} ORDER BY time, device',
  `SELECT count(*), sum(cpu) FROM {t} WHERE note = 'n1' AND time < ${ago(5)}`,
];

export async function answers(table: string): Promise<unknown[][][]> {
  const out: unknown[][][] = [];
  for (const q of QUERIES) out.push((await ok(q.replaceAll('{t}', table))).rows);
  return out;
}

export const r2Read = (r: SqlResponse) => (r.stats as unknown as { r2BytesRead: number }).r2BytesRead;
