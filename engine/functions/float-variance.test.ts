/**
 * Variance and standard deviation over doubles are PostgreSQL's to the last bit
 * (float8_accum's Youngs-Cramer update), for generated inputs with large offsets
 * and mixed magnitudes, read in the same order by both systems; and PostgreSQL's
 * overflow error and NaN for infinite inputs.
 */
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Database } from '../database.ts';

const CALLS = 'var_pop(x), var_samp(x), stddev_pop(x), stddev_samp(x), avg(x)';

/** PostgreSQL's float8 text as a number. */
const pgNumber = (s: string | null) =>
  s === null
    ? null
    : s === 'NaN'
      ? Number.NaN
      : s === 'Infinity'
        ? Infinity
        : s === '-Infinity'
          ? -Infinity
          : Number(s);

describe('float variance matches PostgreSQL exactly', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
  });
  afterAll(async () => {
    await pg.close();
  });

  async function both(values: readonly number[]): Promise<{ ours: unknown[]; theirs: unknown[] }> {
    const db = await Database.create();
    const ddl = 'CREATE TABLE f (i int, x double precision)';
    const rows = values.map((v, i) => `(${i}, '${Object.is(v, -0) ? '-0' : String(v)}'::float8)`).join(', ');
    await db.exec(`${ddl}; INSERT INTO f VALUES ${rows}`);
    await pg.exec(`DROP TABLE IF EXISTS f; ${ddl}; INSERT INTO f VALUES ${rows}`);
    const sql = `SELECT ${CALLS} FROM f`;
    const ours = (await db.query(sql)).rows[0] as unknown[];
    const r = await pg.query<unknown[]>(sql, [], { rowMode: 'array', parsers: { 701: (s: string) => s } });
    return { ours, theirs: (r.rows[0] as (string | null)[]).map(pgNumber) };
  }

  test('generated inputs, large offsets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1e8, -3.5e12, 1e-3),
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { maxLength: 4 }),
        async (offset, ints, doubles) => {
          const values = [...ints.map((v) => offset + v / 8), ...doubles];
          const { ours, theirs } = await both(values);
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 25 },
    );
  });

  test('regression: var_pop of 100000003, 4, 6, 7 is 2.5', async () => {
    const { ours, theirs } = await both([100000003, 100000004, 100000006, 100000007]);
    expect(ours[0]).toBe(2.5);
    expect(ours).toEqual(theirs);
  });

  test('infinite inputs give NaN; a finite overflow is 22003', async () => {
    expect((await both([Infinity, 1])).ours.slice(0, 4)).toEqual([NaN, NaN, NaN, NaN]);
    const db = await Database.create();
    await expect(
      db.query('SELECT var_pop(x) FROM (VALUES (1e308::float8), (-1e308::float8), (1e308::float8)) v(x)'),
    ).rejects.toMatchObject({
      code: '22003',
    });
  });
});
