/**
 * Exact stddev/variance over numeric: large values end (the square root is
 * Newton's, not a float guess stepped by one) and agree with PostgreSQL.
 */
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { isqrt } from '../types/numeric-math.ts';

describe('isqrt', () => {
  test('is the floor of the square root', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 700n }), (v) => {
        const r = isqrt(v);
        return r * r <= v && (r + 1n) * (r + 1n) > v;
      }),
      { numRuns: 200 },
    );
  });
});

describe('stddev over large numerics matches PostgreSQL', () => {
  let db: Database;
  let pg: PGlite;
  const values = [
    '0',
    '-34338492.215397047',
    '4.31',
    '7799461.4119',
    '16397.038491',
    '93901.57763026',
    '-83028485',
    '74881',
    '-24926804.045047420',
    '1e30',
    '123456789012345678901234567890.5',
  ];
  beforeAll(async () => {
    db = await Database.create();
    pg = new PGlite();
    const setup = `CREATE TABLE n (v numeric); INSERT INTO n VALUES ${values.map((v) => `(${v})`).join(', ')};`;
    await db.exec(setup);
    await pg.exec(setup);
  });
  afterAll(() => pg.close());

  test.each(['stddev', 'stddev_pop', 'variance', 'var_pop'])('%s', async (fn) => {
    const sql = `SELECT ${fn}(v)::text AS r FROM n`;
    const started = performance.now();
    const ours = await db.query(sql);
    expect(performance.now() - started).toBeLessThan(2000);
    const theirs = await pg.query<{ r: string }>(sql);
    expect(ours.rows[0][0]).toBe(theirs.rows[0].r);
  });
});
