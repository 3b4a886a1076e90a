/**
 * Idempotency-Key records in a CatalogDO's SQLite: same request → same batch
 * id, another request → mismatch, and a fresh binding (new batch id) once the
 * window has passed. The record is in DO storage, so it outlives the isolate.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { claimIdempotencyKey, IDEMPOTENCY_WINDOW_MS } from './idempotency-keys.ts';

describe('idempotency keys', () => {
  it('binds a key to its request hash for the window', async () => {
    const stub = env.CATALOG.get(env.CATALOG.idFromName('idempotency-keys-test'));
    await runInDurableObject(stub, async (_o, state) => {
      const sql = state.storage.sql;
      const t0 = 1_700_000_000_000;
      const first = claimIdempotencyKey(sql, 'k', 'h1', t0);
      expect(first).toMatchObject({ retry: false });
      expect(claimIdempotencyKey(sql, 'k', 'h1', t0 + 1000)).toEqual({ ...first, retry: true });
      expect(claimIdempotencyKey(sql, 'k', 'h2', t0 + 1000)).toEqual({ mismatch: true, firstUsedAt: t0 });
      expect(claimIdempotencyKey(sql, 'other', 'h2', t0 + 1000)).toMatchObject({ retry: false });
      // Past the window the key starts afresh, under a new batch id (shards remember the old one).
      const later = claimIdempotencyKey(sql, 'k', 'h2', t0 + IDEMPOTENCY_WINDOW_MS + 1);
      expect(later).toMatchObject({ retry: false });
      expect((later as { batchId: string }).batchId).not.toBe((first as { batchId: string }).batchId);
      const rows = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM idempotency_keys`).one();
      expect(rows.n).toBe(2); // "k" (rebound) and "other" (still in its window)
    });
  });
});
