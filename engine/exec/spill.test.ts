/**
 * Bounded memory: the same queries with a 64 kB operator budget (spilling) and
 * with an unlimited one must return the same rows; spilling must really
 * happen, the accounted peak must stay within the budget, and every spill run
 * must be deleted at the end. A sample also runs against PGlite.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';
import { canon, SETUP, spillsLikePostgres, TINY, UNLIMITED } from './spill-fixture.ts';
import { MemorySpillStore } from './spill-store.ts';

let spill: MemorySpillStore;
let db: Database;

beforeAll(async () => {
  spill = new MemorySpillStore();
  db = await Database.create({ spill });
  await db.exec(SETUP);
});

async function both(sql: string, ordered: boolean) {
  const written = spill.counters.bytesWritten;
  const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
  const small = await db.query(sql, [], { memoryLimit: TINY });
  expect(small.memory!.spilledBytes, 'spilled').toBeGreaterThan(0);
  expect(spill.counters.bytesWritten - written).toBe(small.memory!.spilledBytes);
  expect(small.memory!.peakBytes, 'peak within budget').toBeLessThanOrEqual(TINY);
  expect(full.memory!.peakBytes, 'the query needs more than the budget').toBeGreaterThan(TINY);
  expect(spill.liveRuns, 'runs cleaned up').toBe(0);
  if (ordered) expect(small.rows).toEqual(full.rows);
  else expect(canon(small.rows)).toEqual(canon(full.rows));
  return small;
}

describe('ORDER BY spills sorted runs and merges them', () => {
  test.each([
    'SELECT * FROM t ORDER BY score DESC NULLS LAST, id',
    'SELECT * FROM t ORDER BY name NULLS FIRST, big DESC',
    'SELECT id, note, name FROM t ORDER BY note, name DESC NULLS LAST, id',
    'SELECT * FROM t ORDER BY grp',
    'SELECT * FROM t ORDER BY score, id LIMIT 4000 OFFSET 7',
  ])('%s', async (sql) => {
    const r = await both(sql, true);
    expect(r.rowCount).toBeGreaterThan(3000);
  });
});

describe('hash joins past the budget run as grace hash joins', () => {
  test.each([
    'SELECT t.id, t.name, u.label FROM t JOIN u ON t.id = u.id',
    'SELECT t.id, u.label, t.note FROM t JOIN u ON t.grp = u.grp AND t.id < 500',
    'SELECT t.id, u.id, u.label FROM u LEFT JOIN t ON t.id = u.id * 3',
    'SELECT t.id, u.id FROM t RIGHT JOIN u ON t.id = u.id * 2',
    'SELECT t.id, u.id, t.name FROM t FULL JOIN u ON t.id = u.id * 3 AND t.score > 20',
    'SELECT t.id, u.label FROM t JOIN u ON t.grp = u.grp AND t.name = u.label AND t.id > 10',
    'SELECT u.id, t.id FROM u LEFT JOIN t ON u.grp = t.grp AND t.id < 60',
  ])('%s', async (sql) => {
    await both(sql, false);
  });
});

describe('window functions past the budget run partition by partition', () => {
  test.each([
    'SELECT id, grp, row_number() OVER (PARTITION BY grp ORDER BY score DESC NULLS LAST, id), sum(score) OVER (PARTITION BY grp ORDER BY id) FROM t',
    'SELECT id, lag(note) OVER (PARTITION BY grp, name ORDER BY id), rank() OVER (PARTITION BY name, grp ORDER BY score), count(*) OVER (PARTITION BY grp, name) FROM t',
    'SELECT id, dense_rank() OVER (PARTITION BY id % 300 ORDER BY score NULLS FIRST), first_value(id) OVER (PARTITION BY id % 300, grp ORDER BY id DESC ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t',
  ])('%s', async (sql) => {
    await both(sql, false);
  });
});

describe('GROUP BY past the budget spills partitions of groups', () => {
  test.each([
    'SELECT id, count(*) FROM t GROUP BY id',
    "SELECT id % 500, string_agg(note, ',' ORDER BY id), count(DISTINCT name) FROM t GROUP BY 1",
  ])('%s', async (sql) => {
    await both(sql, false);
  });
});

describe('DISTINCT past the budget spills partitions of rows', () => {
  test.each([
    'SELECT DISTINCT id % 2000, name FROM t',
    'SELECT DISTINCT name, note, grp FROM t',
    'SELECT DISTINCT u.grp, t.name FROM t JOIN u ON t.id = u.id',
  ])('%s', async (sql) => {
    await both(sql, false);
  });
});

describe('set operations past the budget run partition by partition', () => {
  test.each([
    'SELECT id % 3000, name FROM t UNION SELECT id, label FROM u',
    'SELECT grp, name FROM t INTERSECT ALL SELECT grp, name FROM t WHERE id % 3 = 0',
    'SELECT grp, name FROM t INTERSECT SELECT grp, label FROM u UNION ALL SELECT 1, null',
    'SELECT id % 500, note FROM t EXCEPT ALL SELECT id, label FROM u',
    'SELECT name, grp FROM t EXCEPT SELECT label, grp FROM u',
  ])('%s', async (sql) => {
    await both(sql, false);
  });
});

describe('early stop', () => {
  test('a LIMIT above a spilled sort stops the merge early; its runs are still deleted', async () => {
    const sql =
      'SELECT s.id, s.score FROM (SELECT id, score FROM t ORDER BY score DESC NULLS LAST, id) s WHERE s.id % 2 = 0 LIMIT 3';
    const live = spill.counters.liveBytes;
    const r = await both(sql, true);
    expect(r.rowCount).toBe(3);
    expect(spill.counters.liveBytes).toBe(live);
  });
});

describe('correlated subqueries', () => {
  test('state an early-stopped subquery still holds is given back after each run', async () => {
    const sql =
      'SELECT t.id, (SELECT w.label FROM u w JOIN (SELECT id FROM u WHERE id < 150) x ON x.id = w.id WHERE w.grp = t.grp LIMIT 1) FROM t WHERE t.id <= 400';
    const small = await db.query(sql, [], { memoryLimit: TINY });
    const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
    expect(canon(small.rows)).toEqual(canon(full.rows));
    expect(small.memory!.peakBytes).toBeLessThanOrEqual(TINY);
    // Each run's join build fits; without giving it back, later runs would spill (and reorder).
    expect(small.memory!.spilledBytes).toBe(0);
  });
});

describe('errors instead of crashes', () => {
  // Hash aggregation spills (spill-aggregate.test.ts); one group's state past the budget still fails.
  test.each([
    ["SELECT name, string_agg(note, ',' ORDER BY id) FROM t GROUP BY name", 'the state of one group'],
    ['SELECT array_agg(id) FROM t', 'the state of one group'],
  ])('%s fails with 53200 past the budget and runs within the default one', async (sql, what) => {
    const err = await db.query(sql, [], { memoryLimit: TINY }).catch((e) => e);
    expect(isSqlError(err) && err.code).toBe('53200');
    expect(String(err.message)).toContain(what);
    expect(String(err.message)).toContain('64 kB');
    const ok = await db.query(sql);
    expect(ok.rowCount).toBeGreaterThan(0);
    expect(ok.memory!.peakBytes).toBeGreaterThan(TINY);
  });

  test('small aggregates, DISTINCT and set operations run within a tiny budget', async () => {
    for (const sql of [
      'SELECT grp, count(*), sum(score), count(DISTINCT id % 5) FROM t GROUP BY grp',
      'SELECT DISTINCT grp FROM t',
      'SELECT grp FROM t WHERE id < 50 INTERSECT SELECT grp FROM u WHERE id < 50',
    ]) {
      const small = await db.query(sql, [], { memoryLimit: TINY });
      const full = await db.query(sql, [], { memoryLimit: UNLIMITED });
      expect(canon(small.rows), sql).toEqual(canon(full.rows));
      expect(small.memory!.peakBytes, sql).toBeLessThanOrEqual(TINY);
    }
  });

  test('a window over one partition larger than the budget fails with 53200', async () => {
    for (const sql of [
      'SELECT id, count(*) OVER () FROM t',
      'SELECT id, row_number() OVER (PARTITION BY grp < 100 ORDER BY id) FROM t',
    ]) {
      const err = await db.query(sql, [], { memoryLimit: TINY }).catch((e) => e);
      expect(isSqlError(err) && err.code, sql).toBe('53200');
      expect(spill.liveRuns).toBe(0);
    }
  });

  test('a nested-loop join over the budget fails with 53200 naming the limit', async () => {
    const err = await db
      .query('SELECT count(*) FROM t, u WHERE t.id < u.id', [], { memoryLimit: TINY })
      .catch((e) => e);
    expect(isSqlError(err) && err.code).toBe('53200');
    expect(String(err.message)).toContain('64 kB');
    expect(spill.liveRuns).toBe(0);
  });
});

spillsLikePostgres('spilling queries vs PGlite', [
  'SELECT * FROM t ORDER BY name DESC NULLS FIRST, score NULLS FIRST, id',
  'SELECT t.id, u.label, t.score FROM t FULL JOIN u ON t.id = u.id * 2',
  'SELECT u.grp, t.name FROM u RIGHT JOIN t ON u.grp = t.grp AND u.id < 100 AND t.id < 3000',
]);
