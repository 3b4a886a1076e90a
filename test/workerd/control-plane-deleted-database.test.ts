/**
 * A deleted (or renamed) database answers 404 with SQLSTATE 3D000 at once in
 * the isolate that deleted it, through every credential that could reach it,
 * and never a 500 in an isolate whose caches still point at it (simulated by
 * tearing it down behind this isolate's back, as another isolate would).
 */
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { withControlPlane } from '../../workers/db/client.ts';
import { databases } from '../../workers/db/schema.ts';
import { call, type Session, signIn, tenant } from './auth-fixtures.ts';

async function keyFor(owner: Session, projectId: string, databaseId?: string): Promise<string> {
  const res = await call(`/v1/projects/${projectId}/api-keys`, {
    token: owner.accessToken,
    body: {
      name: databaseId ? 'db key' : 'project key',
      role: 'admin',
      ...(databaseId ? { databaseId } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.key;
}

/** A database with a distributed table and rows, plus a project key and a database-scoped key. */
async function populated(tag: string) {
  const owner = await signIn();
  const t = await tenant(owner, tag);
  const projectKey = await keyFor(owner, t.project.id);
  const dbKey = await keyFor(owner, t.project.id, t.database.id);
  const sql = (token: string, ref: string, text: string) =>
    call(`/v1/databases/${encodeURIComponent(ref)}/sql`, { token, body: { sql: text } });
  expect((await sql(projectKey, 'main', 'CREATE TABLE m (k int, v int)')).status).toBe(200);
  const dist = await sql(projectKey, 'main', "SELECT create_distributed_table('m', 'k', shard_count => 2)");
  expect(dist.status, JSON.stringify(dist.json)).toBe(200);
  expect((await sql(projectKey, 'main', 'INSERT INTO m VALUES (1, 10), (2, 20), (3, 30)')).status).toBe(200);
  return { owner, ...t, projectKey, dbKey, sql };
}

/** Every way the test callers reach the database, each warming this isolate's caches first. */
function callers(p: Awaited<ReturnType<typeof populated>>) {
  return [
    ['project key by name', p.projectKey, 'main'],
    ['project key by id', p.projectKey, p.database.id],
    ['database key by id', p.dbKey, p.database.id],
    ['database key by name', p.dbKey, 'main'],
    ['session by id', p.owner.accessToken, p.database.id],
  ] as const;
}

function expect3D000(res: { status: number; json: { error?: { code?: string } } }, label: string) {
  expect(res.status, `${label}: ${JSON.stringify(res.json)}`).toBe(404);
  expect(res.json.error?.code, label).toBe('3D000');
}

/**
 * The message an RPC to a Durable Object was refused with. The rejection is handled where
 * the call is made: `expect(rpc).rejects` observes workerd's RPC promise too late, and the
 * pool then reports it as unhandled.
 */
const rpcError = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'resolved',
    (e: unknown) => String((e as Error).message),
  );

describe('a deleted database', () => {
  it('is 404 3D000 at once in the isolate that deleted it, with every credential', async () => {
    const p = await populated('deleted');
    for (const [label, token, ref] of callers(p)) {
      const warm = await p.sql(token, ref, 'SELECT count(*) FROM m');
      expect(warm.status, label).toBe(200);
      expect(warm.json.rows, label).toEqual([[3]]);
    }
    const del = await call(`/v1/databases/${p.database.id}`, {
      method: 'DELETE',
      token: p.owner.accessToken,
    });
    expect(del.status).toBe(204);
    for (const [label, token, ref] of callers(p)) {
      expect3D000(await p.sql(token, ref, 'SELECT count(*) FROM m'), label);
      expect3D000(await p.sql(token, ref, 'INSERT INTO m VALUES (4, 40)'), `${label} insert`);
    }
    expect3D000(await call(`/v1/databases/main`, { token: p.projectKey }), 'GET by name');
  });

  it('never answers 500 in an isolate whose caches still point at it', async () => {
    const p = await populated('stale');
    for (const [label, token, ref] of callers(p)) {
      expect((await p.sql(token, ref, 'SELECT count(*) FROM m')).status, label).toBe(200);
    }
    // Another isolate deletes it: the row, the shards and the catalog go; this isolate's caches stay.
    for (let i = 0; i < 2; i++)
      await env.SHARD.get(env.SHARD.idFromName(`${p.database.id}:2:${i}`)).destroy();
    await env.CATALOG.get(env.CATALOG.idFromName(p.database.id)).destroy();
    await withControlPlane(env, (db) => db.delete(databases).where(eq(databases.id, p.database.id)));

    for (const [label, token, ref] of callers(p)) {
      for (const text of [
        'SELECT count(*) FROM m',
        'INSERT INTO m VALUES (4, 40)',
        'SELECT count(*) FROM not_there',
        'CREATE TABLE n (k int)',
      ]) {
        const res = await p.sql(token, ref, text);
        // Within the cache lifetime another isolate may still find the key; it must never be a 500.
        expect(res.status, `${label}: ${text}: ${JSON.stringify(res.json)}`).toBeLessThan(500);
        if (res.status === 401) continue;
        // A table name this isolate's cached catalog never had is refused from that cache (42P01, also 404).
        if (text.includes('not_there') && res.json.error?.code === '42P01') expect(res.status).toBe(404);
        else expect3D000(res, `${label}: ${text}`);
      }
    }
    // The torn-down Durable Objects answer a clean 3D000 themselves (nothing was resurrected).
    const catalog = env.CATALOG.get(env.CATALOG.idFromName(p.database.id));
    expect(await rpcError(catalog.snapshot())).toMatch(/SQLSTATE 3D000/);
    expect(await rpcError(catalog.version())).toMatch(/SQLSTATE 3D000/);
    const shard = env.SHARD.get(env.SHARD.idFromName(`${p.database.id}:2:0`));
    expect(await rpcError(shard.preparedTxns())).toMatch(/SQLSTATE 3D000/);
  });
});

describe('a renamed database', () => {
  it('is not reachable by its old name, at once, and is by its new one', async () => {
    const p = await populated('renamed');
    expect((await p.sql(p.projectKey, 'main', 'SELECT count(*) FROM m')).status).toBe(200);
    const renamed = await call(`/v1/databases/${p.database.id}`, {
      method: 'PATCH',
      token: p.owner.accessToken,
      body: { name: 'primary' },
    });
    expect(renamed.status, JSON.stringify(renamed.json)).toBe(200);
    expect(renamed.json.name).toBe('primary');
    expect3D000(await p.sql(p.projectKey, 'main', 'SELECT count(*) FROM m'), 'old name');
    const fresh = await p.sql(p.projectKey, 'primary', 'SELECT count(*) FROM m');
    expect(fresh.status).toBe(200);
    expect(fresh.json.rows).toEqual([[3]]);
  });
});

describe('deleting a project or an organization', () => {
  it.each(['project', 'org'] as const)(
    'a deleted %s takes its databases, data and keys with it at once',
    async (what) => {
      const p = await populated(`gone-${what}`);
      for (const [label, token, ref] of callers(p)) {
        expect((await p.sql(token, ref, 'SELECT count(*) FROM m')).status, label).toBe(200);
      }
      const path = what === 'project' ? `/v1/projects/${p.project.id}` : `/v1/orgs/${p.org.id}`;
      expect((await call(path, { method: 'DELETE', token: p.owner.accessToken })).status).toBe(204);
      for (const [label, token, ref] of callers(p)) {
        const res = await p.sql(token, ref, 'SELECT count(*) FROM m');
        // Keys died with the project (401); a session no longer reaches the database (404).
        expect(res.status, `${label}: ${JSON.stringify(res.json)}`).toBe(
          token === p.owner.accessToken ? 404 : 401,
        );
      }
      const catalog = env.CATALOG.get(env.CATALOG.idFromName(p.database.id));
      expect(await rpcError(catalog.snapshot())).toMatch(/SQLSTATE 3D000/);
      const shard = env.SHARD.get(env.SHARD.idFromName(`${p.database.id}:2:1`));
      expect(await rpcError(shard.preparedTxns())).toMatch(/SQLSTATE 3D000/);
    },
  );
});
