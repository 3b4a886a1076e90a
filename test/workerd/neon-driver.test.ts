/**
 * The real clients against `POST /sql`: `neon()` from `@neondatabase/serverless`
 * (tagged templates, types parsed by the driver from `dataTypeID`, errors with
 * their SQLSTATE, `transaction()` as one transaction) and drizzle-orm's
 * `neon-http` driver on a two-table schema (inserts, a join, `db.batch` all or
 * nothing). `neonConfig.fetchEndpoint` points at the Worker; `fetchFunction`
 * sends the driver's requests through `SELF.fetch`.
 */
import { SELF } from 'cloudflare:test';
import { NeonDbError, neon, neonConfig } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import { bigint, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';

neonConfig.fetchEndpoint = 'https://orochi.test/sql';
neonConfig.fetchFunction = (url: string, init: RequestInit) => SELF.fetch(url, init);

const sql = neon('postgresql://app:test-dev-key@orochi.test/default');

/** The error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<NeonDbError> {
  try {
    await p;
  } catch (e) {
    return e as NeonDbError;
  }
  throw new Error('expected the query to fail');
}

describe('neon() over HTTP', () => {
  beforeAll(async () => {
    await sql`CREATE TABLE nd_events (id bigint PRIMARY KEY, amount numeric, at timestamptz, done boolean, n integer)`;
  });

  it('binds template values and parses every type by its OID', async () => {
    const at = new Date('2024-02-29T12:34:56.789Z');
    await sql`INSERT INTO nd_events VALUES (${1}, ${'12.50'}, ${at}, ${true}, ${7})`;
    await sql`INSERT INTO nd_events VALUES (${2}, ${null}, ${null}, ${false}, ${null})`;
    const rows = await sql`SELECT id, amount, at, done, n, ARRAY[n, 2] AS arr FROM nd_events WHERE id = ${1}`;
    expect(rows).toEqual([{ id: '1', amount: '12.50', at, done: true, n: 7, arr: [7, 2] }]);
    expect((await sql`SELECT done FROM nd_events WHERE id = ${2}`)[0]).toEqual({ done: false });
  });

  it('answers fullResults and arrayMode as the driver expects', async () => {
    const r = await sql.query('SELECT id, n FROM nd_events ORDER BY id', [], {
      fullResults: true,
      arrayMode: true,
    });
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(2);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 20],
      ['n', 23],
    ]);
    expect(r.rows).toEqual([
      ['1', 7],
      ['2', null],
    ]);
    const u = await sql.query('UPDATE nd_events SET n = $1 WHERE id = $2', [8, 2], { fullResults: true });
    expect([u.command, u.rowCount]).toEqual(['UPDATE', 1]);
  });

  it("raises PostgreSQL's error fields", async () => {
    const e = await rejection(sql`SELECT * FROM nd_nowhere`);
    expect(e).toBeInstanceOf(NeonDbError);
    expect([e.code, e.message, e.position]).toEqual(['42P01', 'relation "nd_nowhere" does not exist', '15']);
  });

  it('runs transaction() as one transaction: a failing query applies nothing', async () => {
    const e = await rejection(
      sql.transaction([
        sql`UPDATE nd_events SET n = ${100} WHERE id = ${1}`,
        sql`INSERT INTO nd_events VALUES (${3}, ${null}, ${null}, ${null}, ${null})`,
        sql`INSERT INTO nd_events VALUES (${1}, ${null}, ${null}, ${null}, ${null})`,
      ]),
    );
    expect(e.code).toBe('23505');
    expect(await sql`SELECT id, n FROM nd_events ORDER BY id`).toEqual([
      { id: '1', n: 7 },
      { id: '2', n: 8 },
    ]);
    const [upd, sel] = await sql.transaction([
      sql`UPDATE nd_events SET n = n + ${1} WHERE id = ${1}`,
      sql`SELECT n FROM nd_events WHERE id = ${1}`,
    ]);
    expect(upd).toEqual([]);
    expect(sel).toEqual([{ n: 8 }]);
    const ro = await rejection(
      sql.transaction([sql`DELETE FROM nd_events`], { readOnly: true, isolationLevel: 'ReadCommitted' }),
    );
    expect(ro.code).toBe('25006');
  });

  it('refuses a wrong API key with 28P01', async () => {
    const wrong = neon('postgresql://app:not-a-key@orochi.test/default');
    expect((await rejection(wrong`SELECT 1`)).code).toBe('28P01');
  });
});

const authors = pgTable('dz_authors', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull(),
});
const posts = pgTable('dz_posts', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  authorId: bigint('author_id', { mode: 'number' }).notNull(),
  title: text('title').notNull(),
  score: integer('score'),
});

describe("drizzle-orm's neon-http driver", () => {
  // Made after the neon() tests ran: drizzle's neon-http driver replaces the driver's global
  // date parsers (it maps dates itself), which would turn their timestamptz back into text.
  let db: ReturnType<typeof drizzle>;

  beforeAll(async () => {
    db = drizzle({ client: sql });
    await sql`CREATE TABLE dz_authors (id bigint PRIMARY KEY, name text NOT NULL)`;
    await sql`CREATE TABLE dz_posts (id bigint PRIMARY KEY, author_id bigint NOT NULL, title text NOT NULL, score integer)`;
  });

  it('inserts and joins', async () => {
    await db.insert(authors).values([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Brian' },
    ]);
    await db.insert(posts).values([
      { id: 10, authorId: 1, title: 'Engines', score: 5 },
      { id: 11, authorId: 2, title: 'C', score: null },
      { id: 12, authorId: 1, title: 'Notes', score: 3 },
    ]);
    const rows = await db
      .select({ title: posts.title, author: authors.name, score: posts.score })
      .from(posts)
      .innerJoin(authors, eq(posts.authorId, authors.id))
      .orderBy(posts.id);
    expect(rows).toEqual([
      { title: 'Engines', author: 'Ada', score: 5 },
      { title: 'C', author: 'Brian', score: null },
      { title: 'Notes', author: 'Ada', score: 3 },
    ]);
    expect(await db.select().from(authors).where(eq(authors.id, 2))).toEqual([{ id: 2, name: 'Brian' }]);
  });

  it('runs db.batch as one transaction, all or nothing', async () => {
    const [, , counted] = await db.batch([
      db.insert(posts).values({ id: 13, authorId: 2, title: 'Unix', score: 9 }),
      db.update(posts).set({ score: 6 }).where(eq(posts.id, 10)),
      db.select().from(posts).where(eq(posts.authorId, 2)).orderBy(posts.id),
    ]);
    expect(counted.map((p) => p.title)).toEqual(['C', 'Unix']);
    const e = await rejection(
      db.batch([
        db.update(posts).set({ score: 0 }).where(eq(posts.authorId, 1)),
        db.insert(authors).values({ id: 1, name: 'duplicate' }),
      ]),
    );
    expect((e as NeonDbError & { cause?: NeonDbError }).cause?.code ?? e.code).toBe('23505');
    const scores = await db.select({ id: posts.id, score: posts.score }).from(posts).orderBy(posts.id);
    expect(scores).toEqual([
      { id: 10, score: 6 },
      { id: 11, score: null },
      { id: 12, score: 3 },
      { id: 13, score: 9 },
    ]);
  });

  it('has no interactive transactions: drizzle refuses db.transaction with neon-http', async () => {
    const e = await rejection(db.transaction(async () => {}));
    expect(String(e)).toContain('No transactions support in neon-http driver');
  });
});
