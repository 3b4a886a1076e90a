/**
 * `npm start`'s stack keeps its data across restarts and leaves no processes
 * behind when stopped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack } from '../../scripts/stack.ts';
import { freePort } from '../browser/free-port.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'orochi-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function processesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
}

describe('local stack lifecycle', () => {
  it('persists control-plane rows across a restart and leaves no orphan processes', async () => {
    const port = await freePort();
    const first = await startStack({ dataDir, port, devApiKey: 'k1' });
    await first.postgres.db.query(`INSERT INTO organizations (name, slug) VALUES ('Persisted', 'persisted')`);
    // The deep check (operator only; the dev key counts locally) writes to a ShardDO.
    const before = (await (
      await fetch(`${first.url}/v1/health/deep`, { headers: { authorization: 'Bearer k1' } })
    ).json()) as { checks: { shard: { ok: boolean } } };
    expect(before.checks.shard.ok).toBe(true);
    await first.stop();
    expect(processesUsing(dataDir)).toEqual([]);
    await expect(fetch(`${first.url}/v1/health`)).rejects.toThrow();

    const second = await startStack({ dataDir, port, devApiKey: 'k1' });
    try {
      const r = await second.postgres.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM organizations WHERE slug = 'persisted'`,
      );
      expect(r.rows[0].n).toBe(1);
      const db = await fetch(`${second.url}/v1/databases/default`, {
        headers: { authorization: 'Bearer k1' },
      });
      expect(db.status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(processesUsing(dataDir)).toEqual([]);
  });
});
