/**
 * PostgreSQL clients, unchanged, against the real local stack (wrangler dev +
 * embedded Postgres): node-postgres and Debian's psql through `orochi proxy`,
 * and `@neondatabase/serverless`'s Pool over WebSocket straight to `/v2`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool as NeonPool, neonConfig } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { type RunningProxy, startProxy } from '../../cli/proxy.ts';
import { type Stack, startStack } from '../../scripts/stack.ts';
import { freePort } from '../browser/free-port.ts';

const KEY = 'wire-key';
const dataDir = mkdtempSync(join(tmpdir(), 'orochi-wire-'));
let stack: Stack;
let proxy: RunningProxy;

beforeAll(async () => {
  stack = await startStack({ dataDir, port: await freePort(), devApiKey: KEY });
  proxy = await startProxy({ url: stack.url, database: 'default', port: 0 });
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const pgClient = async () => {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: proxy.port,
    user: 'anyone',
    password: KEY,
    database: 'x',
  });
  await c.connect();
  return c;
};

describe('node-postgres through orochi proxy', () => {
  it('parameters, a named prepared statement reused, errors with SQLSTATE and position', async () => {
    const c = await pgClient();
    try {
      await c.query('CREATE TABLE pg_items (id bigint PRIMARY KEY, name text, price numeric)');
      await c.query('INSERT INTO pg_items VALUES ($1, $2, $3), ($4, $5, $6)', [
        1,
        'apple',
        '1.25',
        2,
        'pear',
        '2.50',
      ]);
      for (const [id, name] of [
        [1, 'apple'],
        [2, 'pear'],
      ] as const) {
        const r = await c.query({
          name: 'item_by_id',
          text: 'SELECT name, price FROM pg_items WHERE id = $1',
          values: [id],
        });
        expect(r.rows).toEqual([{ name, price: id === 1 ? '1.25' : '2.50' }]);
        expect(r.fields.map((f) => f.dataTypeID)).toEqual([25, 1700]);
      }
      const err = await c.query('SELECT nope FROM pg_items').catch((e: pg.DatabaseError) => e);
      expect(err).toMatchObject({ code: '42703', position: '8' });
      // The connection is still usable after the error.
      expect((await c.query('SELECT count(*)::int AS n FROM pg_items')).rows).toEqual([{ n: 2 }]);
    } finally {
      await c.end();
    }
  });

  it('COPY FROM STDIN (CSV) of 10,000 rows, then count', async () => {
    const c = await pgClient();
    try {
      await c.query('CREATE TABLE pg_copy (id bigint, label text)');
      const lines = Array.from({ length: 10_000 }, (_, i) => `${i},"row ${i}"`).join('\n');
      // pg has no COPY helper of its own (pg-copy-streams is one): a submittable drives the sub-protocol.
      let tag = '';
      const done = new Promise<string>((resolve, reject) => {
        /** The parts of pg's connection a COPY uses (not in pg's types). */
        interface CopyConnection {
          query(text: string): void;
          sendCopyFromChunk(b: Buffer): void;
          endCopyFrom(): void;
        }
        const copy = {
          submit: (conn: CopyConnection) => conn.query('COPY pg_copy FROM STDIN WITH (FORMAT csv)'),
          handleCopyInResponse: (conn: CopyConnection) => {
            conn.sendCopyFromChunk(Buffer.from(lines.slice(0, 50_000)));
            conn.sendCopyFromChunk(Buffer.from(`${lines.slice(50_000)}\n`));
            conn.endCopyFrom();
          },
          handleCommandComplete: (m: { text: string }) => {
            tag = m.text;
          },
          handleReadyForQuery: () => resolve(tag),
          handleError: reject,
        };
        c.query(copy as unknown as pg.Submittable);
      });
      expect(await done).toBe('COPY 10000');
      expect((await c.query('SELECT count(*)::int AS n FROM pg_copy')).rows).toEqual([{ n: 10_000 }]);
    } finally {
      await c.end();
    }
  });

  it('a transaction committed and one rolled back', async () => {
    const c = await pgClient();
    const other = await pgClient();
    try {
      await c.query('CREATE TABLE pg_tx (id bigint PRIMARY KEY, v bigint)');
      await c.query('BEGIN');
      await c.query('INSERT INTO pg_tx VALUES (1, 1)');
      await c.query('UPDATE pg_tx SET v = v + 1 WHERE id = $1', [1]);
      expect((await other.query('SELECT count(*)::int AS n FROM pg_tx')).rows).toEqual([{ n: 0 }]);
      await c.query('COMMIT');
      expect((await other.query('SELECT v::int FROM pg_tx')).rows).toEqual([{ v: 2 }]);
      await c.query('BEGIN');
      await c.query('INSERT INTO pg_tx VALUES (2, 1)');
      await c.query('ROLLBACK');
      expect((await other.query('SELECT count(*)::int AS n FROM pg_tx')).rows).toEqual([{ n: 1 }]);
    } finally {
      await c.end();
      await other.end();
    }
  });
});

describe("Debian's psql through orochi proxy", () => {
  it('-c and -f with COPY FROM STDIN', async () => {
    const url = `postgresql://u:${KEY}@127.0.0.1:${proxy.port}/default`;
    // Asynchronously: the proxy runs in this process.
    const psql = async (...args: string[]) =>
      (
        await promisify(execFile)('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-At', ...args], {
          timeout: 30_000,
        })
      ).stdout;
    await psql('-c', 'CREATE TABLE psql_t (id bigint, name text)');
    const file = join(dataDir, 'load.sql');
    writeFileSync(
      file,
      'COPY psql_t FROM STDIN;\n1\tone\n2\t\\N\n\\.\nSELECT count(*), count(name) FROM psql_t;\n',
    );
    expect((await psql('-f', file)).trim().split('\n').pop()).toBe('2|1');
    const err = await psql('-c', 'SELECT nope FROM psql_t').then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain('column "nope" does not exist');
  });
});

describe('@neondatabase/serverless Pool over WebSocket', () => {
  it('inserts, a join and a transaction on a real schema', async () => {
    const host = new URL(stack.url).host;
    neonConfig.webSocketConstructor = ws;
    neonConfig.wsProxy = () => `${host}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = 'password';
    const pool = new NeonPool({ connectionString: `postgresql://u:${KEY}@${host.split(':')[0]}/default` });
    try {
      await pool.query('CREATE TABLE neon_customers (id bigint PRIMARY KEY, name text)');
      await pool.query('CREATE TABLE neon_orders (id bigint PRIMARY KEY, customer_id bigint, total numeric)');
      await pool.query('INSERT INTO neon_customers VALUES ($1, $2), ($3, $4)', [1, 'Ada', 2, 'Lin']);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO neon_orders VALUES (10, 1, 5.5), (11, 1, 4.5)');
        await client.query('INSERT INTO neon_orders VALUES (12, 2, 1)');
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const r = await pool.query(
        'SELECT c.name, sum(o.total) AS total FROM neon_customers c JOIN neon_orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY c.name',
      );
      expect(r.rows).toEqual([
        { name: 'Ada', total: '10.0' },
        { name: 'Lin', total: '1' },
      ]);
    } finally {
      await pool.end();
    }
  });
});
