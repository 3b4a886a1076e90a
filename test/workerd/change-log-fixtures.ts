/**
 * Helpers for change-log tests: shard stubs of the default database, table
 * definitions from the catalog, and reading a shard's whole retained log.
 */
import { env } from 'cloudflare:test';
import type { ChunkPage } from '../../durable-objects/change-log-chunks.ts';
import type { ChangeEntry, LogPage } from '../../engine/distributed/change-entry.ts';
import type { DistTable, Row } from '../../engine/distributed/table-schema.ts';
import { ok } from './data-plane-client.ts';

export const DB_ID = '00000000-0000-4000-8000-000000000002';

/** Shard `i` of the colocation group of `count` shards. */
export const shard = (count: number, i: number) =>
  env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));

/** The catalog's current definition of `name`. */
export async function tableDef(name: string): Promise<DistTable> {
  const catalog = env.CATALOG.get(env.CATALOG.idFromName(DB_ID));
  const snap = (await catalog.snapshot()) as unknown as { tables: DistTable[] };
  return snap.tables.find((t) => t.name === name)!;
}

/** Creates `name` distributed over `shards` shards. */
export async function distributed(name: string, shards: number, columns: string): Promise<void> {
  await ok(`CREATE TABLE ${name} (${columns})`);
  await ok(`SELECT create_distributed_table('${name}', 'id', shard_count => ${shards})`);
}

type ShardStub = ReturnType<typeof shard>;

/** Every retained entry of a shard's log (of `table` when given), paging through `readLog`. */
export async function logOf(s: ShardStub, table?: string): Promise<ChangeEntry[]> {
  const out: ChangeEntry[] = [];
  let from = (await s.logStatus()).oldestLsn;
  for (;;) {
    const page = (await s.readLog(from, 100)) as unknown as LogPage;
    out.push(...page.entries);
    if (page.entries.length === 0) break;
    from = page.nextLsn;
  }
  return table === undefined ? out : out.filter((e) => e.table === table);
}

/** A row image as `{ column: value }` under `t`. */
export function named(t: DistTable, row: Row): Record<string, unknown> {
  return Object.fromEntries(t.columns.map((c) => [c.name, row[c.id]]));
}

/** A page of a bulk-load entry's chunk (RPC types cannot express `Row`). */
export async function chunkPage(s: ShardStub, lsn: number, chunkId: number, offset = 0): Promise<ChunkPage> {
  return (await s.readLogChunk(lsn, chunkId, offset)) as unknown as ChunkPage;
}

/** Every retained entry from `from` (RPC types cannot express `Row`). */
export async function readPage(s: ShardStub, from: number, limit: number): Promise<LogPage> {
  return (await s.readLog(from, limit)) as unknown as LogPage;
}
