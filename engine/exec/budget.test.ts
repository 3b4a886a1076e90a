/**
 * Statement budgets: every statement ends within statement_timeout (57014) and
 * within its memory budget (53200 / 54000), whatever the SQL asks for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';
import { StatementBudget } from './budget.ts';

let db: Database;
beforeAll(async () => {
  db = await Database.create();
});

/** Runs `sql`, expecting SQLSTATE `code`; returns the wall time it took (ms). */
async function fails(sql: string, code: string, opts = {}): Promise<number> {
  const t0 = performance.now();
  try {
    await db.query(sql, [], opts);
  } catch (e) {
    if (!isSqlError(e)) throw e;
    expect(e.code, e.message).toBe(code);
    return performance.now() - t0;
  }
  throw new Error(`expected ${code} from ${sql}`);
}

describe('statement_timeout (57014)', () => {
  const small = { statementTimeout: 150 };

  it('a cross join of two million-row series under count(*) is cancelled within the budget', async () => {
    const ms = await fails(
      'SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b',
      '57014',
      { ...small, memoryLimit: 512 * 1024 * 1024 },
    );
    expect(ms).toBeLessThan(5000);
  });

  it('a join whose condition rejects every pair still stops (no output to tick on)', async () => {
    await fails(
      'SELECT count(*) FROM generate_series(1, 30000) a JOIN generate_series(1, 30000) b ON a + b < 0',
      '57014',
      small,
    );
  });

  it('an endless set-returning function without LIMIT', async () => {
    await fails(
      "SELECT count(*) FROM (SELECT generate_series(timestamp '2000-01-01', 'infinity', interval '1 second')) s",
      '57014',
      small,
    );
    await fails(
      "SELECT count(*) FROM generate_series(timestamp '2000-01-01', 'infinity', interval '1 second')",
      '57014',
      small,
    );
  });

  it('an endless recursive CTE', async () => {
    const code = await fails(
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t',
      '57014',
      small,
    );
    expect(code).toBeLessThan(5000);
  });

  it('SET statement_timeout applies to later statements; RESET restores the default', async () => {
    const d = await Database.create();
    await d.exec("SET statement_timeout = '100ms'");
    expect(d.statementTimeout).toBe(100);
    await expect(
      d.query('SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 100000) b', [], {
        memoryLimit: 512 * 1024 * 1024,
      }),
    ).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    await d.exec('SET statement_timeout TO 2000');
    expect(d.statementTimeout).toBe(2000);
    await d.exec("SET statement_timeout = '1min'");
    expect(d.statementTimeout).toBe(60_000);
    await d.exec('RESET statement_timeout');
    expect(d.statementTimeout).toBe(30_000);
    await expect(d.exec("SET statement_timeout = 'soon'")).rejects.toMatchObject({ code: '22023' });
    expect((await d.query('SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('a clock that stands still (Workers) is replaced by the work estimate', () => {
    const b = new StatementBudget(10, () => 0);
    expect(() => {
      for (let i = 0; i < 1000; i++) b.tick(65536);
    }).toThrow(/statement timeout/);
    expect(b.work).toBeLessThan(200_000);
  });

  it('normal queries are untouched by the budget', async () => {
    const r = await db.query(
      'SELECT count(*)::int FROM generate_series(1, 200000) a JOIN generate_series(1, 200000) b ON a = b',
    );
    expect(r.rows).toEqual([[200_000]]);
  });
});

describe('memory: values and results past the budget (53200 / 54000, as PostgreSQL)', () => {
  it("repeat('x', 1e9) is out of memory (53200) like PostgreSQL; past 1 GB the request is too large (54000)", async () => {
    await fails("SELECT repeat('x', 1000000000)", '53200');
    await fails("SELECT repeat('xx', 1000000000)", '54000');
    expect((await db.query("SELECT length(repeat('ab', 1000))")).rows).toEqual([[2000]]);
  });

  it('string_agg and array_agg over huge input', async () => {
    await fails("SELECT length(string_agg(repeat('x', 1000), ',')) FROM generate_series(1, 100000)", '53200');
    await fails('SELECT cardinality(array_agg(g)) FROM generate_series(1, 10000000) g', '53200');
  });

  it('a result set that cannot fit the budget', async () => {
    await fails("SELECT repeat('x', 1000) FROM generate_series(1, 100000)", '53200');
  });
});
