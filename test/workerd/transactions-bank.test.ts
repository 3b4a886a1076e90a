/**
 * The bank invariant over HTTP: accounts spread over 8 shards, concurrent
 * clients moving amounts with single multi-shard UPDATE statements, some of
 * which fail on purpose (division by zero on the credited row only, so one
 * shard's half fails). Concurrent UPDATEs of the same rows must serialize (no
 * lost update) and a failed transfer must leave nothing behind, so the total
 * never changes. The second case moves amounts with two-statement calls (debit;
 * credit), some failing on purpose in their LAST statement, while readers
 * record every total they see. Bounded: a few seconds on loopback.
 */
import { describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

const ACCOUNTS = 16;
const CLIENTS = 4;
const TRANSFERS = 12;
const START = 1000;

/** One call, two statements: the debit, then the credit (division by zero when $4 = 0). */
const TWO_STEP = `UPDATE acct2 SET bal = bal - $3::bigint WHERE id = $1; UPDATE acct2 SET bal = bal + $3::bigint / $4::bigint WHERE id = $2`;

const TRANSFER = `UPDATE acct SET bal = bal + CASE WHEN id = $1 THEN -$3::bigint WHEN id = $2 THEN $3::bigint / $4::bigint END WHERE id IN ($1, $2)`;

/** A small deterministic generator (the seed is printed, so a failure can be replayed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('bank', () => {
  it('concurrent multi-shard transfers keep the total', async () => {
    await ok('CREATE TABLE acct (id int NOT NULL, bal bigint NOT NULL)');
    await ok(`SELECT create_distributed_table('acct', 'id', shard_count => 8)`);
    await ok(
      `INSERT INTO acct VALUES ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, ${START})`).join(', ')}`,
    );
    const seed = Date.now() % 100_000;
    console.log(`bank seed ${seed}`);
    const outcomes = { ok: 0, failed: 0, retry: 0 };
    const applied: number[] = new Array(ACCOUNTS).fill(0);
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const next = rng(seed + c);
        for (let k = 0; k < TRANSFERS; k++) {
          // Few accounts, many clients: the same rows are contended.
          const from = Math.floor(next() * 4);
          const to = 4 + Math.floor(next() * (ACCOUNTS - 4));
          const amount = 1 + Math.floor(next() * 50);
          const fail = next() < 0.2;
          const r = await sql(TRANSFER, [from, to, amount, fail ? 0 : 1]);
          if (r.status === 200) {
            expect(fail).toBe(false);
            expect(r.rowCount).toBe(2);
            outcomes.ok++;
            applied[from] -= amount;
            applied[to] += amount;
          } else if (r.error?.code === '40001') outcomes.retry++;
          else {
            expect([fail, r.error?.code]).toEqual([true, '22012']);
            outcomes.failed++;
          }
        }
      }),
    );
    console.log(`bank outcomes ${JSON.stringify(outcomes)}`);
    const rows = (await ok('SELECT id, bal FROM acct ORDER BY id')).rows as [number, number][];
    expect(rows.length).toBe(ACCOUNTS);
    expect(rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(ACCOUNTS * START);
    // Every acknowledged transfer is present exactly once, every refused one absent.
    expect(rows.map((r) => Number(r[1]))).toEqual(applied.map((d) => START + d));
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.failed).toBeGreaterThan(0);
  }, 60_000);

  it('two-statement transfers (debit; credit) are all or nothing, readers meanwhile', async () => {
    await ok('CREATE TABLE acct2 (id int NOT NULL, bal bigint NOT NULL)');
    await ok(`SELECT create_distributed_table('acct2', 'id', shard_count => 8)`);
    await ok(
      `INSERT INTO acct2 VALUES ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, ${START})`).join(', ')}`,
    );
    const seed = Date.now() % 100_000;
    console.log(`bank two-step seed ${seed}`);
    const outcomes = { ok: 0, failed: 0, retry: 0 };
    const applied: number[] = new Array(ACCOUNTS).fill(0);
    const seen: number[] = [];
    let writing = true;
    const readers = Array.from({ length: 2 }, async () => {
      while (writing) {
        const r = await sql('SELECT sum(bal) FROM acct2');
        if (r.status === 200) seen.push(Number(r.rows[0][0]));
      }
    });
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const next = rng(seed + 100 + c);
        for (let k = 0; k < TRANSFERS; k++) {
          const from = Math.floor(next() * 4);
          const to = 4 + Math.floor(next() * (ACCOUNTS - 4));
          const amount = 1 + Math.floor(next() * 50);
          const fail = next() < 0.25;
          const r = await sql(TWO_STEP, [from, to, amount, fail ? 0 : 1]);
          if (r.status === 200) {
            expect(fail).toBe(false);
            outcomes.ok++;
            applied[from] -= amount;
            applied[to] += amount;
          } else if (r.error?.code === '40001') outcomes.retry++;
          else {
            // The debit (statement 1) ran, the credit (statement 2) failed: nothing of the call commits.
            expect([fail, r.error?.code, (r.error as { statement?: number }).statement]).toEqual([
              true,
              '22012',
              2,
            ]);
            expect(r.error).not.toHaveProperty('committed');
            outcomes.failed++;
          }
        }
      }),
    ).finally(() => {
      writing = false;
    });
    await Promise.all(readers);
    const off = seen.filter((t) => t !== ACCOUNTS * START);
    console.log(
      `bank two-step outcomes ${JSON.stringify(outcomes)}; readers saw ${seen.length} totals, ${off.length} not ${ACCOUNTS * START}: ${JSON.stringify([...new Set(off)].slice(0, 10))}`,
    );
    const rows = (await ok('SELECT id, bal FROM acct2 ORDER BY id')).rows as [number, number][];
    expect(rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(ACCOUNTS * START);
    expect(rows.map((r) => Number(r[1]))).toEqual(applied.map((d) => START + d));
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    // A reader can catch a committing transfer half-applied (docs/http-api.md): never by more than the
    // transfers in flight (one per client, at most 50 each), and never a failed transfer's debit.
    for (const t of off) expect(Math.abs(t - ACCOUNTS * START)).toBeLessThanOrEqual(CLIENTS * 50);
  }, 60_000);
});
