/**
 * The float summation allowance: PostgreSQL itself answers a float8 sum in
 * another order differently by up to the bound; an answer off by more, or a
 * difference in any other column, is still a wrong answer.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diffResults } from '../result-compare.ts';
import { floatSumTolerances } from './float-sum-bound.ts';
import type { RqgQuery } from './query.ts';

const BIG = 9007199254740991;
const VALUES = [BIG, 0.2, -BIG, 0.7, BIG, -BIG, 1.25, -0.4];

describe('float summation bound', () => {
  let pg: PGlite;
  const oracle = {
    query: async (sql: string) => ({
      rows: (await pg.query<unknown[]>(sql, [], { rowMode: 'array' })).rows as (number | null)[][],
    }),
  };
  const q = (items: RqgQuery['items'], where?: RqgQuery['where']): RqgQuery => ({
    distinct: false,
    items,
    from: 't a',
    where,
    orderBy: [],
  });
  beforeAll(async () => {
    pg = new PGlite();
    await pg.exec(
      `CREATE TABLE t (i int, d float8); INSERT INTO t VALUES ${VALUES.map((v, i) => `(${i}, ${v})`).join(', ')}`,
    );
  });
  afterAll(async () => {
    await pg.close();
  });

  test('two addition orders of the same rows both lie within the bound', async () => {
    const asc = (await oracle.query('SELECT sum(d) FROM (SELECT d FROM t ORDER BY i) s')).rows;
    const desc = (await oracle.query('SELECT sum(d) FROM (SELECT d FROM t ORDER BY i DESC) s')).rows;
    expect(asc[0][0]).not.toBe(desc[0][0]); // the order shows in the last bits
    const tols = await floatSumTolerances(oracle, q([{ sql: 'sum(a.d)', type: 'double' }]));
    expect(tols).toHaveLength(1);
    expect(diffResults(asc, desc, false)).toBeDefined();
    expect(diffResults(asc, desc, false, undefined, tols)).toBeUndefined();
  });

  test('an answer off by more than the bound is still wrong', async () => {
    const tols = (await floatSumTolerances(oracle, q([{ sql: 'avg(a.d)', type: 'double' }])))!;
    const exact = (await oracle.query('SELECT avg(d) FROM t')).rows;
    const off = [[(exact[0][0] as number) + 4 * tols[0] + 1]];
    expect(diffResults(exact, off, false, undefined, tols)).toBeDefined();
  });

  test('only float8 sum/avg columns get an allowance', async () => {
    const tols = await floatSumTolerances(
      oracle,
      q([
        { sql: 'max(a.d)', type: 'double' },
        { sql: 'sum(a.d)', type: 'double' },
        { sql: 'sum(a.i)', type: 'bigint' },
        { sql: 'sum(a.d) OVER (ORDER BY a.i)', type: 'double' },
      ]),
    );
    expect(tols?.[0]).toBe(0);
    expect(tols?.[1]).toBeGreaterThan(0);
    expect(tols?.slice(2)).toEqual([0, 0]);
    expect(await floatSumTolerances(oracle, q([{ sql: 'min(a.d)', type: 'double' }]))).toBeUndefined();
  });
});
