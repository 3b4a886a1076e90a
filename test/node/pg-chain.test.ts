/**
 * The control-plane chain outside workerd: Neon driver → WebSocket relay →
 * pglite-socket → PGlite, with real SQL and the migrated schema.
 */
import { neonConfig, Pool } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type LocalPostgres, startLocalPostgres } from '../../scripts/local-postgres.ts';
import { provisionDevDatabase } from '../../scripts/provision-dev.ts';

let pg: LocalPostgres;

beforeAll(async () => {
  pg = await startLocalPostgres();
  await provisionDevDatabase(pg.db);
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `${pg.wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
});
afterAll(async () => {
  await pg?.stop();
});

describe('neon driver over the local WebSocket endpoint', () => {
  it('runs parameterized SQL against the migrated schema', async () => {
    const pool = new Pool({ connectionString: pg.databaseUrl });
    try {
      const r = await pool.query(
        'SELECT d.name, p.name AS project FROM databases d JOIN projects p ON p.id = d.project_id WHERE d.name = $1',
        ['default'],
      );
      expect(r.rows).toEqual([{ name: 'default', project: 'default' }]);
      const math = await pool.query('SELECT $1::int + 1 AS n, version() AS v', [41]);
      expect(math.rows[0].n).toBe(42);
      expect(math.rows[0].v).toMatch(/^PostgreSQL 1\d/);
    } finally {
      await pool.end();
    }
  });

  it('keeps transactions and reports constraint errors with their SQLSTATE', async () => {
    const pool = new Pool({ connectionString: pg.databaseUrl });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO organizations (name, slug) VALUES ('A', 'dup-slug')`);
      const err = await client
        .query(`INSERT INTO organizations (name, slug) VALUES ('B', 'dup-slug')`)
        .then(() => null)
        .catch((e: { code?: string }) => e);
      expect(err?.code).toBe('23505');
      await client.query('ROLLBACK');
      const r = await client.query(`SELECT count(*)::int AS n FROM organizations WHERE slug = 'dup-slug'`);
      expect(r.rows[0].n).toBe(0);
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('serves concurrent connections', async () => {
    const pools = Array.from({ length: 4 }, () => new Pool({ connectionString: pg.databaseUrl }));
    try {
      const results = await Promise.all(pools.map((p, i) => p.query('SELECT $1::int * 2 AS n', [i])));
      expect(results.map((r) => r.rows[0].n)).toEqual([0, 2, 4, 6]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
