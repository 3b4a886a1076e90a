/**
 * Shared fixtures of the transaction tests: the default database's shards and
 * catalog as Durable Object stubs, distributed tables, and the "nothing
 * half-applied" check.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ShardFault } from '../../durable-objects/shard-do.ts';
import type { DistTable } from '../../engine/distributed/table-schema.ts';
import { ok } from './data-plane-client.ts';

export const DB_ID = '00000000-0000-4000-8000-000000000002';
export const shard = (count: number, i: number) =>
  env.SHARD.get(env.SHARD.idFromName(`${DB_ID}:${count}:${i}`));
export const catalog = () => env.CATALOG.get(env.CATALOG.idFromName(DB_ID));

export async function tableDef(name: string): Promise<DistTable> {
  const snap = (await catalog().snapshot()) as unknown as { tables: DistTable[] };
  return snap.tables.find((t) => t.name === name)!;
}

export async function distributed(
  name: string,
  shards: number,
  columns = 'id int NOT NULL, v bigint',
): Promise<void> {
  await ok(`CREATE TABLE ${name} (${columns})`);
  await ok(`SELECT create_distributed_table('${name}', 'id', shard_count => ${shards})`);
}

export async function inject(count: number, i: number, fault: ShardFault): Promise<void> {
  await shard(count, i).injectFault(fault);
}

/** Ids stored, sorted. */
export async function ids(table: string): Promise<number[]> {
  return (await ok(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r[0] as number);
}

/** Nothing half-applied: no prepared entry on any shard, no unfinished coordinator record. */
export async function expectSettled(count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect(await shard(count, i).preparedTxns()).toEqual([]);
  expect(await catalog().pendingTxns()).toEqual([]);
}

/** Ages every unfinished coordinator record past the recovery threshold, so the alarm recovers it. */
export async function ageRecords(): Promise<void> {
  await runInDurableObject(catalog(), async (_i, state) => {
    state.storage.sql.exec(
      `UPDATE txn_attempts SET created_at = created_at - 3600000 WHERE finished_at IS NULL`,
    );
  });
}

export const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
export const values = (list: number[]) => list.map((i) => `(${i}, ${i * 10})`).join(', ');
