/**
 * Hash aggregation past the memory budget: GROUP BY queries with a 64 kB
 * budget (spilling partitions of groups) must return exactly what they return
 * with an unlimited one — float sums included, since each group still sees its
 * rows in input order — with the accounted peak within the budget and every
 * spill run deleted. A sample runs against PGlite with the tiny budget.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';
import { FANOUT } from './spill-aggregate.ts';
import { canon, SETUP, spillsLikePostgres, TINY, UNLIMITED } from './spill-fixture.ts';
import { MemorySpillStore } from './spill-store.ts';

let spill: MemorySpillStore;
let db: Database;

beforeAll(async () => {
  spill = new MemorySpillStore();
  db = await Database.create({ spill });
  await db.exec(SETUP);
});

async function compare(sql: string, limit = TINY) {
  const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
  const small = await db.query(sql, [], { memoryLimit: limit });
  expect(full.memory!.peakBytes, 'the query needs more than the budget').toBeGreaterThan(limit);
  expect(small.memory!.spilledBytes, 'spilled').toBeGreaterThan(0);
  expect(small.memory!.peakBytes, 'peak within budget').toBeLessThanOrEqual(limit);
  expect(spill.liveRuns, 'runs cleaned up').toBe(0);
  expect(canon(small.rows)).toEqual(canon(full.rows));
  expect(small.rowCount).toBeGreaterThan(0);
  return small;
}

describe('GROUP BY past the budget spills partitions of groups', () => {
  test.each([
    'SELECT id, count(*), sum(score), avg(score), min(name), max(note), count(name) FROM t GROUP BY id',
    'SELECT id % 1500, name, count(*), sum(big), avg(id), min(score), max(score), bool_and(score > 50), bool_or(name IS NULL) FROM t GROUP BY id % 1500, name',
    "SELECT id % 2000, stddev(score), var_pop(id), stddev_samp(big), sum(score::numeric), avg(big::numeric), sum(id * interval '1 second') FROM t GROUP BY 1",
    'SELECT id % 700, count(DISTINCT grp), count(DISTINCT name), sum(DISTINCT id % 13), array_agg(DISTINCT note) FROM t GROUP BY 1',
    "SELECT id % 400, string_agg(note, ',' ORDER BY id DESC), array_agg(name ORDER BY score NULLS FIRST, id) FROM t GROUP BY 1",
    "SELECT id % 600, array_agg(score), string_agg(name, '|'), min(big), max(id) FROM t GROUP BY 1",
    "SELECT name, grp, count(*) FILTER (WHERE score > 50), sum(id) FILTER (WHERE note <> 'x'), array_agg(id) FILTER (WHERE id % 7 = 0), count(DISTINCT id % 9) FILTER (WHERE score IS NULL) FROM t GROUP BY name, grp",
    'SELECT grp, name, sum(score), count(*) FROM t GROUP BY grp, name HAVING count(*) > 1 AND sum(score) > 100',
    'SELECT lower(note), id / 3, count(*), sum(score) FROM t GROUP BY lower(note), id / 3',
    'SELECT score, big % 1000, count(*), array_agg(id ORDER BY id) FROM t GROUP BY score, big % 1000',
    'SELECT u.label, count(*), sum(t.score), max(t.name) FROM t JOIN u ON t.grp = u.grp GROUP BY u.label',
  ])('%s', async (sql) => {
    await compare(sql);
  });

  test('NULL keys form their own groups, also when their partition spilled', async () => {
    const r = await compare(
      'SELECT name, id % 900 AS k, count(*), sum(score) FROM t GROUP BY name, id % 900',
    );
    const nulls = r.rows.filter((x) => x[0] === null);
    expect(nulls.length).toBeGreaterThan(100);
    expect(new Set(nulls.map((x) => x[1])).size).toBe(nulls.length);
  });

  test('partitions that still do not fit are split again with another seed', async () => {
    const sql =
      "SELECT id, name, note, string_agg(name || note, '/' ORDER BY score), array_agg(big) FROM t GROUP BY id, name, note";
    const r = await compare(sql, 24 * 1024);
    // One level writes at most FANOUT runs per aggregation; more means a partition was split again.
    expect(r.memory!.spillRuns).toBeGreaterThan(FANOUT);
  });

  test.each([16, 40, 100, 200])('the same result at a %i kB budget', async (kb) => {
    await compare(
      "SELECT id % 3000, grp, count(*), sum(score), count(DISTINCT name), string_agg(note, ',' ORDER BY id) FROM t GROUP BY 1, 2",
      kb * 1024,
    );
  });

  test('a LIMIT over a spilled aggregation stops early; its runs are deleted at the end', async () => {
    const r = await db.query('SELECT * FROM (SELECT id, count(*) FROM t GROUP BY id) s LIMIT 3', [], {
      memoryLimit: TINY,
    });
    expect(r.rowCount).toBe(3);
    expect(r.memory!.spilledBytes).toBeGreaterThan(0);
    expect(spill.liveRuns).toBe(0);
  });

  test('a correlated subquery with a spilling aggregation gives its memory back each run', async () => {
    const sql =
      'SELECT u.id, (SELECT count(*) FROM (SELECT t.id FROM t WHERE t.id % 2 = u.id % 2 GROUP BY t.id, t.note) s) FROM u WHERE u.id <= 20';
    const small = await db.query(sql, [], { memoryLimit: 24 * 1024 });
    const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
    expect(canon(small.rows)).toEqual(canon(full.rows));
    expect(small.memory!.peakBytes).toBeLessThanOrEqual(24 * 1024);
    expect(small.memory!.spilledBytes).toBeGreaterThan(0);
    expect(spill.liveRuns).toBe(0);
  });
});

describe('one group larger than the budget', () => {
  test.each([
    'SELECT array_agg(id ORDER BY score) FROM t',
    'SELECT count(DISTINCT id), sum(score) FROM t',
    "SELECT grp < 100, string_agg(note, ',') FROM t GROUP BY 1",
    'SELECT id % 3 = 0, id % 1000, array_agg(note) FILTER (WHERE id % 3 > 0) FROM t GROUP BY 1, 2 UNION ALL SELECT true, 0, array_agg(note || id) FROM t',
  ])('%s fails with 53200 and leaves no runs', async (sql) => {
    const err = await db.query(sql, [], { memoryLimit: TINY }).catch((e) => e);
    expect(isSqlError(err) && err.code).toBe('53200');
    expect(String(err.message)).toContain('the state of one group');
    expect(String(err.message)).toContain('64 kB');
    expect(spill.liveRuns).toBe(0);
    const ok = await db.query(sql);
    expect(ok.rowCount).toBeGreaterThan(0);
  });
});

describe('DISTINCT ON is accounted and falls back to the spilling sort', () => {
  test.each([
    'SELECT DISTINCT ON (id % 3000) id % 3000, id, score FROM t ORDER BY id % 3000, score DESC NULLS LAST, id',
    'SELECT DISTINCT ON (name, id % 400) name, id % 400, id, note FROM t ORDER BY name, id % 400, id DESC',
    // Ties on the remaining key keep the first row seen, as with the in-memory winners.
    'SELECT DISTINCT ON (id % 2500) id % 2500, grp, id FROM t ORDER BY id % 2500, note',
  ])('%s', async (sql) => {
    const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
    const small = await db.query(sql, [], { memoryLimit: TINY });
    expect(full.memory!.peakBytes).toBeGreaterThan(TINY);
    expect(small.memory!.spilledBytes).toBeGreaterThan(0);
    expect(small.memory!.peakBytes).toBeLessThanOrEqual(TINY);
    expect(spill.liveRuns).toBe(0);
    expect(small.rows).toEqual(full.rows);
  });

  test('a DISTINCT ON that fits stays in memory', async () => {
    const r = await db.query(
      'SELECT DISTINCT ON (grp) grp, id FROM t ORDER BY grp, score DESC NULLS LAST',
      [],
      {
        memoryLimit: TINY,
      },
    );
    expect(r.rowCount).toBe(37);
    expect(r.memory!.spilledBytes).toBe(0);
    expect(r.memory!.peakBytes).toBeGreaterThan(0);
  });
});

spillsLikePostgres('spilling aggregations vs PGlite', [
  'SELECT id, name, count(*), sum(big), min(note) FROM t GROUP BY id, name',
  "SELECT id % 800, count(DISTINCT name), string_agg(note, ',' ORDER BY id), array_agg(grp ORDER BY id DESC) FROM t GROUP BY 1",
  'SELECT name, grp, count(*) FILTER (WHERE score > 50), max(score), avg(id) FROM t GROUP BY name, grp HAVING count(*) > 1',
  "SELECT id / 4, sum(score::numeric), stddev(id), bool_or(note = 'x') FROM t GROUP BY id / 4",
  'SELECT DISTINCT ON (id % 3000) id % 3000, id, score FROM t ORDER BY id % 3000, score DESC NULLS LAST, id',
]);
