/**
 * PRIMARY KEY / UNIQUE through the HTTP API: enforced on local, reference and
 * distributed tables (per shard, keys include the distribution column), across
 * hot rows and compacted chunks, against concurrent transactions and bulk
 * ingest; ON CONFLICT answers compared with PostgreSQL itself (the PGlite that
 * serves as the local control-plane database, reached with the same driver).
 */
import { env } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../../workers/db/client.ts';
import { ingest, ok, sql } from './data-plane-client.ts';

type Kind = 'local' | 'reference' | 'distributed';
const KINDS: Kind[] = ['local', 'reference', 'distributed'];

async function createKeyed(name: string, kind: Kind, ddl = '(id int PRIMARY KEY, v text)') {
  await ok(`CREATE TABLE ${name} ${ddl}`);
  if (kind === 'reference') await ok(`SELECT create_reference_table('${name}')`);
  if (kind === 'distributed') await ok(`SELECT create_distributed_table('${name}', 'id', shard_count => 8)`);
}

const count = async (t: string) => (await ok(`SELECT count(*) FROM ${t}`)).rows[0][0];

describe.each(KINDS)('PRIMARY KEY on a %s table', (kind) => {
  const t = `uq_${kind}`;
  beforeAll(() => createKeyed(t, kind));

  it('refuses a duplicate within one statement, and writes nothing of it', async () => {
    const r = await sql(`INSERT INTO ${t} VALUES (1, 'a'), (2, 'b'), (1, 'c')`);
    expect(r.status).toBe(409);
    expect(r.error?.code).toBe('23505');
    expect(r.error?.message).toBe(
      `duplicate key value violates unique constraint "${t}_pkey"\nDETAIL: Key (id)=(1) already exists.`,
    );
    expect(await count(t)).toBe(0);
  });

  it('refuses a duplicate across statements, and a NULL key', async () => {
    await ok(`INSERT INTO ${t} VALUES (1, 'a'), (2, 'b')`);
    const again = await sql(`INSERT INTO ${t} VALUES (3, 'c'), (2, 'x')`);
    expect(again.error?.code).toBe('23505');
    expect(again.error?.message).toContain('Key (id)=(2) already exists.');
    expect((await sql(`INSERT INTO ${t} VALUES (NULL, 'n')`)).error?.code).toBe('23502');
    expect((await ok(`SELECT id, v FROM ${t} ORDER BY id`)).rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('refuses a key already compacted into a chunk, and an UPDATE onto an existing key', async () => {
    const values = Array.from({ length: 51 }, (_, i) => `(${10 + i}, 'g${10 + i}')`).join(', ');
    await ok(`INSERT INTO ${t} VALUES ${values}`);
    await ok(`SELECT compact_table('${t}')`);
    const dup = await sql(`INSERT INTO ${t} VALUES (42, 'again')`);
    expect(dup.error?.code).toBe('23505');
    expect(dup.error?.message).toContain('Key (id)=(42) already exists.');
    // Deleted from the chunk (delete bitmap): the key is free again.
    await ok(`DELETE FROM ${t} WHERE id = 42`);
    await ok(`INSERT INTO ${t} VALUES (42, 'back')`);
    if (kind !== 'distributed') {
      const upd = await sql(`UPDATE ${t} SET id = 10 WHERE id = 11`);
      expect(upd.error?.code).toBe('23505');
      // Shifting every key by a constant keeps them unique: allowed (the old versions go).
      await ok(`UPDATE ${t} SET id = id + 1000 WHERE id >= 10`);
      expect(await count(`${t} WHERE id >= 1000`)).toBe(51);
    } else {
      expect((await sql(`UPDATE ${t} SET id = 10 WHERE id = 11`)).error?.code).toBe('0A000');
    }
  });

  it('lets exactly one of several concurrent inserts of the same key commit', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sql(`INSERT INTO ${t} VALUES (777, 'w${i}')`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.error?.code).toBe('23505');
    expect(await count(`${t} WHERE id = 777`)).toBe(1);
  });

  it('bulk ingest refuses rows whose key exists or repeats, and keeps the rest', async () => {
    const body = JSON.stringify([
      { id: 1, v: 'dup-stored' },
      { id: 5000, v: 'new' },
      { id: 5001, v: 'new' },
      { id: 5001, v: 'dup-in-request' },
    ]);
    const r = await ingest(t, 'application/json', body);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected).toBe(2);
    expect(r.body.errors.every((e) => /duplicate key value violates unique constraint/.test(e.reason))).toBe(
      true,
    );
    expect(await count(`${t} WHERE id IN (1, 5000, 5001)`)).toBe(3);
    expect((await ok(`SELECT v FROM ${t} WHERE id = 1`)).rows).toEqual([['a']]);
  });
});

describe('UNIQUE and the distribution column', () => {
  it('create_distributed_table refuses a key without the distribution column (Citus wording)', async () => {
    await ok('CREATE TABLE uq_bad (id int PRIMARY KEY, tenant int NOT NULL, v text)');
    const r = await sql(`SELECT create_distributed_table('uq_bad', 'tenant')`);
    expect(r.error?.code).toBe('0A000');
    expect(r.error?.message).toContain('cannot create constraint on "uq_bad"');
    expect(r.error?.message).toContain(
      'Distributed relations cannot have UNIQUE, EXCLUDE, or PRIMARY KEY constraints that do not include the partition column',
    );
  });

  it('enforces a composite key including the distribution column, NULLs distinct', async () => {
    await ok(
      'CREATE TABLE uq_comp (tenant int NOT NULL, id int NOT NULL, email text, UNIQUE (tenant, email))',
    );
    await ok(`SELECT create_distributed_table('uq_comp', 'tenant', shard_count => 8)`);
    await ok(`INSERT INTO uq_comp VALUES (1, 1, 'a@x'), (2, 2, 'a@x'), (1, 3, NULL), (1, 4, NULL)`);
    const r = await sql(`INSERT INTO uq_comp VALUES (2, 5, 'a@x')`);
    expect(r.error?.message).toBe(
      'duplicate key value violates unique constraint "uq_comp_tenant_email_key"\nDETAIL: Key (tenant, email)=(2, a@x) already exists.',
    );
  });

  it('refuses the constructs it does not enforce, naming them', async () => {
    await ok('CREATE TABLE uq_plain (id int, v text)');
    for (const q of [
      'CREATE UNIQUE INDEX ON uq_plain (id)',
      'ALTER TABLE uq_plain ADD PRIMARY KEY (id)',
      'ALTER TABLE uq_plain ADD CONSTRAINT u UNIQUE (v)',
      'ALTER TABLE uq_plain ADD COLUMN k int UNIQUE',
      'CREATE TABLE uq_nn (a int UNIQUE NULLS NOT DISTINCT)',
    ]) {
      const r = await sql(q);
      expect(r.error?.code, q).toBe('0A000');
    }
    expect((await sql('INSERT INTO uq_plain VALUES (1) ON CONFLICT (id) DO NOTHING')).error?.code).toBe(
      '42P10',
    );
  });
});

/** The same statements against PostgreSQL and the data plane; answers (or SQLSTATEs) must match. */
describe.each(KINDS)('ON CONFLICT on a %s table, compared with PostgreSQL', (kind) => {
  const t = `uq_oc_${kind}`;
  // A distributed table's keys must include the distribution column (id).
  const tagKey = kind === 'distributed' ? '(tag, id)' : '(tag)';
  const ddl = `(id int PRIMARY KEY, v text, n int NOT NULL DEFAULT 0, tag text, UNIQUE ${tagKey})`;
  const { pool } = openControlPlane(env);
  beforeAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${t}`);
    await pool.query(`CREATE TABLE ${t} ${ddl}`);
    await createKeyed(t, kind, ddl);
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    await pool.end().catch(() => {});
  });

  const STEPS = [
    `INSERT INTO ${t} (id, v, tag) VALUES (1, 'a', 't1'), (2, 'b', 't2'), (3, 'c', NULL)`,
    `INSERT INTO ${t} (id, v) VALUES (1, 'x'), (4, 'd') ON CONFLICT (id) DO NOTHING`,
    `INSERT INTO ${t} (id, v) VALUES (1, 'x'), (1, 'y'), (5, 'e') ON CONFLICT DO NOTHING`,
    `INSERT INTO ${t} (id, v, tag) VALUES (9, 'z', 't1') ON CONFLICT (id) DO NOTHING`,
    `INSERT INTO ${t} (id, v, tag) VALUES (9, 'z', 't1') ON CONFLICT DO NOTHING`,
    `INSERT INTO ${t} (id, v) VALUES (2, 'B'), (6, 'f') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = ${t}.n + 1`,
    `SELECT compact_table('${t}')`,
    `INSERT INTO ${t} (id, v) VALUES (2, 'BB'), (3, 'C') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = ${t}.n + 10 WHERE ${t}.id <> 3`,
    `INSERT INTO ${t} (id, v) VALUES (4, 'p'), (4, 'q') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v`,
    `INSERT INTO ${t} (id, v, tag) VALUES (7, 'g', 't7') ON CONFLICT ${tagKey} DO UPDATE SET v = 'tag-hit'`,
    `INSERT INTO ${t} (id, v, tag) VALUES (8, 'h', 't7') ON CONFLICT ${tagKey} DO UPDATE SET v = 'tag-hit', n = $1`,
    `INSERT INTO ${t} (id, v, tag) VALUES (1, 'clash', 't2') ON CONFLICT (id) DO UPDATE SET tag = EXCLUDED.tag`,
    `INSERT INTO ${t} (id, v) VALUES (10, 'k') ON CONFLICT (v) DO NOTHING`,
    `INSERT INTO ${t} (id, v) VALUES (10, 'k') ON CONFLICT ON CONSTRAINT ${t}_pkey DO NOTHING`,
    `INSERT INTO ${t} (id, v) VALUES (10, 'k') ON CONFLICT ON CONSTRAINT ${t}_pkey DO UPDATE SET n = 99`,
    // Functions, operators and casts the shards' engines evaluate (bound by the engine, shipped as SQL).
    `INSERT INTO ${t} (id, v) VALUES (5, 'E'), (11, 'l') ON CONFLICT (id) DO UPDATE SET v = upper(EXCLUDED.v) || '-' || ${t}.v, n = length(${t}.v) WHERE ${t}.v LIKE 'e%'`,
    `INSERT INTO ${t} AS o (id, v) VALUES (6, '17'), (7, 'x') ON CONFLICT (id) DO UPDATE SET n = CASE WHEN EXCLUDED.v ~ '^[0-9]+$' THEN 100 ELSE o.n - 1 END, v = (o.n * 2)::text`,
  ];

  it('answers every step as PostgreSQL does', async () => {
    const params = [42];
    for (const step of STEPS) {
      const usesParam = step.includes('$1');
      const ours = await sql(step, usesParam ? params : undefined);
      if (step.startsWith('SELECT compact_table')) {
        expect(ours.status, step).toBe(200);
        continue;
      }
      let pgError: string | undefined;
      let pgCount: number | null | undefined;
      try {
        const r = await pool.query(step, usesParam ? params : undefined);
        pgCount = r.rowCount;
      } catch (e) {
        pgError = (e as { code?: string }).code;
      }
      if (pgError) expect(ours.error?.code, step).toBe(pgError);
      else {
        expect(ours.error, step).toBeUndefined();
        expect(ours.rowCount, step).toBe(pgCount);
      }
      const theirs = (await pool.query(`SELECT id, v, n, tag FROM ${t} ORDER BY id`)).rows.map((r) => [
        r.id,
        r.v,
        r.n,
        r.tag,
      ]);
      expect((await ok(`SELECT id, v, n, tag FROM ${t} ORDER BY id`)).rows, step).toEqual(theirs);
    }
  });
});

describe.each(KINDS)('a bigint key beyond ±2^53 on a %s table', (kind) => {
  const t = `uq_big_${kind}`;
  const MAX = '9223372036854775807';
  const MIN = '-9223372036854775808';
  const ODD = '9007199254740993'; // 2^53 + 1: a double would round it onto 2^53
  beforeAll(() => createKeyed(t, kind, '(id bigint PRIMARY KEY, v text)'));

  it('is enforced, found by ON CONFLICT, updated and deleted, hot and compacted', async () => {
    await ok(
      `INSERT INTO ${t} VALUES (${MAX}, 'max'), (${MIN}, 'min'), (${ODD}, 'odd'), (9007199254740992, 'even')`,
    );
    const dup = await sql(`INSERT INTO ${t} VALUES (${ODD}, 'again')`);
    expect(dup.error?.code, JSON.stringify(dup.error)).toBe('23505');
    expect(dup.error?.message).toContain(`Key (id)=(${ODD}) already exists.`);
    await ok(`INSERT INTO ${t} VALUES (${MAX}, 'max2') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v`);
    expect((await ok(`INSERT INTO ${t} VALUES (${MIN}, 'x') ON CONFLICT DO NOTHING`)).rowCount).toBe(0);
    await ok(`SELECT compact_table('${t}')`);
    expect((await sql(`INSERT INTO ${t} VALUES (${MIN}, 'again')`)).error?.code).toBe('23505');
    await ok(`UPDATE ${t} SET v = 'odd2' WHERE id = ${ODD}`);
    await ok(`DELETE FROM ${t} WHERE id = 9007199254740992`);
    expect((await ok(`SELECT id::text, v FROM ${t} ORDER BY id`)).rows).toEqual([
      [MIN, 'min'],
      [ODD, 'odd2'],
      [MAX, 'max2'],
    ]);
  });
});
